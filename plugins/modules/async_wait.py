#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: async_wait
short_description: Wait for the async jobs of one runbook step together, printing progress while they run
version_added: 0.1.0
description:
  - Waits for async jobs started with C(async) and C(poll) 0, typically one per app of a wave, all at once.
  - While it waits it prints a line each time a job ends (which app, how it ended, after how long) and, every
    O(progress_interval) seconds, a line naming the jobs still running and for how long. A wave of many apps
    therefore never sits silent, in C(ansible-playbook) or in an AWX job's output.
  - Returns every job's result in the order of O(jobs), each with a RV(results[].report_step) for the run's report
    (M(kubedr.astra.dr_report)), built from the C(timing) the C(kubedr.astra) modules return.
  - A job that failed fails this task once every job has ended (see O(fail_on_job_failure)); the other jobs are
    always waited for first, so one failing app never leaves the others of its wave unobserved.
  - Runs on the controller (an action plugin) and takes no connection options, so it is not in the
    C(kubedr.astra.astra) action group. Finished jobs' status files are removed.
author:
  - kubedr.astra developers (@kubedr)
options:
  jobs:
    description:
      - The registered launch results, that is the C(results) of a looped task that ran with C(async) and C(poll) 0.
      - Entries without an C(ansible_job_id) are passed through (skipped by C(when), or failed at launch).
    type: list
    elements: dict
    required: true
  step:
    description:
      - The name of the step these jobs perform (C(clone), C(failover)...), used in RV(results[].report_step) and,
        unless O(title) is set, in the progress lines.
    type: str
    required: true
  title:
    description:
      - What the progress lines start with, for example C(drill wave 1 clone).
      - Defaults to O(step).
    type: str
  labels:
    description:
      - How to name each job in the progress lines and messages, in the order of O(jobs).
      - Defaults to the C(name) of each job's loop item.
    type: list
    elements: str
  wait_timeout:
    description:
      - Seconds to wait for all jobs together. Jobs still running then are reported as failed (they may go on
        running); the modules' own O(kubedr.astra.astra_app_clone#module:wait_timeout) should end them first.
    type: float
    default: 3600
  poll_interval:
    description:
      - Seconds between two reads of the jobs still running on a remote host, where each read runs
        M(ansible.builtin.async_status).
      - On the controller (connection C(local), where the runbooks run) the job files are checked every 0.1 s (or
        every O(poll_interval) if shorter), so a step ends as soon as its last job does.
    type: float
    default: 2
  progress_interval:
    description:
      - Seconds between two lines naming the jobs still running.
    type: float
    default: 30
  fail_on_job_failure:
    description:
      - Whether a failed job fails this task (after every job ended). With V(false) the task succeeds and the
        failures are in RV(results) and RV(failed_jobs), for runbooks that record them and go on (a drill cleans up
        before it fails).
    type: bool
    default: true
extends_documentation_fragment:
  - kubedr.astra.attributes.controller_action
attributes:
  check_mode:
    description: Runs normally; it only reads the jobs' status.
    support: full
notes:
  - The modules run async in check mode too (they predict and return at once), so this works in check mode.
seealso:
  - module: ansible.builtin.async_status
  - module: kubedr.astra.dr_report
'''

EXAMPLES = r'''
- name: Clone every app of the wave (start)
  kubedr.astra.astra_app_clone:
    name: "{{ item.name }}-drill"
    source_app: "{{ item.name }}"
    source_cluster: prod-east
    cluster: dr-west
    backup: latest
    namespace_mapping:
      - source: "{{ item.name }}"
        destination: "{{ item.name }}-drill"
  loop:
    - name: postgres
    - name: wordpress
  async: 1800
  poll: 0
  changed_when: false
  register: clone_jobs

- name: Clone every app of the wave (wait, with progress)
  kubedr.astra.async_wait:
    jobs: "{{ clone_jobs.results }}"
    step: clone
    title: drill wave 1 clone
    poll_interval: 2
    progress_interval: 30
  register: clones

- name: Show how long each clone took
  ansible.builtin.debug:
    msg: "{{ item.label }}: {{ item.report_step.started }} to {{ item.report_step.finished }}"
  loop: "{{ clones.results }}"
  loop_control:
    label: "{{ item.label }}"
'''

RETURN = r'''
results:
  description:
    - Each job's final result, in the order of O(jobs) - the module's own result (for example the C(app) that
      M(kubedr.astra.astra_app_clone) returns) with these keys added.
  returned: always
  type: list
  elements: dict
  contains:
    item:
      description: The loop item the job was launched for.
      type: raw
    label:
      description: The job's label (see O(labels)).
      type: str
    report_step:
      description:
        - The job as one step of the run's report, for M(kubedr.astra.dr_report).
        - C(status) is V(passed), V(failed) or V(skipped); C(started) and C(finished) are the module's own C(timing)
          (absent when the module returned none); C(message) is the failure message, or says that nothing changed;
          C(warnings) are the module's warnings (retries, adopted resources), which this task also shows.
      type: dict
      sample: {"name": "clone", "status": "passed", "started": "2025-01-31T09:31:41.120Z",
               "finished": "2025-01-31T09:36:54.802Z", "message": null, "warnings": []}
failed_jobs:
  description: How many jobs failed.
  returned: always
  type: int
  sample: 0
elapsed:
  description: Seconds this task waited.
  returned: always
  type: float
  sample: 95.2
'''
