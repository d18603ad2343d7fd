# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.check_task_files: find and load the user's task files a runbook will include, before it changes anything.

A missing file makes the include fail in a way rescue blocks cannot describe (Ansible sets no ansible_failed_task),
and a YAML or task syntax error aborts ansible-playbook outright, skipping every rescue and always section, so no
report would be written. Both are found here, in the pre-flight, with Ansible's own loader and search path.
"""

from ansible.errors import AnsibleError
from ansible.playbook.helpers import load_list_of_blocks
from ansible.plugins.action import ActionBase

ARGUMENT_SPEC = dict(
    files=dict(type="dict", required=True),
)


def _first_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    return lines[0] if lines else "unknown error"


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def _resolve(self, path):
        """The file include_tasks would load for `path`: absolute, or searched like include_tasks searches."""
        return self._loader.path_dwim_relative_stack(self._task.get_search_path(), "tasks", path)

    def _load(self, path):
        """Parse the file as include_tasks would; raises AnsibleError with Ansible's own message."""
        data = self._loader.load_from_file(path)
        if data is None:
            return 0
        if not isinstance(data, list):
            raise AnsibleError("a task file must hold a list of tasks, not a %s" % type(data).__name__)
        blocks = load_list_of_blocks(data, play=self._task.get_play(), variable_manager=self._task.get_variable_manager(),
                                     loader=self._loader)
        return sum(len(block.block) for block in blocks)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        paths, problems, tasks = {}, [], {}
        for option, path in sorted(args["files"].items()):
            if path in (None, ""):
                continue
            path = str(path)
            try:
                found = self._resolve(path)
            except AnsibleError:
                problems.append("%s: the task file %s does not exist (searched as include_tasks does: relative to the "
                                "role's tasks and the playbook)" % (option, path))
                continue
            try:
                tasks[option] = self._load(found)
            except AnsibleError as exc:
                problems.append("%s: the task file %s cannot be loaded: %s" % (option, found, _first_line(exc)))
                continue
            paths[option] = found
        result.update(changed=False, paths=paths, tasks=tasks, problems=problems)
        return result
