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
import math
import queue
import threading
import time

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.kubedr.astra.plugins.action.async_wait import STEP_OPTIONS, finish, job_label, summarize
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import astra_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.batch import BATCH_MODULES
from ansible_collections.kubedr.astra.plugins.module_utils.runbook import format_duration, parse_time

display = Display()

COLLECTION_PREFIX = "kubedr.astra."
BATCH_MODULE = COLLECTION_PREFIX + "astra_batch"
CONNECTION_OPTIONS = tuple(astra_argument_spec())
# How much longer than wait_timeout a batch may take to report the runs it stopped waiting for.
BATCH_GRACE_SECONDS = 30

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


def batches(started_runs, defaults):
    """The runs of a step grouped by their connection options (nearly always one group): [(connection, [(index,
    module options)])]. Each group runs in one kubedr.astra.astra_batch process, which takes the connection options
    once, for all its runs."""
    groups = {}
    for index, _module, module_args in started_runs:
        arguments = dict(defaults, **module_args)
        connection = dict((key, arguments.pop(key)) for key in CONNECTION_OPTIONS if key in arguments)
        key = repr(sorted(connection.items()))
        groups.setdefault(key, (connection, []))[1].append((index, arguments))
    return list(groups.values())


def batch_arguments(module, group, connection, args):
    """kubedr.astra.astra_batch's arguments for a group of runs."""
    return dict(connection, module=module[len(COLLECTION_PREFIX):], runs=[arguments for _index, arguments in group],
                max_parallel=args["max_parallel"], wait_timeout=max(int(math.ceil(args["wait_timeout"])), 1))


def batch_results(outcome, count):
    """Each run's result from astra_batch's; when the batch itself failed (it could not start, or refused its
    options), every run of it fails with the batch's message."""
    results = outcome.get("results")
    if isinstance(results, list) and len(results) == count and all(isinstance(result, dict) for result in results):
        return results
    failure = dict((key, outcome[key]) for key in ("msg", "module_stdout", "module_stderr", "rc", "exception") if key in outcome)
    failure["failed"] = True
    failure["msg"] = "the step did not run: %s" % (outcome.get("msg") or "astra_batch returned no results")
    return [dict(failure) for _index in range(count)]


def run_duration(outcome, started_wall, fallback):
    """Seconds from the step's start to the end of a run, from the run's own timing (the runs of one batch report
    together, each with its own end); the time since the step started when it has none."""
    finished = (outcome.get("timing") or {}).get("finished")
    if not finished:
        return fallback
    try:
        return max(parse_time(finished, "timing.finished").timestamp() - started_wall, 0.0)
    except ValueError:
        return fallback


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

    def _execute_isolated(self, module, args, task_vars, slots=None):
        """One module run on an isolated copy of this action, its temporary directory removed afterwards; a run that
        cannot start comes back as a failed result, so one app's failure never hides the others'."""
        action = self._isolated()
        try:
            if slots is None:
                return action._execute_module(module_name=module, module_args=args, task_vars=task_vars)
            with slots:
                return action._execute_module(module_name=module, module_args=args, task_vars=task_vars)
        except Exception as error:  # pylint: disable=broad-except
            return {"failed": True, "msg": "the module could not run: %s" % to_text(error)}
        finally:
            tmpdir = action._connection._shell.tmpdir
            if tmpdir:
                try:
                    action._remove_tmp_path(tmpdir)
                except Exception:  # pylint: disable=broad-except  # a leftover temporary directory is not the step's failure
                    pass

    def _run_one(self, index, module, args, task_vars, finished, slots):
        finished.put((index, self._execute_isolated(module, args, task_vars, slots)))

    def _run_batch(self, module, group, connection, args, task_vars, finished):
        """Run one module for a group of runs in one kubedr.astra.astra_batch process; each run's result is queued."""
        outcome = self._execute_isolated(BATCH_MODULE, batch_arguments(module, group, connection, args), task_vars)
        for (index, _module_args), result in zip(group, batch_results(outcome, len(group))):
            finished.put((index, result))

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
        started_wall = time.time()
        finished = queue.Queue()
        deadline = args["wait_timeout"]
        if started_runs:
            module = started_runs[0][1]
            batched = module[len(COLLECTION_PREFIX):] in BATCH_MODULES
            if batched:
                workers = [(self._run_batch, (module, group, connection, args, task_vars, finished))
                           for connection, group in batches(started_runs, defaults)]
                # The batch reports the runs it stopped waiting for; this waits a little longer for that report.
                deadline += BATCH_GRACE_SECONDS
                first_module, first_args = BATCH_MODULE, batch_arguments(module, workers[0][1][1], workers[0][1][2], args)
            else:
                slots = threading.BoundedSemaphore(args["max_parallel"] or len(started_runs))
                workers = [(self._run_one, (index, module, dict(defaults, **module_args), task_vars, finished, slots))
                           for index, module, module_args in started_runs]
                first_module, first_args = module, dict(defaults, **started_runs[0][2])
            # Built here, once: the threads then find the module's payload in ansible's cache.
            self._configure_module(module_name=first_module, module_args=first_args, task_vars=task_vars)
            display.display("%s: running for %d app(s): %s" % (title, len(running), ", ".join(running.values())))
            for number, (target, target_args) in enumerate(workers):
                threading.Thread(target=target, args=target_args, name="wave_step-%d" % number, daemon=True).start()

        last_progress = started
        while running:
            now = time.monotonic()
            remaining = deadline - (now - started)
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
            line = "%s: %s %s after %s" % (title, label, state, format_duration(
                run_duration(outcome, started_wall, time.monotonic() - started)))
            if outcome.get("failed"):
                line += ": %s" % outcome.get("msg")
            display.display(line)

        return summarize(result, results, started, title, args["fail_on_job_failure"], "app(s)")

    @staticmethod
    def _finish(step, final, run, label):
        final.pop("module", None)
        final.pop("module_args", None)
        return finish(step, final, run, label)
