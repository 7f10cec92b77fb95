"""A page's kernel, in a process forked from the build's preloaded process.

hooks/page_kernels.py (`ForkedKernel.launch_kernel`) runs this file (`runpy.run_path`,
with `launch` in its globals) in a process of the standard library's forkserver, which has
imported torch, numpy and matplotlib once. From here on the process is the kernel
`python -m ipykernel_launcher` would have started: its arguments, environment, working
directory and sys.path are the ones jupyter_client asked for, and no page ran in it
before. Only sys.modules is warm.
"""

import importlib.util
import os
import sys

launch = globals()["launch"]  # given by ForkedKernel: arguments, env, cwd, path

os.setsid()  # a process group of its own, as jupyter_client gives a kernel: killed as one
os.chdir(launch["cwd"])
os.environ.clear()
os.environ.update(launch["env"])
sys.path[:] = launch["path"]
sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *launch["arguments"]]

from ipykernel import kernelapp  # noqa: E402  (imported already: it is preloaded)

# ipykernel read JPY_PARENT_PID when the preloaded process imported it: give the real
# parent, so that the kernel exits if the preloaded process (and so the build) is gone.
kernelapp.IPKernelApp.launch_instance(parent_handle=os.getppid())
