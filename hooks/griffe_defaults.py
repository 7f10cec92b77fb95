"""Griffe extension for the API reference: show the run's defaults as their values.

The signatures read their defaults from one home, `linreg.DEFAULTS`, so a static reading
shows `seed: int = DEFAULTS.seed`. This extension replaces each such default with the
value it stands for (`seed: int = 42`), read from linreg/settings.py alone: importing the
package would import torch, seconds of every build for six numbers.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path

import griffe

SETTINGS = Path(__file__).resolve().parent.parent / "linreg" / "settings.py"


@functools.cache
def defaults():
    spec = importlib.util.spec_from_file_location("_linreg_settings", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks its module up there
    spec.loader.exec_module(module)
    return module.DEFAULTS


class DefaultValues(griffe.Extension):
    def on_function_instance(self, *, func: griffe.Function, **kwargs) -> None:
        for parameter in func.parameters:
            default = str(parameter.default) if parameter.default is not None else ""
            if default.startswith("DEFAULTS."):
                parameter.default = repr(getattr(defaults(), default.removeprefix("DEFAULTS.")))
