# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The code of the kubedr.astra.astra_app_clone module; its documentation is in plugins/modules/astra_app_clone.py. Kept
in module_utils so that kubedr.astra.astra_batch can run it for many apps in one process."""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import App
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, option_shape, wait_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.clone_rules import clone_violations
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import CloneSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import APP
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import restore_point_ref_problem

SAME_CLUSTER_NEEDS_MAPPING = ("is required for a clone on the source cluster (destination_cluster omitted or "
                              "equal to the source cluster): the clone needs namespaces of its own")


# What --diff shows of a clone (the new app), under the option names.
DIFF_OPTIONS = (("name", "name"), ("sourceAppID", "source_app"), ("sourceClusterName", "source_cluster"),
                ("clusterName", "destination_cluster"), ("namespaceMapping", "namespace_mapping"),
                ("storageClassMapping", "storage_class_mapping"), ("snapshotID", "snapshot"), ("backupID", "backup"))


def diff_shape(fields):
    return option_shape(fields, DIFF_OPTIONS)


def resolve_source(module, lenient=False):
    """(source cluster, source app); lenient (state=absent): None for what no longer exists."""
    params = module.params
    lookups = module.lookups
    source_cluster = None
    if params["source_cluster"]:
        source_cluster = lookups.cluster(params["source_cluster"], option="source_cluster", require_managed=not lenient)
    if lenient:
        try:
            return source_cluster, lookups.require_app(params["source_app"], cluster=source_cluster, option="source_app",
                                                       cluster_option="source_cluster")
        except AstraValidationError:
            return source_cluster, None
    source_app = lookups.require_app(params["source_app"], cluster=source_cluster, option="source_app",
                                     cluster_option="source_cluster")
    if source_cluster is None:
        source_cluster = lookups.cluster(source_app["clusterID"], option="source_app")
    return source_cluster, source_app


def check_provenance(existing, source_app, cluster):
    """An app named like the clone must have come from the source app."""
    if existing is None:
        return
    parsed = App.parse(existing, "app %s" % existing.get("name"))
    if source_app is not None and parsed.source_app_id == source_app.get("id"):
        return
    if source_app is None and parsed.source_app_id:
        return
    origin = "app ID %s" % parsed.source_app_id if parsed.source_app_id else "no source app (it is not a clone)"
    raise AstraValidationError("name", "app %r already exists on cluster %r and was not cloned from source_app %r (%s): "
                               "its source is %s; choose another name or remove that app"
                               % (existing.get("name"), cluster.get("name"), (source_app or {}).get("name"),
                                  (source_app or {}).get("id"), origin))


def precheck(module, spec, source_cluster, source_app, cluster):
    """Everything Astra Control would refuse, all at once. Returns (namespace mapping, restore point word, restore point)."""
    params = module.params
    word = "snapshot" if params["snapshot"] else "backup" if params["backup"] else None
    mapping, point, violations = clone_violations(
        module.lookups, source_cluster, source_app, cluster,
        namespace_mapping=spec.namespace_mapping_api() if spec.namespace_mapping is not None else None,
        storage_class_mapping=spec.storage_class_mapping_api(), restore_point_kind=word,
        restore_point_ref=params[word] if word else None)
    if violations:
        raise AstraValidationError(violations=violations)
    return mapping, word, point


def ensure_present(module):
    params = module.params
    spec = validate_input(CloneSpec, {"name": params["name"], "namespace_mapping": params["namespace_mapping"],
                                      "storage_class_mapping": params["storage_class_mapping"]})
    if spec.namespace_mapping is None and params["destination_cluster"] in (None, params["source_cluster"]):
        raise AstraValidationError("namespace_mapping", SAME_CLUSTER_NEEDS_MAPPING)
    problem = restore_point_ref_problem("backup", params["backup"])
    if problem:
        raise AstraValidationError("backup", problem)
    source_cluster, source_app = resolve_source(module)
    cluster = source_cluster
    if params["destination_cluster"]:
        cluster = module.lookups.cluster(params["destination_cluster"], option="destination_cluster")
    if spec.namespace_mapping is None and cluster["id"] == source_cluster["id"]:
        raise AstraValidationError("namespace_mapping", SAME_CLUSTER_NEEDS_MAPPING)

    def find_clone():
        return module.lookups.app(spec.name, cluster=cluster)

    existing = find_clone()
    check_provenance(existing, source_app, cluster)
    if existing is not None:
        return dict(module.ensure_present(APP, existing, {}, {"name": spec.name}), restore_point={})

    mapping, word, point = precheck(module, spec, source_cluster, source_app, cluster)
    fields = dict(name=spec.name, clusterID=cluster["id"], sourceClusterID=source_cluster["id"], namespaceMapping=mapping)
    if word:
        fields["%sID" % word] = point["id"]
    else:
        fields["sourceAppID"] = source_app["id"]
    if spec.storage_class_mapping:
        fields["storageClassMapping"] = spec.storage_class_mapping_api()
    predicted = dict(clusterName=cluster.get("name"), sourceAppID=source_app["id"], sourceClusterName=source_cluster.get("name"),
                     state="provisioning")
    result = module.ensure_present(APP, None, {}, fields, find_existing=find_clone, predicted_fields=predicted)
    result["restore_point"] = point or {}
    return result


def ensure_absent(module):
    params = module.params
    validate_input(CloneSpec, {"name": params["name"]})
    source_cluster, source_app = resolve_source(module, lenient=True)
    if params["destination_cluster"]:
        cluster = module.lookups.cluster(params["destination_cluster"], option="destination_cluster",
                                         require_managed=False)
    elif source_cluster is not None:
        cluster = source_cluster
    elif source_app is not None:
        cluster = module.lookups.cluster(source_app["clusterID"], option="source_app", require_managed=False)
    else:
        raise AstraValidationError("destination_cluster", "is required to find the clone when source_app %r no longer "
                                   "exists and source_cluster is not given" % params["source_app"])
    existing = module.lookups.app(params["name"], cluster=cluster)
    check_provenance(existing, source_app, cluster)
    return dict(module.ensure_absent(APP, existing), restore_point={})


def main():
    mapping = dict(source=dict(type="str", required=True), destination=dict(type="str", required=True))
    argument_spec = dict(
        name=dict(type="str", required=True),
        source_app=dict(type="str", required=True),
        source_cluster=dict(type="str"),
        destination_cluster=dict(type="str", aliases=["cluster"]),
        namespace_mapping=dict(type="list", elements="dict", options=dict(mapping)),
        storage_class_mapping=dict(type="list", elements="dict", options=dict(mapping)),
        snapshot=dict(type="str"),
        backup=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    argument_spec.update(wait_argument_spec(wait_timeout=600))
    module = AstraModule(argument_spec=argument_spec, resource_key="app", diff_shape=diff_shape,
                         mutually_exclusive=[("snapshot", "backup")])
    module.run(ensure_present if module.params["state"] == "present" else ensure_absent)
