#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app
short_description: Manage (define) or unmanage an application in Astra Control
version_added: 0.1.0
description:
  - Defines an application from namespaces (optionally narrowed by label selectors) and cluster-scoped resources
    of a managed Kubernetes cluster, so Astra Control can snapshot, back up, clone and replicate it.
  - Updates the definition in place when the namespaces, label selectors or cluster-scoped resources differ.
  - With O(state=absent), unmanages the application. Its Kubernetes resources stay untouched.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the application in Astra Control.
      - A DNS-1123 label, 1 to 63 lower-case letters, digits or C(-).
    type: str
    required: true
  cluster:
    description:
      - Name or ID of the managed cluster the application runs on.
      - Required when O(state=present).
      - With O(state=absent) it may be omitted; it is needed only when apps of this name exist on several clusters.
    type: str
  namespaces:
    description:
      - Namespaces whose resources make up the application.
      - When omitted with O(state=present), the application consists of the one namespace named like the application (O(name)).
      - An explicitly empty list is an error.
      - The order does not matter.
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - Name of a namespace that exists on O(cluster).
        type: str
        required: true
      label_selectors:
        description:
          - Kubernetes label selectors (for example V(app=shop), V(tier!=cache) or V(!canary)) that choose the resources of the namespace.
          - Empty selects every resource of the namespace.
        type: list
        elements: str
        default: []
  cluster_scoped_resources:
    description:
      - Cluster-scoped resources (such as ClusterRoles) that belong to the application, by group, version and kind.
      - When omitted, the cluster-scoped resources Astra Control already has for the application are kept.
      - An empty list removes them all.
    type: list
    elements: dict
    suboptions:
      group:
        description:
          - API group of the resources; empty for the core group.
        type: str
        default: ""
      version:
        description:
          - API version of the resources, for example V(v1).
        type: str
        required: true
      kind:
        description:
          - Kind of the resources, for example V(ClusterRole).
        type: str
        required: true
      label_selectors:
        description:
          - Kubernetes label selectors that choose the resources of this kind; empty selects all of them.
        type: list
        elements: str
        default: []
  state:
    description:
      - V(present) manages the application with this definition; V(absent) unmanages it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.wait
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - An application is found by O(name) on O(cluster); Astra Control's application ID is returned in RV(app.id).
  - With O(wait=true), a new or updated application is waited for until its state is V(ready), and an unmanaged one until it is gone.
  - In check mode a new application is predicted with the ID V(check-mode-placeholder-id).
  - The diff (C(--diff)) shows the application in the shape of the options, O(name), O(cluster), O(namespaces) and
    O(cluster_scoped_resources); an update shows only the options that differ.
seealso:
  - module: kubedr.astra.astra_app_info
  - module: kubedr.astra.astra_cluster_info
'''

EXAMPLES = r'''
# Connection options come from the ASTRA_API_URL, ASTRA_ACCOUNT_ID and ASTRA_API_TOKEN
# environment variables here, or from module_defaults: group/kubedr.astra.astra.

- name: Manage the wordpress namespace of prod-east as the app wordpress
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east
  register: wordpress

- name: Manage a shop spanning two namespaces, taking only the resources labelled app=shop
  kubedr.astra.astra_app:
    name: shop
    cluster: prod-east
    namespaces:
      - name: shop-frontend
        label_selectors:
          - app=shop
      - name: shop-db
        label_selectors:
          - app=shop

- name: Start managing jenkins and postgres without waiting for discovery
  kubedr.astra.astra_app:
    name: "{{ item }}"
    cluster: prod-east
    wait: false
  loop:
    - jenkins
    - postgres

- name: Stop managing wordpress
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east
    state: absent
'''

RETURN = r'''
app:
  description:
    - The application as the Astra Control API returns it (camelCase keys), after the change and the wait.
    - In check mode, the predicted application; a new one has RV(app.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Application ID.
      type: str
      sample: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    name:
      description: Application name.
      type: str
      sample: wordpress
    state:
      description: Application state, V(ready) once discovery has finished.
      type: str
      sample: ready
    clusterID:
      description: ID of the cluster the application runs on.
      type: str
      sample: 7e8b7c1a-1f2d-4c3b-8a9e-0f1e2d3c4b5a
    clusterName:
      description: Name of the cluster the application runs on.
      type: str
      sample: prod-east
    namespaceScopedResources:
      description: The namespaces and label selectors that define the application.
      type: list
      elements: dict
      sample: [{"namespace": "wordpress", "labelSelectors": []}]
    clusterScopedResources:
      description: The cluster-scoped resources of the application.
      type: list
      elements: dict
      sample: []
    namespaces:
      description: Namespaces the application actually runs in; empty until discovery has finished.
      type: list
      elements: str
      sample: [wordpress]
    stateDetails:
      description: Details of the current state, such as the reason of a failure.
      type: list
      elements: dict
      sample: []
  sample:
    id: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    name: wordpress
    type: application/astra-app
    version: "2.2"
    state: ready
    clusterID: 7e8b7c1a-1f2d-4c3b-8a9e-0f1e2d3c4b5a
    clusterName: prod-east
    namespaceScopedResources: [{"namespace": "wordpress", "labelSelectors": []}]
    clusterScopedResources: []
    namespaces: [wordpress]
elapsed:
  description: Seconds spent waiting for the application; V(0) when the module did not wait.
  returned: always
  type: float
  sample: 12.5
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app import main


if __name__ == "__main__":
    main()
