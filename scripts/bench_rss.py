"""Run a command and report its peak memory, for scripts/bench.py.

    python scripts/bench_rss.py STDERR_FILE COMMAND...

Runs COMMAND (its stdout discarded, its stderr written to STDERR_FILE), then prints one
JSON object: the exit code; `maxrss_kb`, the peak resident set of the largest process
among COMMAND and its descendants, from getrusage(RUSAGE_CHILDREN) (kilobytes on Linux);
and `tree_peak_kb`, the largest sum of the resident sets of COMMAND and all its
descendants seen by sampling /proc every 20 ms (Linux only, else null; with worker
processes it is the figure a machine feels). A fresh wrapper process per run, so that
RUSAGE_CHILDREN covers that one command only. Standard library only.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PAGE_KB = (os.sysconf("SC_PAGE_SIZE") // 1024) if hasattr(os, "sysconf") else 4
SAMPLE_SECONDS = 0.02


def tree_rss_kb(root: int) -> int | None:
    """The summed resident set of `root` and its descendants, from /proc; None if no /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    children: dict[int, list[int]] = {}
    for entry in os.scandir(proc):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses.
        fields = stat[stat.rfind(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        try:
            pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            pages = 0
        total += pages * PAGE_KB
        stack.extend(children.get(pid, ()))
    return total


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    stderr_file, command = argv[0], argv[1:]
    peak: int | None = None
    with open(stderr_file, "wb") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
        while child.poll() is None:
            sample = tree_rss_kb(child.pid)
            if sample is not None:
                peak = max(peak or 0, sample)
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"returncode": child.returncode, "maxrss_kb": usage.ru_maxrss,
                      "tree_peak_kb": peak, "seconds": seconds}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
