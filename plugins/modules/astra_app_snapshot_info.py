#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_snapshot_info
short_description: List snapshots of applications in Astra Control
version_added: 0.1.0
description:
  - Returns the snapshots of one managed application, or of every managed application (of one cluster), newest first.
  - Only snapshots matching every given filter are returned; nothing matching is not an error.
  - The API keeps snapshots per application and cannot filter them, so without O(app) the module sends one request to
    list the applications and then one request per application; O(name) and O(state) are applied by the module.
author:
  - kubedr.astra developers (@kubedr)
extends_documentation_fragment:
  - kubedr.astra.app.restore_point_info
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_app_snapshot
  - module: kubedr.astra.astra_app_backup_info
'''

EXAMPLES = r'''
- name: Manage wordpress (its snapshots can be listed once it is managed)
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east

- name: List the snapshots of wordpress, newest first
  kubedr.astra.astra_app_snapshot_info:
    app: wordpress
    cluster: prod-east
  register: wordpress_snapshots

- name: Show the newest completed snapshot of wordpress
  ansible.builtin.debug:
    msg: "{{ (wordpress_snapshots.snapshots | selectattr('state', 'eq', 'completed') | first).name }}"
  when: wordpress_snapshots.snapshots | selectattr('state', 'eq', 'completed') | list | length > 0

- name: Find failed snapshots of any application on prod-east
  kubedr.astra.astra_app_snapshot_info:
    cluster: prod-east
    state: failed
  register: failed_snapshots
'''

RETURN = r'''
snapshots:
  description:
    - The matching snapshots as the Astra Control API returns them (camelCase keys), newest first
      (by C(metadata.creationTimestamp)); empty when none matches.
    - Each also carries RV(snapshots[].appID) and RV(snapshots[].appName), the application it belongs to.
  returned: always
  type: list
  elements: dict
  contains:
    appID:
      description: ID of the application the snapshot belongs to (added by the module).
      type: str
    appName:
      description: Name of the application the snapshot belongs to (added by the module).
      type: str
  sample:
    - id: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
      type: application/astra-appSnap
      version: "1.1"
      name: pre-upgrade
      state: completed
      metadata: {"creationTimestamp": "2025-01-10T08:00:00Z", "labels": []}
      appID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
      appName: wordpress
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.restore_points import list_restore_points, restore_point_info_argument_spec


def run(module):
    return dict(changed=False, snapshots=list_restore_points(module, "snapshot"))


def main():
    module = AstraModule(argument_spec=restore_point_info_argument_spec())
    module.run(run)


if __name__ == "__main__":
    main()
