"""Griffe extension for the API reference: show the run's defaults as their values.

The signatures read their defaults from one home, `linreg.DEFAULTS`, so a static reading
shows `seed: int = DEFAULTS.seed`. This extension replaces each such default with the
value it stands for (`seed: int = 42`), taken from the installed `linreg`.
"""

from __future__ import annotations

import griffe


class DefaultValues(griffe.Extension):
    def on_function_instance(self, *, func: griffe.Function, **kwargs) -> None:
        from linreg.settings import DEFAULTS

        for parameter in func.parameters:
            default = str(parameter.default) if parameter.default is not None else ""
            if default.startswith("DEFAULTS."):
                parameter.default = repr(getattr(DEFAULTS, default.removeprefix("DEFAULTS.")))
