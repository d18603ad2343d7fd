# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Attributes of kubedr.astra modules: check and diff support, action group membership, controller-side actions."""

    DOCUMENTATION = r'''
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return a changed status prediction without modifying the target.
      Check mode reads the current state, sends no POST, PUT or DELETE and does not wait.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
    support: full
'''

    INFO_MODULE = r'''
options: {}
attributes:
  check_mode:
    description: This module only reads and runs the same in check mode.
    support: full
  diff_mode:
    description: This module does not change anything, so there is no diff.
    support: N/A
'''

    CONTROLLER_ACTION = r'''
options: {}
attributes:
  diff_mode:
    description: Reports no diff.
    support: none
  action:
    description: An action plugin; the module file only documents it.
    support: full
'''

    ACTION_GROUP = r'''
options: {}
attributes:
  action_group:
    description: Use C(group/kubedr.astra.astra) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - kubedr.astra.astra
'''
