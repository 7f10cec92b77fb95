"""Start Jupyter kernels by forking a process that has already imported the heavy libraries.

A page's kernel spends most of its life importing torch, numpy and matplotlib; every page
did it again. `serve` imports them once (never the project's own code, never a page's) and
waits on a Unix socket; `connect`, which jupyter_client launches in place of
`python -m ipykernel_launcher -f <connection file>`, asks it for a kernel. The server forks
and the child becomes an ordinary ipykernel with the client's arguments, environment,
working directory and standard streams. So every page still gets a process of its own that
no other page ran in: its variables and the names it imports are its own, and a page that
forgets an import still fails. Only `sys.modules` is warm.

The client stays alive for as long as the kernel and stands in for it: jupyter_client
polls, signals and kills the client; the client forwards signals to the kernel, and the
kernel exits as soon as the client's end of their socket closes (including on SIGKILL).
If no server answers, the client becomes an ordinary kernel (it execs the command it
stands in for). The server exits after a while with no request and no kernel running;
`stop` makes it take no more requests and exit once its kernels are done. Several
checkouts with the same interpreter and libraries share one server: it holds nothing of
theirs.

Commands: `serve SOCKET IDLE MODULE...`, `connect SOCKET COMMAND...`, and `stop [SOCKET...]`
(by default, every server of this user).

Run by hooks/execution.py; not an MkDocs hook itself. Linux only (fork after importing
torch is not safe on macOS); elsewhere the build starts ordinary kernels.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import importlib.util
import json
import os
import selectors
import signal
import socket
import sys
import tempfile
import time

READY = b"ready\n"


def serve(path: str, idle: float, modules: list[str]) -> None:
    """Import `modules`, then fork a kernel for each client; exit once `idle` seconds have
    passed with no request and no kernel running.

    If another server already answers at `path`, say ready and leave the work to it.
    """
    del sys.path[0]  # this script's folder: a kernel's sys.path is that of `python -m`, less ''
    # What ipykernel would set before the page's first import of matplotlib reads it.
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    import ipykernel.kernelapp  # noqa: F401  (the kernel itself)

    for module in modules:
        importlib.import_module(module)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        listener.bind(path)
    except OSError:
        if alive(path):  # another build started one first: use that one
            sys.stdout.buffer.write(READY)
            return
        os.unlink(path)  # left by a server that was killed
        listener.bind(path)
    listener.listen(16)
    sys.stdout.buffer.write(READY)
    sys.stdout.buffer.flush()
    os.dup2(os.open(os.devnull, os.O_RDWR), 1)  # let go of the pipe the build reads
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    kernels: set[int] = set()
    last = time.monotonic()
    while kernels or time.monotonic() - last < idle:  # never idle while a kernel runs
        kernels -= _reap()  # every few seconds: no zombies left waiting
        if not events.select(timeout=min(idle, 5)):
            continue
        last = time.monotonic()
        connection, _ = listener.accept()
        message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 3)
        request = json.loads(message) if message else {}  # nothing: a check that we are here
        if request.get("stop"):
            break
        if "command" in request:
            pid = os.fork()
            if pid == 0:
                listener.close()
                events.close()
                _become_kernel(connection, fds, request)
            kernels.add(pid)
        connection.close()
        for fd in fds:
            os.close(fd)
    # Take no more requests (a new server can start at once), but stay the parent of the
    # kernels still running until they end: a kernel whose parent is gone shuts down.
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # first: until then, a server starting now sees this one and leaves
    listener.close()
    while kernels:
        with contextlib.suppress(ChildProcessError):
            kernels.discard(os.wait()[0])
    log = path.removesuffix(".sock") + ".log"
    if os.path.exists(log) and not os.path.getsize(log):
        os.unlink(log)  # nothing went wrong: nothing to keep


def folder() -> str:
    """Where this user's servers keep their sockets (and the log of one that failed)."""
    return os.path.join(tempfile.gettempdir(), f"linreg-kernels-{os.getuid()}")


def alive(path: str) -> bool:
    """Whether a server answers at `path`."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True


def stop(path: str) -> None:
    """Ask the server at `path`, if any, to take no more requests and to exit once its
    kernels are done (a build still running starts its next kernels the ordinary way).
    A socket no server answers on (one was killed) is removed."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
        try:
            connection.connect(path)
        except ConnectionRefusedError:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            return
        except OSError:
            return
        connection.send(json.dumps({"stop": True}).encode())


def _reap() -> set[int]:
    """Collect the exit status of kernels that have ended; return their process ids."""
    ended = set()
    try:
        while True:
            pid, _ = os.waitpid(-1, os.WNOHANG)
            if not pid:
                break
            ended.add(pid)
    except ChildProcessError:
        pass
    return ended


def _become_kernel(connection: socket.socket, fds: list[int], request: dict) -> None:
    """In the forked child: take on the client's process state, then run ipykernel."""
    try:
        os.setsid()  # like a kernel jupyter_client starts: not in the build's process group
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # sys.argv of `python -m ipykernel_launcher ARGS`: the launcher's path, then ARGS
        launcher = importlib.util.find_spec("ipykernel_launcher").origin
        sys.argv = [launcher, *request["command"][3:]]
        connection.send(f"{os.getpid()}".encode())

        import threading

        def exit_with_client() -> None:
            while connection.recv(1):  # the client sends nothing: this returns on close
                pass
            os._exit(1)

        threading.Thread(target=exit_with_client, daemon=True).start()
        from ipykernel import kernelapp

        # Two settings default to environment variables read when ipykernel was imported,
        # in the server: give them the client's values, as a fresh kernel would read them.
        kernelapp.IPKernelApp.launch_instance(
            parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0),
            interrupt=int(os.environ.get("JPY_INTERRUPT_EVENT") or 0),
        )
    except BaseException:
        import traceback

        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def client(path: str, command: list[str]) -> int:
    """Ask the server at `path` for the kernel `command` would start; stand in for it."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    try:
        connection.connect(path)
    except OSError:  # the server has gone (stopped, idle, killed): be an ordinary kernel
        os.execv(command[0], command)
    request = {"command": command, "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(connection, [json.dumps(request).encode()], [0, 1, 2])
    reply = connection.recv(64)
    if not reply:
        print("forkserver: the kernel did not start", file=sys.stderr)
        return 1
    kernel = int(reply)

    def forward(number, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(kernel, number)
        if number != signal.SIGINT:
            sys.exit(128 + number)

    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(number, forward)
    while connection.recv(1):  # until the kernel exits and its end closes
        pass
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("serve", "connect", "stop"):
        sys.exit(
            "usage: forkserver.py serve SOCKET IDLE MODULE... | connect SOCKET COMMAND... "
            "| stop [SOCKET...]   (stop alone stops every server of this user)"
        )
    if sys.argv[1] == "serve":
        serve(sys.argv[2], float(sys.argv[3]), sys.argv[4:])
    elif sys.argv[1] == "connect":
        sys.exit(client(sys.argv[2], sys.argv[3:]))
    elif sys.argv[1] == "stop":  # the given servers, or all of this user's
        everyone = glob.glob(os.path.join(folder(), "*.sock"))
        for address in sys.argv[2:] or everyone:
            stop(address)
