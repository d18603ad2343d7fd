#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_backup_info
short_description: List backups of applications in Astra Control
version_added: 0.1.0
description:
  - Returns the backups of one managed application, of the applications of one cluster, or of the whole account, newest first.
  - Only backups matching every given filter are returned; nothing matching is not an error.
  - Without O(app) and O(cluster), one request to the account-wide backup list (C(topology/v1/appBackups)) returns them all.
    With O(app), one request lists that application's backups. With only O(cluster), the module lists the applications
    of the cluster and then the backups of each (one request per application).
  - The API cannot filter backup lists; O(name) and O(state) are applied by the module.
author:
  - kubedr.astra developers (@kubedr)
extends_documentation_fragment:
  - kubedr.astra.app.restore_point_info
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_app_backup
  - module: kubedr.astra.astra_app_snapshot_info
'''

EXAMPLES = r'''
- name: Manage postgres (its backups can be listed once it is managed)
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: List every backup of the account (one request)
  kubedr.astra.astra_app_backup_info:
  register: all_backups

- name: List the completed backups of postgres, newest first
  kubedr.astra.astra_app_backup_info:
    app: postgres
    cluster: prod-east
    state: completed
  register: postgres_backups

- name: Show how far the running backups are
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.percentDone | default(0) }}%"
  loop: "{{ all_backups.backups | selectattr('state', 'eq', 'running') | list }}"
'''

RETURN = r'''
backups:
  description:
    - The matching backups as the Astra Control API returns them (camelCase keys), newest first
      (by C(metadata.creationTimestamp)); empty when none matches.
    - Backups listed per application (O(app) or O(cluster) given) also carry RV(backups[].appID) and RV(backups[].appName);
      the account-wide list has only the fields the API sends.
  returned: always
  type: list
  elements: dict
  contains:
    appID:
      description: ID of the application the backup belongs to (added by the module when it listed per application).
      type: str
    appName:
      description: Name of the application the backup belongs to (added by the module when it listed per application).
      type: str
  sample:
    - id: 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
      type: application/astra-appBackup
      version: "1.1"
      name: postgres-weekly
      state: completed
      bucketID: 44444444-4444-4444-8444-444444444444
      snapshotID: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
      percentDone: 100
      metadata: {"creationTimestamp": "2025-01-10T08:00:00Z", "labels": []}
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
    return dict(changed=False, backups=list_restore_points(module, "backup", account_wide=module.lookups.account_backups))


def main():
    module = AstraModule(argument_spec=restore_point_info_argument_spec())
    module.run(run)


if __name__ == "__main__":
    main()
