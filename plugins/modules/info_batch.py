#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: info_batch
short_description: Run several of the collection's info modules at once, each result as its own task would return it
version_added: 0.1.0
description:
  - Runs each read of O(reads) (one of the collection's C(_info) modules with its options), all at the same time, one
    module process each, and returns every result under its name in RV(results), as the module's own task would have
    returned it. The reads take about as long as the slowest of them instead of their sum.
  - The info modules M(kubedr.astra.astra_batch) runs (apps, app mirrors, clusters, events, execution hooks) run
    through it, each read its one run. Ansible builds a module's payload once per playbook run (about 0.3 s of
    controller CPU each), and the runbooks' steps already build astra_batch's, so their reads build none of their
    own. The others run as themselves.
  - The runbooks' pre-flight reads the clusters, its apps or their mirrors and the account's execution hooks this way,
    and the failover and the failback read the moved apps back where they now run.
  - Each read's options are its C(module_args) over the C(module_defaults) that apply to its module (its own and those
    of C(group/kubedr.astra.astra)), as on the module's own task; the C(environment) of this task reaches every read.
    Takes no connection options itself, so it is not in the C(kubedr.astra.astra) action group.
author:
  - kubedr.astra developers (@kubedr)
options:
  reads:
    description:
      - The reads, by a name of your choice, each a dict with C(module) (an info module of the collection, with or
        without the C(kubedr.astra.) prefix) and C(module_args) (its options, none by default).
    type: dict
    required: true
  fail_on_read_failure:
    description:
      - Whether a failed read fails this task (after every read ended). With V(false) the task succeeds and each failed
        read's result says so (C(failed), C(msg)), as a loop with C(ignore_errors) would.
    type: bool
    default: true
extends_documentation_fragment:
  - kubedr.astra.attributes.controller_action
attributes:
  check_mode:
    description: Runs every read in check mode when the task is in check mode (the info modules change nothing).
    support: full
notes:
  - The modules run where the task's connection points, like the modules' own tasks would.
seealso:
  - module: kubedr.astra.wave_step
  - module: kubedr.astra.astra_batch
  - module: kubedr.astra.astra_cluster_info
  - module: kubedr.astra.astra_app_mirror_info
  - module: kubedr.astra.astra_execution_hook_info
'''

EXAMPLES = r'''
- name: Read the clusters, the mirrors of two apps and the execution hooks, at once
  kubedr.astra.info_batch:
    reads:
      clusters:
        module: kubedr.astra.astra_cluster_info
      mirrors:
        module: kubedr.astra.astra_app_mirror_info
        module_args:
          names: [postgres, wordpress]
      hooks:
        module: kubedr.astra.astra_execution_hook_info
  register: estate

- name: Show the state of each cluster
  ansible.builtin.debug:
    msg: "{{ estate.results.clusters.clusters | map(attribute='name') | list }}"
'''

RETURN = r'''
results:
  description: Each read's result by its name, as the module's own task would have returned it (with C(failed) and
    C(msg) for a read that failed).
  returned: always
  type: dict
  sample: {clusters: {changed: false, clusters: []}, hooks: {changed: false, execution_hooks: []}}
'''
