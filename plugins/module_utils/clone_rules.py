# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What Astra Control refuses when an app is cloned (live, or from a snapshot or backup) into a new app.

clone_violations() reads what it needs through a Lookups and returns every
problem at once as (option path, message) pairs, so astra_app_clone can fail
before its first write and a runbook pre-flight can report the same problems.
The other functions are the single rules, on data already read.
"""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import App, Namespace
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import namespace_mapping_with_violations
from ansible_collections.kubedr.astra.plugins.module_utils.storage_rules import (
    access_mode_violations,
    default_storage_class,
    is_nas_economy_class,
    missing_class_violations,
    persistent_volume_claims,
    storage_class_mapping_violations,
)


def clone_violations(lookups, source_cluster, source_app, destination_cluster, namespace_mapping=None,
                     storage_class_mapping=None, restore_point_kind=None, restore_point_ref=None):
    """(namespace mapping, restore point, violations) for cloning source_app into a new app on destination_cluster.

    namespace_mapping and storage_class_mapping: the options in API shape ([{source, destination}]); a
    namespace_mapping of None keeps the source names. restore_point_kind: 'snapshot' or 'backup' for a clone from
    that restore point (restore_point_ref: its name, ID, 'latest' or 'latest_replicated'), None for a live clone.
    The mapping returned is the one to send; the restore point is the resolved one (None when live or not found).
    """
    same_cluster = destination_cluster["id"] == source_cluster["id"]
    destination_name = destination_cluster.get("name")
    violations = []
    point = None
    if restore_point_kind:
        try:
            point = lookups.restore_point(restore_point_kind, source_app, restore_point_ref, option=restore_point_kind)
        except AstraValidationError as exc:
            violations.extend(exc.violations)

    app_namespaces = App.parse(source_app, "app %s" % source_app.get("name")).defined_namespaces
    mapping, paths, mapping_violations = namespace_mapping_with_violations(
        namespace_mapping, app_namespaces, source_app.get("name"), "namespace_mapping (omitted: same names as the source)")
    violations.extend(mapping_violations)
    # Reads before the clone is made: the runs of a batch may share these lists (Lookups._shared_collection).
    namespaces = [Namespace.parse(item, "namespace") for item in lookups.namespaces(destination_cluster, shared=True)]
    violations.extend(existing_namespace_violations(
        mapping, paths, [namespace.name for namespace in namespaces if namespace.is_usable], destination_name))

    class_mapping = storage_class_mapping or []
    destination_classes = lookups.storage_classes(destination_cluster, shared=True)
    violations.extend(storage_class_mapping_violations(class_mapping, destination_classes, destination_name))

    if point is not None or not restore_point_kind:
        claims = persistent_volume_claims(lookups.app_assets(source_app, restore_point_kind, point))
        if claims:
            source_classes = destination_classes if same_cluster else lookups.storage_classes(source_cluster, shared=True)
            violations.extend(access_mode_violations(claims, class_mapping, source_classes, destination_classes,
                                                     destination_name))
            if not restore_point_kind:
                violations.extend(missing_class_violations(claims, class_mapping, source_classes, destination_classes,
                                                           destination_name))
                violations.extend(live_clone_economy_violations(claims, source_classes, source_app.get("name")))

    if not same_cluster:
        violations.extend(default_bucket_violations(
            (("source_cluster", source_cluster), ("destination_cluster", destination_cluster)), lookups.cloud))
    return mapping, point, violations


def existing_namespace_violations(mapping, paths, present, cluster_name):
    """Destination namespaces must not exist on the destination cluster (present: the names of its namespaces).

    mapping: [{source, destination}]; paths: the option path of each entry's destination.
    """
    present = set(present)
    return [(path, "namespace %r already exists on cluster %r; Astra Control creates the destination namespaces, so "
             "choose namespaces that do not exist yet" % (entry["destination"], cluster_name))
            for path, entry in zip(paths, mapping) if entry["destination"] in present]


def live_clone_economy_violations(claims, source_classes, app_name):
    """A live clone refuses volumes on ontap-nas-economy classes (claims: persistent_volume_claims() of the source)."""
    economy = set(item.get("name") for item in source_classes if is_nas_economy_class(item))
    default = default_storage_class(source_classes)
    on_economy = ["%s/%s (%s)" % (claim["namespace"], claim["name"], claim["storage_class"] or default)
                  for claim in claims if (claim["storage_class"] or default) in economy]
    if not on_economy:
        return []
    return [("source_app", "app %r has volumes on ontap-nas-economy storage classes (%s), which Astra Control cannot "
             "clone live; clone from a snapshot or backup instead" % (app_name, ", ".join(on_economy)))]


def default_bucket_violations(members, cloud):
    """A clone to another cluster needs a default bucket in the cloud of each cluster.

    members: (option, cluster) pairs; cloud: a function from a cloud ID to the cloud (each ID is read once).
    """
    clouds, violations = {}, []
    for option, member in members:
        cloud_id = member.get("cloudID")
        if not cloud_id:
            continue
        if cloud_id not in clouds:
            clouds[cloud_id] = cloud(cloud_id)
        if not clouds[cloud_id].get("defaultBucketID"):
            violations.append((option, "cloud %r of cluster %r has no default bucket; a clone to another cluster goes "
                               "through the default bucket of both clusters' clouds, so set one first"
                               % (clouds[cloud_id].get("name"), member.get("name"))))
    return violations
