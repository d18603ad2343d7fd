#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: check_task_files
short_description: Find and load the user's task files a runbook will include, before anything changes
version_added: 0.1.0
description:
  - The runbooks run the user's own task files (C(drill_verify_tasks), C(drill_cleanup_tasks),
    C(failover_verify_tasks), C(failback_verify_tasks)). Their pre-flight calls this action first, so a file that
    does not exist or does not load is reported with the other pre-flight problems, before the first change.
  - A missing file would otherwise fail in a way a rescue block cannot describe, and a YAML or task syntax error
    aborts C(ansible-playbook) outright, skipping every C(rescue) and C(always) section, so no report would be written.
  - Each file is searched as C(include_tasks) searches (an absolute path, else relative to the role's C(tasks) and
    the playbook's directory) and parsed with Ansible's own loader, including its static C(import_tasks).
  - "Never fails because of a file: the problems are returned for the pre-flight to report with the others."
  - Runs on the controller (an action plugin) and takes no connection options, so it is not in the
    C(kubedr.astra.astra) action group.
author:
  - kubedr.astra developers (@kubedr)
options:
  files:
    description:
      - The task files to check, by the option or variable that named them (the name is used in the problems).
      - Empty values are skipped (the runbook does not include anything then).
    type: dict
    required: true
extends_documentation_fragment:
  - kubedr.astra.attributes.controller_action
attributes:
  check_mode:
    description: Reads only; runs the same in check mode.
    support: full
'''

EXAMPLES = r'''
- name: Pre-flight | the verification and cleanup task files load
  kubedr.astra.check_task_files:
    files:
      drill_verify_tasks: "{{ playbook_dir }}/tasks/verify_clone_isolated.yml"
      drill_cleanup_tasks: ""
  register: task_files

- name: Report problems with the task files
  ansible.builtin.fail:
    msg: "{{ task_files.problems }}"
  when: task_files.problems | length > 0
'''

RETURN = r'''
paths:
  description: The absolute path of each file that was found and loads, by option name; include this path.
  returned: always
  type: dict
  sample: {drill_verify_tasks: /home/sre/dr/tasks/verify_clone_isolated.yml}
tasks:
  description: How many tasks (at the top level of its blocks) each loaded file holds, by option name.
  returned: always
  type: dict
  sample: {drill_verify_tasks: 3}
problems:
  description: One line per file that does not exist or does not load, naming the option, the file and the error.
  returned: always
  type: list
  elements: str
  sample:
    - "drill_verify_tasks: the task file tasks/verfy.yml does not exist (searched as include_tasks does: ...)"
'''
