"""``python -m helpers.quality`` is ``python -m helpers check``."""

import sys

from helpers.quality.check_cli import main

sys.exit(main())
