#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_app_restore
short_description: Restore an application in place from one of its snapshots or backups with Astra Control
version_added: 0.1.0
description:
  - Replaces the resources and volume contents of a managed application with those of one of its snapshots or backups,
    in the application's own namespaces, and with O(wait=true) waits until the application is V(ready) again.
  - The resources the restore covers are deleted and recreated; O(restore_filter) narrows them down (selective restore).
  - Idempotent. When the application reports that it was last restored from the same snapshot or backup, nothing is
    done unless O(force=true). (V(latest) is resolved first, so a newer completed one restores again.)
  - Before it changes anything, the module checks that the snapshot or backup exists, belongs to the application and is
    V(completed); that O(restore_filter) is valid and its kinds are served by the cluster; that the
    O(storage_class_mapping) destinations exist; and that the application is V(ready). All problems are reported at once.
author:
  - kubedr.astra developers (@kubedr)
options:
  snapshot:
    description:
      - "The snapshot of the application to restore from: a name, an ID, or V(latest) for its newest V(completed) snapshot."
      - V(latest_replicated) is the snapshot the application's AppMirror (as its source) transferred last.
      - Exactly one of O(snapshot) and O(backup) is required.
    type: str
  backup:
    description:
      - "The backup of the application to restore from: a name, an ID, or V(latest) for its newest V(completed) backup."
      - Exactly one of O(snapshot) and O(backup) is required.
    type: str
  restore_filter:
    description:
      - Restore only part of the application (selective restore). When omitted, everything is restored.
      - A resource matches an entry of O(restore_filter.resources) when it matches every field the entry gives;
        list fields match when any of their values matches, except O(restore_filter.resources[].label_selectors), which
        must all match. A resource matching any entry is selected.
    type: dict
    suboptions:
      selection:
        description:
          - V(include) restores only the selected resources and leaves the rest as they are; V(exclude) restores
            everything but the selected resources.
        type: str
        required: true
        choices: [include, exclude]
      resources:
        description:
          - The resource entries; at least one, none of them empty.
        type: list
        elements: dict
        required: true
        suboptions:
          group:
            description:
              - API group of the resources, for example V(apps); empty for the core group.
              - When O(restore_filter.resources[].group), O(restore_filter.resources[].version) or
                O(restore_filter.resources[].kind) is given, version and kind are both required, and the group/version/kind
                must be one the cluster serves.
            type: str
          version:
            description:
              - API version of the resources, for example V(v1).
            type: str
          kind:
            description:
              - Kind of the resources, for example V(PersistentVolumeClaim).
            type: str
          names:
            description:
              - Names of the resources.
            type: list
            elements: str
          namespaces:
            description:
              - Namespaces of the resources.
            type: list
            elements: str
          label_selectors:
            description:
              - Kubernetes label selectors, all of which must match, for example V(app=shop).
            type: list
            elements: str
  storage_class_mapping:
    description:
      - Which storage class the restored volumes of each storage class get.
      - When omitted, volumes keep their storage classes.
    type: list
    elements: dict
    suboptions:
      source:
        description:
          - A storage class of the snapshot or backup, or V(*) for every class without an entry of its own.
        type: str
        required: true
      destination:
        description:
          - A storage class of the application's cluster.
        type: str
        required: true
  force:
    description:
      - Restore even when the application was last restored from this snapshot or backup.
    type: bool
    default: false
extends_documentation_fragment:
  - kubedr.astra.app
  - kubedr.astra.connection
  - kubedr.astra.wait
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - The restore is a PUT of the application with the header C(ForceUpdate=true); the application reads V(restoring) at
    once and the module waits (polling after the request) until it is V(ready); V(failed) ends the wait with an error.
  - The application records the restore point it was last restored from in RV(app.snapshotID) or RV(app.backupID);
    that is what makes the module idempotent.
  - Check mode runs every check above (including that the snapshot or backup exists) and sends nothing.
  - The diff (C(--diff)) shows, under O(snapshot) or O(backup), the ID of the restore point the application was last
    restored from (before) and of the one restored (after).
seealso:
  - module: kubedr.astra.astra_app_snapshot
  - module: kubedr.astra.astra_app_backup
  - module: kubedr.astra.astra_app_clone
'''

EXAMPLES = r'''
- name: Manage postgres
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Snapshot postgres before a risky migration
  kubedr.astra.astra_app_snapshot:
    app: postgres
    cluster: prod-east
    name: before-migration

- name: Roll postgres back to that snapshot
  kubedr.astra.astra_app_restore:
    app: postgres
    cluster: prod-east
    snapshot: before-migration
  register: restored

- name: Restore only the volumes of postgres from its newest completed snapshot
  kubedr.astra.astra_app_restore:
    app: postgres
    cluster: prod-east
    snapshot: latest
    restore_filter:
      selection: include
      resources:
        - version: v1
          kind: PersistentVolumeClaim
    force: true

- name: Restore everything but the secrets
  kubedr.astra.astra_app_restore:
    app: postgres
    snapshot: before-migration
    restore_filter:
      selection: exclude
      resources:
        - version: v1
          kind: Secret
    force: true
'''

RETURN = r'''
app:
  description:
    - The application as the Astra Control API returns it (camelCase keys), after the restore and the wait.
    - In check mode, the predicted application.
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
      sample: postgres
    state:
      description: Application state; V(ready) after the wait, V(restoring) with O(wait=false).
      type: str
      sample: ready
    snapshotID:
      description: ID of the snapshot the application was last restored from.
      type: str
    backupID:
      description: ID of the backup the application was last restored from.
      type: str
    restoreFilter:
      description: The filter of the last restore, as the API echoes it.
      type: dict
  sample:
    id: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e
    type: application/astra-app
    version: "2.2"
    name: postgres
    state: ready
    clusterName: prod-east
    snapshotID: 5a0f4b9e-2d1c-4e8f-9b7a-6c5d4e3f2a1b
    namespaces: [postgres]
elapsed:
  description: Seconds spent waiting; V(0) when the module did not wait.
  returned: always
  type: float
  sample: 30.5
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import ApiResource
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, app_argument_spec, wait_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import RestoreSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import APP
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import restore_point_ref_problem
from ansible_collections.kubedr.astra.plugins.module_utils.storage_rules import storage_class_mapping_violations


def served_kinds(module, cluster):
    return set(ApiResource.parse(item, "API resource").gvk for item in module.lookups.api_resources(cluster))


def run(module):
    params = module.params
    spec = validate_input(RestoreSpec, {"restore_filter": params["restore_filter"],
                                        "storage_class_mapping": params["storage_class_mapping"]})
    word = "snapshot" if params["snapshot"] else "backup"
    problem = restore_point_ref_problem(word, params[word])
    if problem:
        raise AstraValidationError(word, problem)
    field = "%sID" % word
    lookups = module.lookups
    cluster = lookups.cluster(params["cluster"], option="cluster") if params["cluster"] else None
    app = lookups.require_app(params["app"], cluster=cluster, option="app")
    if cluster is None:
        cluster = lookups.cluster(app["clusterID"], option="app")

    violations = []
    point = None
    try:
        point = lookups.restore_point(word, app, params[word], option=word)
    except AstraValidationError as exc:
        violations.extend(exc.violations)
    if spec.restore_filter is not None:
        kinds = served_kinds(module, cluster)
        for index, entry in enumerate(spec.restore_filter.resources):
            if entry.gvk is not None and entry.gvk not in kinds:
                group, version, kind = entry.gvk
                violations.append(("restore_filter.resources[%d]" % index, "cluster %r does not serve kind %s of %s "
                                   "(checked against its apiResources)"
                                   % (cluster.get("name"), kind, "%s/%s" % (group, version) if group else version)))
    if spec.storage_class_mapping:
        violations.extend(storage_class_mapping_violations(spec.storage_class_mapping_api(), lookups.storage_classes(cluster),
                                                           cluster.get("name")))
    done_before = point is not None and app.get(field) == point["id"] and not params["force"]
    if not done_before and app.get("state") != "ready":
        violations.append(("app", "app %r is %s; an in-place restore needs it ready" % (app.get("name"), app.get("state"))))
    if violations:
        raise AstraValidationError(violations=violations)

    if done_before:
        resource, elapsed = app, 0.0
        if APP.is_settling(app.get("state")) and module.wants_wait:
            # An earlier run with wait: false started this restore; waiting changes nothing.
            resource, elapsed = module.wait_until_ready(APP, app["id"], app.get("name"))
        return dict(changed=False, resource=resource, elapsed=round(elapsed, 1))

    fields = {field: point["id"]}
    if spec.restore_filter is not None:
        fields["restoreFilter"] = spec.restore_filter.to_api()
    if spec.storage_class_mapping:
        fields["storageClassMapping"] = spec.storage_class_mapping_api()
    before, after = {word: app.get(field)}, {word: point["id"]}
    if module.check_mode:
        predicted = dict(app, state="restoring", **fields)
        return dict(changed=True, resource=predicted, before=before, after=after, elapsed=0.0)
    path = APP.item_path(app["id"])
    module.client.put(path, APP.body(fields), APP.media_type, headers={"ForceUpdate": "true"},
                      operation="Restore app %r from %s %r" % (app.get("name"), word, point.get("name")))
    if module.wants_wait:
        # Polled only after the PUT: the app reads 'restoring' before the API answers, so 'ready' means done.
        resource, elapsed = module.wait_until_ready(APP, app["id"], app.get("name"))
    else:
        resource, elapsed = module.client.get(path, operation="Read app %s" % app.get("name")), 0.0
    return dict(changed=True, resource=resource, before=before, after=after, elapsed=round(elapsed, 1))


def main():
    mapping = dict(source=dict(type="str", required=True), destination=dict(type="str", required=True))
    argument_spec = app_argument_spec()
    argument_spec.update(
        snapshot=dict(type="str"),
        backup=dict(type="str"),
        restore_filter=dict(type="dict", options=dict(
            selection=dict(type="str", required=True, choices=["include", "exclude"]),
            resources=dict(type="list", elements="dict", required=True, options=dict(
                group=dict(type="str"),
                version=dict(type="str"),
                kind=dict(type="str"),
                names=dict(type="list", elements="str"),
                namespaces=dict(type="list", elements="str"),
                label_selectors=dict(type="list", elements="str"),
            )),
        )),
        storage_class_mapping=dict(type="list", elements="dict", options=mapping),
        force=dict(type="bool", default=False),
    )
    argument_spec.update(wait_argument_spec(wait_timeout=600))
    module = AstraModule(argument_spec=argument_spec, resource_key="app", required_one_of=[("snapshot", "backup")],
                         mutually_exclusive=[("snapshot", "backup")])
    module.run(run)


if __name__ == "__main__":
    main()
