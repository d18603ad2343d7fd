#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_protection_policy
short_description: Set the protection schedules (snapshots and backups) of an application in Astra Control
version_added: 0.1.0
description:
  - Makes the protection schedules of a managed application exactly the ones listed in O(schedules).
  - Missing schedules are created, schedules whose settings differ are updated in place, and protection schedules that
    are not listed are deleted. Schedules are matched by name.
  - Each firing of a schedule takes a snapshot and, when O(schedules[].backup_retention) is above 0, backs it up;
    the oldest snapshots and backups of the schedule beyond the retention counts are deleted by Astra Control.
  - Replication schedules (C(replicate=true)), which drive an application mirror, belong to
    M(kubedr.astra.astra_app_mirror) and are never changed or deleted by this module.
  - With O(state=absent), deletes every protection schedule of the application.
author:
  - kubedr.astra developers (@kubedr)
options:
  schedules:
    description:
      - The protection schedules the application should have. An empty list deletes them all.
      - Required when O(state=present).
      - Times are in UTC. Time options a granularity does not use must be left out.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of the schedule (1 to 63 characters), unique within the application.
          - Defaults to the granularity (so one V(daily) schedule is simply named V(daily)); required for V(custom).
        type: str
      granularity:
        description:
          - How often the schedule fires.
          - V(hourly) uses O(schedules[].minute); V(daily) adds O(schedules[].hour); V(weekly) adds
            O(schedules[].day_of_week); V(monthly) adds O(schedules[].day_of_month); V(custom) uses O(schedules[].recurrence_rule).
        type: str
        required: true
        choices: [hourly, daily, weekly, monthly, custom]
      minute:
        description:
          - Minute of the hour, 0 to 59. Required for every granularity but V(custom).
        type: int
      hour:
        description:
          - Hour of the day, 0 to 23. Required for V(daily), V(weekly) and V(monthly).
        type: int
      day_of_week:
        description:
          - Day of the week, 0 to 7 (0 and 7 are Sunday). Required for V(weekly).
        type: int
      day_of_month:
        description:
          - Day of the month, 1 to 31. Required for V(monthly).
        type: int
      recurrence_rule:
        description:
          - An RFC 5545 recurrence rule, required for V(custom) and used only there.
          - "The form Astra Control accepts: C(DTSTART:<yyyymmdd>T<hhmmss>Z) (a UTC time in the past), a newline, and
            C(RRULE:FREQ=MINUTELY;INTERVAL=<n>) or C(RRULE:FREQ=HOURLY;INTERVAL=<n>)."
        type: str
      snapshot_retention:
        description:
          - How many snapshots of this schedule to keep; V(0) deletes each snapshot once it is backed up.
        type: int
        required: true
      backup_retention:
        description:
          - How many backups of this schedule to keep; V(0) means the schedule takes no backups.
        type: int
        required: true
      bucket:
        description:
          - Name or ID of the bucket for the schedule's backups.
          - When omitted, Astra Control uses the default bucket, and the bucket of an existing schedule is not compared.
        type: str
      enabled:
        description:
          - Whether the schedule is active.
        type: bool
        default: true
  state:
    description:
      - V(present) makes the protection schedules exactly O(schedules); V(absent) deletes them all.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.app
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - Numbers are compared as numbers, so a schedule the API stores as C(minute="05") equals O(schedules[].minute=5).
  - Updates replace the whole schedule (PUT); deletions run before updates and creations, so a schedule can be renamed
    or replaced by one with the same timing in one run.
  - Astra Control refuses two schedules of one application with the same granularity and time; the module checks this
    before any request.
  - The diff (C(--diff)) shows the protection schedules before and after in the shape of O(schedules), with
    O(schedules[].bucket) as a bucket ID.
  - In check mode, new schedules are predicted with the ID V(check-mode-placeholder-id).
seealso:
  - module: kubedr.astra.astra_app_snapshot
  - module: kubedr.astra.astra_app_backup
'''

EXAMPLES = r'''
- name: Manage wordpress so it can be protected
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east

- name: Protect wordpress hourly (snapshots only) and daily (backups to dr-bucket)
  kubedr.astra.astra_protection_policy:
    app: wordpress
    cluster: prod-east
    schedules:
      - granularity: hourly
        minute: 15
        snapshot_retention: 24
        backup_retention: 0
      - granularity: daily
        minute: 30
        hour: 2
        snapshot_retention: 7
        backup_retention: 14
        bucket: dr-bucket
      - name: sunday-backup
        granularity: weekly
        minute: 0
        hour: 4
        day_of_week: 0
        snapshot_retention: 1
        backup_retention: 8
  register: policy

- name: Every 30 minutes (custom), paused for now
  kubedr.astra.astra_protection_policy:
    app: wordpress
    schedules:
      - name: every-30-minutes
        granularity: custom
        recurrence_rule: "DTSTART:20250101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=30"
        snapshot_retention: 4
        backup_retention: 0
        enabled: false

- name: Remove every protection schedule of wordpress
  kubedr.astra.astra_protection_policy:
    app: wordpress
    state: absent
'''

RETURN = r'''
protection_policy:
  description:
    - The application and its protection schedules after the change (predicted in check mode).
  returned: always
  type: dict
  contains:
    app_id:
      description: ID of the application.
      type: str
      sample: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    app_name:
      description: Name of the application.
      type: str
      sample: wordpress
    schedules:
      description:
        - The protection schedules as the Astra Control API returns them (camelCase keys, every value a string);
          replication schedules are not included.
      type: list
      elements: dict
      sample:
        - id: 3e2d1c0b-9a8f-4e7d-8c6b-5a4f3e2d1c0b
          type: application/astra-schedule
          version: "1.2"
          name: daily
          granularity: daily
          minute: "30"
          hour: "2"
          snapshotRetention: "7"
          backupRetention: "14"
          enabled: "true"
          replicate: "false"
          bucketID: 44444444-4444-4444-8444-444444444444
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_protection_policy import main


if __name__ == "__main__":
    main()
