"""``python -m qbp``: the same command line as the ``qbp`` script."""

import sys

from qbp.book.cli import main

sys.exit(main())
