"""Markup that nbconvert does not render, and that would reach the reader as text.

Notebook markdown is not Python-Markdown: no admonitions, attribute lists or TOC markers;
bold or code that did not render leaves its asterisks and backticks behind.
"""

import re

RAW_MARKUP = re.compile(
    r"(^|\n)\s*(!!!|\?\?\?|:::|\[TOC\])|\{:|\*\*\w|\w\*\*|\]\([^)]*\)|(^|\n)#{1,6} |`"
)
