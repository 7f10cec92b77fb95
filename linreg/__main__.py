"""`python -m linreg` runs the command line."""

import sys

from linreg.cli import main

sys.exit(main())
