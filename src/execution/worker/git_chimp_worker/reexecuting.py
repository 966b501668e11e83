"""Re-executing a mutant's module in the child (the second way `warm.py` puts a mutant
in): which modules to re-execute with it and which test modules to re-collect, the
once-per-module check that re-executing it unmutated changes nothing, and the run.
`Reexecution` is a part of `warm.Worker`, kept here as one concept."""

import os
import sys
import time

from . import fork, reexec
from .collect import ImportFailed, reexecute_steps


class Reexecution:
    """The worker's module re-execution (mixed into `warm.Worker`)."""

    def module_of(self, number):
        """The one module object executed from file `number`, or None."""
        if self.modules is None:
            found = {}
            for module in list(sys.modules.values()):
                path = getattr(module, "__file__", None)
                if not isinstance(path, str):
                    continue
                other = self.tracer.file_of(path)
                if other is not None:
                    found.setdefault(other, []).append(module)
            self.modules = {
                other: modules[0] if len(modules) == 1 else None
                for other, modules in found.items()
            }
        return self.modules.get(number)

    def why_not_reexecute(self, number, diffs, timeout):
        """None when the mutant may be put in by re-executing its module, else why not
        (it then runs from scratch)."""
        if not self.reexec:
            return "re-executing its module is off (--no-reexec)"
        if self.module_of(number) is None:
            return "the file is not one imported module"
        steps = self.plan(number)
        if isinstance(steps, str):
            return steps
        if number not in self.checked:
            self.checked[number] = self.check_reexecution(number, timeout)
        return self.checked[number]

    def copies_of(self, module):
        if id(module) not in self.copies:
            self.copies[id(module)] = reexec.copies_elsewhere(module)
        return self.copies[id(module)]

    def plan(self, number):
        """The modules to re-execute for a mutant of file `number`, in order, each with
        its pytest collector when it is a test module; or why that cannot be done."""
        if number not in self.plans:
            self.plans[number] = self.make_plan(number)
        return self.plans[number]

    def make_plan(self, number):
        """The module, then every module whose import depends on it, as far as that
        can be seen: its code ran below theirs (the tracer), they imported a value from
        it (not a function or class: they may have computed more from it), or their
        top level reads its attributes or uses what it imported from it. A conftest.py
        among them cannot be re-executed (its hooks and fixtures are registered with
        pytest); test modules are re-collected after they are re-executed."""
        module = self.module_of(number)
        collectors = self.test_collectors()
        own = reexec.own_modules()
        by_file = {os.path.realpath(other.__file__): other for other in own}
        chosen = [module]
        needs = {}
        queue = [module]
        while queue:
            source = queue.pop(0)
            source_number = self.tracer.file_of(source.__file__)
            dependents = []
            for key, importers in self.tracer.foreign.items():
                if key[0] != source_number:
                    continue
                for importer in importers:
                    if importer is not None and reexec.is_worker_file(importer):
                        # pytest's collection itself (looking at the test modules'
                        # objects): re-collecting every test module redoes it.
                        dependents.extend(other for other in own if id(other) in collectors)
                        continue
                    target = by_file.get(os.path.realpath(importer)) if importer else None
                    if target is None:
                        where = os.path.relpath(importer) if importer else "no module"
                        return "%s ran while the tests were collected (below %s)" % (key[2], where)
                    dependents.append(target)
            copies = self.copies_of(source)
            for other in own:
                if other is not source and (
                    reexec.holds_values(copies, other)
                    or reexec.reads_at_top_level(other, source, copies)
                ):
                    dependents.append(other)
            for dependent in dependents:
                if dependent is module or dependent is source:
                    continue
                needs.setdefault(id(dependent), set()).add(id(source))
                if any(dependent is seen for seen in chosen):
                    continue
                if os.path.basename(dependent.__file__) == "conftest.py":
                    return "re-executing it would need %s re-executed too" % os.path.relpath(
                        dependent.__file__
                    )
                chosen.append(dependent)
                queue.append(dependent)
        ordered = [module] + reexec.in_order(
            chosen[1:], lambda a, b: id(b) in needs.get(id(a), ())
        )
        return [(step, collectors.get(id(step))) for step in ordered]

    def code_of(self, module):
        number = self.tracer.file_of(module.__file__)
        if number is not None:
            return self.original(number)
        with open(module.__file__, "rb") as source:
            return compile(source.read(), module.__file__, "exec", dont_inherit=True)

    def reexecution(self, number, code):
        """A function that, in a child, re-executes the plan of file `number` with
        `code` as the module's, re-collects its test modules and returns a
        Recollection; it raises ImportFailed when a module raises."""
        module = self.module_of(number)
        steps = []
        for step, collector in self.plan(number):
            if step is module:
                run = reexec.reexecution(step, code, self.copies_of(step), self.by_name_of(step))
            else:
                run = self.unmutated(step)
            steps.append((step, run, collector, self.collected_ids(collector)))
        return lambda: reexecute_steps(steps, self.recollect)

    def by_name_of(self, module):
        if id(module) not in self.by_name:
            self.by_name[id(module)] = reexec.imported_by_name(module)
        return self.by_name[id(module)]

    def unmutated(self, module):
        """The re-execution of `module` as it is (a dependent of a mutated module)."""
        if id(module) not in self.unmutated_runs:
            self.unmutated_runs[id(module)] = reexec.reexecution(
                module, self.code_of(module), self.copies_of(module), self.by_name_of(module)
            )
        return self.unmutated_runs[id(module)]

    def collected_ids(self, collector):
        """The node ids `collector` (a test module's, or None) collected at the start, in
        their order."""
        if collector is None:
            return None
        if id(collector) not in self.ids_of:
            self.ids_of[id(collector)] = [
                item.nodeid for item in self.items if self.collected_by(item, collector)
            ]
        return self.ids_of[id(collector)]

    def check_reexecution(self, number, timeout):
        """Re-execute the module unmutated in a child and run every test: None when
        they all pass, as in the baseline, else why re-execution cannot be trusted."""
        path = os.path.relpath(self.files[number])
        reexecute = self.reexecution(number, self.original(number))

        def work():
            started = time.perf_counter()
            try:
                recollection = reexecute()
            except ImportFailed as error:
                return {"killed_by": None, "import_error": list(error.args)}
            if recollection.adds_or_removes():
                return {"killed_by": None, "recollected": True}
            seconds = time.perf_counter() - started
            items = recollection.apply(self.items_at(range(len(self.tests))))
            return {"killed_by": self.run_items(items), "seconds": seconds}

        kind, value = self.in_child(work, timeout)
        if kind == "result" and "seconds" in value:
            self.reexec_seconds[number] = value["seconds"]
        if kind == "result" and "recollected" in value:
            return "re-collecting the tests after re-executing %s unmutated gives other tests" % path
        if kind == "result" and "import_error" in value:
            return "re-executing %s unmutated, %s raises %s" % ((path,) + tuple(value["import_error"]))
        if kind == "result" and not value["killed_by"]:
            return None
        if kind == "result":
            failure = "%s fails" % value["killed_by"]
        else:
            failure = fork.describe(kind, value)
        return "re-executing %s unmutated changes the tests' outcome (%s)" % (path, failure)

    def reexecuted(self, request, number, mutated, diffs, reached):
        """Put the mutant in by re-executing its module, then run every test, those
        that reach the mutated lines first. A survivor is confirmed by a fresh run:
        values other modules copied at import stay as they were."""
        swaps = self.swaps(number, diffs, at_import=True)
        everyone = set(range(len(self.tests)))
        answer = self.decide(
            request,
            swaps,
            self.reexecution(number, mutated),
            reached,
            everyone - set(reached),
            self.reexec_seconds.get(number, 0.0),
        )
        path = os.path.relpath(self.files[number])
        if answer["event"] == "import_error":
            why = "with the mutant, %s raises %s" % tuple(answer["error"])
            modules = [step for step, _ in self.plan(number)]
            if reexec.import_errors_may_be_caught(modules):
                return {
                    "event": "fallback",
                    "reason": "%s, and the project may catch import errors" % why,
                }
            return {"event": "killed", "by": None, "tests": [], "reason": why, "reexecuted": True}
        if answer["event"] == "survived":
            return {
                "event": "fallback",
                "reason": "a survivor of re-executing %s, confirmed by a fresh run" % path,
            }
        if answer["event"] in ("killed", "timeout"):
            answer["reexecuted"] = True
        return answer
