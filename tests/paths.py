"""Where things are: the project root and the tutorial's notebook pages, in reading order."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["index", "data", "model", "loss", "gradient", "training"]
