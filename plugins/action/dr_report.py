# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.dr_report: on the controller itself, write the report in this worker instead of a module process.

Every runbook ends by writing its report where it runs, which is the controller: a module process there costs about
0.6 s of the run (its payload built, started and compiled) to write three files. When the task's connection is local
and it does not become another user, the files are written here, with the module's own options and code
(plugins/module_utils/dr_report.py): the same validation, the same files, the same result. Anywhere else (a remote
host, become) the module runs as it would without this action.
"""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.kubedr.astra.plugins.module_utils.dr_report import ReportError, argument_spec, report_task

MODULE = "kubedr.astra.dr_report"


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def _writes_here(self):
        """Whether the module would run as this process's user on this machine."""
        return self._connection.transport == "local" and getattr(self._connection, "become", None) is None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if not self._writes_here():
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            return result
        _validation, params = self.validate_argument_spec(argument_spec=argument_spec())
        try:
            report, changed = report_task(params, check_mode=bool(self._task.check_mode))
        except ReportError as exc:
            raise AnsibleActionFail(str(exc)) from None
        result.update(changed=changed, report=report)
        return result
