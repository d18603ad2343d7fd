"""Live clone, restore to a new app, and in-place restore.

live clone      POST k8s/v2/apps {name, clusterID, sourceAppID, sourceClusterID, namespaceMapping?, storageClassMapping?}
restore to new  POST k8s/v2/apps {name, clusterID, snapshotID | backupID, sourceClusterID?, namespaceMapping?,
                                  storageClassMapping?, restoreFilter?}
    -> provisioning --clone.provision--> namespaces and object copies created --> discovering --clone.discover--> ready
       | failed: fail_next "clone", a ReadWriteMany PVC on a class that can't provide it, or (live clone) a PVC's
         class missing on the destination
in-place restore  PUT k8s/v2/apps/{id} + `ForceUpdate: true` {snapshotID | backupID, restoreFilter?, storageClassMapping?}
    -> restoring (before the 204) --restore.restoring--> matched objects deleted and recreated from the capture
       (new UIDs) --> discovering --restore.discover--> ready | failed (fail_next "restore", access modes)

Everything else is refused synchronously (see the README's clone and restore
section for the problem numbers). What gets created is decided when the
request is accepted (the `_plan` / `_restore` of the app) and applied when
the provisioning or restoring step ends.
"""

from . import apps, assets, protection, world
from .engine import on_timer
from .faults import consume_failure
from .problems import ApiProblem, reason
from .resources import iso, new_id, new_metadata, state_detail, touch
from .schema import validate

SOURCES = ("sourceAppID", "snapshotID", "backupID")
# A POST k8s/v2/apps with any of these is a clone or restore, not a manage.
CLONE_OR_RESTORE_FIELDS = ("sourceAppID", "sourceClusterID", "snapshotID", "backupID", "namespaceMapping",
                           "storageClassMapping", "restoreFilter")
DEFINITION_FIELDS = ("namespaceScopedResources", "clusterScopedResources")
IN_PLACE_FIELDS = ("type", "version", "snapshotID", "backupID", "restoreFilter", "storageClassMapping", "metadata")
ECONOMY = "ontap-nas-economy"


# shared checks ---------------------------------------------------------------
def _class_mapping(store, cluster, mapping):
    """{source: destination}; every destination must exist on the cluster (400 problem 156)."""
    for entry in mapping or []:
        if world.storage_class_by_name(store, cluster["id"], entry["destination"]) is None:
            raise ApiProblem(156, "The storage class %s doesn't exist on cluster %s." % (entry["destination"], cluster["name"]))
    return {entry["source"]: entry["destination"] for entry in mapping or []}


def _target_class(store, cluster, obj, class_map, fall_back):
    """(class name, failure or None) for a PVC created on `cluster`."""
    wanted = class_map.get(obj["storageClassName"]) or class_map.get("*") or obj["storageClassName"]
    where = "%s/%s" % (obj["namespace"], obj["name"])
    storage_class = world.storage_class_by_name(store, cluster["id"], wanted)
    if storage_class is None:
        if not fall_back:
            return wanted, "the storage class %s of PVC %s doesn't exist on cluster %s" % (wanted, where, cluster["name"])
        storage_class = world.default_storage_class(store, cluster["id"])
        if storage_class is None:
            return wanted, ("the storage class %s of PVC %s doesn't exist on cluster %s, which has no default class"
                            % (wanted, where, cluster["name"]))
    if world.RWX in obj["accessModes"] and world.RWX not in storage_class["_accessModes"]:
        return storage_class["name"], ("PVC %s needs ReadWriteMany, which storage class %s on cluster %s can't provide "
                                       "(it offers %s)" % (where, storage_class["name"], cluster["name"],
                                                           ", ".join(storage_class["_accessModes"])))
    return storage_class["name"], None


def _restore_point(store, kind, point_id):
    point = store.get(kind, point_id)
    if point is None:
        if kind == "appSnap":
            raise ApiProblem(46, "The snapshot %s wasn't found." % point_id)
        raise ApiProblem(74, "The backup %s wasn't found." % point_id)
    return point


def _what(kind):
    return "snapshot" if kind == "appSnap" else "backup"


def _require_completed(point, kind):
    if point["state"] != "completed":
        raise ApiProblem(111, "The %s %s is %s; only a completed %s can be restored."
                         % (_what(kind), point["name"], point["state"], _what(kind)))


def _same_object(store, cluster_id, obj):
    return [live for live in world.k8s_resources(store, cluster_id, obj["namespace"])
            if live["namespace"] == obj["namespace"] and live["kind"] == obj["kind"] and live["name"] == obj["name"]]


# clone and restore to a new app --------------------------------------------
def _live_source(store, body):
    source_cluster = world.cluster(store, body["sourceClusterID"])
    if not world.is_managed(source_cluster):
        raise ApiProblem(106, "The source cluster %s isn't found among the managed clusters." % body["sourceClusterID"])
    app = store.get("app", body["sourceAppID"])
    if app is None:
        raise ApiProblem(75, "The source app %s wasn't found." % body["sourceAppID"])
    if app["clusterID"] != source_cluster["id"]:
        raise ApiProblem(129, "The app %s isn't on cluster %s." % (app["name"], source_cluster["name"]))
    if app["state"] != "ready":
        raise ApiProblem(112, "The source app %s is %s; it can be cloned only while it is ready." % (app["name"], app["state"]))
    running = protection.snapshot_in_flight(store, app["id"])
    if running:
        raise ApiProblem(148, "The snapshot %s of app %s is still %s." % (running["name"], app["name"], running["state"]))
    for obj in assets.app_resources(store, app):
        if obj["kind"] == world.PVC:
            storage_class = world.storage_class_by_name(store, source_cluster["id"], obj["storageClassName"])
            if storage_class is not None and storage_class["_backendType"] == ECONOMY:
                raise ApiProblem(151, "The app %s uses the %s storage class %s (PVC %s/%s); apps on ontap-nas-economy "
                                 "can't be cloned." % (app["name"], ECONOMY, storage_class["name"], obj["namespace"], obj["name"]))
    return assets.capture(store, app), source_cluster


def _point_source(store, body, kind, field):
    point = _restore_point(store, kind, body[field])
    _require_completed(point, kind)
    source_cluster = world.cluster(store, point["_clusterID"]) or {"id": point["_clusterID"], "name": point["_clusterID"]}
    if kind == "appSnap" and world.is_unreachable(store, point["_clusterID"]):
        raise ApiProblem(111, "The snapshot %s is on cluster %s, which can't be reached." % (point["name"], source_cluster["name"]))
    if "sourceClusterID" in body and body["sourceClusterID"] != point["_clusterID"]:
        raise ApiProblem(129, "The %s %s is of app %s on cluster %s, not on cluster %s."
                         % (_what(kind), point["name"], point["_appName"], source_cluster["name"], body["sourceClusterID"]))
    return point, source_cluster


def _namespace_map(body, captured, same_cluster, new_name):
    namespaces = captured["_namespaces"]
    mapping = body.get("namespaceMapping")
    if mapping is None:
        if not same_cluster:
            return {name: name for name in namespaces}
        if len(namespaces) == 1:
            return {namespaces[0]: new_name}
        raise ApiProblem(9, invalid_fields=[reason("namespaceMapping", "required to clone or restore the multi-namespace app "
                                                   "%s onto its own cluster" % captured["_appName"])])
    failures, result = [], {}
    for i, entry in enumerate(mapping):
        if entry["source"] not in namespaces:
            failures.append(reason("namespaceMapping[%d].source" % i, "%s isn't a namespace of app %s (%s)"
                                   % (entry["source"], captured["_appName"], ", ".join(namespaces))))
        elif entry["source"] in result:
            failures.append(reason("namespaceMapping[%d].source" % i, "%s is mapped twice" % entry["source"]))
        else:
            result[entry["source"]] = entry["destination"]
    missing = [name for name in namespaces if name not in result]
    if missing and not failures:
        failures.append(reason("namespaceMapping", "needs one entry per namespace of app %s; missing: %s"
                               % (captured["_appName"], ", ".join(missing))))
    if len(set(result.values())) != len(result):
        failures.append(reason("namespaceMapping", "two source namespaces map to the same destination"))
    if failures:
        raise ApiProblem(9, invalid_fields=failures)
    return result


def _check_default_buckets(store, *clusters):
    for cluster in clusters:
        cloud = store.get("cloud", cluster.get("cloudID")) or {}
        if not cloud.get("defaultBucketID"):
            raise ApiProblem(170, "The cloud %s of cluster %s has no default bucket; clones and restores across clusters "
                             "need one for the source's and the destination's cloud." % (cloud.get("name"), cluster["name"]))


def namespaces_being_created(store, cluster_id):
    """{namespace: app name} of the namespaces clones and restores in `provisioning` will create on the cluster."""
    reserved = {}
    for other in store.all("app", clusterID=cluster_id):
        for namespace in (other.get("_plan") or {}).get("namespaces", []):
            reserved[namespace["name"]] = other["name"]
    return reserved


def _check_namespaces_free(store, cluster, names):
    reserved = namespaces_being_created(store, cluster["id"])
    for name in names:
        found = world.namespace_by_name(store, cluster["id"], name)
        if found is not None and found["namespaceState"] == "discovered":
            raise ApiProblem(123, "The namespace %s already exists on cluster %s; a clone or restore creates its "
                             "destination namespaces." % (name, cluster["name"]))
        if name in reserved:
            raise ApiProblem(123, "The namespace %s on cluster %s is being created for app %s." % (name, cluster["name"], reserved[name]))


def _plan(store, captured, cluster, ns_map, class_map, restore_filter, live):
    same_cluster = cluster["id"] == captured["_clusterID"]
    failures, objects = [], []
    for obj in captured["_assets"]:
        if restore_filter is not None and not restore_filter.selects(obj):
            continue
        copy = {key: value for key, value in obj.items() if key not in ("id", "clusterID", "creationTimestamp")}
        copy["labels"] = dict(obj["labels"])
        if obj["namespace"] is None:
            if same_cluster or _same_object(store, cluster["id"], obj):
                continue        # cluster-scoped objects are shared, not copied over an existing one
        else:
            copy["namespace"] = ns_map.get(obj["namespace"], obj["namespace"])
        if obj["kind"] == world.PVC:
            copy["storageClassName"], failure = _target_class(store, cluster, obj, class_map, fall_back=not live)
            if failure:
                failures.append(failure)
        objects.append(copy)
    namespaces = [{"name": ns_map[name], "labels": captured["_namespaceLabels"].get(name, {})} for name in captured["_namespaces"]]
    return {"namespaces": namespaces, "objects": objects, "failure": "; ".join(failures) or None}


def create(call, cluster_id_in_path=None):
    """POST k8s/v2/apps with a source: a live clone or a restore to a new app (201 provisioning)."""
    store, body = call.store, call.body
    failure = validate(apps.POST_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    given = [field for field in SOURCES if field in body]
    if len(given) > 1:
        raise ApiProblem(9, "Only one of sourceAppID, snapshotID and backupID may be given.",
                         invalid_fields=[reason(field, "only one source may be given") for field in given])
    if not given:
        extra = [field for field in CLONE_OR_RESTORE_FIELDS if field in body]
        raise ApiProblem(9, "A clone or restore needs sourceAppID (with sourceClusterID), snapshotID or backupID.",
                         invalid_fields=[reason(field, "only used with sourceAppID, snapshotID or backupID") for field in extra])
    definition = [field for field in DEFINITION_FIELDS if field in body]
    if definition:
        raise ApiProblem(9, invalid_fields=[reason(field, "a clone or restore takes its definition from its source")
                                            for field in definition])
    source_field = given[0]
    live = source_field == "sourceAppID"
    if live and "sourceClusterID" not in body:
        raise ApiProblem(9, invalid_fields=[reason("sourceClusterID", "required with sourceAppID (live clone)")])
    if live and "restoreFilter" in body:
        raise ApiProblem(9, invalid_fields=[reason("restoreFilter", "only restores from a snapshot or backup take a "
                                                   "restoreFilter; a live clone copies the whole app")])
    cluster_id = body.get("clusterID")
    if cluster_id_in_path:
        if cluster_id and cluster_id != cluster_id_in_path:
            raise ApiProblem(9, invalid_fields=[reason("clusterID", "must be the cluster of the request URI")])
        cluster_id = cluster_id_in_path
    if not cluster_id:
        raise ApiProblem(9, invalid_fields=[reason("clusterID", "required: the cluster the new app is created on")])
    cluster = world.cluster(store, cluster_id)
    if cluster is None:
        raise ApiProblem(106, "The cluster %s isn't found." % cluster_id)
    if not world.is_managed(cluster):
        raise ApiProblem(106, "The cluster %s (%s) isn't managed by Astra Control." % (cluster["name"], cluster_id))

    if live:
        captured, source_cluster = _live_source(store, body)
    else:
        kind = "appSnap" if source_field == "snapshotID" else "appBackup"
        captured, source_cluster = _point_source(store, body, kind, source_field)
    same_cluster = cluster["id"] == captured["_clusterID"]
    ns_map = _namespace_map(body, captured, same_cluster, body["name"])
    restore_filter = assets.restore_filter(body.get("restoreFilter"), store, cluster["id"])
    class_map = _class_mapping(store, cluster, body.get("storageClassMapping"))
    if not same_cluster:
        _check_default_buckets(store, source_cluster, cluster)
    apps.check_name_free(store, cluster, body["name"])
    _check_namespaces_free(store, cluster, list(ns_map.values()))
    plan = _plan(store, captured, cluster, ns_map, class_map, restore_filter, live)

    source_definition = captured["_definition"]
    app = {
        "type": "application/astra-app",
        "version": body["version"],
        "id": new_id(),
        "name": body["name"],
        "namespaceScopedResources": [{"namespace": ns_map[entry["namespace"]], "labelSelectors": list(entry["labelSelectors"])}
                                     for entry in source_definition["namespaceScopedResources"] if entry["namespace"] in ns_map],
        "clusterScopedResources": [dict(entry) for entry in source_definition["clusterScopedResources"]],
        "state": "provisioning",
        "lastResourceCollectionTimestamp": iso(),
        "stateTransitions": apps.STATE_TRANSITIONS,
        "stateDetails": [],
        "protectionState": "none",
        "protectionStateDetails": [],
        "namespaces": [],
        "clusterID": cluster["id"],
        "sourceAppID": captured["_appID"],
        "sourceClusterID": captured["_clusterID"],
        "sourceClusterName": source_cluster["name"],
    }
    if not live:
        app[source_field] = body[source_field]
    for field in ("namespaceMapping", "storageClassMapping", "restoreFilter"):
        if field in body:
            app[field] = body[field]
    app["metadata"] = new_metadata(store.setting("user_id"), (body.get("metadata") or {}).get("labels"))
    app["_plan"] = plan
    store.put("app", app)
    call.engine.schedule("clone.provision", "clone.provision", app["id"], cluster_id=cluster["id"],
                         args={"fail": consume_failure(store, "clone")})
    return app


@on_timer("clone.provision")
def _provisioned(store, engine, timer):
    app = store.get("app", timer["object_id"])
    if app is None or app["state"] != "provisioning":
        return
    plan = app.pop("_plan", None) or {"namespaces": [], "objects": [], "failure": "nothing to provision"}
    operation = "Restore" if ("snapshotID" in app or "backupID" in app) else "Clone"
    why = ("provisioning stopped (failure injected with fail_next)" if timer["args"].get("fail") else plan["failure"])
    if why:
        app["state"] = "failed"
        app["stateDetails"] = [state_detail("%sFailed" % operation.lower(), "%s failed" % operation,
                                            "%s of app %s failed: %s." % (operation, app["name"], why))]
        touch(app)
        store.put("app", app)
        return
    for namespace in plan["namespaces"]:
        world.create_namespace(store, app["clusterID"], namespace["name"], namespace["labels"])
    for obj in plan["objects"]:
        world.create_k8s_resource(store, app["clusterID"], obj)
    app["state"] = "discovering"
    touch(app)
    store.put("app", app)
    operation = {"kind": operation.lower(), "id": app["id"]}
    engine.schedule("app.discover", "clone.discover", app["id"], cluster_id=app["clusterID"],
                    args={"fail": False, "postRestoreHooks": {"appID": app.get("sourceAppID"), "operation": operation}})


# in-place restore -------------------------------------------------------------
def restore_in_place(call, app):
    """PUT k8s/v2/apps/{id} with `ForceUpdate: true`: the app reads `restoring` before the 204 goes out."""
    store, body = call.store, call.body
    failure = validate(apps.PUT_SCHEMA, body)
    if failure:
        raise ApiProblem(8, schema_failure=failure)
    extra = sorted(set(body) - set(IN_PLACE_FIELDS))
    if extra:
        raise ApiProblem(9, "An in-place restore takes snapshotID or backupID, restoreFilter and storageClassMapping only.",
                         invalid_fields=[reason(field, "not allowed in an in-place restore") for field in extra])
    given = [field for field in ("snapshotID", "backupID") if field in body]
    if len(given) != 1:
        raise ApiProblem(9, "An in-place restore needs exactly one of snapshotID and backupID.",
                         invalid_fields=[reason(field, "only one restore point may be given") for field in given]
                         or [reason("snapshotID", "snapshotID or backupID is required")])
    field = given[0]
    kind = "appSnap" if field == "snapshotID" else "appBackup"
    point = _restore_point(store, kind, body[field])
    if point["_appID"] != app["id"]:
        raise ApiProblem(76, "The %s %s belongs to app %s, not to %s." % (_what(kind), point["name"], point["_appName"], app["name"]))
    if app["state"] != "ready":
        raise ApiProblem(112, "The app %s is %s; it can be restored in place only while it is ready." % (app["name"], app["state"]))
    running = protection.backup_in_flight(store, app["id"])
    if running:
        raise ApiProblem(152, "The backup %s of app %s is still %s." % (running["name"], app["name"], running["state"]))
    _require_completed(point, kind)
    cluster = world.cluster(store, app["clusterID"])
    restore_filter = assets.restore_filter(body.get("restoreFilter"), store, cluster["id"])
    class_map = _class_mapping(store, cluster, body.get("storageClassMapping"))
    failures = []
    for obj in point["_assets"]:
        if obj["kind"] == world.PVC and (restore_filter is None or restore_filter.selects(obj)):
            failure = _target_class(store, cluster, obj, class_map, fall_back=True)[1]
            if failure:
                failures.append(failure)
    app["state"] = "restoring"
    app["stateDetails"] = []
    for key in ("snapshotID", "backupID", "restoreFilter", "storageClassMapping"):
        app.pop(key, None)
    app[field] = point["id"]
    for key in ("restoreFilter", "storageClassMapping"):
        if key in body:
            app[key] = body[key]
    app["_restore"] = {"kind": kind, "pointID": point["id"], "filter": body.get("restoreFilter"), "classMap": class_map,
                       "failure": "; ".join(failures) or None, "fail": consume_failure(store, "restore")}
    touch(app, store.setting("user_id"))
    store.put("app", app)
    call.engine.schedule("restore.apply", "restore.restoring", app["id"], cluster_id=app["clusterID"])


@on_timer("restore.apply")
def _restored(store, engine, timer):
    app = store.get("app", timer["object_id"])
    if app is None or app["state"] != "restoring":
        return
    spec = app.pop("_restore", None) or {"failure": "nothing to restore"}
    point = store.get(spec.get("kind", "appSnap"), spec.get("pointID", ""))
    why = "restoring stopped (failure injected with fail_next)" if spec.get("fail") else spec.get("failure")
    if not why and point is None:
        why = "the restore point was deleted"
    if why:
        app["state"] = "failed"
        app["stateDetails"] = [state_detail("restoreFailed", "Restore failed", "In-place restore of app %s failed: %s."
                                            % (app["name"], why))]
        touch(app)
        store.put("app", app)
        return
    restore_filter = assets.restore_filter(spec["filter"])
    cluster = world.cluster(store, app["clusterID"])
    for obj in assets.app_resources(store, app):
        if restore_filter is None or restore_filter.selects(obj):
            store.delete(obj["id"])
    for obj in point["_assets"]:
        if restore_filter is not None and not restore_filter.selects(obj):
            continue
        if obj["namespace"]:
            namespace = world.namespace_by_name(store, cluster["id"], obj["namespace"])
            if namespace is None or namespace["namespaceState"] != "discovered":
                world.create_namespace(store, cluster["id"], obj["namespace"], point["_namespaceLabels"].get(obj["namespace"]))
        for live in _same_object(store, cluster["id"], obj):
            store.delete(live["id"])
        copy = dict(obj)
        if obj["kind"] == world.PVC:
            copy["storageClassName"] = _target_class(store, cluster, obj, spec["classMap"], fall_back=True)[0]
        world.create_k8s_resource(store, cluster["id"], copy)
    app["state"] = "discovering"
    touch(app)
    store.put("app", app)
    engine.schedule("app.discover", "restore.discover", app["id"], cluster_id=app["clusterID"],
                    args={"fail": False, "postRestoreHooks": {"appID": app["id"],
                                                              "operation": {"kind": "inPlaceRestore", "id": app["id"]}}})
