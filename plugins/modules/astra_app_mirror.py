#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_mirror
short_description: Replicate an application to another cluster, fail it over, fail it back, or stop replicating, with Astra Control
version_added: 0.1.0
description:
  - Manages the replication relationship (Astra Control I(app mirror), SnapMirror underneath) of the managed application
    O(source_app) between O(source_cluster) and O(destination_cluster), declaratively.
  - O(state=established) makes O(source_app) on O(source_cluster) the source, replicating to O(destination_cluster).
    Without a relationship, it creates one; Astra Control then creates the destination application on
    O(destination_cluster) with the same name, holding only its volumes. When the relationship exists in the other
    direction (the application named O(source_app) on O(source_cluster) is its destination), it reverses it (from
    V(established)) or resyncs it from that side (after a failover). Both keep the data of O(source_cluster).
  - O(state=failed_over) fails the application over to O(destination_cluster); the destination application comes
    online there from the last replicated snapshot. Only the relationship and the Astra Control control plane are
    used, so this works while O(source_cluster) is unreachable.
  - O(state=absent) deletes the relationship. Both applications stay managed and independent.
  - The module owns the replication schedule of the source application (see O(replication_interval)); Astra Control
    transfers snapshots only when such a schedule fires.
  - The relationship is the app mirror whose clusters are O(source_cluster) and O(destination_cluster), in either order,
    and whose source or destination application is named O(source_app).
author:
  - kubedr.astra developers (@kubedr)
options:
  source_app:
    description:
      - Name or ID of the managed application that is (or should be) the source of the replication.
      - The destination application carries the same name, so after a failover or a reverse the same name names the
        application on either cluster; O(source_cluster) tells which one is meant.
    type: str
    required: true
  source_cluster:
    description:
      - Name or ID of the cluster O(source_app) runs on, the source of the replication.
    type: str
    required: true
  destination_cluster:
    description:
      - Name or ID of the managed cluster that receives the replica; it must differ from O(source_cluster).
    type: str
    required: true
  namespace_mapping:
    description:
      - Which namespace on O(destination_cluster) each namespace of O(source_app) is replicated into; one entry per
        namespace of the application.
      - Defaults to namespaces of the same names.
      - Used only when the relationship is created.
      - A destination namespace may be missing (Astra Control creates it) or empty, but must not belong to a managed
        application.
    type: list
    elements: dict
    suboptions:
      source:
        description:
          - A namespace of O(source_app).
        type: str
        required: true
      destination:
        description:
          - The namespace on O(destination_cluster) that receives its resources.
        type: str
        required: true
  storage_class:
    description:
      - The storage class of O(destination_cluster) for the replicated volumes.
      - Defaults to the default storage class of O(destination_cluster).
      - Used only when the relationship is created.
    type: str
  replication_interval:
    description:
      - Minutes between two replicated snapshots (1 to 10080).
      - The module keeps exactly one replication schedule on the current source application, named
        C(kubedr-replication), firing every O(replication_interval) minutes, and none on the destination application.
        Other replication schedules of these applications are deleted; protection schedules are never touched.
      - Not used with O(state=failed_over) (the replication has stopped) or O(state=absent).
    type: int
    default: 5
  state:
    description:
      - V(established) replicates O(source_app) from O(source_cluster) to O(destination_cluster).
      - V(failed_over) fails the application over to O(destination_cluster); the relationship must replicate from
        O(source_cluster) to O(destination_cluster).
      - V(absent) deletes the relationship and the replication schedules of both applications.
    type: str
    choices: [established, failed_over, absent]
    default: established
  discard_failed_over_data:
    description:
      - After a failover to O(destination_cluster), O(state=established) with the same O(source_cluster) and
        O(destination_cluster) resyncs from O(source_cluster). That throws away everything the failed-over application
        wrote on O(destination_cluster), whose Kubernetes resources are removed and volumes overwritten.
      - The module refuses that resync unless this option is V(true).
      - To keep the data instead, fail back, see the examples. Ignored in every other case.
    type: bool
    default: false
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.wait
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - "Transitions with O(state=established): none -> create; established or establishing in the asked direction ->
    unchanged (only the replication schedule is reconciled); established in the other direction -> reverse (the
    application on O(destination_cluster) is stopped, its volumes kept, and the one on O(source_cluster) comes online
    as the source); failed over from O(destination_cluster) to O(source_cluster) -> resync keeping the data of
    O(source_cluster); failed over from O(source_cluster) to O(destination_cluster) -> resync keeping the data of
    O(source_cluster), guarded by O(discard_failed_over_data). A relationship that is failing over or establishing in
    the other direction is refused, before any change: wait and run again."
  - "Failback after a failover from C(prod-east) to C(dr-west): O(state=established) with O(source_cluster=dr-west) and
    O(destination_cluster=prod-east) (a resync that keeps the data written on C(dr-west)), then with
    O(source_cluster=prod-east) and O(destination_cluster=dr-west) (a reverse)."
  - "Checked before the relationship is created, reported together: both clusters managed; O(source_app) exists on
    O(source_cluster) and is V(ready); it is in no other relationship; its volumes all use one storage class, which is
    not an C(ontap-nas-economy) class; O(namespace_mapping) maps every namespace of the application; no destination
    namespace belongs to a managed application of O(destination_cluster) (Astra Control also refuses a namespace that
    holds resources; the API does not show that, so that refusal comes from Astra Control); no application of
    O(destination_cluster) already has the name of O(source_app) (the destination application gets it); O(storage_class)
    (or the default class of O(destination_cluster)) exists and is not an C(ontap-nas-economy) class."
  - The API does not tell which Trident backend serves a class. A Trident class whose name contains the words
    C(nas-economy) is treated as an C(ontap-nas-economy) class, which cannot replicate.
  - Replication between namespaces of one cluster is not supported by this module.
  - With O(wait=true), the module waits until the relationship is V(established) with no transfer running (the first
    transfer, the baseline, is part of establishing), until it is V(failedOver), or until it is gone. A critical health
    (a failed snapshot transfer or reconcile) while waiting for V(established) fails the task with the health and
    transfer details. A failover is not judged by the health, which is usually critical when the source cluster is
    down.
  - A failover while O(destination_cluster) is unreachable is accepted by Astra Control but stays V(failingOver) until
    the cluster is back; the wait then times out, and a later run with O(state=failed_over) continues to wait.
  - After a resync or a reverse, the replication schedule moves to the new source application. After O(state=absent),
    the replication schedules of both applications are deleted (with O(wait=false), as soon as Astra Control accepted
    the deletion; a later run also removes any that an interrupted run left behind); a destination application deleted
    from V(established)
    stays managed with its volumes but without workloads. Unmanage it with M(kubedr.astra.astra_app) to establish a new
    relationship into the same namespaces.
  - "Check mode reads the relationship and predicts the transition from its C(stateAllowed): V(failingOver) for a
    failover, V(establishing) for a create, resync or reverse (a new relationship has the ID V(check-mode-placeholder-id)).
    Nothing is sent and nothing is waited for."
  - "The diff (C(--diff)) shows the relationship before and after: O(source_app), O(source_cluster),
    O(destination_cluster), O(state) and O(replication_interval) (for V(failed_over), without the interval)."
seealso:
  - module: kubedr.astra.astra_app_mirror_info
  - module: kubedr.astra.astra_app
  - module: kubedr.astra.astra_protection_policy
'''

EXAMPLES = r'''
- name: Manage postgres on prod-east
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Replicate postgres to dr-west every 5 minutes
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west
    storage_class: ontap-gold
    replication_interval: 5
  register: mirror

- name: Show the replication health
  ansible.builtin.debug:
    msg: "{{ mirror.app_mirror.state }}, health {{ mirror.app_mirror.healthState }}"

- name: Fail postgres over to dr-west (works while prod-east is down)
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west
    state: failed_over

- name: Fail back, step 1 - resync from dr-west, keeping what postgres wrote there
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: dr-west
    destination_cluster: prod-east

- name: Fail back, step 2 - reverse, so prod-east is the source again
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west
    replication_interval: 10

- name: Stop replicating postgres (both apps stay managed)
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west
    state: absent
'''

RETURN = r'''
app_mirror:
  description:
    - The relationship as the Astra Control API returns it (camelCase keys), read again after the change and the wait.
    - In check mode, the predicted relationship; a new one has RV(app_mirror.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: ID of the app mirror.
      type: str
    sourceAppID:
      description: ID of the source application.
      type: str
    sourceClusterID:
      description: ID of the source cluster.
      type: str
    destinationAppID:
      description: ID of the destination application (created by Astra Control with the name of the source application).
      type: str
    destinationClusterID:
      description: ID of the destination cluster.
      type: str
    state:
      description: V(establishing), V(established), V(failingOver), V(failedOver) or V(deleting).
      type: str
      sample: established
    stateDesired:
      description: The state last asked for.
      type: str
      sample: established
    stateAllowed:
      description: The states that may be asked for now.
      type: list
      elements: str
      sample: [failedOver, deleted]
    transferState:
      description: V(idle) or V(transferring).
      type: str
      sample: idle
    transferStateDetails:
      description: The last transfer, for example C(Snapshot replication completed) with the snapshot ID and times.
      type: list
      elements: dict
    healthState:
      description: V(normal), V(warning) (not yet established, or failed over), V(critical) or V(indeterminate).
      type: str
      sample: normal
    healthStateDetails:
      description: Why the health is what it is.
      type: list
      elements: dict
  sample:
    id: 7c1d9e2a-4b3f-4e8d-9a6c-5b4e3d2c1f0a
    type: application/astra-appMirror
    version: "1.1"
    sourceAppID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    sourceClusterID: 11111111-1111-4111-8111-111111111111
    destinationAppID: 6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c
    destinationClusterID: 22222222-2222-4222-8222-222222222222
    namespaceMapping:
      - {"clusterID": "11111111-1111-4111-8111-111111111111", "namespaces": ["postgres"]}
      - {"clusterID": "22222222-2222-4222-8222-222222222222", "namespaces": ["postgres"]}
    state: established
    stateDesired: established
    stateAllowed: [failedOver, deleted]
    transferState: idle
    healthState: normal
elapsed:
  description: Seconds spent waiting; V(0) when the module did not wait.
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

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_mirror import main


if __name__ == "__main__":
    main()
