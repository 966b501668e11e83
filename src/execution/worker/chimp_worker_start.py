"""Starts git-chimp's pytest worker: `python chimp_worker_start.py <config.json>`.

This file's directory is sys.path[0] while the package is imported; `main` then gives
that place to the directory pytest would put there.
"""

import sys

from git_chimp_worker.main import main

sys.exit(main(sys.argv))
