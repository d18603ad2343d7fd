# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.wave_step: run one step of a runbook for every app of a wave at once, and say how it is going.

The runbooks used to launch one async job per app (async + poll: 0) and wait for them with async_wait. An async job
costs two Python processes (ansible's async_wrapper, then the module) and a task-executor round per app, about twice
what the module itself costs. Here each app's module runs through ActionBase._execute_module in a thread of this
worker: one Python process per app, all of a wave's apps at once, and the results come back in the shape async_wait
returns, so the runbooks record and report them the same way.

Each thread works on its own shallow copy of this action, connection and shell, so every module run gets its own
temporary directory; the module's payload is built once, before the threads start, so they only read ansible's cache.
The threads are daemons: a run still going after wait_timeout is reported as failed and left to finish on its own,
as async_wait leaves a job it stopped waiting for.
"""

import copy
import queue
import threading
import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.kubedr.astra.plugins.action.async_wait import STEP_OPTIONS, finish, job_label, summarize
from ansible_collections.kubedr.astra.plugins.module_utils.runbook import format_duration

display = Display()

COLLECTION_PREFIX = "kubedr.astra."

ARGUMENT_SPEC = dict(
    STEP_OPTIONS,
    runs=dict(type="list", elements="dict", required=True),
    max_parallel=dict(type="int", default=0),
)


def run_module(module):
    """The module a run names, or a problem: the runbooks' steps run the collection's own modules, nothing else."""
    if not isinstance(module, str) or not module.startswith(COLLECTION_PREFIX) or "." in module[len(COLLECTION_PREFIX):]:
        return None, "module must name a kubedr.astra module (kubedr.astra.<name>), got %r" % (module,)
    return module, None


def plan_runs(runs):
    """Which runs start a module (index, module, module arguments) and which pass through as they are.

    A run is a result of a looped kubedr.astra.step_arguments task: skipped by `when`, failed, or holding the module
    and its arguments. Every run of a step must name the same module.
    """
    started, passed, modules = [], {}, set()
    for index, run in enumerate(runs):
        if run.get("skipped") or run.get("failed"):
            passed[index] = dict(run)
            continue
        module, problem = run_module(run.get("module"))
        args = run.get("module_args")
        if problem is None and not isinstance(args, dict):
            problem = "module_args must be a dict of the module's options, got %s" % type(args).__name__
        if problem:
            passed[index] = dict(run, failed=True, msg="the step did not start: %s" % problem)
            continue
        modules.add(module)
        started.append((index, module, args))
    if len(modules) > 1:
        raise AnsibleError("wave_step: the runs of one step must run one module, got %s" % ", ".join(sorted(modules)))
    return started, passed


def module_defaults(module, task, templar):
    """The play's and blocks' module_defaults for the module, its group's included, as ansible applies them to a task.

    The same call ansible's own package, service and gather_facts actions make for the modules they run; its name
    changed in ansible-core 2.19.
    """
    try:
        from ansible.executor.module_common import _apply_action_arg_defaults  # ansible-core 2.19 and later
    except ImportError:
        from ansible.executor.module_common import get_action_args_with_defaults  # ansible-core 2.15 to 2.18
        return get_action_args_with_defaults(module, {}, task.module_defaults, templar,
                                             action_groups=task._parent._play._action_groups)
    return _apply_action_arg_defaults(module, task, {}, templar)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def _isolated(self):
        """A copy of this action with its own connection and shell, so its module run has its own temporary files."""
        clone = copy.copy(self)
        clone._connection = copy.copy(self._connection)
        clone._connection._shell = copy.copy(self._connection._shell)
        clone._connection._shell.tmpdir = None
        # A become plugin keeps the prompt and success marker of the command it last wrapped.
        if getattr(self._connection, "become", None) is not None:
            clone._connection.become = copy.copy(self._connection.become)
        return clone

    def _run_one(self, index, module, args, task_vars, finished, slots):
        action = self._isolated()
        try:
            with slots:
                outcome = action._execute_module(module_name=module, module_args=args, task_vars=task_vars)
        except Exception as error:  # pylint: disable=broad-except  # one app's failure must not hide the others'
            outcome = {"failed": True, "msg": "the module could not run: %s" % to_text(error)}
        finally:
            tmpdir = action._connection._shell.tmpdir
            if tmpdir:
                try:
                    action._remove_tmp_path(tmpdir)
                except Exception:  # pylint: disable=broad-except  # a leftover temporary directory is not the step's failure
                    pass
        finished.put((index, outcome))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        for option in ("wait_timeout", "progress_interval"):
            if args[option] <= 0:
                raise AnsibleError("wave_step: %s must be greater than 0, got %s" % (option, args[option]))
        if args["max_parallel"] < 0:
            raise AnsibleError("wave_step: max_parallel must be 0 (no limit) or more, got %s" % args["max_parallel"])
        step, runs, labels = args["step"], args["runs"], args["labels"]
        title = args["title"] or step
        started_runs, passed = plan_runs(runs)
        # An app's own arguments win over module_defaults, as they would on the module's own task.
        defaults = module_defaults(started_runs[0][1], self._task, self._templar) if started_runs else {}

        results = [None] * len(runs)
        for index, final in passed.items():
            results[index] = self._finish(step, final, runs[index], job_label(runs[index], index, labels))

        running = dict((index, job_label(runs[index], index, labels)) for index, _module, _args in started_runs)
        started = time.monotonic()
        if started_runs:
            # Built here, once: the threads then find the module's payload in ansible's cache.
            _first_index, first_module, first_args = started_runs[0]
            self._configure_module(module_name=first_module, module_args=dict(defaults, **first_args), task_vars=task_vars)
            display.display("%s: running for %d app(s): %s" % (title, len(running), ", ".join(running.values())))
        finished = queue.Queue()
        slots = threading.BoundedSemaphore(args["max_parallel"] or max(len(started_runs), 1))
        for index, module, module_args in started_runs:
            thread = threading.Thread(target=self._run_one, args=(index, module, dict(defaults, **module_args), task_vars, finished, slots),
                                      name="wave_step-%d" % index, daemon=True)
            thread.start()

        last_progress = started
        while running:
            now = time.monotonic()
            remaining = args["wait_timeout"] - (now - started)
            if remaining <= 0:
                for index, label in sorted(running.items()):
                    final = {"failed": True, "msg": "the run had not finished after %s (wave_step wait_timeout); it may still be "
                                                    "running" % format_duration(args["wait_timeout"])}
                    results[index] = self._finish(step, final, runs[index], label)
                    display.display("%s: %s did not finish within %s" % (title, label, format_duration(args["wait_timeout"])))
                break
            try:
                index, outcome = finished.get(timeout=min(remaining, max(args["progress_interval"] - (now - last_progress), 0.01)))
            except queue.Empty:
                now = time.monotonic()
                if now - last_progress >= args["progress_interval"]:
                    last_progress = now
                    display.display("%s: %d still running after %s: %s" % (
                        title, len(running), format_duration(now - started), ", ".join(running[index] for index in sorted(running))))
                continue
            label = running.pop(index)
            results[index] = self._finish(step, dict(outcome), runs[index], label)
            state = "failed" if outcome.get("failed") else ("changed" if outcome.get("changed") else "ok")
            line = "%s: %s %s after %s" % (title, label, state, format_duration(time.monotonic() - started))
            if outcome.get("failed"):
                line += ": %s" % outcome.get("msg")
            display.display(line)

        return summarize(result, results, started, title, args["fail_on_job_failure"], "app(s)")

    @staticmethod
    def _finish(step, final, run, label):
        final.pop("module", None)
        final.pop("module_args", None)
        return finish(step, final, run, label)
