#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_execution_hook
short_description: Create, update or delete an execution hook of an application in Astra Control
version_added: 0.1.0
description:
  - Makes an execution hook of a managed application run a hook source (a script) in the application's matching
    containers before or after a snapshot or backup, or after a restore or failover.
  - An existing hook of that name on the application is compared with the options and updated in place (PUT) when
    they differ; O(arguments) are compared in order, O(matching_criteria) in any order.
  - With O(state=absent), deletes the hook.
  - Execution hooks must be enabled in the account (M(kubedr.astra.astra_execution_hooks_setting)); otherwise the
    module fails saying so.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the execution hook (1 to 63 characters), unique among the account's execution hooks.
    type: str
    required: true
  action:
    description:
      - The operation the hook runs around. Required when O(state=present).
    type: str
    choices: [snapshot, backup, restore, failover]
  stage:
    description:
      - Whether the hook runs before (V(pre)) or after (V(post)) the operation. Required when O(state=present).
      - V(restore) and V(failover) hooks run after the operation only (V(post)).
      - A V(post) V(restore) hook runs on the restored application, and on the new application of a clone or of a
        restore to a new application. A V(post) V(failover) hook runs on the destination application of the
        application's mirror after a failover.
    type: str
    choices: [pre, post]
  source:
    description:
      - Name or ID of the hook source (see M(kubedr.astra.astra_hook_source)) the hook runs. Required when
        O(state=present).
    type: str
  arguments:
    description:
      - Arguments passed to the script, in this order; at most 16 distinct strings of at most 127 characters.
      - When omitted, the arguments of an existing hook are not compared (a new hook gets none).
    type: list
    elements: str
  matching_criteria:
    description:
      - The containers the hook runs in; all criteria must hold (logical AND). Without any, the hook runs in every
        container of the application.
      - At most 10 distinct entries. When omitted, the criteria of an existing hook are not compared.
    type: list
    elements: dict
    suboptions:
      type:
        description:
          - What the regular expression is matched against; V(pod_label) matches labels written C(name=value).
        type: str
        required: true
        choices: [container_image, container_name, pod_name, pod_label, namespace_name]
      value:
        description:
          - An RE2 regular expression, found anywhere in the value (anchor it with C(^) and C($) for a whole match).
          - Checked before any request; lookarounds, backreferences, atomic groups and possessive quantifiers are
            not RE2 and are refused.
        type: str
        required: true
  enabled:
    description:
      - Whether Astra Control runs the hook.
    type: bool
    default: true
  description:
    description:
      - Description of the hook (at most 511 characters). When omitted, the description of an existing hook is not
        compared.
    type: str
  state:
    description:
      - V(present) creates or updates the hook; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.app
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - The hook is created and read through the application's own path (C(k8s/v1/apps/<id>/executionHooks)).
  - Astra Control refuses failover hooks on an application that is the destination of an app mirror (the hooks of the
    mirror's source run on it) or that has a volume on C(ontap-nas-economy); the module explains the refusal.
  - NetApp-provided hooks cannot be changed or deleted.
  - The diff (C(--diff)) shows the hook before and after in the shape of the options, with O(source) by name.
  - In check mode a new hook is predicted with the ID V(check-mode-placeholder-id).
seealso:
  - module: kubedr.astra.astra_execution_hooks_setting
  - module: kubedr.astra.astra_hook_source
  - module: kubedr.astra.astra_execution_hook_info
'''

EXAMPLES = r'''
- name: Enable execution hooks in the account (they are off in a new account)
  kubedr.astra.astra_execution_hooks_setting:
    enabled: true

- name: Manage postgres so it can be protected
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: The script the hooks run
  kubedr.astra.astra_hook_source:
    name: pg-quiesce
    content: |
      #!/bin/sh
      echo "postgres hook: $1"

- name: Run the script in the postgres containers before each snapshot
  kubedr.astra.astra_execution_hook:
    app: postgres
    cluster: prod-east
    name: postgres-pre-snapshot
    action: snapshot
    stage: pre
    source: pg-quiesce
    arguments: [pre]
    matching_criteria:
      - type: container_name
        value: "^postgresql$"
  register: pre_snapshot

- name: Show the containers the hook runs in
  ansible.builtin.debug:
    msg: "{{ pre_snapshot.execution_hook.matchingContainers | map(attribute='containerName') | list }}"

- name: And after each restore (restore hooks run after the restore only)
  kubedr.astra.astra_execution_hook:
    app: postgres
    name: postgres-post-restore
    action: restore
    stage: post
    source: pg-quiesce
    arguments: [post]
    enabled: false

- name: Delete the hooks
  kubedr.astra.astra_execution_hook:
    app: postgres
    name: "{{ item }}"
    state: absent
  loop: [postgres-pre-snapshot, postgres-post-restore]
'''

RETURN = r'''
execution_hook:
  description:
    - The execution hook as the Astra Control API returns it (camelCase keys), with the containers it matches now.
    - In check mode, the predicted hook; a new one has RV(execution_hook.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Execution hook ID.
      type: str
      sample: 2f6e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f
    matchingImages:
      description: The distinct images of the containers the hook matches.
      type: list
      elements: str
      sample: ["docker.io/bitnami/postgresql:16.2.0"]
    matchingContainers:
      description: The containers the hook runs in.
      type: list
      elements: dict
      sample:
        - podName: postgres-0
          podLabels: [{"name": "app", "value": "postgres"}]
          containerName: postgresql
          containerImage: docker.io/bitnami/postgresql:16.2.0
          namespaceName: postgres
  sample:
    id: 2f6e1d0c-9b8a-4c7d-8e6f-5a4b3c2d1e0f
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
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_execution_hook import main


if __name__ == "__main__":
    main()
