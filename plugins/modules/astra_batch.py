#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: astra_batch
short_description: Run one kubedr.astra module for many apps in one module process
version_added: 0.1.0
description:
  - Runs the module O(module) once for each entry of O(runs), all at once (or O(max_parallel) at a time), and returns
    every run's result in the order of O(runs), each exactly what the module's own task would have returned.
  - What it saves is the start of a module process per app. A module process spends most of its CPU compiling
    ansible's and the collection's code from the module's zip before the module does anything; here that happens
    once, and each run is a child process forked from this one. Each child is a standalone run of the module with its
    own options, result, warnings, check mode and API client; only the imported code is shared.
  - While several runs wait on resources of one collection (clones and apps being removed in C(k8s/v2/apps), app
    mirrors in C(k8s/v1/appMirrors)), a poll reads that collection once for all of them, with only the fields their
    waits look at (C(include=id,state)), instead of one GET per run; a run reads its own resource when the list shows it
    done, failed or gone, and what it returns is that read. So the polls of a wave cost about one list each, whatever
    its number of apps. Backups share the account's list of every backup (C(topology/v1/appBackups)); snapshots, each
    app's in a collection of its own with no account-wide list, are polled one by one.
  - The same goes for the lookups that list a whole collection before a change, in M(kubedr.astra.astra_app_mirror)
    (every cluster and every app mirror, to find one relationship) and in M(kubedr.astra.astra_app_clone)'s checks (the
    clusters' namespaces and storage classes), and for every run's clusters and clouds. A list another run read after
    this run started serves it, so the runs that start together read each once. In check mode no run changes anything
    another reads, so a list read since the batch started serves every run (the runbooks' pre-flight checks all apps
    16 at a time, on one reading of each list). A lookup that must see a change just made is always the run's own.
  - The runbooks' steps use it through M(kubedr.astra.wave_step), which runs a wave's apps in one task, and their
    reads through M(kubedr.astra.info_batch), so that a runbook's run builds one module payload (about 0.3 s of
    controller CPU each) instead of one per module. Use it directly to run one module for many apps in a playbook of
    your own, in place of a loop that starts a module process per item.
  - The connection options are this task's own and reach every run; O(runs) holds only each run's module options.
author:
  - kubedr.astra developers (@kubedr)
options:
  module:
    description:
      - The module to run, without the C(kubedr.astra.) prefix.
    type: str
    required: true
    choices: [astra_app, astra_app_backup, astra_app_clone, astra_app_info, astra_app_mirror, astra_app_mirror_info,
              astra_app_snapshot, astra_cluster_info, astra_event_info, astra_execution_hook, astra_execution_hook_info,
              astra_protection_policy]
  runs:
    description:
      - One entry per run, the module's options for it (the same as on the module's own task, without the
        connection options).
      - Each run's options are checked by the module itself; a run with a bad option fails alone, with the module's
        own message.
    type: list
    elements: dict
    required: true
  max_parallel:
    description:
      - How many runs go on at once; C(0) runs them all at once.
    type: int
    default: 0
  wait_timeout:
    description:
      - Seconds to wait for all runs together. A run still going then is reported as failed (it may still be running
        and is left to end on its own); a run not yet started is not started. The module's own
        O(kubedr.astra.astra_app_clone#module:wait_timeout) should end each run first.
    type: int
    default: 3600
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - Check mode and diff mode reach every run, as they would the module's own task; so does the task's C(environment).
  - Fails when a run failed, once every run has ended, with the failed runs named; RV(results) holds every run's result
    either way.
seealso:
  - module: kubedr.astra.wave_step
'''

EXAMPLES = r'''
- name: Manage three apps at once (one module process; each app's run is a child of it)
  kubedr.astra.astra_batch:
    module: astra_app
    runs:
      - name: postgres
        cluster: prod-east
      - name: wordpress
        cluster: prod-east
      - name: jenkins
        cluster: prod-east

- name: Snapshot them, ten at a time at most
  kubedr.astra.astra_batch:
    module: astra_app_snapshot
    runs:
      - app: postgres
        name: before-upgrade
      - app: wordpress
        name: before-upgrade
      - app: jenkins
        name: before-upgrade
    max_parallel: 10
  register: snapshots

- name: Say how each run ended
  ansible.builtin.debug:
    msg: "{{ item.snapshot.name | default('-') }}: {{ 'failed: ' ~ item.msg if item.failed | default(false) else 'ok' }}"
  loop: "{{ snapshots.results }}"

- name: Read the replication of two apps in one module process (each result is what the info module's task returns)
  kubedr.astra.astra_batch:
    module: astra_app_mirror_info
    runs:
      - app: postgres
        cluster: prod-east
      - app: wordpress
        cluster: prod-east
  register: mirrors

- name: Check what managing one more app would do, without changing anything
  kubedr.astra.astra_batch:
    module: astra_app
    runs:
      - name: shop
        cluster: prod-east
        namespaces:
          - name: shop-frontend
          - name: shop-db
  check_mode: true
'''

RETURN = r'''
results:
  description:
    - Every run's result, in the order of O(runs), each as the module's own task returns it (its resource key,
      C(changed), C(failed), C(msg), C(timing)...).
    - A run still going at O(wait_timeout) is C(failed) with a C(msg) saying so.
  returned: always
  type: list
  elements: dict
  sample:
    - changed: true
      snapshot:
        name: postgres-20250131
        state: completed
      timing:
        started: "2025-01-31T09:30:00.123Z"
        finished: "2025-01-31T09:30:41.456Z"
'''

import shutil
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import astra_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.batch import BATCH_MODULES, run_all, run_documents, sent_document

OWN_OPTIONS = ("module", "runs", "max_parallel", "wait_timeout")


def module_main(name):
    """The main() of a module this one runs. Imported here, inside the function, so that this module's payload
    carries every one of them and a batch compiles only its own."""
    # pylint: disable=import-outside-toplevel
    if name == "astra_app":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app import main
    elif name == "astra_app_backup":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_backup import main
    elif name == "astra_app_clone":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_clone import main
    elif name == "astra_app_info":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_info import main
    elif name == "astra_app_mirror":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_mirror import main
    elif name == "astra_app_mirror_info":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_mirror_info import main
    elif name == "astra_app_snapshot":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_snapshot import main
    elif name == "astra_cluster_info":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_cluster_info import main
    elif name == "astra_event_info":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_event_info import main
    elif name == "astra_execution_hook":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_execution_hook import main
    elif name == "astra_execution_hook_info":
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_execution_hook_info import main
    else:
        from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_protection_policy import main
    return main


def main():
    argument_spec = astra_argument_spec()
    argument_spec.update(
        module=dict(type="str", required=True, choices=list(BATCH_MODULES)),
        runs=dict(type="list", elements="dict", required=True),
        max_parallel=dict(type="int", default=0),
        wait_timeout=dict(type="int", default=3600),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = []
    if params["max_parallel"] < 0:
        problems.append("max_parallel must be 0 (all at once) or more, got %d" % params["max_parallel"])
    if params["wait_timeout"] < 1:
        problems.append("wait_timeout must be at least 1 (seconds), got %d" % params["wait_timeout"])
    connection_options = set(astra_argument_spec())
    for index, run in enumerate(params["runs"]):
        misplaced = sorted(connection_options.intersection(run))
        if misplaced:
            # In a run, a token would be echoed with the runs; set once on this task, it is masked.
            problems.append("runs[%d]: %s set on the run; connection options are this task's own and reach every run"
                            % (index, ", ".join(misplaced)))
    if problems:
        module.fail_json(msg="; ".join(problems))

    documents = run_documents(sent_document(), "runs", OWN_OPTIONS, params["module"])
    shared_directory = tempfile.mkdtemp(prefix="shared-lists-", dir=module.tmpdir)
    try:
        # In check mode nothing a run does changes what another reads: every run takes lists read since the batch began.
        outcomes = run_all(module_main(params["module"]), documents, max_parallel=params["max_parallel"],
                           timeout=params["wait_timeout"], shared_directory=shared_directory,
                           shared_since=time.monotonic() if module.check_mode else None)
    finally:
        # A run still going finds the lists gone and reads its own item again.
        shutil.rmtree(shared_directory, ignore_errors=True)
    results = []
    for outcome in outcomes:
        if outcome is None:
            outcome = {"failed": True, "msg": "the run had not finished after %d s (astra_batch wait_timeout); it may still "
                                              "be running" % params["wait_timeout"]}
        results.append(outcome)
    failed = ["runs[%d]: %s" % (index, result.get("msg")) for index, result in enumerate(results) if result.get("failed")]
    changed = any(result.get("changed") for result in results)
    if failed:
        module.fail_json(msg="%d of %d runs of %s failed: %s" % (len(failed), len(results), params["module"], "; ".join(failed)),
                         changed=changed, results=results)
    module.exit_json(changed=changed, results=results)


if __name__ == "__main__":
    main()
