#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_snapshot
short_description: Take or delete a snapshot of an application in Astra Control
version_added: 0.1.0
description:
  - Takes a named snapshot of a managed application and, with O(wait=true), waits until it is V(completed).
  - A snapshot of that name that already exists on the application is left as it is (snapshots cannot be changed);
    if it is still being taken and O(wait=true), the module waits until it is V(completed).
  - A snapshot of that name in state V(failed) (or V(removed)) fails the task with its state details; remove it with
    O(state=absent) and run the task again, or set O(replace_failed=true).
  - With O(state=absent), deletes the snapshot and waits until it is gone.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the snapshot, unique among the application's snapshots.
      - A DNS-1123 label, 1 to 63 lower-case letters, digits or C(-).
    type: str
    required: true
  state:
    description:
      - V(present) takes the snapshot if the application has none of this name; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.app
  - kubedr.astra.restore_point
  - kubedr.astra.connection
  - kubedr.astra.wait
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - The snapshot list of an application cannot be filtered by the API; the module reads it once and finds the name itself.
  - A snapshot counts as done when its state is V(completed); V(failed) and V(removed) end the wait with an error.
  - Astra Control takes one snapshot of an application at a time; a second request while one runs fails with the API's
    problem 148.
  - In check mode a new snapshot is predicted with the ID V(check-mode-placeholder-id).
  - The diff (C(--diff)) shows the snapshot's O(name).
seealso:
  - module: kubedr.astra.astra_app_snapshot_info
  - module: kubedr.astra.astra_app_backup
  - module: kubedr.astra.astra_app_restore
'''

EXAMPLES = r'''
- name: Manage wordpress so it can be protected
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east

- name: Snapshot wordpress before an upgrade
  kubedr.astra.astra_app_snapshot:
    app: wordpress
    cluster: prod-east
    name: pre-upgrade
  register: snapshot

- name: Show the snapshot ID
  ansible.builtin.debug:
    msg: "{{ snapshot.snapshot.id }} is {{ snapshot.snapshot.state }}"

- name: Start a snapshot without waiting for it
  kubedr.astra.astra_app_snapshot:
    app: wordpress
    name: nightly-manual
    wait: false

- name: Delete the snapshot
  kubedr.astra.astra_app_snapshot:
    app: wordpress
    name: pre-upgrade
    state: absent
'''

RETURN = r'''
snapshot:
  description:
    - The snapshot as the Astra Control API returns it (camelCase keys), after the wait.
    - In check mode, the predicted snapshot; a new one has RV(snapshot.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Snapshot ID.
      type: str
      sample: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
    name:
      description: Snapshot name.
      type: str
      sample: pre-upgrade
    state:
      description: V(pending), V(running), V(completed), V(failed), V(removed), V(deleting) or V(unknown).
      type: str
      sample: completed
    stateDetails:
      description: Details of the current state, such as the reason of a failure.
      type: list
      elements: dict
      sample: []
  sample:
    id: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
    type: application/astra-appSnap
    version: "1.1"
    name: pre-upgrade
    state: completed
    stateUnready: []
    stateDetails: []
    metadata: {"creationTimestamp": "2025-01-10T08:00:00Z", "labels": []}
elapsed:
  description: Seconds spent waiting; V(0) when the module did not wait.
  returned: always
  type: float
  sample: 8.5
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_snapshot import main


if __name__ == "__main__":
    main()
