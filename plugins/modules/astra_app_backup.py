#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_backup
short_description: Back up an application to an object store bucket, or delete a backup, in Astra Control
version_added: 0.1.0
description:
  - Creates a named backup of a managed application and, with O(wait=true), waits until it is V(completed).
  - Without O(snapshot), Astra Control first takes a new snapshot and backs it up; with it, an existing snapshot of the
    application is backed up.
  - A backup of that name that already exists on the application is left as it is (backups cannot be changed, so its
    bucket and snapshot are not compared); if it is still running and O(wait=true), the module waits until it is V(completed).
  - A backup of that name in state V(failed) (or V(removed)) fails the task with its state details; remove it with
    O(state=absent) and run the task again, or set O(replace_failed=true).
  - With O(state=absent), deletes the backup (and its data in the bucket) and waits until it is gone.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the backup, unique among the application's backups.
      - A DNS-1123 label, 1 to 63 lower-case letters, digits or C(-).
    type: str
    required: true
  bucket:
    description:
      - Name or ID of the bucket that receives the backup.
      - When omitted, the module sends no bucket and Astra Control chooses the default bucket (the cluster's, else the
        cloud's); without a default bucket the API refuses the backup.
      - Used only when the backup is created.
    type: str
  snapshot:
    description:
      - Name or ID of an existing snapshot of the same application to back up, or V(latest) for its newest completed snapshot.
      - When omitted, a new snapshot is taken first; its ID is returned in RV(backup.snapshotID).
      - Used only when the backup is created.
    type: str
  state:
    description:
      - V(present) creates the backup if the application has none of this name; V(absent) deletes it.
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
  - The backup list of an application cannot be filtered by the API; the module reads it once and finds the name itself.
  - A backup counts as done when its state is V(completed); V(failed) and V(removed) end the wait with an error.
  - A pending backup cannot be deleted (the API answers problem 128); run the task again once it is running.
  - In check mode a new backup is predicted with the ID V(check-mode-placeholder-id).
  - The diff (C(--diff)) shows the backup's O(name), O(bucket) and O(snapshot) (their IDs).
seealso:
  - module: kubedr.astra.astra_app_backup_info
  - module: kubedr.astra.astra_app_snapshot
  - module: kubedr.astra.astra_app_restore
  - module: kubedr.astra.astra_app_clone
'''

EXAMPLES = r'''
- name: Manage postgres so it can be protected
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Back up postgres to the default bucket (a new snapshot is taken first)
  kubedr.astra.astra_app_backup:
    app: postgres
    cluster: prod-east
    name: postgres-weekly
  register: backup

- name: Snapshot postgres, then back up exactly that snapshot to dr-bucket
  kubedr.astra.astra_app_snapshot:
    app: postgres
    name: before-migration

- name: Back up the snapshot
  kubedr.astra.astra_app_backup:
    app: postgres
    name: before-migration-offsite
    bucket: dr-bucket
    snapshot: before-migration

- name: Delete a backup
  kubedr.astra.astra_app_backup:
    app: postgres
    name: postgres-weekly
    state: absent
'''

RETURN = r'''
backup:
  description:
    - The backup as the Astra Control API returns it (camelCase keys), after the wait.
    - In check mode, the predicted backup; a new one has RV(backup.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Backup ID.
      type: str
      sample: 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
    name:
      description: Backup name.
      type: str
      sample: postgres-weekly
    state:
      description: V(pending), V(running), V(completed), V(failed), V(removed), V(deleting) or V(unknown).
      type: str
      sample: completed
    bucketID:
      description: ID of the bucket holding the backup.
      type: str
      sample: 44444444-4444-4444-8444-444444444444
    snapshotID:
      description: ID of the snapshot that was backed up.
      type: str
      sample: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
    percentDone:
      description: Progress in percent; V(100) when completed.
      type: int
      sample: 100
  sample:
    id: 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
    type: application/astra-appBackup
    version: "1.1"
    name: postgres-weekly
    state: completed
    bucketID: 44444444-4444-4444-8444-444444444444
    snapshotID: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
    percentDone: 100
    bytesDone: 1073741824
    totalBytes: 1073741824
    metadata: {"creationTimestamp": "2025-01-10T08:00:00Z", "labels": []}
elapsed:
  description: Seconds spent waiting; V(0) when the module did not wait.
  returned: always
  type: float
  sample: 42.0
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_backup import main


if __name__ == "__main__":
    main()
