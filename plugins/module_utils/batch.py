# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run one module's main() for many sets of arguments in one module process (kubedr.astra.astra_batch).

A module process spends most of its CPU before the module's own code runs: Python compiles ansible's module_utils
(and the collection's) from the module's zip on every start, and a runbook step starts one module per app. Here the
module's code is imported once, then each run is a child forked from this process: a standalone module run in all but
its imports. The child's AnsibleModule reads the run's own arguments from where every module reads them, writes its
result to its own standard output and exits, so no state passes from one run to another (warnings, no_log values,
check mode, the client and its retries are each run's own).
"""

import io
import json
import os
import sys
import tempfile
import time
import traceback

from ansible.module_utils import basic

from ansible_collections.kubedr.astra.plugins.module_utils import shared_lists

# The modules astra_batch runs: those a runbook step runs for every app of a wave, and the info modules a runbook
# reads with (kubedr.astra.info_batch runs them through astra_batch, so that a run builds one module payload, not one
# per module: building one costs about 0.3 s of CPU on the controller).
BATCH_MODULES = (
    "astra_app",
    "astra_app_backup",
    "astra_app_clone",
    "astra_app_info",
    "astra_app_mirror",
    "astra_app_mirror_info",
    "astra_app_snapshot",
    "astra_cluster_info",
    "astra_event_info",
    "astra_execution_hook",
    "astra_execution_hook_info",
    "astra_protection_policy",
)

COLLECTION_PREFIX = "kubedr.astra."

# A run's result when its child wrote no result (the same words ansible uses for a module that returned no JSON).
MODULE_FAILURE = "MODULE FAILURE: the run ended without a result (see module_stdout and module_stderr)"

NOT_STARTED = {"failed": True, "msg": "the run had not started when the batch's wait_timeout ended"}


def run_documents(document, runs_key, own_options, module_name):
    """The parameters document of each run: what the controller would have sent to the module's own task.

    document: this process's parameters as the controller sent them (not decoded: values keep the controller's
    encoding, which each child decodes itself); runs_key: the option holding the runs; own_options: this module's
    options that are not the runs' (left out). Everything else in ANSIBLE_MODULE_ARGS (the controller's _ansible_ keys,
    the shared connection options) goes to every run, under the run's own options.
    """
    module_args = document["ANSIBLE_MODULE_ARGS"]
    shared = dict((key, value) for key, value in module_args.items() if key != runs_key and key not in own_options)
    shared["_ansible_module_name"] = COLLECTION_PREFIX + module_name
    documents = []
    for run in module_args[runs_key]:
        arguments = dict(shared)
        arguments.update(run)
        documents.append(dict(document, ANSIBLE_MODULE_ARGS=arguments))
    return documents


def sent_document():
    """This process's parameters document as the controller sent it (JSON, not decoded)."""
    return json.loads(basic._ANSIBLE_ARGS)  # pylint: disable=protected-access


def _child(main, document, stdout, stderr, shared_directory=None, shared_since=None):
    """The forked child: one standalone run of main() with its own arguments; never returns."""
    code = 1
    try:
        # Its waits may share a list with the other runs' (shared_lists); what it returns is its own reads.
        shared_lists.install(shared_directory, started=time.monotonic() if shared_since is None else shared_since)
        os.dup2(stdout.fileno(), 1)
        os.dup2(stderr.fileno(), 2)
        # Whatever the parent's sys.stdout was (a test's capture, say), the run writes to its own files.
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8")
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8")
        basic._ANSIBLE_ARGS = json.dumps(document).encode("utf-8")  # pylint: disable=protected-access
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # pylint: disable=broad-except  # whatever it was, its traceback is the run's stderr
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            # No unwinding into the parent's code: its cleanup (the module's temporary files) is the parent's own.
            os._exit(code)  # pylint: disable=protected-access


def outcome(stdout, stderr, rc):
    """A run's result from what its child wrote, or ansible's MODULE FAILURE shape when it wrote no result."""
    stdout.seek(0)
    stderr.seek(0)
    out = stdout.read().decode("utf-8", "replace")
    err = stderr.read().decode("utf-8", "replace")
    text = out.strip()
    start = text.find("{")
    if start >= 0:
        try:
            result = json.loads(text[start:])
        except ValueError:
            result = None
        if isinstance(result, dict):
            return result
    return {"failed": True, "msg": MODULE_FAILURE, "rc": rc, "module_stdout": out, "module_stderr": err}


def run_all(main, documents, max_parallel=0, timeout=3600.0, clock=time.monotonic, sleep=time.sleep, shared_directory=None,
            shared_since=None):
    """Run main() once per parameters document, each in a forked child, at most max_parallel at once (0: all).

    shared_directory: where the runs' waits share the lists of the collections they wait on (see shared_lists);
    None: each wait reads its own item. shared_since: the monotonic instant since which a shared list serves every
    run (for runs that change nothing, in check mode); None: each run's own start.

    Returns one entry per document, in their order: the run's result; None for a run still going after timeout
    seconds (left running: it may be in the middle of a write); NOT_STARTED for a run that had not started by then.
    """
    results = [None] * len(documents)
    waiting = list(range(len(documents)))
    running = {}
    deadline = clock() + timeout
    pause = 0.005
    while waiting or running:
        while waiting and (not max_parallel or len(running) < max_parallel):
            index = waiting.pop(0)
            stdout, stderr = tempfile.TemporaryFile(), tempfile.TemporaryFile()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                _child(main, documents[index], stdout, stderr, shared_directory, shared_since)
            running[pid] = (index, stdout, stderr)
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            if clock() >= deadline:
                for index in waiting:
                    results[index] = dict(NOT_STARTED)
                break
            sleep(pause)
            pause = min(pause * 2, 0.05)
            continue
        pause = 0.005
        if pid not in running:
            continue
        index, stdout, stderr = running.pop(pid)
        rc = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
        results[index] = outcome(stdout, stderr, rc)
        stdout.close()
        stderr.close()
    return results
