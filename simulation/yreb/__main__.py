"""``python -m yreb``: the same as the ``yreb`` command."""

import sys

from yreb.cli import main

sys.exit(main())
