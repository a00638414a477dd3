"""The worker processes a large run spreads its work over (`-j/--jobs`)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


def executor(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes. fork is cheapest (a worker starts with what this
    process has imported and read) where it is safe; elsewhere the workers start afresh."""
    import concurrent.futures
    import multiprocessing

    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=multiprocessing.get_context(method))
