#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_cluster_info
short_description: List the Kubernetes clusters known to Astra Control, with their storage classes
version_added: 0.1.0
description:
  - Returns the clusters Astra Control knows, managed or not, each with its namespaces and storage classes.
  - Sends one request for the clusters and one per returned cluster for its storage classes.
  - Nothing matching is not an error; RV(clusters) is then empty.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Only the cluster with this name or ID.
    type: str
  managed:
    description:
      - V(true) returns only clusters managed by Astra Control, V(false) only the others.
      - By default clusters are returned whether they are managed or not.
    type: bool
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_app
'''

EXAMPLES = r'''
- name: List every cluster
  kubedr.astra.astra_cluster_info:
  register: all_clusters

- name: Read the cluster prod-east
  kubedr.astra.astra_cluster_info:
    name: prod-east
  register: prod_east

- name: Show the storage classes of prod-east
  ansible.builtin.debug:
    msg: "{{ prod_east.clusters[0].storageClasses | map(attribute='name') | list }}"

- name: List only the clusters Astra Control manages
  kubedr.astra.astra_cluster_info:
    managed: true
  register: managed_clusters
'''

RETURN = r'''
clusters:
  description:
    - The matching clusters as the Astra Control API returns them (camelCase keys), each with an added C(storageClasses) list.
    - Empty when no cluster matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Cluster ID.
      type: str
      sample: 7e8b7c1a-1f2d-4c3b-8a9e-0f1e2d3c4b5a
    name:
      description: Cluster name.
      type: str
      sample: prod-east
    managedState:
      description: V(managed) for clusters Astra Control manages; V(unmanaged), V(ineligible) and others otherwise.
      type: str
      sample: managed
    namespaces:
      description: Names of the cluster's namespaces.
      type: list
      elements: str
      sample: [default, wordpress, jenkins]
    storageClasses:
      description: The cluster's storage classes as the API returns them.
      type: list
      elements: dict
      sample: [{"id": "5b1c...", "name": "ontap-gold", "provisioner": "csi.trident.netapp.io", "isDefault": "true"}]
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_cluster_info import main


if __name__ == "__main__":
    main()
