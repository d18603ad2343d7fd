#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_event_info
short_description: Read the activity log (events) of Astra Control
version_added: 0.1.0
description:
  - Returns the events of the Astra Control activity log, oldest first, optionally only those of one resource, since
    a moment, or of some severities.
  - The log is where Astra Control says how the execution hooks of a restore, a clone or a failover went (those
    operations have no hook state of their own); the drill, failover and failback runbooks read it for that.
  - The events of one resource are asked for with the API's filter; the time and severity bounds are applied by the
    module. Nothing matching is not an error; RV(events) is then empty.
author:
  - kubedr.astra developers (@kubedr)
options:
  resource_id:
    description:
      - Only the events whose C(resourceID) is this ID, for example the app a clone created.
    type: str
  since:
    description:
      - Only the events recorded at or after this time (ISO 8601 with a time zone, such as V(2025-01-31T09:30:00Z)).
      - Event times are whole seconds, so the bound counts from its whole second.
    type: str
  severity:
    description:
      - Only the events of these severities.
    type: list
    elements: str
    choices: [cleared, indeterminate, informational, warning, critical]
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
notes:
  - NetApp documents that a failed execution hook records a warning event, and that ad hoc operations record every
    hook event while scheduled ones record only failures; it does not document the events' names or data.
seealso:
  - module: kubedr.astra.astra_execution_hook_info
'''

EXAMPLES = r'''
- name: Read the warnings of the last day
  kubedr.astra.astra_event_info:
    since: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400, utc=true) }}"
    severity: [warning, critical]
  register: warnings

- name: Show them
  ansible.builtin.debug:
    msg: "{{ warnings.events | map(attribute='summary') | list }}"

- name: Read the events of one app
  kubedr.astra.astra_event_info:
    resource_id: "{{ warnings.events[0].resourceID if warnings.events else '00000000-0000-0000-0000-000000000000' }}"
  register: app_events
'''

RETURN = r'''
events:
  description:
    - The matching events as the Astra Control API returns them (camelCase keys), oldest first; empty when none
      matches.
  returned: always
  type: list
  elements: dict
  sample:
    - type: application/astra-event
      version: "1.4"
      id: 6f0c1b2a-3d4e-4f50-8a6b-7c8d9e0f1a2b
      name: execution.hook.failed
      summary: Execution hook failed
      eventTime: "2025-01-31T09:34:12Z"
      severity: warning
      resourceID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
      resourceType: application/astra-app
      description: The post-restore execution hook pg-check of app ... failed
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_event_info import main


if __name__ == "__main__":
    main()
