"""Runs of the command line that tests start as processes of their own:
`python tests/cli_cases.py CASE ARGS...` (also under torchrun) exits with `linreg.cli.main`'s
status."""

from __future__ import annotations

import gc
import os
import signal
import sys
import time

from linreg import checks, cli


def ctrl_c_in_a_gc_callback(folder: str) -> int:
    """`linreg --plots FOLDER`, with Ctrl-C pressed once a figure is written, inside a
    garbage-collection callback: Python swallows a KeyboardInterrupt raised there."""
    pressed = False

    def press(phase: str, info: dict) -> None:
        nonlocal pressed
        if pressed or phase != "start" or not _figures(folder):
            return
        pressed = True
        os.kill(os.getpid(), signal.SIGINT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the handler runs here, and raises here
            time.sleep(0.01)
        print("cli_cases: the SIGINT handler never ran", file=sys.stderr)

    gc.callbacks.append(press)
    return cli.main(["--epochs", "2", "--plots", folder])


def _figures(folder: str) -> list[str]:
    try:
        return [name for name in os.listdir(folder) if name.endswith(".png") and name[0] != "."]
    except OSError:
        return []


def options_in_process(rank: str, *options: str) -> int:
    """`linreg OPTIONS` in the process whose RANK is `rank`, and `linreg` in the others:
    each machine of a torchrun group has its own command line."""
    return cli.main(list(options) if os.environ.get("RANK") == rank else [])


def little_memory_in_process(rank: str, *options: str) -> int:
    """`linreg OPTIONS` in every process, where process `rank` has 1 MB of memory
    available."""
    if os.environ.get("RANK") == rank:
        checks.available_memory = lambda: 10**6
    return cli.main(list(options))


CASES = {
    "ctrl-c-in-a-gc-callback": ctrl_c_in_a_gc_callback,
    "options-in-process": options_in_process,
    "little-memory-in-process": little_memory_in_process,
}

if __name__ == "__main__":
    sys.exit(CASES[sys.argv[1]](*sys.argv[2:]))
