"""Unit tests of the worker package, run by `tests/integration/worker.rs` with each
Python version (`python -m pytest src/execution/worker/tests`). The package is imported from
the source tree, as git-chimp writes it into a sandbox's scratch directory."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytest_plugins = ["pytester"]
