# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.astra_hook_source: read `src` on the controller, then run the module with the script as `content`.

A relative `src` is searched like ansible.builtin.copy searches (the role's files/, then the playbook's). The file is
checked with the module's own rules (UTF-8 text, no CR, no control characters, at most 96 KiB) before the module runs,
so the failure names `src`. module_defaults and the action group reach the task's arguments before this runs.
"""

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.kubedr.astra.plugins.module_utils.hooks import read_script_file

MODULE = "kubedr.astra.astra_hook_source"


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = dict(self._task.args)
        src = args.get("src")
        # With content as well, the module reports the conflict (mutually exclusive options) itself.
        if src not in (None, "") and args.get("content") is None:
            try:
                path = self._find_needle("files", str(src))
            except AnsibleError:
                result.update(failed=True, msg="Invalid input: src: the script file %s was not found (searched as "
                                               "ansible.builtin.copy does: the role's files/, then the playbook's)" % src)
                return result
            content, problem = read_script_file(path)
            if problem:
                result.update(failed=True, msg="Invalid input: src: %s" % problem)
                return result
            del args["src"]
            args["content"] = content
        result.update(self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars))
        return result
