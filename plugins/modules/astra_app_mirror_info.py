#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_mirror_info
short_description: List the replication relationships (app mirrors) of applications in Astra Control
version_added: 0.1.0
description:
  - Returns the app mirrors of the account, with the names of their applications and clusters added.
  - Only app mirrors matching every given filter are returned; nothing matching is not an error.
  - Three requests whatever the filters (clusters, applications, app mirrors); O(state) is applied by the API. No
    cluster needs to be reachable, so the relationships can be inspected while a source cluster is down.
author:
  - kubedr.astra developers (@kubedr)
options:
  app:
    description:
      - Only the app mirrors whose source or destination application has this name or ID.
      - A destination application carries the name of its source application, so a name matches both sides.
      - An unknown application is an error, so a typo does not look like "no relationships".
    type: str
  names:
    description:
      - Only the app mirrors whose source or destination application has one of these names (the runbooks read the
        mirrors of a run's apps this way, in one task, rather than every mirror of the account).
      - A name that no managed application has selects nothing; it is not an error.
      - Mutually exclusive with O(app).
    type: list
    elements: str
  cluster:
    description:
      - Only the app mirrors whose source or destination cluster has this name or ID. An unknown cluster is an error.
    type: str
  state:
    description:
      - Only the app mirrors in this state (the API's values).
    type: str
    choices: [establishing, established, failingOver, failedOver, deleting]
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_app_mirror
'''

EXAMPLES = r'''
- name: Manage postgres on prod-east
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Replicate postgres to dr-west
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west

- name: List the replication relationships of postgres
  kubedr.astra.astra_app_mirror_info:
    app: postgres
  register: postgres_mirrors

- name: Show where postgres replicates to and how healthy that is
  ansible.builtin.debug:
    msg: "{{ item.sourceClusterName }} -> {{ item.destinationClusterName }}: {{ item.state }}, health {{ item.healthState }}"
  loop: "{{ postgres_mirrors.app_mirrors }}"

- name: The replication relationships of postgres and wordpress, in one task
  kubedr.astra.astra_app_mirror_info:
    names: [postgres, wordpress]
  register: run_mirrors

- name: Find the relationships replicating into dr-west that are established
  kubedr.astra.astra_app_mirror_info:
    cluster: dr-west
    state: established
  register: established_to_dr
'''

RETURN = r'''
app_mirrors:
  description:
    - The matching app mirrors as the Astra Control API returns them (camelCase keys), in the API's order; empty when
      none matches.
    - Each also carries the names of its applications and clusters.
  returned: always
  type: list
  elements: dict
  contains:
    sourceAppName:
      description: Name of the source application (added by the module).
      type: str
    sourceClusterName:
      description: Name of the source cluster (added by the module).
      type: str
    destinationAppName:
      description: Name of the destination application (added by the module).
      type: str
    destinationClusterName:
      description: Name of the destination cluster (added by the module).
      type: str
  sample:
    - id: 7c1d9e2a-4b3f-4e8d-9a6c-5b4e3d2c1f0a
      type: application/astra-appMirror
      version: "1.1"
      sourceAppID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
      sourceClusterID: 11111111-1111-4111-8111-111111111111
      destinationAppID: 6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c
      destinationClusterID: 22222222-2222-4222-8222-222222222222
      state: established
      stateDesired: established
      stateAllowed: [failedOver, deleted]
      transferState: idle
      healthState: normal
      sourceAppName: postgres
      sourceClusterName: prod-east
      destinationAppName: postgres
      destinationClusterName: dr-west
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_mirror_info import main


if __name__ == "__main__":
    main()
