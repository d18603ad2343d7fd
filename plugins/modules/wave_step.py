#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wave_step
short_description: Run one runbook step for every app of a wave at once, printing progress while they run
version_added: 0.1.0
description:
  - Runs a C(kubedr.astra) module once for each entry of O(runs) (the registered results of a looped
    M(kubedr.astra.step_arguments) task), all at once, and returns every run's result in the order of O(runs), each
    with a RV(results[].report_step) for the run's report (M(kubedr.astra.dr_report)).
  - For the modules M(kubedr.astra.astra_batch) runs (M(kubedr.astra.astra_app), M(kubedr.astra.astra_app_backup),
    M(kubedr.astra.astra_app_clone), M(kubedr.astra.astra_app_mirror), M(kubedr.astra.astra_app_snapshot),
    M(kubedr.astra.astra_execution_hook), M(kubedr.astra.astra_protection_policy)) the whole step is one
    M(kubedr.astra.astra_batch) module process, each run a child of it; for any other module each run is one module
    process. Either way there is no C(async_wrapper) process and no job file, and the step ends as soon as its last run
    does.
  - While the runs go on it prints, every O(progress_interval) seconds, a line naming the apps still running and for
    how long, and a line for each run that ended (which app, how it ended, after how long; the runs of one
    M(kubedr.astra.astra_batch) process are reported together when it ends, each with its own end).
  - A run that failed fails this task once every run has ended (see O(fail_on_job_failure)); the other runs are always
    waited for first, so one failing app never leaves the others of its wave unobserved.
  - Each run's options are the C(module_args) of its entry over the C(module_defaults) that apply to the module (its
    own and those of C(group/kubedr.astra.astra)), as on the module's own task; the C(environment) of this task
    reaches every run. Takes no connection options itself, so it is not in the C(kubedr.astra.astra) action group.
author:
  - kubedr.astra developers (@kubedr)
options:
  runs:
    description:
      - The C(results) of a looped M(kubedr.astra.step_arguments) task, one entry per app.
      - Entries skipped by C(when), or failed, are passed through with their own result. All other entries must name
        the same module.
    type: list
    elements: dict
    required: true
  step:
    description:
      - The name of the step (C(clone), C(failover)...), used in RV(results[].report_step) and, unless O(title) is
        set, in the progress lines.
    type: str
    required: true
  title:
    description:
      - What the progress lines start with, for example C(drill wave 1 clone).
      - Defaults to O(step).
    type: str
  labels:
    description:
      - How to name each run in the progress lines and messages, in the order of O(runs).
      - Defaults to the C(name) of each entry's loop item.
    type: list
    elements: str
  wait_timeout:
    description:
      - Seconds to wait for all runs together. Runs still going then are reported as failed (they may go on running);
        the modules' own O(kubedr.astra.astra_app_clone#module:wait_timeout) should end them first.
    type: float
    default: 3600
  progress_interval:
    description:
      - Seconds between two lines naming the runs still going.
    type: float
    default: 30
  max_parallel:
    description:
      - How many runs may go on at the same time. V(0) runs them all at once, which is what the runbooks' steps do, as
        a wave is the unit of parallelism the runbook's user chose. The runbooks' pre-flight, which checks every app
        of the run, runs 16 at a time.
    type: int
    default: 0
  fail_on_job_failure:
    description:
      - Whether a failed run fails this task (after every run ended). With V(false) the task succeeds and the failures
        are in RV(results) and RV(failed_jobs), for runbooks that record them and go on (a drill cleans up before it
        fails).
    type: bool
    default: true
extends_documentation_fragment:
  - kubedr.astra.attributes.controller_action
attributes:
  check_mode:
    description: Runs every module in check mode when the task is in check mode.
    support: full
notes:
  - With the default O(max_parallel), every run goes on at the same time (one child process each, of one
    M(kubedr.astra.astra_batch) process or of this task).
  - The connection options of the runs (from C(module_defaults) or the entries' C(module_args)) are passed once to
    each M(kubedr.astra.astra_batch) process; runs with different connection options go to different ones.
  - The modules run where the task's connection points, like the module's own task would; the runbooks run on the
    controller (connection C(local)).
seealso:
  - module: kubedr.astra.step_arguments
  - module: kubedr.astra.astra_batch
  - module: kubedr.astra.async_wait
  - module: kubedr.astra.dr_report
'''

EXAMPLES = r'''
- name: The clone of every app of the wave (arguments)
  kubedr.astra.step_arguments:
    module: kubedr.astra.astra_app_clone
    module_args:
      name: "{{ item.name }}-drill"
      source_app: "{{ item.name }}"
      source_cluster: prod-east
      destination_cluster: dr-west
      backup: latest
      namespace_mapping:
        - source: "{{ item.name }}"
          destination: "{{ item.name }}-drill"
  loop:
    - name: postgres
    - name: wordpress
  register: clone_runs

- name: Clone every app of the wave at once, with progress
  kubedr.astra.wave_step:
    runs: "{{ clone_runs.results }}"
    step: clone
    title: drill wave 1 clone
    progress_interval: 30
  register: clones

- name: Check every app of the run, 16 at a time, and keep going when some fail the check
  kubedr.astra.wave_step:
    runs: "{{ clone_runs.results }}"
    step: check clone
    max_parallel: 16
    fail_on_job_failure: false
  check_mode: true
  register: clone_checks

- name: Name the apps whose check failed
  ansible.builtin.debug:
    msg: "{{ clone_checks.results | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='label') | list }}"
'''

RETURN = r'''
results:
  description:
    - Each run's result, in the order of O(runs) - the module's own result (for example the C(app) that
      M(kubedr.astra.astra_app_clone) returns) with these keys added.
  returned: always
  type: list
  elements: dict
  contains:
    item:
      description: The loop item of the run's entry.
      type: raw
    label:
      description: The run's label (see O(labels)).
      type: str
    report_step:
      description:
        - The run as one step of the run's report, for M(kubedr.astra.dr_report).
        - C(status) is V(passed), V(failed) or V(skipped); C(started) and C(finished) are the module's own C(timing)
          (absent when the module returned none); C(message) is the failure message, or says that nothing changed;
          C(warnings) are the module's warnings (retries, adopted resources), which this task also shows.
      type: dict
      sample: {"name": "clone", "status": "passed", "started": "2025-01-31T09:31:41.120Z",
               "finished": "2025-01-31T09:36:54.802Z", "message": null, "warnings": []}
failed_jobs:
  description: How many runs failed.
  returned: always
  type: int
  sample: 0
elapsed:
  description: Seconds this task waited for the runs.
  returned: always
  type: float
  sample: 95.2
'''
