#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: step_arguments
short_description: Hold one app's module arguments for a step that M(kubedr.astra.wave_step) runs
version_added: 0.1.0
description:
  - Looped over the apps of a wave, it lets Ansible template each app's arguments for a module (and drop C(omit)) as
    it would on the module's own task, and returns them without running anything or sending any request.
  - M(kubedr.astra.wave_step) then runs the module for all of them at once. This is how the runbooks run each step
    of a wave.
  - Runs on the controller (an action plugin) and takes no connection options.
author:
  - kubedr.astra developers (@kubedr)
options:
  module:
    description:
      - The module the step runs, a C(kubedr.astra) module by its fully qualified name.
    type: str
    required: true
  module_args:
    description:
      - The module's options for this app.
      - Connection options may be left out here. M(kubedr.astra.wave_step) applies the play's C(module_defaults) for
        the module (and the C(group/kubedr.astra.astra) group), and the modules read C(ASTRA_*) variables.
    type: dict
    default: {}
extends_documentation_fragment:
  - kubedr.astra.attributes.controller_action
attributes:
  check_mode:
    description: Runs normally; it only returns its arguments.
    support: full
seealso:
  - module: kubedr.astra.wave_step
'''

EXAMPLES = r'''
- name: The initial snapshot of every app of the wave (arguments)
  kubedr.astra.step_arguments:
    module: kubedr.astra.astra_app_snapshot
    module_args:
      app: "{{ item.name }}"
      cluster: prod-east
      name: "{{ item.name }}-initial"
      wait: true
  loop:
    - name: postgres
    - name: wordpress
  register: snapshot_runs

- name: Take them all at once
  kubedr.astra.wave_step:
    runs: "{{ snapshot_runs.results }}"
    step: snapshot
'''

RETURN = r'''
module:
  description: The module the step runs.
  returned: always
  type: str
  sample: kubedr.astra.astra_app_clone
module_args:
  description: The module's options for this app, templated.
  returned: always
  type: dict
  sample: {"name": "postgres-drill", "source_app": "postgres", "source_cluster": "prod-east"}
'''
