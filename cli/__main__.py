"""``python -m cli``: the same as the console script ``dxboard``."""

import sys

from cli.main import main

sys.exit(main())
