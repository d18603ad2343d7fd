#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_execution_hook_info
short_description: List the execution hooks of an application or of the whole Astra Control account
version_added: 0.1.0
description:
  - Returns the execution hooks of one managed application (O(app)), or of every application of the account.
  - Also reports whether execution hooks are enabled in the account. While they are disabled, Astra Control refuses to
    list hooks; the module then returns an empty list instead of failing, so pre-flight checks can use it.
author:
  - kubedr.astra developers (@kubedr)
options:
  app:
    description:
      - Only the hooks of this managed application, given by name or ID (its own path, one request).
      - An unknown application is an error, so a typo does not look like an empty list.
    type: str
  cluster:
    description:
      - Name or ID of the cluster O(app) runs on; needed only when applications of this name exist on several
        clusters. Used only with O(app).
    type: str
  name:
    description:
      - Only the hooks with this name.
    type: str
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_execution_hook
  - module: kubedr.astra.astra_execution_hooks_setting
'''

EXAMPLES = r'''
- name: List every execution hook of the account
  kubedr.astra.astra_execution_hook_info:
  register: all_hooks

- name: Pre-flight, hooks must be enabled
  ansible.builtin.debug:
    msg: "{{ 'hooks enabled' if all_hooks.execution_hooks_enabled else 'hooks are disabled in the account' }}"

- name: Enable execution hooks in the account
  kubedr.astra.astra_execution_hooks_setting:
    enabled: true

- name: Manage postgres
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: The hooks of postgres on prod-east
  kubedr.astra.astra_execution_hook_info:
    app: postgres
    cluster: prod-east
  register: postgres_hooks

- name: Show their names, actions and stages
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.stage }}-{{ item.action }}"
  loop: "{{ postgres_hooks.execution_hooks }}"
  loop_control:
    label: "{{ item.name }}"
'''

RETURN = r'''
execution_hooks:
  description:
    - The execution hooks as the Astra Control API returns them (camelCase keys), with the containers each matches.
    - Empty while execution hooks are disabled in the account.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 2f6e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f
      type: application/astra-executionHook
      version: "1.3"
      name: postgres-pre-snapshot
      hookType: custom
      action: snapshot
      stage: pre
      hookSourceID: 9d3c8f2a-6b1e-4f7a-8c2d-0e5f4a3b2c1d
      appID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
      arguments: [pre]
      matchingCriteria: [{"type": "containerName", "value": "^postgresql$"}]
      enabled: "true"
      matchingImages: ["docker.io/bitnami/postgresql:16.2.0"]
      matchingContainers: []
execution_hooks_enabled:
  description:
    - Whether execution hooks are enabled in the account (the setting C(astra.account.executionHooks.enabled);
      V(true) on Astra Control versions without the setting).
  returned: always
  type: bool
  sample: true
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_execution_hook_info import main


if __name__ == "__main__":
    main()
