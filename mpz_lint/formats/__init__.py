"""Output formats read by other tools: SARIF, GitHub annotations, GitLab Code Quality,
JUnit XML. Each module has one `format_*(results, notebooks) -> str`; `output.FORMATS`
names them."""
