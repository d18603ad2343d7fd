#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_execution_hooks_setting
short_description: Turn execution hooks on or off for an Astra Control account
version_added: 0.1.0
description:
  - Switches the account setting C(astra.account.executionHooks.enabled), which decides whether Astra Control runs
    execution hooks at all and whether hook sources and execution hooks can be read or changed.
  - Since Astra Control Center 23.10 a new account has execution hooks disabled; until they are enabled, every request
    about hooks or hook sources is refused (HTTP 403, problem 168).
  - Reads the account's settings (one request) and changes the setting (PUT of its C(desiredConfig)) only when it differs.
author:
  - kubedr.astra developers (@kubedr)
options:
  enabled:
    description:
      - V(true) enables execution hooks in the account, V(false) disables them.
      - Disabling keeps the hook sources and execution hooks; Astra Control just stops running them and refuses
        requests about them.
    type: bool
    required: true
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - The setting does not exist before Astra Control Center 23.10, where hooks are always enabled; the module then fails
    with a message saying so.
  - Astra Control applies the new C(desiredConfig) itself; a setting in state V(pending) already being switched to
    O(enabled) counts as done.
  - The diff (C(--diff)) shows O(enabled) before and after.
seealso:
  - module: kubedr.astra.astra_hook_source
  - module: kubedr.astra.astra_execution_hook
  - module: kubedr.astra.astra_execution_hook_info
'''

EXAMPLES = r'''
- name: Enable execution hooks in the account
  kubedr.astra.astra_execution_hooks_setting:
    enabled: true
  register: hooks_setting

- name: Show whether hooks are enabled
  ansible.builtin.debug:
    msg: "Execution hooks enabled: {{ hooks_setting.execution_hooks_enabled }}"

- name: Disable execution hooks again
  kubedr.astra.astra_execution_hooks_setting:
    enabled: false
'''

RETURN = r'''
execution_hooks_enabled:
  description:
    - Whether execution hooks are enabled in the account after the task (predicted in check mode).
  returned: always
  type: bool
  sample: true
setting:
  description:
    - The setting C(astra.account.executionHooks.enabled) as the Astra Control API returns it (camelCase keys), after
      the change (predicted in check mode).
  returned: always
  type: dict
  sample:
    id: 7b0c1c8e-5a0b-4d2e-9f61-1f9d2b7c3a10
    type: application/astra-setting
    version: "1.1"
    name: astra.account.executionHooks.enabled
    currentConfig: {"isEnabled": "true"}
    desiredConfig: {"isEnabled": "true"}
    state: valid
    stateUnready: []
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    HOOKS_SETTING,
    SETTINGS,
    api_bool,
    hooks_setting,
    setting_body,
    setting_enabled,
    setting_will_be,
)


def run(module):
    wanted = module.params["enabled"]
    setting = hooks_setting(module.lookups)
    if setting is None:
        raise AstraError("the account has no setting %s: this Astra Control predates execution-hook settings (Astra "
                         "Control Center 23.10), and execution hooks are always enabled there" % HOOKS_SETTING)
    before = setting_enabled(setting)
    if setting_will_be(setting, wanted):
        return dict(changed=False, setting=setting, execution_hooks_enabled=before)
    diff = dict(before={"enabled": before}, after={"enabled": wanted})
    if module.check_mode:
        predicted = dict(setting, desiredConfig={"isEnabled": api_bool(wanted)}, currentConfig={"isEnabled": api_bool(wanted)})
        return dict(changed=True, setting=predicted, execution_hooks_enabled=wanted, **diff)
    path = "%s/%s" % (SETTINGS, setting["id"])
    module.client.put(path, setting_body(wanted), "setting", operation="Update setting %s" % HOOKS_SETTING)
    setting = module.client.get(path, operation="Read setting %s" % HOOKS_SETTING)
    return dict(changed=True, setting=setting, execution_hooks_enabled=setting_enabled(setting), **diff)


def main():
    module = AstraModule(argument_spec=dict(enabled=dict(type="bool", required=True)))
    module.run(run)


if __name__ == "__main__":
    main()
