# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The estate as an inventory: what the kubedr.astra.astra inventory plugin reads and what it makes of it.

read_estate() sends the requests (through Lookups and the one AstraClient): one list each of clusters, apps and app
mirrors, and per selected app one list each of its snapshots, backups and schedules (the API offers no account-wide
list that names the app of a snapshot or schedule). build_hosts() turns what was read into one host per app, with
ages computed from a single clock reading; nothing in it sends a request, so a cached estate gives fresh ages.
"""

import re

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import AppMirror
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import APP_MIRRORS, APPS, CLUSTERS, restore_points_path
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import schedules_path
from ansible_collections.kubedr.astra.plugins.module_utils.ordering import creation_time, newest_first
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import is_replication_schedule, schedule_definition
from ansible_collections.kubedr.astra.plugins.module_utils.validators import (
    label_selector_matches,
    label_selector_problem,
    name_list,
)

# The host variables, one per concern.
APP_VAR = "astra_app"
PROTECTION_VAR = "astra_protection"
REPLICATION_VAR = "astra_replication"
ENTRY_VAR = "astra_app_entry"

# The group every host of the plugin is in, and the built-in groups.
ALL_APPS_GROUP = "astra_apps"
PROTECTION_GROUPS = {"protected": "protected", "partial": "partially_protected", "none": "unprotected"}
NOT_REPLICATED_GROUP = "not_replicated"

# Only the fields the host variables use, through the API's include parameter (lists of snapshots and backups grow
# with retention; these stay small).
RESTORE_POINT_FIELDS = ("id", "name", "state", "metadata")
SCHEDULE_FIELDS = ("id", "name", "granularity", "minute", "hour", "dayOfWeek", "dayOfMonth", "recurrenceRule",
                   "snapshotRetention", "backupRetention", "enabled", "replicate", "bucketID")


def filter_problems(clusters, labels):
    """[(option, rule)] for the clusters and labels filters; [] when they are fine (checked before any request)."""
    problems = []
    for option, values in (("clusters", clusters), ("labels", labels)):
        if values is None:
            continue
        if not isinstance(values, list):
            problems.append((option, "must be a list of strings, got %s" % type(values).__name__))
            continue
        for index, value in enumerate(values):
            path = "%s[%d]" % (option, index)
            if not isinstance(value, str) or not value.strip():
                problems.append((path, "must be a non-empty string"))
            elif option == "labels":
                problem = label_selector_problem(value)
                if problem:
                    problems.append((path, problem))
    return problems


def unknown_cluster_problems(wanted, clusters):
    """[(option, rule)] for each name in the clusters filter that names no cluster Astra Control knows."""
    known = [item.get("name") for item in clusters]
    return [("clusters[%d]" % index, "no cluster named %r; known clusters: %s" % (name, name_list(known)))
            for index, name in enumerate(wanted or ()) if name not in known]


def labels_of(item):
    """metadata.labels [{name, value}] of an API object as a dict."""
    labels = ((item or {}).get("metadata") or {}).get("labels") or []
    return {entry.get("name"): entry.get("value", "") for entry in labels if isinstance(entry, dict) and entry.get("name")}


def app_selected(app, clusters=None, labels=None):
    """Whether the app passes the filters: on one of the clusters (when given) and matching any of the label selectors."""
    if clusters and app.get("clusterName") not in clusters:
        return False
    if labels:
        app_labels = labels_of(app)
        return any(label_selector_matches(selector, app_labels) for selector in labels)
    return True


def as_dicts(items, fields):
    """List items as dicts: rows of an include= answer are zipped with the fields; dicts are kept as they are."""
    return [dict(zip(fields, item)) if isinstance(item, (list, tuple)) else item for item in items]


def _list(client, path, fields, operation):
    return as_dicts(client.list(path, params={"include": ",".join(fields)}, operation=operation), fields)


def read_estate(lookups, clusters=None, labels=None, selected=None, snapshot_fields=RESTORE_POINT_FIELDS,
                backup_fields=RESTORE_POINT_FIELDS):
    """Everything the hosts are built from: {clusters, apps, app_mirrors, protection: {app id: {...}}}.

    Apps outside the filters are kept (a mirror's peer may be one) but get no per-app requests. selected: a further
    filter (app -> bool) of the apps that get them; snapshot_fields and backup_fields: what to include of each
    snapshot and backup (the posture runbook reads hook states, buckets and creation times too).
    """
    client = lookups.client
    cluster_items = client.list(CLUSTERS, operation="List clusters")
    problems = unknown_cluster_problems(clusters, cluster_items)
    if problems:
        raise AstraValidationError(violations=problems)
    apps = client.list(APPS, operation="List apps")
    mirrors = client.list(APP_MIRRORS, operation="List app mirrors")
    protection = {}
    for app in apps:
        if not app_selected(app, clusters, labels) or not app.get("id") or (selected and not selected(app)):
            continue
        what = "app %s on %s" % (app.get("name"), app.get("clusterName"))
        protection[app["id"]] = {
            "snapshots": _list(client, restore_points_path("snapshot", app["id"]), snapshot_fields,
                               "List snapshots of %s" % what),
            "backups": _list(client, restore_points_path("backup", app["id"]), backup_fields, "List backups of %s" % what),
            "schedules": _list(client, schedules_path(app["id"]), SCHEDULE_FIELDS, "List schedules of %s" % what),
        }
    return {"clusters": cluster_items, "apps": apps, "app_mirrors": mirrors, "protection": protection}


# ---------------------------------------------------------------------- host variables

def _age(moment, now):
    return max(0, int((now - moment).total_seconds()))


def _timestamp(text):
    """An API timestamp as an aware datetime, or None."""
    if not text:
        return None
    moment = creation_time({"metadata": {"creationTimestamp": text}})
    return None if moment.year == 1 else moment


def newest_completed(points, now):
    """{id, name, created, age_seconds} of the newest completed snapshot or backup, or None."""
    completed = [point for point in points if point.get("state") == "completed"]
    if not completed:
        return None
    point = newest_first(completed)[0]
    created = (point.get("metadata") or {}).get("creationTimestamp")
    moment = _timestamp(created)
    return {"id": point.get("id"), "name": point.get("name"), "created": created,
            "age_seconds": _age(moment, now) if moment else None}


def protection_vars(protection, now):
    """astra_protection: the schedules, the newest completed snapshot and backup, and the state they add up to.

    state: protected (an enabled protection schedule and a completed backup), partial (one of them, or only a
    snapshot), none (neither).
    """
    schedules = protection.get("schedules") or []
    policies = [schedule_definition(item) for item in schedules if not is_replication_schedule(item)]
    snapshot = newest_completed(protection.get("snapshots") or [], now)
    backup = newest_completed(protection.get("backups") or [], now)
    scheduled = any(policy["enabled"] for policy in policies)
    if scheduled and backup:
        state = "protected"
    elif scheduled or backup or snapshot:
        state = "partial"
    else:
        state = "none"
    return {
        "state": state,
        "schedules": policies,
        "replication_schedules": [schedule_definition(item) for item in schedules if is_replication_schedule(item)],
        "snapshot": snapshot,
        "backup": backup,
        "snapshot_count": len(protection.get("snapshots") or []),
        "backup_count": len(protection.get("backups") or []),
    }


def mirror_of(app, mirrors):
    """The app mirror the app is the source or destination of (one that is not being deleted first), or None."""
    mine = [item for item in mirrors if app.get("id") and app["id"] in (item.get("sourceAppID"), item.get("destinationAppID"))]
    mine.sort(key=lambda item: AppMirror.parse(item, "app mirror %s" % item.get("id")).is_deleting)
    return mine[0] if mine else None


def replication_vars(app, mirror, cluster_names, app_names, now):
    """astra_replication: {mirrored: false} without a mirror, else its state, the app's role and its peer."""
    if mirror is None:
        return {"mirrored": False}
    role = "source" if mirror.get("sourceAppID") == app.get("id") else "destination"
    peer_app_id = mirror.get("destinationAppID") if role == "source" else mirror.get("sourceAppID")
    peer_cluster_id = mirror.get("destinationClusterID") if role == "source" else mirror.get("sourceClusterID")
    transfer = AppMirror.last_transfer(mirror) or {}
    moment = _timestamp(transfer.get("completionTime"))
    source_cluster = cluster_names.get(mirror.get("sourceClusterID"), mirror.get("sourceClusterID"))
    destination_cluster = cluster_names.get(mirror.get("destinationClusterID"), mirror.get("destinationClusterID"))
    return {
        "mirrored": True,
        "id": mirror.get("id"),
        "state": mirror.get("state"),
        "state_desired": mirror.get("stateDesired"),
        "health": mirror.get("healthState"),
        "transfer_state": mirror.get("transferState"),
        "role": role,
        "direction": "%s -> %s" % (source_cluster, destination_cluster),
        "source_cluster": source_cluster,
        "destination_cluster": destination_cluster,
        "peer_cluster": cluster_names.get(peer_cluster_id, peer_cluster_id),
        "peer_app": app_names.get(peer_app_id, peer_app_id),
        "peer_app_id": peer_app_id,
        "last_transfer_snapshot_id": transfer.get("snapshotID"),
        "last_transfer_time": transfer.get("completionTime"),
        "last_transfer_age_seconds": _age(moment, now) if moment else None,
    }


def defined_namespaces(app):
    """The app's definition as runbook namespaces: [{name, label_selectors}], each namespace once, in order."""
    namespaces = []
    for entry in app.get("namespaceScopedResources") or []:
        name = entry.get("namespace")
        if name and name not in [item["name"] for item in namespaces]:
            namespaces.append({"name": name, "label_selectors": list(entry.get("labelSelectors") or [])})
    return namespaces


def app_vars(app):
    """astra_app: who the app is and where it runs."""
    return {
        "id": app.get("id"),
        "name": app.get("name"),
        "cluster": app.get("clusterName"),
        "cluster_id": app.get("clusterID"),
        "namespaces": list(app.get("namespaces") or []) or [entry["name"] for entry in defined_namespaces(app)],
        "labels": labels_of(app),
        "state": app.get("state"),
        "created": (app.get("metadata") or {}).get("creationTimestamp"),
    }


def app_entry(app, replication):
    """astra_app_entry: the app as an entry of the runbooks' <runbook>_apps lists.

    {name, cluster, namespaces}, plus destination_cluster when the app is the source of a mirror (its DR cluster).
    """
    entry = {"name": app.get("name"), "cluster": app.get("clusterName"), "namespaces": defined_namespaces(app)}
    if replication.get("mirrored") and replication.get("role") == "source" and replication.get("peer_cluster"):
        entry["destination_cluster"] = replication["peer_cluster"]
    return entry


def build_hosts(estate, now, clusters=None, labels=None):
    """One record per selected app: {name (the default host name), vars: {astra_app, ...}, groups: [built-in groups]}.

    now: the one clock reading every age is computed from (an aware datetime).
    """
    cluster_names = {item.get("id"): item.get("name") for item in estate.get("clusters") or []}
    apps = estate.get("apps") or []
    app_names = {item.get("id"): item.get("name") for item in apps}
    mirrors = estate.get("app_mirrors") or []
    records = []
    for app in apps:
        if app.get("id") not in (estate.get("protection") or {}) or not app_selected(app, clusters, labels):
            continue
        replication = replication_vars(app, mirror_of(app, mirrors), cluster_names, app_names, now)
        protection = protection_vars(estate["protection"][app["id"]], now)
        host_vars = {
            APP_VAR: app_vars(app),
            PROTECTION_VAR: protection,
            REPLICATION_VAR: replication,
            ENTRY_VAR: app_entry(app, replication),
        }
        records.append({"name": default_host_name(app), "vars": host_vars, "groups": builtin_groups(host_vars)})
    return records


def default_host_name(app):
    return "%s@%s" % (app.get("name"), app.get("clusterName") or app.get("clusterID"))


def group_name(*parts):
    """A valid group name from parts: 'cluster', 'prod-east' -> 'cluster_prod_east'; 'failedOver' -> 'failed_over'."""
    text = "_".join(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", str(part)) for part in parts if part)
    return re.sub(r"[^A-Za-z0-9_]", "_", text).lower()


def builtin_groups(host_vars):
    """astra_apps, cluster_<cluster>, protected/partially_protected/unprotected, mirror_<state> with
    mirror_source/mirror_destination, or not_replicated."""
    groups = [ALL_APPS_GROUP, group_name("cluster", host_vars[APP_VAR]["cluster"]),
              PROTECTION_GROUPS[host_vars[PROTECTION_VAR]["state"]]]
    replication = host_vars[REPLICATION_VAR]
    if replication.get("mirrored"):
        groups.append(group_name("mirror", replication.get("state") or "unknown"))
        groups.append(group_name("mirror", replication["role"]))
    else:
        groups.append(NOT_REPLICATED_GROUP)
    return groups


def duplicate_host_problems(names):
    """[message] for each host name that two apps would share (custom hostnames can collide)."""
    seen, problems = {}, []
    for name, app in names:
        if name in seen:
            problems.append("host name %r is shared by app %s and app %s; choose hostnames that tell them apart "
                            "(for example with astra_app.cluster)" % (name, seen[name], app))
        else:
            seen[name] = app
    return problems
