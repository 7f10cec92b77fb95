"""The build's hooks as modules, for the tests that call their functions (hooks/ is no
package: MkDocs loads each file by its path, and so does this)."""

from __future__ import annotations

import importlib.util
import sys

from paths import ROOT


def load_hook(name: str):
    """hooks/<name>.py as a module, loaded once per test process, with hooks/ on sys.path
    while it loads, as MkDocs has it (a hook imports its own modules from there)."""
    key = f"linreg_hook_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, ROOT / "hooks" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(ROOT / "hooks"))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(ROOT / "hooks"))
        sys.modules[key] = module
    return sys.modules[key]
