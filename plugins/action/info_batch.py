# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.info_batch: run several of the collection's info modules at once, each result as its own task's.

A runbook's pre-flight reads the clusters, its apps or their mirrors, and the account's execution hooks: three info
tasks one after the other, each a module process of about 0.6 s on a 2-core controller, most of it the process's own
start. Here each read is a module process of its own, all started together from threads of this worker (as
kubedr.astra.wave_step runs the steps of a wave), so the reads take about as long as the slowest one.

Each read runs through kubedr.astra.astra_batch (one run), as the runbooks' steps do: ansible builds a module's payload
once per playbook run, which costs about 0.3 s of CPU for each module, so a runbook that reads and steps through one
module builds one payload instead of one per info module it reads with.
"""

import threading

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.kubedr.astra.plugins.action.wave_step import ActionModule as WaveStep
from ansible_collections.kubedr.astra.plugins.action.wave_step import (
    BATCH_MODULE,
    COLLECTION_PREFIX,
    CONNECTION_OPTIONS,
    module_defaults,
)
from ansible_collections.kubedr.astra.plugins.module_utils.batch import BATCH_MODULES

ARGUMENT_SPEC = dict(
    reads=dict(type="dict", required=True),
    fail_on_read_failure=dict(type="bool", default=True),
)


def plan_reads(reads):
    """{name: (module, module_args)} of the reads, or AnsibleError naming what is wrong with one."""
    planned = {}
    for name, read in reads.items():
        if not isinstance(read, dict) or set(read) - {"module", "module_args"}:
            raise AnsibleError("info_batch: reads.%s must be a dict with module and module_args, got %r" % (name, read))
        module = read.get("module")
        if isinstance(module, str) and not module.startswith(COLLECTION_PREFIX):
            module = COLLECTION_PREFIX + module
        short = module[len(COLLECTION_PREFIX):] if isinstance(module, str) else ""
        if not short.endswith("_info") or not short.startswith("astra_") or "." in short:
            raise AnsibleError("info_batch: reads.%s.module must name one of the collection's info modules "
                               "(kubedr.astra.astra_<...>_info), got %r" % (name, read.get("module")))
        module_args = read.get("module_args") or {}
        if not isinstance(module_args, dict):
            raise AnsibleError("info_batch: reads.%s.module_args must be a dict of the module's options, got %s"
                               % (name, type(module_args).__name__))
        planned[name] = (module, module_args)
    return planned


def read_run(module, module_args):
    """(module to run, its arguments) for a read: kubedr.astra.astra_batch with the read as its one run (the connection
    options are the batch's own) for the modules astra_batch runs, the module itself for the others."""
    short = module[len(COLLECTION_PREFIX):]
    if short not in BATCH_MODULES:
        return module, module_args
    run = dict(module_args)
    connection = dict((key, run.pop(key)) for key in CONNECTION_OPTIONS if key in run)
    return BATCH_MODULE, dict(connection, module=short, runs=[run])


def read_result(module, outcome):
    """A read's result as its module's own task returns it: the one run's result of an astra_batch, or the batch's own
    failure when it ran none (it refused an option, say)."""
    if module != BATCH_MODULE:
        return outcome
    results = outcome.get("results")
    if isinstance(results, list) and len(results) == 1 and isinstance(results[0], dict):
        return results[0]
    failure = dict((key, outcome[key]) for key in ("msg", "module_stdout", "module_stderr", "rc", "exception") if key in outcome)
    failure["failed"] = True
    failure.setdefault("msg", "astra_batch returned no result")
    return failure


class ActionModule(WaveStep):

    def run(self, tmp=None, task_vars=None):
        result = ActionBase.run(self, tmp, task_vars)  # not wave_step.run: only its way of running a module is used
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        planned = plan_reads(args["reads"])
        runs = {}
        for name, (module, module_args) in planned.items():
            # The module's own options win over module_defaults, as on the module's own task.
            runs[name] = read_run(module, dict(module_defaults(module, self._task, self._templar), **module_args))
        built = set()
        for module, module_args in runs.values():
            if module not in built:
                # Built here, once per module: the threads then find each payload in ansible's cache.
                self._configure_module(module_name=module, module_args=module_args, task_vars=task_vars)
                built.add(module)
        results = {}

        def read(name, module, module_args):
            results[name] = read_result(module, self._execute_isolated(module, module_args, task_vars))

        threads = [threading.Thread(target=read, args=(name, module, module_args), name="info_batch-%s" % name, daemon=True)
                   for name, (module, module_args) in runs.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.update(changed=False, results=dict((name, results[name]) for name in planned))
        failed = [name for name in planned if results[name].get("failed")]
        if failed and args["fail_on_read_failure"]:
            result.update(failed=True, msg="%d of %d reads failed: %s" % (len(failed), len(planned), "; ".join(
                "%s: %s" % (name, results[name].get("msg", "no message")) for name in failed)))
        return result
