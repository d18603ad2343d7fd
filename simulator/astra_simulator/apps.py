"""Managed applications (`k8s/v2/apps`): manage, update, unmanage and their state machine.

manage (POST)            -> discovering --app.discover--> ready (namespaces filled) | failed (fail_next "app")
definition change (PUT)  -> discovering --app.discover--> ready
unmanage (DELETE)        -> deleting    --app.unmanage--> gone (with its snapshots, backups and schedules);
                            refused (119) while the app is the source or destination of an appMirror
cluster outage           ready <-> unavailable

Clone, restore to a new app (POST with a source) and in-place restore (PUT
with `ForceUpdate: true`) share these endpoints; `clones.py` implements them,
and `routes/apps.py` tells them from manage and update.
"""

from . import hooks, world
from .engine import on_timer
from .faults import consume_failure
from .labels import Selector, SelectorError, matches_all
from .problems import ApiProblem, reason
from .relations import forget_app, mirror_involving
from .resources import apply_labels, iso, new_id, new_metadata, public, state_detail, touch
from .schema import (DNS_1123, IDENTIFIER, METADATA_UPDATE, TIMESTAMP, Any, Arr, Obj, Str, envelope, validate)

VERSIONS = ("2.0", "2.1", "2.2")
STATES = ("pending", "discovering", "provisioning", "ready", "failed", "restoring", "unavailable", "unknown", "deleting")
BUSY_STATES = ("pending", "discovering", "provisioning", "restoring")

# As real ACC returns it, initial entries without "from" included.
STATE_TRANSITIONS = [
    {"to": ["pending"]},
    {"to": ["provisioning"]},
    {"from": "pending", "to": ["discovering", "failed"]},
    {"from": "discovering", "to": ["ready", "failed"]},
    {"from": "ready", "to": ["discovering", "restoring", "unavailable", "failed"]},
    {"from": "unavailable", "to": ["ready", "restoring"]},
    {"from": "provisioning", "to": ["discovering", "failed"]},
    {"from": "restoring", "to": ["discovering", "failed"]},
]

# Fields a PUT may carry but not change (409, problem 10).
IMMUTABLE_ON_UPDATE = ("id", "clusterID", "sourceAppID", "sourceClusterID", "namespaceMapping", "storageClassMapping",
                       "restoreFilter")

_SELECTORS = Arr(Str(), unique=True)
_NAMESPACE = Str(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", min_length=1, max_length=253)
NAMESPACE_SCOPED = Arr(Obj({"namespace": _NAMESPACE, "labelSelectors": _SELECTORS}, required=("namespace",)), unique=True)
CLUSTER_SCOPED = Arr(Obj({
    "GVK": Obj({"group": Str(), "version": Str(), "kind": Str()}, required=("group", "kind", "version")),
    "labelSelectors": _SELECTORS,
}, required=("GVK",)), unique=True)
NAMESPACE_MAPPING = Arr(Obj({"source": _NAMESPACE, "destination": _NAMESPACE}, required=("source", "destination")), unique=True)
STORAGE_CLASS_MAPPING = Arr(Obj({
    "source": Str(pattern=r"^(([a-z0-9]([-a-z0-9]*[a-z0-9])?)|(\*))$", min_length=1, max_length=63),
    "destination": DNS_1123,
}, required=("source", "destination")), unique=True)
RESTORE_FILTER = Obj({
    "resourceSelectionCriteria": Str(enum=["include", "exclude"]),
    "GVKN": Arr(Obj({
        "group": Str(), "version": Str(), "kind": Str(), "names": Arr(Str()), "namespaces": Arr(Str()),
        "labelSelectors": Arr(Str()),
    })),
}, required=("resourceSelectionCriteria", "GVKN"))

_COMMON = {
    **envelope("app", VERSIONS),
    "name": DNS_1123,
    "clusterScopedResources": CLUSTER_SCOPED,
    "namespaceScopedResources": NAMESPACE_SCOPED,
    "namespaceMapping": NAMESPACE_MAPPING,
    "storageClassMapping": STORAGE_CLASS_MAPPING,
    "clusterID": IDENTIFIER,
    "sourceAppID": IDENTIFIER,
    "sourceClusterID": IDENTIFIER,
    "backupID": IDENTIFIER,
    "snapshotID": IDENTIFIER,
    "restoreFilter": RESTORE_FILTER,
    "metadata": METADATA_UPDATE,
}
POST_SCHEMA = Obj(_COMMON, required=("type", "version", "name"))
PUT_SCHEMA = Obj({
    **_COMMON,
    "id": IDENTIFIER,
    "lastResourceCollectionTimestamp": TIMESTAMP,
    "state": Str(enum=list(STATES)),
    "stateTransitions": Any(),
    "stateDetails": Any(),
    "protectionState": Str(enum=["atRisk", "protected", "partial", "none"]),
    "protectionStateDetails": Any(),
    "appDetectedType": Str(enum=["system", "acc"]),
    "namespaces": Arr(Str()),
    "clusterName": Str(),
    "clusterType": Str(),
    "sourceClusterName": Str(),
    "replicationSourceAppID": IDENTIFIER,
}, required=("type", "version"))


# reading ------------------------------------------------------------------
def get(store, app_id, cluster_id=None):
    app = store.get("app", app_id)
    if app is None or (cluster_id and app["clusterID"] != cluster_id):
        return None
    return app


def listed(store, cluster_id=None, name=None):
    """The apps, or those of one cluster, or those of one name."""
    match = dict((key, value) for key, value in (("clusterID", cluster_id), ("name", name)) if value is not None)
    return store.all("app", **match)


def render(store, app, known=None):
    """The app as the API serves it; known: a dict the renders of one list share (clusters, account ID)."""
    known = {} if known is None else known
    if app["clusterID"] not in known:
        known[app["clusterID"]] = world.cluster(store, app["clusterID"]) or {}
    cluster = known[app["clusterID"]]
    doc = public(app)
    metadata = doc.pop("metadata")
    doc["clusterName"] = cluster.get("name")
    doc["clusterID"] = app["clusterID"]
    doc["clusterType"] = cluster.get("clusterType")
    if "account_id" not in known:
        known["account_id"] = store.setting("account_id")
    doc["links"] = _links(known["account_id"], app)
    doc["metadata"] = metadata
    return doc


def _links(account_id, app):
    base = "/accounts/%s" % account_id
    ready = app["state"] == "ready"

    def related(title, href, media, method):
        return {"rel": "related", "href": base + href, "type": "application/astra-%s" % media, "title": title,
                "hints": {"allow": [method] if ready else []}}
    app_path = "/k8s/v1/apps/%s" % app["id"]
    return [
        {"rel": "canonical", "href": "%s/topology/v2/managedClusters/%s/apps/%s" % (base, app["clusterID"], app["id"]),
         "type": "application/astra-app"},
        related("snapshot", app_path + "/appSnaps", "appSnap", "POST"),
        related("nonDisruptiveBackup", app_path + "/appBackups", "appBackup", "POST"),
        related("clone", "/k8s/v2/apps", "app", "POST"),
        related("restore", "/k8s/v2/apps", "app", "POST"),
        related("inPlaceRestore", "/k8s/v2/apps/%s" % app["id"], "app", "PUT"),
    ]


# definitions --------------------------------------------------------------
def _normalised_namespace_scope(entries):
    return [{"namespace": e["namespace"], "labelSelectors": list(e.get("labelSelectors", []))} for e in entries or []]


def _normalised_cluster_scope(entries):
    return [{"GVK": {k: e["GVK"][k] for k in ("group", "version", "kind")}, "labelSelectors": list(e.get("labelSelectors", []))}
            for e in entries or []]


def _selector_failures(entries, field):
    failures = []
    for i, entry in enumerate(entries):
        for j, text in enumerate(entry["labelSelectors"]):
            try:
                Selector(text)
            except SelectorError as error:
                failures.append(reason("%s[%d].labelSelectors[%d]" % (field, i, j), str(error)))
    return failures


def _check_definition(store, cluster, namespace_scope, cluster_scope):
    """Extended validation of an app definition against its cluster (problems 9, 122, 124)."""
    failures = []
    if not namespace_scope:
        failures.append(reason("namespaceScopedResources", "at least one namespace is required to define an app"))
    failures += _selector_failures(namespace_scope, "namespaceScopedResources")
    failures += _selector_failures(cluster_scope, "clusterScopedResources")
    for i, entry in enumerate(cluster_scope):
        gvk = entry["GVK"]
        described = "%s/%s %s" % (gvk["group"] or "core", gvk["version"], gvk["kind"])
        resource = world.find_api_resource(store, cluster["id"], gvk["group"], gvk["version"], gvk["kind"])
        if resource is None:
            failures.append(reason("clusterScopedResources[%d].GVK" % i, "%s isn't among the apiResources of cluster %s"
                                   % (described, cluster["name"])))
        elif resource["_namespaced"]:
            failures.append(reason("clusterScopedResources[%d].GVK" % i, "%s is namespace-scoped" % described))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    for entry in namespace_scope:
        namespace = world.namespace_by_name(store, cluster["id"], entry["namespace"])
        if namespace is None:
            raise ApiProblem(122, "The namespace %s wasn't found on cluster %s." % (entry["namespace"], cluster["name"]))
        if namespace["namespaceState"] == "removed":
            raise ApiProblem(124, "The namespace %s on cluster %s is in state removed." % (entry["namespace"], cluster["name"]))


def check_name_free(store, cluster, name, except_id=None):
    for other in store.all("app", clusterID=cluster["id"], name=name):
        if other["id"] != except_id:
            raise ApiProblem(121, "An app named %s is already managed on cluster %s (ID %s)." % (name, cluster["name"], other["id"]))


def selected_namespaces(store, app):
    """The namespaces the definition actually selects: whole namespaces, or those with a matching resource."""
    names = []
    for entry in app["namespaceScopedResources"]:
        namespace = world.namespace_by_name(store, app["clusterID"], entry["namespace"])
        if namespace is None or namespace["namespaceState"] != "discovered" or entry["namespace"] in names:
            continue
        selectors = [Selector(text) for text in entry["labelSelectors"]]
        objects = world.k8s_resources(store, app["clusterID"], entry["namespace"])
        if not selectors or any(matches_all(selectors, obj["labels"]) for obj in objects):
            names.append(entry["namespace"])
    return names


def _start_discovery(store, engine, app):
    app["state"] = "discovering"
    app["stateDetails"] = []
    engine.schedule("app.discover", "app.discover", app["id"], cluster_id=app["clusterID"],
                    args={"fail": consume_failure(store, "app")})


# operations ---------------------------------------------------------------
def manage(call, cluster_id_in_path=None):
    """POST k8s/v2/apps without a source: manage what the definition selects (201 discovering)."""
    store, body = call.store, call.body
    failure = validate(POST_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    cluster_id = body.get("clusterID")
    if cluster_id_in_path:
        if cluster_id and cluster_id != cluster_id_in_path:
            raise ApiProblem(9, invalid_fields=[reason("clusterID", "must be the cluster of the request URI")])
        cluster_id = cluster_id_in_path
    namespace_scope = _normalised_namespace_scope(body.get("namespaceScopedResources"))
    cluster_scope = _normalised_cluster_scope(body.get("clusterScopedResources"))
    if not cluster_id:
        missing = [reason("clusterID", "required to manage an app")]
        if not namespace_scope:
            missing.append(reason("namespaceScopedResources", "at least one namespace is required to define an app"))
        raise ApiProblem(9, invalid_fields=missing)
    cluster = world.cluster(store, cluster_id)
    if cluster is None:
        raise ApiProblem(106, "The cluster %s isn't found." % cluster_id)
    if not world.is_managed(cluster):
        raise ApiProblem(106, "The cluster %s (%s) isn't managed by Astra Control; manage it before managing apps on it."
                         % (cluster["name"], cluster_id))
    _check_definition(store, cluster, namespace_scope, cluster_scope)
    check_name_free(store, cluster, body["name"])
    app = {
        "type": "application/astra-app",
        "version": body["version"],
        "id": new_id(),
        "name": body["name"],
        "namespaceScopedResources": namespace_scope,
        "clusterScopedResources": cluster_scope,
        "state": "discovering",
        "lastResourceCollectionTimestamp": iso(),
        "stateTransitions": STATE_TRANSITIONS,
        "stateDetails": [],
        "protectionState": "none",
        "protectionStateDetails": [],
        "namespaces": [],
        "clusterID": cluster_id,
        "metadata": new_metadata(store.setting("user_id"), (body.get("metadata") or {}).get("labels")),
    }
    _start_discovery(store, call.engine, app)
    store.put("app", app)
    return app


def update(call, app):
    """PUT k8s/v2/apps/{id} without `ForceUpdate: true`: rename, relabel or redefine (204)."""
    store, body = call.store, call.body
    failure = validate(PUT_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    restore_points = [field for field in ("snapshotID", "backupID") if field in body and body[field] != app.get(field)]
    if restore_points:
        raise ApiProblem(79, "An in-place restore (%s) needs the header ForceUpdate: true." % " / ".join(restore_points))
    conflicts = [reason(field, "can't be changed (stored value: %s)" % app.get(field))
                 for field in IMMUTABLE_ON_UPDATE if field in body and body[field] != app.get(field)]
    if conflicts:
        raise ApiProblem(10, invalid_fields=conflicts)
    if app["state"] == "deleting":
        raise ApiProblem(112, "The app %s is being unmanaged." % app["name"])
    cluster = world.cluster(store, app["clusterID"])
    name = body.get("name", app["name"])
    if name != app["name"]:
        check_name_free(store, cluster, name, except_id=app["id"])
    namespace_scope = (_normalised_namespace_scope(body["namespaceScopedResources"]) if "namespaceScopedResources" in body
                       else app["namespaceScopedResources"])
    cluster_scope = (_normalised_cluster_scope(body["clusterScopedResources"]) if "clusterScopedResources" in body
                     else app["clusterScopedResources"])
    redefined = namespace_scope != app["namespaceScopedResources"] or cluster_scope != app["clusterScopedResources"]
    if redefined:
        _check_definition(store, cluster, namespace_scope, cluster_scope)
        if app["state"] != "ready":
            raise ApiProblem(112, "The app %s is %s; its definition can change only while it is ready." % (app["name"], app["state"]))
    app["name"] = name
    app["namespaceScopedResources"] = namespace_scope
    app["clusterScopedResources"] = cluster_scope
    apply_labels(app, body)
    if redefined:
        _start_discovery(store, call.engine, app)
    touch(app, store.setting("user_id"))
    store.put("app", app)


def unmanage(call, app):
    if app["state"] == "deleting":
        return
    mirror = mirror_involving(call.store, app["id"])
    if mirror:
        raise ApiProblem(119, "The app %s is the %s of the AppMirror %s (%s); delete the relationship first." % (
            app["name"], "source" if mirror["sourceAppID"] == app["id"] else "destination", mirror["id"], mirror["state"]))
    if app["state"] in BUSY_STATES:
        raise ApiProblem(112, "The app %s is %s; it can be unmanaged once that finishes." % (app["name"], app["state"]))
    app["state"] = "deleting"
    app["stateDetails"] = []
    touch(app, call.store.setting("user_id"))
    call.store.put("app", app)
    call.engine.cancel(app["id"])
    call.engine.schedule("app.unmanage", "app.unmanage", app["id"])


# timed transitions --------------------------------------------------------
@on_timer("app.discover")
def _discovered(store, engine, timer):
    app = store.get("app", timer["object_id"])
    if app is None or app["state"] != "discovering":
        return
    if timer["args"].get("fail"):
        app["state"] = "failed"
        app["stateDetails"] = [state_detail("discoveryFailed", "Discovery failed",
                                            "Discovery of the app failed (failure injected with fail_next).")]
    else:
        app["state"] = "ready"
        app["stateDetails"] = []
        app["namespaces"] = selected_namespaces(store, app)
        app["lastResourceCollectionTimestamp"] = iso()
    touch(app)
    store.put("app", app)
    post_restore = timer["args"].get("postRestoreHooks")
    if post_restore and app["state"] == "ready":
        # A restore or clone ends: the post-restore hooks of the app restored from run on the restored app.
        hooks.run(store, post_restore["appID"], app, "restore", "post", post_restore["operation"])


@on_timer("app.unmanage")
def _unmanaged(store, engine, timer):
    forget_app(store, timer["object_id"])
    store.delete(timer["object_id"])


# cluster outages ----------------------------------------------------------
def cluster_unreachable(store, cluster):
    for app in listed(store, cluster["id"]):
        if app["state"] == "ready":
            app["state"] = "unavailable"
            app["stateDetails"] = [world.outage_detail(cluster["name"])]
            touch(app)
            store.put("app", app)


def cluster_reachable(store, cluster):
    for app in listed(store, cluster["id"]):
        if app["state"] == "unavailable":
            app["state"] = "ready"
            app["stateDetails"] = []
            touch(app)
            store.put("app", app)
