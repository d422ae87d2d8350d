"""Run every process of a Procfile together, as a platform would (`make serve`): each line's
output prefixed with its name, and all of them stopped (SIGTERM, then SIGKILL after a grace
period) when one exits or when this runner gets SIGINT/SIGTERM. Exits with the status of the
process that ended first (0 after a SIGINT/SIGTERM of our own).

    python tools/procfile.py [Procfile] [--only web,worker]

No dependency (honcho, foreman) for something this small; the Procfile stays the one list of
processes, read here and by any platform that runs Procfiles."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

GRACE_SECONDS = 20


def read_procfile(path: Path) -> dict[str, str]:
    """name -> command, in the file's order; comments and blank lines are skipped."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, command = line.partition(":")
            found[name.strip()] = command.strip()
    return found


def _pump(name: str, width: int, stream) -> None:
    for raw in iter(stream.readline, b""):
        text = raw.decode(errors="replace").rstrip("\n")
        sys.stdout.write(f"{name:<{width}} | {text}\n")
        sys.stdout.flush()


def run(processes: dict[str, str]) -> int:
    width = max(map(len, processes))
    stopping = threading.Event()
    children: dict[str, subprocess.Popen] = {}

    def stop(*_args) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in processes.items():
        child = subprocess.Popen(
            command,
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group: the signal reaches the shell's children
        )
        children[name] = child
        threading.Thread(target=_pump, args=(name, width, child.stdout), daemon=True).start()
        print(f"{'procfile':<{width}} | started {name} (pid {child.pid}): {command}", flush=True)
    status = 0
    while not stopping.is_set():
        ended = [(n, c.returncode) for n, c in children.items() if c.poll() is not None]
        if ended:
            name, status = ended[0]
            print(f"{'procfile':<{width}} | {name} exited with {status}: stopping", flush=True)
            break
        time.sleep(0.2)
    for child in children.values():
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children.values():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procfile", nargs="?", default="Procfile")
    parser.add_argument("--only", help="comma-separated names of the processes to run")
    options = parser.parse_args()
    processes = read_procfile(Path(options.procfile))
    if options.only:
        wanted = options.only.split(",")
        processes = {n: c for n, c in processes.items() if n in wanted}
    return run(processes)


if __name__ == "__main__":
    sys.exit(main())
