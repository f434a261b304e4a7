"""``python -m bot.report``: see ``bot.report.cli``."""

import sys

from bot.report.cli import main

if __name__ == "__main__":
    sys.exit(main())
