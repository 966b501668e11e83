"""git-chimp's warm worker, for pytest and unittest suites.

git-chimp writes this package into a sandbox's scratch directory and starts it with the
user's Python as `python <scratch>/chimp_worker_start.py <config.json>`, from the sandbox
directory that matches the user's current directory. It loads the tests in-process with
the user's arguments (pytest's, or `python -m unittest`'s) and serves git-chimp's
requests until its input closes.

Modules: `protocol` (the messages, one JSON object per line), `tracer` (which lines and
functions run: sys.monitoring or sys.settrace), `swap` (comparing code objects), `reexec`
(re-executing a module with a mutant in, and what depends on it), `collect`
(re-collecting test modules after that), `fork` (children with a timeout), `warm` (the
traced baseline and mutants, over the tests of a front end: `pytests` or `unittests`),
`lazy` (files first imported by a test), `equivalent` (mutants that compile to the
original), `fresh` (the test command from the start per run), `main`.

The tests' output (and pytest's) goes to the console file named in the config, emptied
before every run, so git-chimp can keep it as the run's log.
"""
