# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.step_arguments: one app's module arguments for a step that kubedr.astra.wave_step runs.

Looped over a wave's apps, it lets Ansible template each app's arguments (and drop `omit`) as it would for the module
task itself, and returns them without running anything; wave_step then runs the module for all of them at once.
"""

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.kubedr.astra.plugins.action.wave_step import run_module

ARGUMENT_SPEC = dict(
    module=dict(type="str", required=True),
    module_args=dict(type="dict", default={}),
)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        module, problem = run_module(args["module"])
        if problem:
            raise AnsibleError("step_arguments: %s" % problem)
        result.update(changed=False, module=module, module_args=args["module_args"])
        return result
