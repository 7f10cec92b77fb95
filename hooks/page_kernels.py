"""Kernels for the build's pages (hooks/execution.py): each page's a fresh ipykernel of its
own, forked from a process that has imported torch, numpy and matplotlib once.

The preloaded process is the standard library's forkserver, told which modules to import
first (`set_forkserver_preload`); it starts with the first kernel, as a child of the build.
`ForkedKernel` is jupyter_client's LocalProvisioner with one change: the kernel process is
forked from it instead of started with Popen; the process then runs hooks/kernel.py and
becomes the kernel `python -m ipykernel_launcher` would have started. `PageKernelManager`
is the kernel manager (the application's to subclass), over Unix sockets in the build's own
folder. `stop_processes` ends whatever of the build still runs.

Not an MkDocs hook: hooks/execution.py imports it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psutil
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Unicode

KERNEL = Path(__file__).with_name("kernel.py")  # what a forked process runs to be a kernel
# What every page imports, through linreg: imported once by the preloaded process. Never
# linreg itself, nor anything of a page's: a page can see no other page's names.
# ("__main__": the build's own command line, which the standard library's forkserver
# would otherwise run again in every process it forks.)
# (torch._dynamo: torch.optim's first step imports it, about a second of every page that
# uses an optimizer.)
PRELOAD = ["__main__", "ipykernel.kernelapp", "torch", "torch._dynamo", "numpy"]
PRELOAD += ["matplotlib.figure", "matplotlib.ticker"]
# ipykernel gives every kernel this backend before the page's first import of matplotlib;
# the preloaded process imports matplotlib, and reads it from the environment it inherits.
INLINE = "module://matplotlib_inline.backend_inline"


@functools.cache
def preloaded() -> multiprocessing.context.BaseContext:
    """The standard library's forkserver, told to import PRELOAD before it forks. It starts
    with the first kernel, as a child of this build, and on_shutdown stops it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


class _Forked:
    """A kernel forked by the preloaded process, with the methods of Popen that
    LocalProvisioner uses."""

    stdin = stdout = stderr = None

    def __init__(self, process: multiprocessing.process.BaseProcess) -> None:
        self.process, self.pid = process, process.pid

    def poll(self) -> int | None:
        return self.process.exitcode

    def wait(self) -> int | None:
        self.process.join()
        return self.process.exitcode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def fresh_path(env: dict) -> list[str]:
    """sys.path as `python -m ipykernel_launcher` has it with this environment: the
    interpreter's own (the working directory, first, the launcher removes)."""
    variables = tuple(sorted((k, v) for k, v in env.items() if not k.startswith("JPY_")))
    return list(_fresh_path(variables))


@functools.cache
def _fresh_path(variables: tuple) -> tuple[str, ...]:
    command = [sys.executable, "-c", "import json, sys; print(json.dumps(sys.path[1:]))"]
    found = subprocess.run(command, env=dict(variables), capture_output=True, text=True)
    return tuple(json.loads(found.stdout))


class ForkedKernel(LocalProvisioner):
    """jupyter_client's LocalProvisioner (made to be subclassed), with one change: the
    kernel is forked from the preloaded process instead of started with Popen. Everything
    else (the connection file, the environment, signals, shutdown) is the provisioner's."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if cmd[1:3] != ["-m", "ipykernel_launcher"] or cmd[0] != sys.executable:
            return await super().launch_kernel(cmd, **kwargs)  # another kernel: as usual
        cwd = kwargs.get("cwd") or os.getcwd()
        launch = {
            "arguments": cmd[3:],
            "env": dict(kwargs["env"]),
            "cwd": str(cwd),
            "path": fresh_path(kwargs["env"]),
        }
        process = preloaded().Process(
            target=runpy.run_path,
            args=(str(KERNEL),),
            kwargs={"init_globals": {"launch": launch}, "run_name": "linreg_kernel"},
        )
        process.start()
        self.process = _Forked(process)
        self.pid = self.pgid = process.pid  # the kernel makes itself a process group
        self.cwd = cwd
        return self.connection_info


class PageKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, over Unix sockets in the build's own folder (no
    TCP port, no connection file among the user's), with a ForkedKernel as its provisioner
    when `forked` is set. KernelManager is the application's to subclass; it uses the
    provisioner an application gives it."""

    folder = Unicode("", config=True, help="where the sockets and connection file go")
    forked = Bool(False, config=True, help="fork the kernel from the preloaded process")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self.folder and os.name == "posix":
            name = os.path.join(self.folder, f"kernel-{uuid.uuid4().hex[:12]}")
            self.transport, self.ip, self.connection_file = "ipc", name, f"{name}.json"
        if self.forked:
            self.kernel_id = self.kernel_id or str(uuid.uuid4())
            self.provisioner = ForkedKernel(
                kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self
            )


def stop_processes() -> None:
    """End every process this one started that is still running: the preloaded process
    and the standard library's resource tracker that came with it (which ignores SIGTERM),
    and kernels left by a failure. None holds anything to save: each is killed."""
    left = psutil.Process().children(recursive=True)
    for process in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    psutil.wait_procs(left, timeout=10)
