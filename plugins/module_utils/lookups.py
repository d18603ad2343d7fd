# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Resolve user-given names to API objects with the fewest requests.

Endpoints that declare `filter` are asked server-side (`name eq '<name>'`);
the others (storage classes, buckets, ...) are listed once and filtered here.
Lookups never walk one collection per parent (no N+1). Unknown or ambiguous
names raise AstraValidationError naming the option that was given.
"""

import re

from ansible_collections.kubedr.astra.plugins.module_utils import shared_lists
from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import (
    App,
    AppMirror,
    Bucket,
    Cloud,
    Cluster,
    Namespace,
    StorageClass,
)
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.ordering import newest_first
from ansible_collections.kubedr.astra.plugins.module_utils.validators import name_list

# The id of a resource that check mode predicts but did not create. Later tasks
# that receive it as a reference must predict too instead of looking it up.
CHECK_MODE_ID = "check-mode-placeholder-id"

# The restore-point reference that means "the newest completed one".
LATEST = "latest"
# The snapshot reference that means "the one the app's mirror replicated last" (the data on the destination).
LATEST_REPLICATED = "latest_replicated"

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

CLUSTERS = "topology/v1/clusters"
APPS = "k8s/v2/apps"
BUCKETS = "topology/v1/buckets"
CLOUDS = "topology/v1/clouds"
ACCOUNT_BACKUPS = "topology/v1/appBackups"
APP_MIRRORS = "k8s/v1/appMirrors"

# Per-app collections of restore points: the word used in messages -> (path segment, media type).
RESTORE_POINTS = {
    "snapshot": ("appSnaps", "appSnap"),
    "backup": ("appBackups", "appBackup"),
}


def is_check_mode_id(value):
    return value == CHECK_MODE_ID


def restore_point_ref_problem(kind, ref):
    """The rule a reference to a snapshot or backup ('snapshot'/'backup') breaks whatever the API holds; None if none."""
    if ref == LATEST_REPLICATED and kind != "snapshot":
        return "%r names a snapshot (the one the app's mirror replicated last), not a %s" % (LATEST_REPLICATED, kind)
    return None


def app_path(app_id):
    """The v1 path under which an app's snapshots, backups, schedules and assets live."""
    return "k8s/v1/apps/%s" % app_id


def restore_points_path(kind, app_id):
    """'snapshot' -> k8s/v1/apps/<id>/appSnaps; 'backup' -> k8s/v1/apps/<id>/appBackups."""
    return "%s/%s" % (app_path(app_id), RESTORE_POINTS[kind][0])


def schedules_path(app_id):
    return "%s/schedules" % app_path(app_id)


def looks_like_id(value):
    return bool(UUID_PATTERN.match(value or ""))


def filter_expression(conditions):
    """The server-side filter for the first condition: [('name', 'wordpress'), ('clusterID', 'c1')] -> "name eq 'wordpress'".

    One condition only: the published grammar of `filter` does not reliably allow a second, different one, so a
    real Astra Control Center may refuse it (400, problem 5); callers check every condition on the results.
    Returns None when the value holds a single quote (the API documents no escape): list and filter locally then.
    """
    for field, value in conditions:
        if value is None:
            continue
        if "'" in str(value):
            return None
        return "%s eq '%s'" % (field, value)
    return None


def field_matches(item, field, value):
    """Client-side twin of the server filter: 'a[*].b' matches when any element of item['a'] has b == value."""
    if "[*]." in field:
        list_field, sub_field = field.split("[*].", 1)
        return any(isinstance(entry, dict) and entry.get(sub_field) == value for entry in item.get(list_field) or [])
    return item.get(field) == value


def cluster_base_path(cluster):
    """The collection path under which a cluster's namespaces and storage classes live."""
    if Cluster.parse(cluster, "cluster").is_managed:
        return "topology/v1/managedClusters/%s" % cluster["id"]
    return "topology/v1/clusters/%s" % cluster["id"]


class Lookups:
    """Name and ID resolution on top of an AstraClient."""

    def __init__(self, client):
        self.client = client

    # ------------------------------------------------------------ generic building blocks

    def _shared_collection(self, path, operation):
        """In a run of kubedr.astra.astra_batch, the whole collection as read by a run of the batch since this one
        started (shared_lists.collection); None elsewhere, or when no shared list can be had (the caller lists it)."""
        shared = shared_lists.current()
        if shared is None:
            return None
        try:
            return shared.collection(self.client, path, operation)
        except shared_lists.Unavailable:
            return None

    def find_by_fields(self, path, conditions, server_filter=True, what=None):
        """Items of the collection at path whose fields equal the given (field, value) conditions.

        server_filter: whether the endpoint declares `filter`; if not (or a value
        cannot be quoted), the collection is listed once and filtered here. The
        server is asked for the first condition only; all are checked here.
        """
        conditions = [(field, value) for field, value in conditions if value is not None]
        expression = filter_expression(conditions) if server_filter and conditions else None
        if expression:
            items = self.client.list(path, params={"filter": expression}, operation="Look up %s" % (what or path))
        else:
            items = self.client.list(path, operation="Look up %s" % (what or path))
        # Re-check locally: cheap, and protects against servers that ignore a filter.
        return [item for item in items if all(field_matches(item, field, value) for field, value in conditions)]

    def find_one(self, path, name, what, option, server_filter=True, conditions=()):
        """The one item named `name` (and matching conditions) in the collection at path, or None.

        For collections without a usable filter (snapshots, backups of one app)
        pass server_filter=False. Two items of one name fail naming the option.
        """
        matches = self.find_by_fields(path, [("name", name)] + list(conditions), server_filter=server_filter,
                                      what="%s %s" % (what, name))
        if len(matches) > 1:
            raise AstraValidationError(option, "%d %ss are named %r (IDs %s); give the ID instead"
                                       % (len(matches), what, name, name_list(item.get("id") for item in matches)))
        return matches[0] if matches else None

    def get_by_id(self, path, resource_id, what=None):
        """GET path/<id>; None when the API answers 404."""
        return self.client.get_or_none("%s/%s" % (path, resource_id), operation="Read %s %s" % (what or path, resource_id))

    # ------------------------------------------------------------ clusters

    def clusters(self, name=None, shared=False):
        """Clusters (managed or not), optionally only the one named or identified by name.

        shared: in a run of kubedr.astra.astra_batch, every cluster may come from a list another run read after this
        one started (_shared_collection); for reads before a change, never to check one.
        """
        if name and looks_like_id(name):
            cluster = self.get_by_id(CLUSTERS, name, "cluster")
            if cluster:
                return [cluster]
        if shared and not name:
            shared = self._shared_collection(CLUSTERS, "List clusters")
            if shared is not None:
                return shared
        return self.find_by_fields(CLUSTERS, [("name", name)], what="cluster %s" % name if name else "clusters")

    def cluster(self, name_or_id, option="cluster", require_managed=True, items=None):
        """The one cluster a user named (by name or ID); fails naming the option when unknown or not managed.

        items: every cluster, already listed (saves the request when several clusters are resolved). In a run of
        kubedr.astra.astra_batch, the clusters another run listed since this one started (_shared_collection): no
        module changes clusters, and the runs of a wave resolve the same few.
        """
        if items is None:
            items = self._shared_collection(CLUSTERS, "List clusters")
        if items is not None:
            matches = [item for item in items if item.get("id") == name_or_id]
            matches = matches or [item for item in items if item.get("name") == name_or_id]
        else:
            matches = self.clusters(name_or_id)
        if not matches:
            if items is None:
                items = self.client.list(CLUSTERS, operation="List clusters")
            known = [item.get("name") for item in items]
            raise AstraValidationError(option, "no cluster named or identified by %r; known clusters: %s"
                                       % (name_or_id, name_list(known)))
        if len(matches) > 1:
            raise AstraValidationError(option, "%d clusters are named %r (IDs %s); give the cluster ID instead"
                                       % (len(matches), name_or_id, name_list(item.get("id") for item in matches)))
        cluster = matches[0]
        parsed = Cluster.parse(cluster, "cluster %s" % name_or_id)
        if require_managed and not parsed.is_managed:
            raise AstraValidationError(option, "cluster %r is not managed by Astra Control (managedState %s); "
                                       "manage it first or choose a managed cluster" % (parsed.name, parsed.managed_state))
        return cluster

    # ------------------------------------------------------------ namespaces and storage classes

    def namespaces(self, cluster, shared=False):
        """Every namespace of a cluster: one request (shared: as for clusters())."""
        path, operation = "%s/namespaces" % cluster_base_path(cluster), "List namespaces of cluster %s" % cluster.get("name")
        found = self._shared_collection(path, operation) if shared else None
        return found if found is not None else self.client.list(path, operation=operation)

    def require_namespaces(self, cluster, names, option="namespaces", name_key="name", paths=None):
        """Check that every named namespace exists on the cluster; report all missing ones at once.

        names: the namespace names in option order; each violation names
        `<option>[i].<name_key>` (name_key None: `<option>[i]`), or paths[i] when given.
        Returns {name: namespace object}.
        """
        found = {}
        for item in self.namespaces(cluster):
            namespace = Namespace.parse(item, "namespace")
            if namespace.is_usable:
                found[namespace.name] = item
        violations = []
        for index, name in enumerate(names):
            if name not in found:
                path = paths[index] if paths else "%s[%d]" % (option, index) + (".%s" % name_key if name_key else "")
                violations.append((path, "namespace %r does not exist on cluster %r" % (name, cluster.get("name"))))
        if violations:
            user_namespaces = [name for name, item in found.items() if not item.get("systemType")]
            violations.append((None, "namespaces on cluster %r: %s" % (cluster.get("name"), name_list(user_namespaces))))
            raise AstraValidationError(violations=violations)
        return {name: found[name] for name in names}

    def storage_classes(self, cluster, shared=False):
        """Every storage class of a cluster (full objects): one request (shared: as for clusters())."""
        path = "%s/storageClasses" % cluster_base_path(cluster)
        operation = "List storage classes of cluster %s" % cluster.get("name")
        found = self._shared_collection(path, operation) if shared else None
        return found if found is not None else self.client.list(path, operation=operation)

    def storage_class(self, cluster, name, option="storage_class"):
        """The storage class with this name on the cluster; fails naming the option when unknown."""
        classes = self.storage_classes(cluster)
        for item in classes:
            if StorageClass.parse(item, "storage class").name == name:
                return item
        raise AstraValidationError(option, "storage class %r does not exist on cluster %r; its storage classes: %s"
                                   % (name, cluster.get("name"), name_list(item.get("name") for item in classes)))

    # ------------------------------------------------------------ buckets (the endpoint accepts no query parameters)

    def buckets(self, name=None):
        items = self.client.list(BUCKETS, operation="List buckets")
        return [item for item in items if name is None or Bucket.parse(item, "bucket").name == name]

    def bucket(self, name_or_id, option="bucket", items=None):
        """The bucket named or identified by name_or_id; items: a bucket list already read (saves the request)."""
        if items is None:
            items = self.client.list(BUCKETS, operation="List buckets")
        matches = [item for item in items if name_or_id in (item.get("id"), item.get("name"))]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise AstraValidationError(option, "no bucket named or identified by %r; known buckets: %s"
                                       % (name_or_id, name_list(item.get("name") for item in items)))
        raise AstraValidationError(option, "%d buckets are named %r (IDs %s); give the bucket ID instead"
                                   % (len(matches), name_or_id, name_list(item.get("id") for item in matches)))

    # ------------------------------------------------------------ apps

    def apps(self, name=None, cluster_id=None, namespace=None):
        """Managed apps filtered server-side by name, cluster and a namespace in their definition."""
        conditions = [("name", name), ("clusterID", cluster_id), ("namespaceScopedResources[*].namespace", namespace)]
        return self.find_by_fields(APPS, conditions, what="app %s" % name if name else "apps")

    def app_by_id(self, app_id):
        return self.get_by_id(APPS, app_id, "app")

    def app(self, name, cluster=None, option="name", cluster_option="cluster"):
        """The managed app with this name (on cluster, when given), or None.

        Fails when the name matches apps on several clusters and no cluster was
        given, naming the candidate clusters and the option that disambiguates.
        """
        matches = self.apps(name=name, cluster_id=cluster.get("id") if cluster else None)
        if len(matches) <= 1:
            return matches[0] if matches else None
        if cluster is None:
            candidates = name_list(App.parse(item, "app").cluster_name or item.get("clusterID") for item in matches)
            raise AstraValidationError(option, "%d apps are named %r, on clusters %s; set %s to choose one"
                                       % (len(matches), name, candidates, cluster_option))
        raise AstraValidationError(option, "%d apps are named %r on cluster %r (IDs %s); Astra Control should not allow "
                                   "this, remove the duplicates first"
                                   % (len(matches), name, cluster.get("name"), name_list(item.get("id") for item in matches)))

    def require_app(self, ref, cluster=None, option="app", cluster_option="cluster"):
        """The managed app named or identified by ref (on cluster, when given); fails naming the option when unknown.

        In check mode the placeholder ID of an app an earlier task predicted
        stands for that app: a placeholder app is returned without a request.
        """
        if is_check_mode_id(ref) and self.client.read_only:
            return {"id": CHECK_MODE_ID, "name": ref, "state": "ready", "clusterID": (cluster or {}).get("id"),
                    "clusterName": (cluster or {}).get("name"), "namespaceScopedResources": [], "namespaces": []}
        if looks_like_id(ref):
            app = self.app_by_id(ref)
            if app is not None:
                if cluster is not None and app.get("clusterID") != cluster.get("id"):
                    raise AstraValidationError(option, "app %s (%s) runs on cluster %r, not on %r (%s)"
                                               % (ref, app.get("name"), app.get("clusterName"), cluster.get("name"),
                                                  cluster_option))
                return app
        app = self.app(ref, cluster=cluster, option=option, cluster_option=cluster_option)
        if app is None:
            known = self.apps(cluster_id=cluster.get("id") if cluster else None)
            where = " on cluster %r" % cluster.get("name") if cluster else ""
            raise AstraValidationError(option, "no managed app named or identified by %r%s; managed apps%s: %s"
                                       % (ref, where, where, name_list(item.get("name") for item in known)))
        return app

    # ------------------------------------------------------------ snapshots and backups (lists take no filter)

    def restore_points(self, kind, app):
        """Every snapshot ('snapshot') or backup ('backup') of an app: one request, [] for a predicted app."""
        if is_check_mode_id(app.get("id")):
            return []
        return self.client.list(restore_points_path(kind, app["id"]), operation="List %ss of app %s" % (kind, app.get("name")))

    def restore_point_named(self, kind, app, name, option="name", items=None):
        """The snapshot or backup of this name of the app, or None (names only; client-side from one list)."""
        items = self.restore_points(kind, app) if items is None else items
        matches = [item for item in items if item.get("name") == name]
        if len(matches) > 1:
            raise AstraValidationError(option, "%d %ss of app %r are named %r (IDs %s); remove the duplicates first"
                                       % (len(matches), kind, app.get("name"), name,
                                          name_list(item.get("id") for item in matches)))
        return matches[0] if matches else None

    def restore_point(self, kind, app, ref, option, require_completed=True, items=None):
        """The snapshot or backup of the app that ref names: a name, an ID or 'latest' (the newest completed one).

        Fails naming the option when there is none, when it belongs to another
        app (it is then not in this app's list) or, with require_completed, when
        it is not completed. In check mode a placeholder ID is accepted as is.
        """
        if is_check_mode_id(ref) and self.client.read_only:
            return {"id": CHECK_MODE_ID, "name": ref, "state": "completed"}
        items = self.restore_points(kind, app) if items is None else items
        app_name = app.get("name")
        if ref == LATEST_REPLICATED:
            ref = self._replicated_snapshot_id(kind, app, option, items)
        if ref == LATEST:
            completed = [item for item in items if item.get("state") == "completed"]
            if not completed:
                raise AstraValidationError(option, "app %r has no completed %s (%r means the newest completed one); "
                                           "its %ss: %s" % (app_name, kind, LATEST, kind, self._describe_points(items)))
            return newest_first(completed)[0]
        matches = [item for item in items if item.get("id") == ref] or [item for item in items if item.get("name") == ref]
        if not matches:
            raise AstraValidationError(option, "app %r has no %s named or identified by %r; its %ss: %s"
                                       % (app_name, kind, ref, kind, self._describe_points(items)))
        if len(matches) > 1:
            raise AstraValidationError(option, "%d %ss of app %r are named %r (IDs %s); give the ID instead"
                                       % (len(matches), kind, app_name, ref, name_list(item.get("id") for item in matches)))
        point = matches[0]
        if require_completed and point.get("state") != "completed":
            raise AstraValidationError(option, "%s %r of app %r is %s, not completed; only a completed %s can be restored"
                                       % (kind, point.get("name"), app_name, point.get("state"), kind))
        return point

    def _replicated_snapshot_id(self, kind, app, option, items):
        """The ID of the snapshot the mirror whose source is `app` transferred last: one request (the app's mirrors)."""
        app_name = app.get("name")
        problem = restore_point_ref_problem(kind, LATEST_REPLICATED)
        if problem:
            raise AstraValidationError(option, problem)
        mirrors = [item for item in self.find_by_fields(APP_MIRRORS, [("sourceAppID", app.get("id"))], what="app mirrors")
                   if not AppMirror.parse(item, "app mirror %s" % item.get("id")).is_deleting]
        if not mirrors:
            raise AstraValidationError(option, "app %r is the source of no app mirror; %r means the snapshot its mirror "
                                       "replicated last" % (app_name, LATEST_REPLICATED))
        transfer = AppMirror.last_transfer(mirrors[0])
        if transfer is None:
            raise AstraValidationError(option, "the app mirror of %r (state %s, health %s) reports no completed transfer, so "
                                       "there is no replicated snapshot yet" % (app_name, mirrors[0].get("state"),
                                                                                mirrors[0].get("healthState")))
        if not any(item.get("id") == transfer["snapshotID"] for item in items):
            raise AstraValidationError(option, "snapshot %s, which the app mirror of %r replicated last (at %s), no longer "
                                       "exists: a newer transfer replaced it while this task ran; run it again"
                                       % (transfer["snapshotID"], app_name, transfer.get("completionTime")))
        return transfer["snapshotID"]

    @staticmethod
    def _describe_points(items):
        return name_list("%s (%s)" % (item.get("name"), item.get("state")) for item in newest_first(items))

    def account_backups(self):
        """Every backup of the account: one request to topology/v1/appBackups."""
        return self.client.list(ACCOUNT_BACKUPS, operation="List backups")

    def schedules(self, app):
        """Every schedule of an app (protection and replication): one request, [] for a predicted app."""
        if is_check_mode_id(app.get("id")):
            return []
        return self.client.list(schedules_path(app["id"]), operation="List schedules of app %s" % app.get("name"))

    def app_assets(self, app, kind=None, point=None):
        """The Kubernetes resources of an app, live or (kind 'snapshot'/'backup' and point) as the restore point captured them."""
        if is_check_mode_id(app.get("id")) or (point is not None and is_check_mode_id(point.get("id"))):
            return []
        if point is None:
            path, what = "%s/appAssets" % app_path(app["id"]), "app %s" % app.get("name")
        else:
            path = "%s/%s/appAssets" % (restore_points_path(kind, app["id"]), point["id"])
            what = "%s %s of app %s" % (kind, point.get("name"), app.get("name"))
        return self.client.list(path, operation="List the resources of %s" % what)

    # ------------------------------------------------------------ app mirrors

    def app_mirrors(self, state=None, shared=False):
        """Every app mirror (replication relationship) of the account, optionally only those in `state`: one request.

        shared: as for clusters(); never for a read that must see a change just made (a create's lookup after a lost
        answer reads its own list).
        """
        if shared and state is None:
            shared = self._shared_collection(APP_MIRRORS, "Look up app mirrors")
            if shared is not None:
                return shared
        return self.find_by_fields(APP_MIRRORS, [("state", state)], what="app mirrors")

    # ------------------------------------------------------------ clouds and API resources

    def cloud(self, cloud_id):
        """The cloud a cluster belongs to (GET topology/v1/clouds/<id>; in a run of kubedr.astra.astra_batch, from the
        clouds another run listed since this one started, as for cluster())."""
        shared = self._shared_collection(CLOUDS, "List clouds") or []
        cloud = next((item for item in shared if item.get("id") == cloud_id), None)
        if cloud is None:
            cloud = self.client.get("%s/%s" % (CLOUDS, cloud_id), operation="Read cloud %s" % cloud_id)
        Cloud.parse(cloud, "cloud %s" % cloud_id)
        return cloud

    def api_resources(self, cluster):
        """The group/version/kinds a managed cluster serves: one request."""
        return self.client.list("topology/v1/managedClusters/%s/apiResources" % cluster["id"],
                                operation="List the API resources of cluster %s" % cluster.get("name"))
