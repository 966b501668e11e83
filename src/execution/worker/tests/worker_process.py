"""A warm worker process started as git-chimp starts it, on a project pytester wrote,
spoken to over its pipes: what the warm-mode tests drive."""

import json
import os
import subprocess
import sys

START = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "chimp_worker_start.py")


class WorkerProcess:
    def __init__(
        self, pytester, reexec=True, tracer=None, files=("calc.py",), framework="pytest", args=None,
        seed="0",
    ):
        self.dir = str(pytester.path)
        self.calc = os.path.join(self.dir, files[0])
        config = os.path.join(self.dir, "config.json")
        with open(config, "w") as out:
            json.dump(
                {
                    "mode": "warm",
                    "framework": framework,
                    "args": ["-q", "-p", "no:cacheprovider"] if args is None else args,
                    "path0": self.dir,
                    "files": [os.path.join(self.dir, name) for name in files],
                    "console": os.path.join(self.dir, "console.log"),
                    "result": os.path.join(self.dir, "result.json"),
                    "reexec": reexec,
                    "tracer": tracer,
                },
                out,
            )
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED=seed)
        self.process = subprocess.Popen(
            [sys.executable, START, config],
            cwd=self.dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def event(self):
        while True:
            line = self.process.stdout.readline()
            assert line, "the worker exited"
            event = json.loads(line)
            if event["event"] != "forked":
                return event

    def ask(self, **request):
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        return self.event()

    def mutant(self, old, new, line):
        with open(self.calc) as source:
            text = source.read()
        assert old in text
        return self.ask(
            op="mutant", id="m", path=self.calc, source=text.replace(old, new, 1),
            lines=[line, line], timeout=30,
        )

    def close(self):
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0
