"""The library's own code, shown on a page: highlighted in Jupyter, plain at a prompt.

`source(linreg.mse_loss)` is what the pages use to show a function as the library defines
it. The checks that `linreg`'s exported names run first (linreg.checks) are not part of
the text: `inspect.getsource` follows `checked`'s `__wrapped__` to the bare function.
"""

from __future__ import annotations

import inspect
import textwrap


class Source:
    """Python source text: Jupyter renders it as a highlighted code block, a prompt prints it."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}\n```"


def source(obj: object, members: list[str] | None = None) -> Source:
    """The source of a function or class; with `members`, a class's header and those methods.

    Methods left out are named in a closing comment, so the listing never pretends to be
    the whole class.
    """
    if members is None:
        return Source(textwrap.dedent(inspect.getsource(obj)).rstrip())
    if not inspect.isclass(obj):
        raise TypeError(f"members= selects methods of a class; {obj!r} is not a class.")
    whole = inspect.getsource(obj)
    header = whole[: whole.index("\n    def ")].rstrip()  # decorators, class line, docstring
    parts = [header]
    for name in members:
        parts.append(inspect.getsource(inspect.unwrap(vars(obj)[name])).rstrip("\n"))
    others = [
        name
        for name, value in vars(obj).items()
        if name not in members and (inspect.isfunction(value) or isinstance(value, classmethod))
    ]
    if others:
        parts.append(f"    # also: {', '.join(others)}")
    return Source("\n\n".join(parts))
