"""AppMirror replication (`k8s/v1/appMirrors`, also under `k8s/v1/apps/{id}/appMirrors`).

create (POST)             -> establishing (the destination app exists at once: same name, replicationSourceAppID,
                             only PVCs) --appMirror.establish--> established (baseline transfer done, health normal)
replication schedule      each firing while established: a replication snapshot of the source app, transferring
                             --appMirror.transfer--> idle (health normal) | failed (health critical: fail_next
                             "appMirror", or a cluster unreachable)
failover (PUT failedOver) -> failingOver --appMirror.failover--> failedOver (destination app running from the last
                             transferred snapshot, no replicationSourceAppID, source protection schedules copied);
                             needs only the destination cluster
resync (PUT established from failedOver, IDs unchanged or swapped) and reverse (PUT established from established,
IDs swapped)              -> establishing: the new destination's workloads are removed (PVCs kept) and it gets
                             replicationSourceAppID (a reverse first brings the old destination online from a final
                             snapshot of the old source) --appMirror.resync--> established (baseline transfer)
delete (DELETE)           -> deleting --appMirror.delete--> gone; both apps stay managed, without replicationSourceAppID

Mirror timers are not tied to a cluster: a step that needs an unreachable cluster re-arms itself on that cluster
(due at once), so it fires when the outage ends. Replication snapshots are ordinary completed appSnaps of the
source app labelled `triggerType: replication`; the one last transferred (and one in transfer) can't be deleted
(403 problem 120); older ones are removed once a newer one is transferred, all of them when the mirror is gone.
"""

import time

from . import apps, assets, hooks, schedules, world
from .engine import on_timer
from .faults import consume_failure
from .problems import ApiProblem, reason
from .protection import SNAP_VERSIONS, TRIGGER_LABEL, timestamp_suffix
from .relations import mirror_involving, mirrors_of, transferring
from .resources import NIL_UUID, apply_labels, iso, new_id, new_metadata, public, state_detail, touch
from .schema import IDENTIFIER, METADATA_UPDATE, Any, Arr, Obj, Str, envelope, validate

VERSIONS = ("1.0", "1.1")
STATES = ("establishing", "established", "failingOver", "failedOver", "deleting", "deleted")
ID_FIELDS = ("sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID")
ECONOMY = "ontap-nas-economy"
REPLICATION = "replication"

STATE_TRANSITIONS = [
    {"from": "establishing", "to": ["established", "deleting"]},
    {"from": "established", "to": ["failingOver", "deleting"]},
    {"from": "failingOver", "to": ["failedOver", "deleting"]},
    {"from": "failedOver", "to": ["establishing", "deleting"]},
    {"from": "deleting", "to": ["deleted"]},
]
STATE_ALLOWED = {
    "establishing": ["established", "deleted"],
    "established": ["failedOver", "deleted"],
    "failingOver": ["failedOver", "deleted"],
    "failedOver": ["established", "deleted"],
    "deleting": ["deleted"],
}
TRANSFER_STATE_TRANSITIONS = [{"from": "transferring", "to": ["idle"]}, {"from": "idle", "to": ["transferring"]}]
HEALTH_STATE_TRANSITIONS = [
    {"from": "indeterminate", "to": ["normal", "warning", "critical"]},
    {"from": "normal", "to": ["indeterminate", "warning", "critical"]},
    {"from": "warning", "to": ["indeterminate", "normal", "critical"]},
    {"from": "critical", "to": ["indeterminate", "normal", "warning"]},
]


def _detail(number, title, detail, **additional):
    entry = {"type": "https://astra.netapp.io/stateDetails/%d" % number, "title": title, "detail": detail}
    if additional:
        entry["additionalDetails"] = additional
    return entry


COMPLETED_TRANSFER = "https://astra.netapp.io/stateDetails/24"
ESTABLISHED = _detail(1, "AppMirror relationship established", "The AppMirror relationship has been successfully established.")
ESTABLISHING = _detail(3, "AppMirror is being established",
                       "The AppMirror relationship is in the process of being established.")
SYNCING = _detail(2, "SnapMirror syncing successfully", "All SnapMirror relationships are synchronizing as expected.")
NOT_YET = _detail(4, "AppMirror not yet established",
                  "The AppMirror relationship is not protecting the app data yet because the relationship is in the "
                  "process of being established.")

_NAMESPACE = Str(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", min_length=1, max_length=63)
_ROLE = Str(enum=["source", "destination"])
NAMESPACE_MAPPING = Arr(Obj({"clusterID": IDENTIFIER, "namespaces": Arr(_NAMESPACE, unique=True), "role": _ROLE}),
                        unique=True, max_items=2)
STORAGE_CLASSES = Arr(Obj({"clusterID": IDENTIFIER, "storageClassName": Str(min_length=1, max_length=255), "role": _ROLE}),
                      unique=True, max_items=2)
_COMMON = {
    **envelope("appMirror", VERSIONS),
    "sourceAppID": IDENTIFIER,
    "destinationClusterID": IDENTIFIER,
    "namespaceMapping": NAMESPACE_MAPPING,
    "storageClasses": STORAGE_CLASSES,
    "stateDesired": Str(enum=["established", "failedOver", "deleted"]),
    "metadata": METADATA_UPDATE,
}
# destinationAppID isn't in the create schema; it is accepted here so that sending it is problem 9, not 8.
POST_SCHEMA = Obj({**_COMMON, "destinationAppID": IDENTIFIER},
                  required=("type", "version", "sourceAppID", "destinationClusterID", "stateDesired"))
PUT_SCHEMA = Obj({
    **_COMMON,
    "id": IDENTIFIER,
    "sourceClusterID": IDENTIFIER,
    "destinationAppID": IDENTIFIER,
    "state": Str(enum=list(STATES)),
    "stateTransitions": Any(), "stateAllowed": Any(), "stateDetails": Any(),
    "transferState": Str(enum=["transferring", "idle"]), "transferStateTransitions": Any(), "transferStateDetails": Any(),
    "healthState": Str(enum=["indeterminate", "normal", "warning", "critical"]), "healthStateTransitions": Any(),
    "healthStateDetails": Any(),
}, required=("type", "version"))
FIELDS = ("type", "version", "id", "sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID",
          "namespaceMapping", "storageClasses", "state", "stateTransitions", "stateDesired", "stateAllowed", "stateDetails",
          "transferState", "transferStateTransitions", "transferStateDetails", "healthState", "healthStateTransitions",
          "healthStateDetails", "metadata")


# reading ------------------------------------------------------------------
def listed(store, app_id=None):
    return store.all("appMirror") if app_id is None else mirrors_of(store, app_id)


def namespace_mapping(mirror):
    """The public namespaceMapping: the current source's object first, roles when the create used them."""
    mapping = []
    for role, app_field, cluster_field in (("source", "sourceAppID", "sourceClusterID"),
                                           ("destination", "destinationAppID", "destinationClusterID")):
        entry = {"clusterID": mirror[cluster_field], "namespaces": list(mirror["_namespaces"][mirror[app_field]])}
        if mirror.get("_roles"):
            entry["role"] = role
        mapping.append(entry)
    return mapping


def render(mirror):
    doc = public(mirror)
    doc["namespaceMapping"] = namespace_mapping(mirror)
    return {name: doc[name] for name in FIELDS if name in doc}


# state --------------------------------------------------------------------
def _not_protecting(mirror, why):
    return state_detail("notProtecting", "AppMirror not protecting the app", why)


def _set_state(store, mirror, state):
    """State, stateAllowed, stateDetails and the health that goes with the state."""
    mirror["state"] = state
    mirror["stateAllowed"] = list(STATE_ALLOWED[state])
    source = world.cluster(store, mirror["sourceClusterID"]) or {}
    destination = world.cluster(store, mirror["destinationClusterID"]) or {}
    if state == "establishing":
        mirror["stateDetails"] = [dict(ESTABLISHING)]
        mirror["healthState"], mirror["healthStateDetails"] = "warning", [dict(NOT_YET)]
    elif state == "established":
        mirror["stateDetails"] = [dict(ESTABLISHED)]
        mirror["healthState"], mirror["healthStateDetails"] = "normal", [dict(SYNCING)]
    elif state == "failingOver":
        mirror["stateDetails"] = [state_detail("failingOver", "AppMirror failing over",
                                               "The app is failing over to cluster %s." % destination.get("name"))]
        mirror["healthState"] = "warning"
        mirror["healthStateDetails"] = [_not_protecting(mirror, "The AppMirror relationship is failing over: replication "
                                                        "from cluster %s has stopped." % source.get("name"))]
    elif state == "failedOver":
        mirror["stateDetails"] = [state_detail("failedOver", "AppMirror failed over",
                                               "The app runs on cluster %s from the last replicated snapshot."
                                               % destination.get("name"))]
        mirror["healthState"] = "warning"
        mirror["healthStateDetails"] = [_not_protecting(mirror, "The AppMirror relationship is failed over: the app on "
                                                        "cluster %s isn't replicated; resync to protect it again."
                                                        % destination.get("name"))]
    elif state == "deleting":
        mirror["stateDetails"] = [state_detail("deleting", "AppMirror being deleted",
                                               "The AppMirror relationship is being deleted.")]
        mirror["healthState"] = "warning"
        mirror["healthStateDetails"] = [_not_protecting(mirror, "The AppMirror relationship is being deleted.")]
    touch(mirror)


def _defer(store, engine, timer, *cluster_ids):
    """Re-arm the timer on the first unreachable cluster (it fires when that outage ends); True if deferred."""
    for cluster_id in cluster_ids:
        if world.is_unreachable(store, cluster_id):
            engine.schedule_at(timer["action"], time.time(), timer["object_id"], cluster_id=cluster_id, args=timer["args"])
            return True
    return False


# the Kubernetes side ----------------------------------------------------------
def _class_for(store, mirror_or_body, cluster_id, role):
    """The storage class name for new PVCs on a cluster: the storageClasses entry for it, else its default class."""
    for entry in mirror_or_body.get("storageClasses") or []:
        if entry.get("clusterID") == cluster_id and entry.get("role", role) == role:
            return entry["storageClassName"]
    default = world.default_storage_class(store, cluster_id)
    return default["name"] if default else None


def _same_object(store, cluster_id, namespace, kind, name):
    return any(obj["namespace"] == namespace and obj["kind"] == kind and obj["name"] == name
               for obj in world.k8s_resources(store, cluster_id, namespace))


def _ensure_namespace(store, cluster_id, name, labels):
    found = world.namespace_by_name(store, cluster_id, name)
    if found is None or found["namespaceState"] != "discovered":
        world.create_namespace(store, cluster_id, name, labels)


def _copy_object(store, cluster_id, obj, namespace, class_name=None):
    copy = {key: value for key, value in obj.items() if key not in ("id", "clusterID", "creationTimestamp")}
    copy["namespace"] = namespace
    if obj["kind"] == world.PVC and class_name:
        copy["storageClassName"] = class_name
    world.create_k8s_resource(store, cluster_id, copy)


def _bring_online(store, mirror, app, snapshot, role):
    """Create the app's missing objects from a replication snapshot's capture (PVCs already there are kept)."""
    ns_map = dict(zip(mirror["_namespaces"][snapshot["_appID"]], mirror["_namespaces"][app["id"]]))
    cluster_id = app["clusterID"]
    class_name = _class_for(store, mirror, cluster_id, role)
    for obj in snapshot["_assets"]:
        if obj["namespace"] is None:
            if cluster_id != snapshot["_clusterID"] and not _same_object(store, cluster_id, None, obj["kind"], obj["name"]):
                _copy_object(store, cluster_id, obj, None)
            continue
        namespace = ns_map.get(obj["namespace"])
        if namespace is None:
            continue
        _ensure_namespace(store, cluster_id, namespace, snapshot["_namespaceLabels"].get(obj["namespace"]))
        if not _same_object(store, cluster_id, namespace, obj["kind"], obj["name"]):
            _copy_object(store, cluster_id, obj, namespace, class_name)
    app["lastResourceCollectionTimestamp"] = iso()


def _stop_workloads(store, app):
    """A side becoming a destination: its namespaced objects are removed, its PVCs kept."""
    for obj in assets.app_resources(store, app):
        if obj["namespace"] is not None and obj["kind"] != world.PVC:
            store.delete(obj["id"])
    app["lastResourceCollectionTimestamp"] = iso()


def _save_app(store, app):
    touch(app)
    store.put("app", app)


# replication snapshots and transfers ----------------------------------------------
def _replication_snapshot(store, mirror, app, schedule_id=None):
    """A completed snapshot of the app, labelled as a replication snapshot of the mirror."""
    taken = {s["name"] for s in store.all("appSnap", _appID=app["id"])}
    name = base = "replication-%s-%s" % (mirror["id"][:5], timestamp_suffix())
    n = 1
    while name in taken:
        n += 1
        name = "%s-%d" % (base, n)
    now = iso()
    snap = {
        "type": "application/astra-appSnap", "version": SNAP_VERSIONS[-1], "id": new_id(), "name": name,
        "snapshotAppAsset": new_id(), "state": "completed", "stateUnready": [], "stateDetails": [], "hookState": "success",
        "hookStateDetails": [], "snapshotCreationTimestamp": now,
        "metadata": new_metadata(NIL_UUID, [{"name": TRIGGER_LABEL, "value": REPLICATION}]),
        **assets.capture(store, app),
        "_mirrorID": mirror["id"],
    }
    if schedule_id:
        snap["scheduleID"] = schedule_id
    return store.put("appSnap", snap)


def _prune(store, mirror):
    """Replication snapshots of the mirror that are neither the last transferred nor in transfer go."""
    for snap in store.all("appSnap", _mirrorID=mirror["id"]):
        if snap["id"] != mirror.get("_lastSnapshotID") and not transferring(mirror, snap["id"]):
            store.delete(snap["id"])


def _drop_transfer(store, mirror):
    transfer = mirror.pop("_transfer", None)
    if transfer:
        store.delete(transfer["snapshotID"])
    mirror["transferState"] = "idle"


def _transferred(store, mirror, snap, started):
    destination = world.cluster(store, mirror["destinationClusterID"]) or {}
    mirror["_lastSnapshotID"] = snap["id"]
    mirror["transferState"] = "idle"
    mirror["transferStateDetails"] = [_detail(
        24, "Snapshot replication completed",
        "The snapshot %s was replicated to cluster %s." % (snap["name"], destination.get("name")),
        snapshotID=snap["id"], startTime=iso(started), completionTime=iso())]
    _prune(store, mirror)


def _transfer_failed(store, mirror, why, snap=None):
    last = store.get("appSnap", mirror.get("_lastSnapshotID") or "")
    detail = "The latest snapshot failed to replicate: %s. The last replicated snapshot is %s." % (
        why, last["name"] if last else "none")
    extra = {"snapshotID": snap["id"], "failureTime": iso()} if snap else {"failureTime": iso()}
    mirror["transferState"] = "idle"
    # The detail of the last completed transfer stays, so clients can still tell which snapshot the destination holds.
    completed = [entry for entry in mirror.get("transferStateDetails") or [] if entry.get("type") == COMPLETED_TRANSFER]
    mirror["transferStateDetails"] = completed + [state_detail("replicationFailed", "Snapshot replication failed", detail,
                                                               **extra)]
    mirror["healthState"] = "critical"
    mirror["healthStateDetails"] = [state_detail("replicationFailed", "Snapshot replication failed", detail)]
    touch(mirror)


def _unreachable(store, mirror):
    for field in ("sourceClusterID", "destinationClusterID"):
        if world.is_unreachable(store, mirror[field]):
            return "cluster %s can't be reached" % (world.cluster(store, mirror[field]) or {}).get("name")
    return None


def scheduled_transfer(store, engine, schedule, app):
    """One firing of a replication schedule on `app`: a transfer of the established mirror whose source it is."""
    mirror = next((m for m in listed(store, app["id"]) if m["sourceAppID"] == app["id"] and m["state"] == "established"),
                  None)
    if mirror is None or mirror.get("_transfer"):
        return None
    why = _unreachable(store, mirror)
    if why:
        _transfer_failed(store, mirror, why)
        store.put("appMirror", mirror)
        return None
    if app["state"] != "ready":
        return None
    snap = _replication_snapshot(store, mirror, app, schedule_id=schedule["id"])
    mirror["_transfer"] = {"snapshotID": snap["id"], "started": time.time(), "fail": consume_failure(store, "appMirror")}
    mirror["transferState"] = "transferring"
    touch(mirror)
    store.put("appMirror", mirror)
    engine.schedule("appMirror.transfer", "appMirror.transfer", mirror["id"])
    return snap


# create ---------------------------------------------------------------------
def _namespace_lists(body, source, source_cluster, destination_cluster):
    """(source namespaces, destination namespaces, roles given): correlated by index (problem 9 when malformed)."""
    same = source_cluster["id"] == destination_cluster["id"]
    app_namespaces = list(source["namespaces"])
    mapping = body.get("namespaceMapping") or []
    if not mapping:
        if same:
            raise ApiProblem(9, invalid_fields=[reason("namespaceMapping", "same-cluster replication needs a namespaceMapping "
                                                       "with different destination namespaces")])
        return app_namespaces, list(app_namespaces), False
    failures = []
    roles = any("role" in entry for entry in mapping)
    by_side = {}
    for i, entry in enumerate(mapping):
        where = "namespaceMapping[%d]" % i
        if entry.get("clusterID") not in (source_cluster["id"], destination_cluster["id"]):
            failures.append(reason(where + ".clusterID", "must be the source cluster %s or the destination cluster %s"
                                   % (source_cluster["id"], destination_cluster["id"])))
            continue
        if "namespaces" not in entry or not entry["namespaces"]:
            failures.append(reason(where + ".namespaces", "required: the namespaces on cluster %s" % entry["clusterID"]))
            continue
        if same:
            if "role" not in entry:
                failures.append(reason(where + ".role", "required (source or destination) for same-cluster replication"))
                continue
            side = entry["role"]
        else:
            side = "source" if entry["clusterID"] == source_cluster["id"] else "destination"
            if entry.get("role", side) != side:
                failures.append(reason(where + ".role", "the object of cluster %s has the role %s" % (entry["clusterID"], side)))
                continue
        if side in by_side:
            failures.append(reason(where, "there must be exactly one object for the %s side" % side))
            continue
        by_side[side] = list(entry["namespaces"])
    if not failures:
        if set(by_side) != {"source", "destination"}:
            failures.append(reason("namespaceMapping", "needs exactly one object for the source cluster and one for the "
                                   "destination cluster"))
        elif len(by_side["source"]) != len(by_side["destination"]):
            failures.append(reason("namespaceMapping", "the source and destination namespace lists are correlated by index "
                                   "and must have the same length"))
        elif sorted(by_side["source"]) != sorted(app_namespaces):
            failures.append(reason("namespaceMapping", "the source namespaces must be the namespaces of app %s (%s)"
                                   % (source["name"], ", ".join(app_namespaces))))
        elif same and set(by_side["source"]) & set(by_side["destination"]):
            failures.append(reason("namespaceMapping", "same-cluster replication needs different destination namespaces"))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    return by_side["source"], by_side["destination"], roles


def _check_storage_classes(store, body, source_cluster, destination_cluster):
    failures = []
    for i, entry in enumerate(body.get("storageClasses") or []):
        where = "storageClasses[%d]" % i
        if entry.get("clusterID") not in (source_cluster["id"], destination_cluster["id"]):
            failures.append(reason(where + ".clusterID", "must be the source cluster %s or the destination cluster %s"
                                   % (source_cluster["id"], destination_cluster["id"])))
        if "storageClassName" not in entry:
            failures.append(reason(where + ".storageClassName", "required"))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    for entry in body.get("storageClasses") or []:
        cluster = source_cluster if entry["clusterID"] == source_cluster["id"] else destination_cluster
        found = world.storage_class_by_name(store, cluster["id"], entry["storageClassName"])
        if found is None:
            raise ApiProblem(118, "The storage class %s doesn't exist on cluster %s." % (entry["storageClassName"], cluster["name"]))
        if found["_backendType"] == ECONOMY:
            raise ApiProblem(150, "The storage class %s on cluster %s is on an %s backend, which can't replicate."
                             % (found["name"], cluster["name"], ECONOMY))


def _check_source_classes(store, source, source_cluster):
    classes = {}
    for obj in assets.app_resources(store, source):
        if obj["kind"] == world.PVC:
            classes.setdefault(obj["storageClassName"], []).append("%s/%s" % (obj["namespace"], obj["name"]))
    if len(classes) > 1:
        raise ApiProblem(150, "The app %s uses more than one storage class (%s); replication needs a single storage class."
                         % (source["name"], "; ".join("%s: %s" % (name, ", ".join(pvcs)) for name, pvcs in sorted(classes.items()))))
    for name, pvcs in classes.items():
        found = world.storage_class_by_name(store, source_cluster["id"], name)
        if found is not None and found["_backendType"] == ECONOMY:
            raise ApiProblem(150, "The app %s uses the storage class %s (%s backend), which can't replicate."
                             % (source["name"], name, ECONOMY))


def _check_namespaces_free(store, cluster, names, except_app_id):
    owners = {}
    for other in apps.listed(store, cluster["id"]):
        if other["id"] == except_app_id:
            continue
        for name in list(other.get("namespaces") or []) + [e["namespace"] for e in other["namespaceScopedResources"]]:
            owners.setdefault(name, other["name"])
        for namespace in (other.get("_plan") or {}).get("namespaces", []):
            owners.setdefault(namespace["name"], other["name"])
    for name in names:
        if name in owners:
            raise ApiProblem(123, "The namespace %s on cluster %s belongs to the managed app %s." % (name, cluster["name"], owners[name]))
        found = world.namespace_by_name(store, cluster["id"], name)
        if found is not None and found["namespaceState"] == "discovered" and world.k8s_resources(store, cluster["id"], name):
            raise ApiProblem(123, "The namespace %s already exists on cluster %s and holds resources; a mirror's destination "
                             "namespaces must be new or empty." % (name, cluster["name"]))


def create(call, app_in_path=None):
    """POST k8s/v1/appMirrors (or the per-app path): 201 establishing, with the destination app created at once."""
    store, body = call.store, call.body
    failure = validate(POST_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    invalid = []
    if "destinationAppID" in body:
        invalid.append(reason("destinationAppID", "can't be given on create: the destination app is created by the relationship"))
    if body["stateDesired"] != "established":
        invalid.append(reason("stateDesired", "must be established on create, not %s" % body["stateDesired"]))
    if app_in_path is not None and body["sourceAppID"] != app_in_path["id"]:
        invalid.append(reason("sourceAppID", "must be the app of the request URI (%s)" % app_in_path["id"]))
    if invalid:
        raise ApiProblem(9, invalid_fields=invalid)
    source = store.get("app", body["sourceAppID"])
    if source is None:
        raise ApiProblem(117, "The source app %s wasn't found." % body["sourceAppID"])
    destination_cluster = world.cluster(store, body["destinationClusterID"])
    if destination_cluster is None:
        raise ApiProblem(106, "The cluster %s isn't found." % body["destinationClusterID"])
    if not world.is_managed(destination_cluster):
        raise ApiProblem(106, "The cluster %s (%s) isn't managed by Astra Control."
                         % (destination_cluster["name"], destination_cluster["id"]))
    source_cluster = world.cluster(store, source["clusterID"])
    if source["state"] != "ready":
        raise ApiProblem(112, "The app %s is %s; it can be replicated only while it is ready." % (source["name"], source["state"]))
    existing = mirror_involving(store, source["id"])
    if existing:
        raise ApiProblem(150, "The app %s is already the %s of the AppMirror %s (%s)." % (
            source["name"], "source" if existing["sourceAppID"] == source["id"] else "destination", existing["id"],
            existing["state"]))
    if world.is_unreachable(store, destination_cluster["id"]):
        raise ApiProblem(150, "The destination cluster %s can't be reached." % destination_cluster["name"])
    _check_source_classes(store, source, source_cluster)
    source_namespaces, destination_namespaces, roles = _namespace_lists(body, source, source_cluster, destination_cluster)
    _check_storage_classes(store, body, source_cluster, destination_cluster)
    class_name = _class_for(store, body, destination_cluster["id"], "destination")
    if class_name is None:
        raise ApiProblem(118, "No storage class was given for cluster %s, which has no default storage class."
                         % destination_cluster["name"])
    apps.check_name_free(store, destination_cluster, source["name"], except_id=source["id"])
    _check_namespaces_free(store, destination_cluster, destination_namespaces, source["id"])

    user = store.setting("user_id")
    ns_map = dict(zip(source_namespaces, destination_namespaces))
    destination = {
        "type": "application/astra-app", "version": source["version"], "id": new_id(), "name": source["name"],
        "namespaceScopedResources": [{"namespace": ns_map[e["namespace"]], "labelSelectors": list(e["labelSelectors"])}
                                     for e in source["namespaceScopedResources"] if e["namespace"] in ns_map],
        "clusterScopedResources": [dict(e) for e in source["clusterScopedResources"]],
        "state": "ready", "lastResourceCollectionTimestamp": iso(), "stateTransitions": apps.STATE_TRANSITIONS,
        "stateDetails": [], "protectionState": "none", "protectionStateDetails": [],
        "namespaces": list(destination_namespaces), "clusterID": destination_cluster["id"],
        "replicationSourceAppID": source["id"], "metadata": new_metadata(user),
    }
    for name in source_namespaces:
        _ensure_namespace(store, destination_cluster["id"], ns_map[name],
                          world.namespace_labels(store, source_cluster["id"], name))
    for obj in assets.app_resources(store, source):
        if obj["kind"] == world.PVC and obj["namespace"] in ns_map:
            _copy_object(store, destination_cluster["id"], obj, ns_map[obj["namespace"]], class_name)
    store.put("app", destination)

    mirror = {
        "type": "application/astra-appMirror", "version": body["version"], "id": new_id(),
        "sourceAppID": source["id"], "sourceClusterID": source_cluster["id"],
        "destinationAppID": destination["id"], "destinationClusterID": destination_cluster["id"],
        "stateTransitions": STATE_TRANSITIONS, "stateDesired": "established",
        "transferState": "idle", "transferStateTransitions": TRANSFER_STATE_TRANSITIONS, "transferStateDetails": [],
        "healthStateTransitions": HEALTH_STATE_TRANSITIONS,
        "metadata": new_metadata(user, (body.get("metadata") or {}).get("labels")),
        "_namespaces": {source["id"]: list(source_namespaces), destination["id"]: list(destination_namespaces)},
        "_roles": roles, "_started": time.time(),
    }
    if body.get("storageClasses"):
        mirror["storageClasses"] = body["storageClasses"]
    _set_state(store, mirror, "establishing")
    store.put("appMirror", mirror)
    call.engine.schedule("appMirror.establish", "appMirror.establish", mirror["id"])
    return mirror


# update ---------------------------------------------------------------------
def _ids(mirror):
    return {field: mirror[field] for field in ID_FIELDS}


def _swapped(mirror):
    return {"sourceAppID": mirror["destinationAppID"], "sourceClusterID": mirror["destinationClusterID"],
            "destinationAppID": mirror["sourceAppID"], "destinationClusterID": mirror["sourceClusterID"]}


def _compare_ids(mirror, given):
    """None (no IDs given), False (unchanged) or True (an exact swap); 409 problem 10 otherwise."""
    if not given:
        return None
    current, swapped = _ids(mirror), _swapped(mirror)
    if all(current[f] == value for f, value in given.items()):
        return False
    if all(swapped[f] == value for f, value in given.items()):
        if len(given) < len(ID_FIELDS):
            raise ApiProblem(10, "Swapping source and destination needs all four IDs.",
                             invalid_fields=[reason(f, "missing from a swap of source and destination")
                                             for f in ID_FIELDS if f not in given])
        return True
    failures = []
    members = set(current.values())
    for field, value in given.items():
        if value not in members:
            failures.append(reason(field, "%s isn't an app or cluster of this relationship" % value))
        elif value not in (current[field], swapped[field]):
            failures.append(reason(field, "%s doesn't fit: the IDs may only stay as they are or swap source with "
                                   "destination, and each cluster ID must be the cluster of its app" % value))
    if not failures:
        failures = [reason(field, "mixes unchanged and swapped IDs (stored: %s)" % current[field]) for field in given]
    raise ApiProblem(10, "The IDs must stay as they are or swap source and destination entirely.", invalid_fields=failures)


def _not_allowed(mirror, desired, why=None):
    return ApiProblem(10, "The AppMirror is %s; stateDesired %s can't be requested now." % (mirror["state"], desired),
                      invalid_fields=[reason("stateDesired", why or "%s isn't in stateAllowed (%s)"
                                             % (desired, ", ".join(mirror["stateAllowed"])))])


def update(call, mirror):
    """PUT: failover, resync, reverse, delete, or labels; answers 200 with the mirror."""
    store, engine, body = call.store, call.engine, call.body
    failure = validate(PUT_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    conflicts = []
    if "id" in body and body["id"] != mirror["id"]:
        conflicts.append(reason("id", "can't be changed (stored value: %s)" % mirror["id"]))
    if "namespaceMapping" in body and body["namespaceMapping"] != namespace_mapping(mirror):
        conflicts.append(reason("namespaceMapping", "can't be changed after the relationship is created"))
    if "storageClasses" in body and (body["storageClasses"] or []) != (mirror.get("storageClasses") or []):
        conflicts.append(reason("storageClasses", "can't be changed after the relationship is created"))
    if conflicts:
        raise ApiProblem(10, invalid_fields=conflicts)
    given = {field: body[field] for field in ID_FIELDS if field in body}
    desired = body.get("stateDesired", mirror["stateDesired"])
    state = mirror["state"]
    if desired == "established" and state == "failedOver":
        missing = [field for field in ID_FIELDS if field not in body]
        if missing:
            raise ApiProblem(9, "A resync needs sourceAppID, sourceClusterID, destinationAppID and destinationClusterID.",
                             invalid_fields=[reason(field, "required to resync") for field in missing])
    swap = _compare_ids(mirror, given)
    action = None
    if desired == "deleted":
        if swap:
            raise _not_allowed(mirror, desired, "a delete doesn't swap source and destination")
        action = "delete"
    elif desired == "failedOver":
        if swap:
            raise _not_allowed(mirror, desired, "a failover doesn't swap source and destination")
        if state == "established":
            action = "failover"
        elif state not in ("failingOver", "failedOver"):      # a repeat is a no-op
            raise _not_allowed(mirror, desired)
    elif state == "failedOver":
        action = "resync"
    elif state == "established" and swap:
        action = "reverse"
    elif state not in ("establishing", "established"):
        raise _not_allowed(mirror, desired)
    elif swap:
        raise _not_allowed(mirror, desired, "source and destination can't be swapped while the relationship is establishing")
    apply_labels(mirror, body)
    if action == "delete":
        start_delete(store, engine, mirror)
    elif action == "failover":
        engine.cancel(mirror["id"])
        _drop_transfer(store, mirror)
        mirror["stateDesired"] = "failedOver"
        _set_state(store, mirror, "failingOver")
        engine.schedule("appMirror.failover", "appMirror.failover", mirror["id"])
    elif action in ("resync", "reverse"):
        engine.cancel(mirror["id"])
        _drop_transfer(store, mirror)
        if swap:
            mirror.update(_swapped(mirror))
        mirror["stateDesired"] = "established"
        mirror["_started"] = time.time()
        _set_state(store, mirror, "establishing")
        engine.schedule_at("appMirror.stop", time.time(), mirror["id"], args={"reverse": action == "reverse"})
    touch(mirror, store.setting("user_id"))
    store.put("appMirror", mirror)
    return mirror


def start_delete(store, engine, mirror):
    if mirror["state"] == "deleting":
        return
    engine.cancel(mirror["id"])
    _drop_transfer(store, mirror)
    mirror["stateDesired"] = "deleted"
    _set_state(store, mirror, "deleting")
    touch(mirror, store.setting("user_id"))
    store.put("appMirror", mirror)
    engine.schedule("appMirror.delete", "appMirror.delete", mirror["id"])


# timed transitions --------------------------------------------------------
@on_timer("appMirror.establish")
def _established(store, engine, timer):
    """End of establishing (create, resync, reverse): the baseline transfer, then established."""
    mirror = store.get("appMirror", timer["object_id"])
    if mirror is None or mirror["state"] != "establishing":
        return
    if _defer(store, engine, timer, mirror["sourceClusterID"], mirror["destinationClusterID"]):
        return
    source = store.get("app", mirror["sourceAppID"])
    snap = _replication_snapshot(store, mirror, source)
    _set_state(store, mirror, "established")
    _transferred(store, mirror, snap, mirror.get("_started", time.time()))
    store.put("appMirror", mirror)


@on_timer("appMirror.stop")
def _stopped(store, engine, timer):
    """Start of a resync or reverse: the side becoming destination stops; a reverse brings the other side online."""
    mirror = store.get("appMirror", timer["object_id"])
    if mirror is None or mirror["state"] != "establishing":
        return
    if _defer(store, engine, timer, mirror["destinationClusterID"], mirror["sourceClusterID"]):
        return
    source = store.get("app", mirror["sourceAppID"])
    destination = store.get("app", mirror["destinationAppID"])
    if timer["args"].get("reverse"):
        final = _replication_snapshot(store, mirror, destination)      # the old source's last state
        _bring_online(store, mirror, source, final, "source")
    _stop_workloads(store, destination)
    destination["replicationSourceAppID"] = source["id"]
    source.pop("replicationSourceAppID", None)
    _save_app(store, destination)
    _save_app(store, source)
    engine.schedule("appMirror.establish", "appMirror.resync", mirror["id"])


@on_timer("appMirror.transfer")
def _transfer_done(store, engine, timer):
    mirror = store.get("appMirror", timer["object_id"])
    if mirror is None or mirror["state"] != "established" or not mirror.get("_transfer"):
        return
    transfer = mirror.pop("_transfer")
    snap = store.get("appSnap", transfer["snapshotID"])
    why = "the transfer was interrupted (failure injected with fail_next)" if transfer.get("fail") else _unreachable(store, mirror)
    if not why and snap is None:
        why = "its snapshot no longer exists"
    if why:
        _transfer_failed(store, mirror, why, snap)
        if snap is not None:
            store.delete(snap["id"])
    else:
        _transferred(store, mirror, snap, transfer["started"])
        mirror["healthState"], mirror["healthStateDetails"] = "normal", [dict(SYNCING)]
        touch(mirror)
    store.put("appMirror", mirror)


@on_timer("appMirror.failover")
def _failed_over(store, engine, timer):
    mirror = store.get("appMirror", timer["object_id"])
    if mirror is None or mirror["state"] != "failingOver":
        return
    if _defer(store, engine, timer, mirror["destinationClusterID"]):
        return
    source = store.get("app", mirror["sourceAppID"])
    destination = store.get("app", mirror["destinationAppID"])
    snap = store.get("appSnap", mirror.get("_lastSnapshotID") or "")
    if snap is not None:
        _bring_online(store, mirror, destination, snap, "destination")
    destination.pop("replicationSourceAppID", None)
    _save_app(store, destination)
    if source is not None:
        for schedule in schedules.listed(store, source["id"]):
            if schedule.get("replicate") != "true":
                schedules.copy_to(store, engine, schedule, destination)
    # The source app's enabled post-restore and post-failover hooks run on the destination (reference 3.5).
    for action in ("restore", "failover"):
        hooks.run(store, mirror["sourceAppID"], destination, action, "post", {"kind": "appMirror", "id": mirror["id"]})
    _set_state(store, mirror, "failedOver")
    store.put("appMirror", mirror)


@on_timer("appMirror.delete")
def _deleted(store, engine, timer):
    mirror = store.get("appMirror", timer["object_id"])
    if mirror is None:
        return
    for app_id in (mirror["sourceAppID"], mirror["destinationAppID"]):
        app = store.get("app", app_id)
        if app is not None and "replicationSourceAppID" in app:
            app.pop("replicationSourceAppID")
            _save_app(store, app)
    for snap in store.all("appSnap", _mirrorID=mirror["id"]):
        store.delete(snap["id"])
    store.delete(mirror["id"])
