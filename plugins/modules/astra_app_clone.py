#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_clone
short_description: Clone an application, live or from a snapshot or backup, into new namespaces with Astra Control
version_added: 0.1.0
description:
  - Creates a new managed application O(name) on O(destination_cluster) from the source application O(source_app).
  - Without O(snapshot) and O(backup), makes a live clone of the running application. With one of them, restores that
    snapshot or backup of the source application into the new application (Astra Control's "restore to a new app").
  - An application O(name) on O(destination_cluster) that was cloned or restored from O(source_app) is success without
    a change (with O(wait=true), the module waits until it is V(ready)). One that came from elsewhere is an error.
  - Before it changes anything, the module checks what Astra Control would refuse and reports every problem at once,
    each naming its option. See the notes.
  - With O(state=absent), unmanages the clone and waits until it is gone.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the new application.
      - A DNS-1123 label, 1 to 63 lower-case letters, digits or C(-).
    type: str
    required: true
  source_app:
    description:
      - Name or ID of the managed application to clone.
      - With O(state=absent), it is used only to check that the application removed is a clone of it.
    type: str
    required: true
  source_cluster:
    description:
      - Name or ID of the cluster the source application runs on.
      - Needed only when applications named O(source_app) exist on several clusters.
    type: str
  destination_cluster:
    description:
      - Name or ID of the managed cluster that receives the clone.
      - Defaults to the cluster of the source application.
      - The alias O(cluster) is the former name of this option.
    type: str
    aliases: [cluster]
  namespace_mapping:
    description:
      - Which namespace each namespace of the source application becomes; one entry per source namespace.
      - The destination namespaces must not exist on O(destination_cluster); Astra Control creates them.
      - Required for a clone on the source cluster.
      - For a clone to another cluster it defaults to the same names. The module always sends a mapping.
    type: list
    elements: dict
    suboptions:
      source:
        description:
          - A namespace of the source application.
        type: str
        required: true
      destination:
        description:
          - The namespace on O(destination_cluster) that receives its resources.
        type: str
        required: true
  storage_class_mapping:
    description:
      - Which storage class the volumes of each source storage class get on O(destination_cluster).
      - When omitted, volumes keep their storage class names.
    type: list
    elements: dict
    suboptions:
      source:
        description:
          - A storage class of the source application, or V(*) for every class without an entry of its own.
        type: str
        required: true
      destination:
        description:
          - A storage class of O(destination_cluster).
        type: str
        required: true
  snapshot:
    description:
      - Restore this snapshot of the source application instead of cloning it live.
      - A name, an ID, or V(latest) for the newest V(completed) snapshot. It must be V(completed).
      - V(latest_replicated) is the snapshot the AppMirror of the source application transferred last, that is the data
        a failover would bring online on the mirror's destination cluster. Astra Control cannot clone a mirror's
        destination volumes, so this restores that snapshot from the source cluster, which must be reachable.
      - Mutually exclusive with O(backup).
    type: str
  backup:
    description:
      - Restore this backup of the source application instead of cloning it live.
      - A name, an ID, or V(latest) for the newest V(completed) backup. It must be V(completed).
      - Mutually exclusive with O(snapshot).
    type: str
  state:
    description:
      - V(present) creates the clone if there is none; V(absent) unmanages it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.wait
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - "Checked before anything is created (only reads are sent), all reported together: destination namespaces that
    already exist on O(destination_cluster); O(namespace_mapping) sources that are not namespaces of the source
    application and source namespaces without an entry; O(storage_class_mapping) destinations that do not exist on
    O(destination_cluster); for a live clone, volumes whose storage class (without an entry in O(storage_class_mapping))
    does not exist on O(destination_cluster)
    (a restore falls back to the default class there); ReadWriteMany volumes whose destination storage class can only
    provide ReadWriteOnce; for a clone to another cluster, a cloud (of the source or destination cluster) without a
    default bucket; a live clone of an application with volumes on an C(ontap-nas-economy) class; a snapshot or
    backup that does not exist on the source application or is not V(completed)."
  - The API does not tell which access modes a storage class provides. A class is treated as ReadWriteOnce-only when its
    provisioner is a block-only CSI driver (C(ebs.csi.aws.com), C(kubernetes.io/aws-ebs), C(disk.csi.azure.com),
    C(kubernetes.io/azure-disk), C(pd.csi.storage.gke.io), C(kubernetes.io/gce-pd), C(cinder.csi.openstack.org),
    C(csi.vsphere.vmware.com)), or when it is a Trident class (C(csi.trident.netapp.io)) whose name has the dash-separated
    word C(san) (C(ontap-san), C(ontap-san-economy), C(gold-san)). The volumes and their access modes come from the
    application's resources (of the snapshot or backup, when one is given).
  - The API does not tell which Trident backend serves a class either. A Trident class whose name contains the words
    C(nas-economy) is treated as an C(ontap-nas-economy) class, which Astra Control cannot clone live; restore a
    snapshot or backup of such an application instead.
  - Astra Control gives a clone no bucket of its own; a cross-cluster clone goes through the default bucket of the
    clouds of both clusters.
  - Unmanaging the clone (O(state=absent)) leaves its namespaces and Kubernetes resources on the cluster; the Astra
    Control API cannot delete namespaces. Remove them with Kubernetes tooling, or the next clone into them is refused.
  - In check mode a new clone is predicted with the ID V(check-mode-placeholder-id).
  - The diff (C(--diff)) shows the new application in the shape of the options (O(source_app) as an ID, O(snapshot)
    and O(backup) as the ID of the restore point).
seealso:
  - module: kubedr.astra.astra_app
  - module: kubedr.astra.astra_app_restore
  - module: kubedr.astra.astra_app_snapshot
  - module: kubedr.astra.astra_app_backup
'''

EXAMPLES = r'''
- name: Manage wordpress on prod-east
  kubedr.astra.astra_app:
    name: wordpress
    cluster: prod-east

- name: Live clone wordpress into a new namespace on the same cluster
  kubedr.astra.astra_app_clone:
    name: wordpress-test
    source_app: wordpress
    source_cluster: prod-east
    namespace_mapping:
      - source: wordpress
        destination: wordpress-test
  register: clone

- name: Back up wordpress
  kubedr.astra.astra_app_backup:
    app: wordpress
    cluster: prod-east
    name: wordpress-dr

- name: Restore the newest completed backup of wordpress on dr-west, on block storage
  kubedr.astra.astra_app_clone:
    name: wordpress-dr
    source_app: wordpress
    source_cluster: prod-east
    destination_cluster: dr-west
    backup: latest
    storage_class_mapping:
      - source: "*"
        destination: ontap-san

- name: Manage postgres on prod-east
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Replicate postgres to dr-west
  kubedr.astra.astra_app_mirror:
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west

- name: Rehearse a failover of postgres - restore on dr-west what its mirror replicated last
  kubedr.astra.astra_app_clone:
    name: postgres-rehearsal
    source_app: postgres
    source_cluster: prod-east
    destination_cluster: dr-west
    snapshot: latest_replicated
    namespace_mapping:
      - source: postgres
        destination: postgres-rehearsal

- name: Unmanage the test clone (its namespace stays on the cluster)
  kubedr.astra.astra_app_clone:
    name: wordpress-test
    source_app: wordpress
    source_cluster: prod-east
    state: absent
'''

RETURN = r'''
app:
  description:
    - The new application as the Astra Control API returns it (camelCase keys), after the wait.
    - In check mode, the predicted application; a new one has RV(app.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: ID of the new application.
      type: str
      sample: 6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c
    name:
      description: Name of the new application.
      type: str
      sample: wordpress-dr
    state:
      description: Application state, V(ready) once the clone has finished.
      type: str
      sample: ready
    clusterID:
      description: ID of the cluster the clone runs on.
      type: str
    sourceAppID:
      description: ID of the source application.
      type: str
    sourceClusterID:
      description: ID of the source application's cluster.
      type: str
    snapshotID:
      description: ID of the restored snapshot, for a clone from a snapshot.
      type: str
    backupID:
      description: ID of the restored backup, for a clone from a backup.
      type: str
    namespaceMapping:
      description: The namespace mapping the clone was made with.
      type: list
      elements: dict
      sample: [{"source": "wordpress", "destination": "wordpress"}]
  sample:
    id: 6f5e4d3c-2b1a-4f0e-9d8c-7b6a5f4e3d2c
    type: application/astra-app
    version: "2.2"
    name: wordpress-dr
    state: ready
    clusterName: dr-west
    sourceAppID: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    sourceClusterName: prod-east
    backupID: 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
    namespaceMapping: [{"source": "wordpress", "destination": "wordpress"}]
    storageClassMapping: [{"source": "*", "destination": "ontap-san"}]
    namespaces: [wordpress]
restore_point:
  description:
    - The snapshot or backup the new application was restored from, as the Astra Control API returned it when the
      module chose it (so V(latest) and V(latest_replicated) can be traced), in check mode too.
    - V({}) for a live clone, when the clone already existed, and with O(state=absent).
    - Its C(metadata.creationTimestamp) (for a snapshot also C(snapshotCreationTimestamp)) is the point in time of the
      data, from which a drill measures the recovery point.
  returned: always
  type: dict
  sample:
    id: 9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
    name: wordpress-dr
    state: completed
    metadata: {"creationTimestamp": "2025-01-31T09:00:02Z"}
elapsed:
  description: Seconds spent waiting; V(0) when the module did not wait.
  returned: always
  type: float
  sample: 95.5
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:36:54.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.module_code.astra_app_clone import main


if __name__ == "__main__":
    main()
