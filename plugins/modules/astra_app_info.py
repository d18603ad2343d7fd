#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_info
short_description: List applications managed by Astra Control
version_added: 0.1.0
description:
  - Returns the applications Astra Control manages, optionally only those matching every given filter.
  - Filtering happens on the server; one request lists the matching applications.
  - Nothing matching is not an error; RV(apps) is then empty.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Only the applications with this name.
      - Mutually exclusive with O(names).
    type: str
  names:
    description:
      - Only the applications with one of these names (the runbooks read a wave's recovered apps this way, in one task
        for all their clusters).
      - The API's filter takes one name, so the applications are listed once (with the other filters) and matched
        here.
      - Mutually exclusive with O(name).
    type: list
    elements: str
  id:
    description:
      - Only the application with this ID.
    type: str
  cluster:
    description:
      - Only the applications on this cluster, given by name or ID.
      - An unknown cluster is an error, so a typo does not look like "no applications".
    type: str
  namespace:
    description:
      - Only the applications whose definition includes this namespace.
    type: str
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_app
'''

EXAMPLES = r'''
- name: List every managed application
  kubedr.astra.astra_app_info:
  register: all_apps

- name: Find the application wordpress on prod-east
  kubedr.astra.astra_app_info:
    name: wordpress
    cluster: prod-east
  register: wordpress

- name: Read postgres and wordpress wherever they run (one list of the account's apps)
  kubedr.astra.astra_app_info:
    names: [postgres, wordpress]
  register: failed_over_apps

- name: Find the applications that include the namespace shop-db
  kubedr.astra.astra_app_info:
    namespace: shop-db
  register: shop_db_apps

- name: Show the state of each application
  ansible.builtin.debug:
    msg: "{{ all_apps.apps | items2dict(key_name='name', value_name='state') }}"
'''

RETURN = r'''
apps:
  description:
    - The matching applications as the Astra Control API returns them (camelCase keys); empty when none matches.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
      name: wordpress
      type: application/astra-app
      version: "2.2"
      state: ready
      clusterID: 7e8b7c1a-1f2d-4c3b-8a9e-0f1e2d3c4b5a
      clusterName: prod-east
      namespaceScopedResources: [{"namespace": "wordpress", "labelSelectors": []}]
      clusterScopedResources: []
      namespaces: [wordpress]
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_info import main


if __name__ == "__main__":
    main()
