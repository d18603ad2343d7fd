# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What Astra Control refuses when an app mirror (replication relationship) is created.

mirror_violations() reads what it needs through a Lookups and returns every
problem at once as (option path, message) pairs, so astra_app_mirror can fail
before its first write and a runbook pre-flight can report the same problems.
The other functions are the single rules, on data already read.
"""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import App, AppMirror, Cluster
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import namespace_mapping_with_violations
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import is_check_mode_id
from ansible_collections.kubedr.astra.plugins.module_utils.storage_rules import (
    default_storage_class,
    is_nas_economy_class,
    persistent_volume_claims,
)
from ansible_collections.kubedr.astra.plugins.module_utils.validators import name_list


def mirror_violations(lookups, relationship, namespace_mapping=None, storage_class=None):
    """(namespace mapping, violations) for creating the relationship's mirror.

    relationship: an app_mirrors.Relationship; namespace_mapping: the option in API shape ([{source, destination}]),
    None when omitted; storage_class: the destination storage class, None for the destination's default. The
    mapping returned is the one to send (None: the API's default, the same names).
    """
    source, destination = relationship.source_cluster, relationship.destination_cluster
    app = relationship.source_app
    violations = unmanaged_cluster_violations(source, destination)
    mapping = namespace_mapping
    paths = ["namespace_mapping[%d].destination" % index for index in range(len(mapping or ()))]
    if app is None:
        violations.append(("source_app", "no managed app named or identified by %r on cluster %r; manage it first "
                           "(kubedr.astra.astra_app); managed apps of that name: %s"
                           % (relationship.app_name, source.get("name"),
                              name_list("%s on %s" % (item.get("name"), item.get("clusterName"))
                                        for item in relationship.apps.values()))))
    elif not is_check_mode_id(app["id"]):
        violations.extend(source_app_violations(relationship, app))
        parsed_app = App.parse(app, "app %s" % app.get("name"))
        namespaces = parsed_app.defined_namespaces or parsed_app.namespaces
        mapping, paths, mapping_violations = namespace_mapping_with_violations(
            mapping, namespaces, parsed_app.name, "namespace_mapping (omitted: the same names)")
        violations.extend(mapping_violations)
        claims = persistent_volume_claims(lookups.app_assets(app))
        if claims:
            violations.extend(source_storage_violations(app.get("name"), claims, lookups.storage_classes(source)))
    if Cluster.parse(destination, "cluster").is_managed:
        violations.extend(destination_storage_class_violations(storage_class, lookups.storage_classes(destination),
                                                               destination.get("name")))
        violations.extend(destination_namespace_violations(mapping or [], paths,
                                                           lookups.apps(cluster_id=destination["id"]),
                                                           destination.get("name")))
        violations.extend(destination_app_name_violations(relationship))
    return mapping, violations


def unmanaged_cluster_violations(source_cluster, destination_cluster):
    """Both clusters must be managed by Astra Control."""
    violations = []
    for option, cluster in (("source_cluster", source_cluster), ("destination_cluster", destination_cluster)):
        parsed = Cluster.parse(cluster, "cluster")
        if not parsed.is_managed:
            violations.append((option, "cluster %r is not managed by Astra Control (managedState %s); manage it first"
                               % (parsed.name, parsed.managed_state)))
    return violations


def source_app_violations(relationship, app):
    """The source app must be ready and in no other relationship."""
    parsed_app = App.parse(app, "app %s" % app.get("name"))
    violations = []
    if parsed_app.state != "ready":
        violations.append(("source_app", "app %r is %s, not ready; Astra Control replicates ready apps only"
                           % (parsed_app.name, parsed_app.state)))
    for other in relationship.mirrors_of(app["id"]):
        other_parsed = AppMirror.parse(other, "app mirror")
        violations.append(("source_app", "app %r is already in a replication relationship (app mirror %s, %s -> %s, "
                           "%s); an app can be in one relationship only: delete that one first (state: absent)"
                           % (parsed_app.name, other.get("id"), relationship.cluster_name(other_parsed.source_cluster_id),
                              relationship.cluster_name(other_parsed.destination_cluster_id), other_parsed.state)))
    return violations


def source_storage_violations(app_name, claims, classes):
    """The app's volumes (persistent_volume_claims()) must all use one storage class, and not an ontap-nas-economy one.

    classes: the storage classes of the source cluster (a claim without a class uses its default).
    """
    default = default_storage_class(classes)
    by_class = {}
    for claim in claims:
        by_class.setdefault(claim["storage_class"] or default, []).append("%s/%s" % (claim["namespace"], claim["name"]))
    violations = []
    ordered = sorted(by_class.items(), key=lambda item: str(item[0]))
    if len(by_class) > 1:
        usage = "; ".join("%s: %s" % (name, ", ".join(sorted(pvcs))) for name, pvcs in ordered)
        violations.append(("source_app", "the volumes of app %r use %d storage classes (%s); Astra Control replicates an "
                           "app whose volumes all use one storage class" % (app_name, len(by_class), usage)))
    by_name = dict((item.get("name"), item) for item in classes)
    for name, pvcs in ordered:
        if name in by_name and is_nas_economy_class(by_name[name]):
            violations.append(("source_app", "volumes %s of app %r use storage class %r, an ontap-nas-economy class, which "
                               "cannot replicate" % (", ".join(sorted(pvcs)), app_name, name)))
    return violations


def destination_storage_class_violations(storage_class, classes, cluster_name):
    """The destination storage class (None: the cluster's default) must exist and not be an ontap-nas-economy class."""
    violations = []
    by_name = dict((item.get("name"), item) for item in classes)
    if storage_class:
        option, chosen = "storage_class", by_name.get(storage_class)
        if chosen is None:
            violations.append((option, "storage class %r does not exist on cluster %r; its storage classes: %s"
                               % (storage_class, cluster_name, name_list(by_name))))
    else:
        option, chosen = "storage_class (omitted: the default class)", by_name.get(default_storage_class(classes))
    if chosen is not None and is_nas_economy_class(chosen):
        violations.append((option, "storage class %r of cluster %r is an ontap-nas-economy class, which cannot receive "
                           "replicated volumes; choose another class" % (chosen.get("name"), cluster_name)))
    return violations


def destination_namespace_violations(mapping, paths, apps, cluster_name):
    """Destination namespaces must not belong to a managed app of the destination cluster (apps: its managed apps).

    mapping: [{source, destination}]; paths: the option path of each entry's destination.
    """
    owners = {}
    for other in apps:
        parsed = App.parse(other, "app %s" % other.get("name"))
        for namespace in parsed.defined_namespaces + parsed.namespaces:
            owners.setdefault(namespace, parsed.name)
    return [(path, "namespace %r of cluster %r belongs to the managed app %r; a mirror needs destination namespaces "
             "that are empty or missing (Astra Control creates missing ones): unmanage that app or choose another "
             "namespace" % (entry["destination"], cluster_name, owners[entry["destination"]]))
            for path, entry in zip(paths, mapping) if entry["destination"] in owners]


def destination_app_name_violations(relationship):
    """The destination app gets the source app's name, so no app of that name may exist on the destination cluster."""
    destination = relationship.destination_cluster
    return [("source_app", "cluster %r already has an app named %r (ID %s); the mirror gives the destination app the "
             "source app's name, so unmanage that app first" % (destination.get("name"), other.get("name"), other.get("id")))
            for other in relationship.apps_on(destination)]
