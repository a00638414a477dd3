"""mpz-lint: finds and fixes Procore MPZ (Multiple Procore Zones) defects in Python code."""

__version__ = "0.1.0"
