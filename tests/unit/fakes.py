# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test doubles: a small in-memory Astra API served through a fake transport (fake_transport.py), and a fake clock.

The fake API is deliberately small: it answers only the requests the plugins
under test send, and records every request so tests can assert on counts,
methods and bodies. Its estate (clusters, namespaces, storage classes, cloud,
bucket, served kinds) is the simulator's demo scenario, read from
astra_simulator.scenarios, so the two cannot drift apart; the workloads are
not taken over: each test adds the apps and PVCs it needs. Checking requests
against the API contract is the simulator's job (tests/integration).
"""

import base64
import copy
import hashlib
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

from astra_simulator import scenarios

API_URL = "https://astra.example.com"
ACCOUNT_ID = "2d8b8b9c-2f58-4c3e-9a1b-3c4d5e6f7a8b"
TOKEN = "s3cr3t-token-value-7f1e"
BASE = "%s/accounts/%s/" % (API_URL, ACCOUNT_ID)

CONNECTION = dict(api_url=API_URL, account_id=ACCOUNT_ID, api_token=TOKEN)

PROD_EAST = "11111111-1111-4111-8111-111111111111"
DR_WEST = "22222222-2222-4222-8222-222222222222"
LAB_NORTH = "33333333-3333-4333-8333-333333333333"
CLOUD = "55555555-5555-4555-8555-555555555555"
BUCKET = "44444444-4444-4444-8444-444444444444"
# Fixed IDs for the demo scenario's objects, so tests can name them; anything else gets a UUID derived from its name.
DEMO_IDS = {"prod-east": PROD_EAST, "dr-west": DR_WEST, "lab-north": LAB_NORTH, "on-prem": CLOUD, "dr-bucket": BUCKET}


def demo_id(name):
    return DEMO_IDS.get(name) or str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


class DemoEstate:
    """What the simulator's demo scenario builds, recorded in the fake's shapes: build_demo() is run with this
    object as its builder. Workloads (builder.k8s) are left out."""

    def __init__(self):
        self.buckets, self.clouds, self.clusters = [], [], []
        self.storage_classes, self.api_resources = {}, {}
        # What the scenario stores account-wide (settings, preloaded hook sources): recorded, not modelled here.
        self.account_documents = []
        self.store = self
        scenarios.build_demo(self)

    def put(self, kind, document):
        self.account_documents.append((kind, document))

    @staticmethod
    def new_id():
        return str(uuid.uuid4())

    def bucket(self, name, _server_url):
        bucket = {"id": demo_id(name), "type": "application/astra-bucket", "version": "1.1", "name": name,
                  "state": "available", "provider": "ontap-s3"}
        self.buckets.append(bucket)
        return bucket

    def cloud(self, name, default_bucket=None):
        cloud = {"id": demo_id(name), "type": "application/astra-cloud", "version": "1.1", "name": name,
                 "state": "running", "cloudType": "private"}
        if default_bucket:
            cloud["defaultBucketID"] = default_bucket["id"]
        self.clouds.append(cloud)
        return cloud

    def kubernetes_cluster(self, name, cloud, managed, _location, classes, default_class):
        cluster = {"id": demo_id(name), "type": "application/astra-cluster", "version": "1.7", "name": name,
                   "state": "running", "managedState": "managed" if managed else "unmanaged",
                   "namespaces": [namespace for namespace, _system_type in scenarios.SYSTEM_NAMESPACES],
                   "clusterType": "kubernetes", "cloudID": cloud["id"]}
        self.clusters.append(cluster)
        self.storage_classes[cluster["id"]] = [
            dict({"id": str(uuid.uuid4()), "name": class_name, "type": "application/astra-storageClass", "version": "1.1",
                  "provisioner": scenarios.TRIDENT}, **({"isDefault": "true"} if class_name == default_class else {}))
            for class_name, _access_modes, _backend in classes]
        self.api_resources[cluster["id"]] = [
            {"id": str(uuid.uuid4()), "type": "application/astra-apiResource", "version": "1.0",
             "apiVersion": "%s/%s" % (group, version) if group else version, "kind": kind}
            for group, version, kind, _namespaced in scenarios.API_RESOURCES]
        return cluster

    def namespace(self, cluster, name, _labels=None):
        cluster["namespaces"].append(name)

    def k8s(self, cluster, namespace, spec):
        """Workloads are not modelled."""


def problem(status, number, title, detail):
    return {"type": "https://astra.netapp.io/problems/%d" % number, "title": title, "detail": detail,
            "status": str(status), "correlationID": "corr-%d" % number}


class FakeAstraApi:
    """The demo estate: prod-east and dr-west managed, lab-north not; apps added by the tests."""

    FILTER_TERM = re.compile(r"\s*(?P<field>[\w.\[\]*]+)\s+eq\s+'(?P<value>[^']*)'\s*")

    def __init__(self):
        self.requests = []
        estate = DemoEstate()
        self.clusters, self.storage_classes, self.api_resources = estate.clusters, estate.storage_classes, estate.api_resources
        self.buckets, self.clouds = estate.buckets, estate.clouds
        self.apps = {}
        self.points = {"appSnaps": {}, "appBackups": {}}  # collection -> {app_id: {id: restore point}}
        self.schedules = {}  # app_id -> {id: schedule}
        self.assets = {}  # app_id -> live appAssets
        self.polls_until_ready = 1
        self.polls_until_gone = 1
        self.polls_until_completed = 1
        self.fail_next = {}  # "appSnap" / "appBackup" / "clone" / "restore" / "appMirror" -> count of operations that end failed
        self.ticks = 0
        self.mirrors = {}  # id -> app mirror (private keys start with _)
        self.polls_until_mirror = 1  # GETs of a mirror before a transition (establish, failover, delete) ends
        # Clusters in outage: anything read from the cluster itself (namespaces, storage classes, API resources, the
        # assets, schedules, snapshots and backups of its apps) fails with a connection error. The control plane
        # (cluster and app lists, app mirrors) still answers, as in Astra Control.
        self.unreachable = set()
        # Execution hooks (FakeHooks below): the account setting, hook sources and execution hooks.
        self.hooks = FakeHooks(self)

    def timestamp(self):
        """A creation timestamp one second after the previous one: creation order is time order."""
        self.ticks += 1
        return "2025-01-01T00:%02d:%02dZ" % divmod(self.ticks, 60)

    # ------------------------------------------------------------ helpers for tests

    def add_app(self, name, cluster_id=PROD_EAST, namespaces=None, state="ready", cluster_scoped=None):
        cluster = self.cluster_by_id(cluster_id)
        app_id = str(uuid.uuid4())
        resources = [{"namespace": ns, "labelSelectors": []} for ns in (namespaces or [name])]
        self.apps[app_id] = {
            "id": app_id, "type": "application/astra-app", "version": "2.2", "name": name, "state": state,
            "stateDetails": [], "clusterID": cluster_id, "clusterName": cluster["name"],
            "namespaceScopedResources": resources, "clusterScopedResources": cluster_scoped or [],
            "namespaces": [entry["namespace"] for entry in resources], "metadata": {"labels": []},
            "_polls": 0,
        }
        return self.public(self.apps[app_id])

    def add_point(self, app_id, collection, name, state="completed", created=None, **fields):
        """A snapshot (collection 'appSnaps') or backup ('appBackups') of an app, capturing its live assets."""
        point_id = str(uuid.uuid4())
        media = "appSnap" if collection == "appSnaps" else "appBackup"
        point = {"id": point_id, "type": "application/astra-%s" % media, "version": "1.1", "name": name, "state": state,
                 "stateUnready": [], "stateDetails": [],
                 "metadata": {"labels": [], "creationTimestamp": created or self.timestamp()}, "_polls": 0, "_fail": False,
                 "_assets": copy.deepcopy(self.assets.get(app_id, []))}
        if collection == "appBackups":
            point.setdefault("bucketID", BUCKET)
        point.update(fields)
        self.points[collection].setdefault(app_id, {})[point_id] = point
        return self.public(point)

    def add_snapshot(self, app_id, name, state="completed", created=None, **fields):
        return self.add_point(app_id, "appSnaps", name, state, created, **fields)

    def add_backup(self, app_id, name, state="completed", created=None, **fields):
        return self.add_point(app_id, "appBackups", name, state, created, **fields)

    def add_pvc(self, app_id, namespace, name, storage_class="ontap-gold", access_modes=("ReadWriteOnce",)):
        spec = {"accessModes": list(access_modes), "resources": {"requests": {"storage": "1Gi"}}}
        if storage_class is not None:
            spec["storageClassName"] = storage_class
        self.assets.setdefault(app_id, []).append({
            "id": str(uuid.uuid4()), "type": "application/astra-appAsset", "version": "1.1", "assetID": str(uuid.uuid4()),
            "assetName": name, "assetType": "PersistentVolumeClaim", "namespace": namespace,
            "GVK": {"group": "", "version": "v1", "kind": "PersistentVolumeClaim"}, "labels": [],
            "creationTimestamp": "2025-01-01T00:00:00Z", "metadata": {},
            "resource": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                         "metadata": {"name": name, "namespace": namespace}, "spec": spec},
        })

    def add_schedule(self, app_id, **fields):
        schedule_id = str(uuid.uuid4())
        schedule = {"id": schedule_id, "type": "application/astra-schedule", "version": "1.3", "enabled": "true",
                    "replicate": "false", "metadata": {"labels": [], "creationTimestamp": self.timestamp()}}
        schedule.update(fields)
        self.schedules.setdefault(app_id, {})[schedule_id] = schedule
        return copy.deepcopy(schedule)

    def add_mirror(self, source_app_id, destination_cluster_id, state="established", namespaces=None):
        """A relationship in `state` (established or failedOver) with its destination app, as if made by the API."""
        source = self.apps[source_app_id]
        destination_app = self.add_app(source["name"], destination_cluster_id, namespaces or source["namespaces"])
        mirror = self._new_mirror(source, self.cluster_by_id(destination_cluster_id), destination_app["id"], [], [])
        self.apps[destination_app["id"]]["replicationSourceAppID"] = source_app_id
        self._mirror_state(mirror, "established", transfer="idle")
        if state == "failedOver":
            mirror["stateDesired"] = "failedOver"
            self._mirror_state(mirror, "failedOver")
            self.apps[destination_app["id"]].pop("replicationSourceAppID", None)
        return self.public(mirror)

    def bodies(self, method, path=None):
        return [json.loads(request.body) if request.body else None for m, p, _params, request in self.requests
                if m == method and (path is None or p == path)]

    def _take_failure(self, operation):
        if self.fail_next.get(operation):
            self.fail_next[operation] -= 1
            return True
        return False

    def cluster_by_id(self, cluster_id):
        return next(cluster for cluster in self.clusters if cluster["id"] == cluster_id)

    @staticmethod
    def public(app):
        return {key: copy.deepcopy(value) for key, value in app.items() if not key.startswith("_")}

    def writes(self):
        return [(method, path) for method, path, _params, _request in self.requests if method in ("POST", "PUT", "DELETE")]

    def calls(self, method=None):
        return [(m, path, params) for m, path, params, _request in self.requests if method is None or m == method]

    # ------------------------------------------------------------ request handling

    def register(self, mock):
        pattern = re.compile(re.escape(BASE) + r".*")
        for method in ("GET", "POST", "PUT", "DELETE"):
            mock.add_callback(method, pattern, callback=self.handle)

    def handle(self, request):
        parts = urlsplit(request.url)
        path = parts.path.split("/accounts/%s/" % ACCOUNT_ID, 1)[1]
        params = {key: values[0] for key, values in parse_qs(parts.query).items()}
        self.requests.append((request.method, path, params, request))
        if request.headers.get("Authorization") != "Bearer %s" % TOKEN:
            return self._problem(401, 4, "Invalid bearer token", "The supplied bearer token is invalid.")
        if self._about_unreachable_cluster(path):
            return ConnectionResetError("simulated outage: the cluster behind %s does not answer" % path)
        body = json.loads(request.body) if request.body else None
        if self.hooks.serves(path):
            return self.hooks.handle(request.method, path, params, body)
        if path.split("/")[:3] == ["k8s", "v1", "appMirrors"]:
            return getattr(self, "_%s_mirror" % request.method.lower())(path.split("/")[3:], params, body)
        handler = getattr(self, "_%s" % request.method.lower())
        return handler(path, params, body)

    def _about_unreachable_cluster(self, path):
        segments = path.split("/")
        if segments[:2] == ["topology", "v1"] and len(segments) > 4 and segments[2] in ("clusters", "managedClusters"):
            return segments[3] in self.unreachable
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) > 4 and segments[4] != "appMirrors":
            app = self.apps.get(segments[3])
            return app is not None and app["clusterID"] in self.unreachable
        return False

    def _json(self, status, body):
        return status, {"Content-Type": "application/json"}, json.dumps(body)

    def _problem(self, status, number, title, detail):
        return status, {"Content-Type": "application/problem+json"}, json.dumps(problem(status, number, title, detail))

    def _list(self, items, params):
        """The list envelope; `filter` with one 'field eq value' condition (the only form the plugins send)."""
        match = self.FILTER_TERM.fullmatch(params.get("filter") or "")
        if match:
            items = [item for item in items if self._matches(item, match.group("field"), match.group("value"))]
        return self._json(200, {"items": items, "metadata": {}})

    @staticmethod
    def _matches(item, field, value):
        if "[*]." in field:
            list_field, sub_field = field.split("[*].", 1)
            return any(entry.get(sub_field) == value for entry in item.get(list_field) or [])
        return item.get(field) == value

    def _not_modelled(self, path):
        return self._problem(404, 2, "Not modelled by the fake API", path)

    def _get(self, path, params, _body):
        segments = path.split("/")
        if path == "topology/v1/clusters":
            return self._list(copy.deepcopy(self.clusters), params)
        if path == "topology/v1/buckets":
            return self._list(copy.deepcopy(self.buckets), {})
        if path == "k8s/v2/apps":
            return self._list([self.public(app) for app in self.apps.values()], params)
        if path == "topology/v1/namespaces":
            return self._list([item for cluster in self.clusters for item in self._namespaces(cluster)], params)
        if path == "topology/v1/appBackups":
            items = [self.public(item) for by_app in self.points["appBackups"].values() for item in by_app.values()]
            return self._list(items, {})
        if segments[:3] in (["topology", "v1", "clusters"], ["topology", "v1", "managedClusters"]):
            return self._get_cluster(segments, params)
        if segments[:3] == ["topology", "v1", "clouds"] and len(segments) == 4:
            return self._json(200, copy.deepcopy(next(item for item in self.clouds if item["id"] == segments[3])))
        if segments[:3] == ["k8s", "v2", "apps"] and len(segments) == 4:
            return self._get_app(segments[3])
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) >= 5:
            return self._get_app_child(segments[3], segments[4:])
        return self._not_modelled(path)

    def _get_cluster(self, segments, params):
        cluster = next((c for c in self.clusters if c["id"] == segments[3]), None)
        if cluster is None or (segments[2] == "managedClusters" and cluster["managedState"] != "managed"):
            return self._problem(404, 2, "Collection not found", "no such cluster")
        if len(segments) == 4:
            return self._json(200, copy.deepcopy(cluster))
        if segments[4] == "namespaces":
            return self._list(self._namespaces(cluster), params)
        if segments[4] == "apiResources":
            return self._list(copy.deepcopy(self.api_resources[cluster["id"]]), {})
        if segments[4] == "storageClasses":
            return self._list(copy.deepcopy(self.storage_classes[cluster["id"]]), {})
        return self._not_modelled("/".join(segments))

    @staticmethod
    def _namespaces(cluster):
        return [{"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, cluster["id"] + name)), "name": name,
                 "namespaceState": "discovered", "clusterID": cluster["id"],
                 **({"systemType": "kubernetes"} if name.startswith("kube-") else {})}
                for name in cluster["namespaces"]]

    def _get_app(self, app_id):
        """An app; each read may end its transition (after polls_until_ready / polls_until_gone reads)."""
        app = self.apps.get(app_id)
        if app is None:
            return self._problem(404, 2, "Resource not found", "no such app")
        app["_polls"] += 1
        if app["state"] in ("discovering", "pending", "provisioning", "restoring") and app["_polls"] >= self.polls_until_ready:
            if app.pop("_fail", False):
                app["state"] = "failed"
                app["stateDetails"] = [{"type": "https://astra.netapp.io/stateDetails/9", "title": "Operation failed",
                                        "detail": "simulated failure"}]
            else:
                app["state"] = "ready"
                app["namespaces"] = [entry["namespace"] for entry in app["namespaceScopedResources"]]
        if app["state"] == "deleting" and app["_polls"] >= self.polls_until_gone:
            del self.apps[app_id]
            return self._problem(404, 2, "Resource not found", "no such app")
        return self._json(200, self.public(app))

    def _get_app_child(self, app_id, rest):
        """appAssets, schedules, and the snapshots and backups (with their appAssets) of an app."""
        if rest == ["appAssets"]:
            return self._list(copy.deepcopy(self.assets.get(app_id, [])), {})
        if rest == ["schedules"]:
            return self._list(copy.deepcopy(list(self.schedules.get(app_id, {}).values())), {})
        by_app = self.points[rest[0]].get(app_id, {})
        if len(rest) == 1:
            return self._list([self.public(item) for item in by_app.values()], {})
        point = by_app.get(rest[1])
        if point is None:
            return self._problem(404, 2, "Resource not found", "no such %s" % rest[0])
        if rest[2:] == ["appAssets"]:
            return self._list(copy.deepcopy(point["_assets"]), {})
        point["_polls"] += 1
        if point["state"] in ("pending", "running") and point["_polls"] >= self.polls_until_completed:
            point["state"] = "failed" if point["_fail"] else "completed"
            if point["_fail"]:
                point["stateDetails"] = [{"type": "https://astra.netapp.io/stateDetails/9", "title": "Snapshot failed",
                                          "detail": "simulated failure"}]
        if point["state"] == "deleting" and point["_polls"] >= self.polls_until_gone:
            del by_app[rest[1]]
            return self._problem(404, 2, "Resource not found", "no such %s" % rest[0])
        return self._json(200, self.public(point))

    def _post(self, path, _params, body):
        """A new app: managed, cloned live, or restored from a snapshot or backup (k8s/v2/apps); or a schedule,
        snapshot or backup of an app."""
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 5:
            return self._post_app_child(segments[3], segments[4], body)
        if path != "k8s/v2/apps":
            return self._not_modelled(path)
        cluster = self.cluster_by_id(body["clusterID"])
        app_id = str(uuid.uuid4())
        app = dict(body, id=app_id, state="discovering", stateDetails=[], clusterName=cluster["name"], namespaces=[],
                   metadata={"labels": [], "creationTimestamp": self.timestamp()}, _polls=0)
        if any(key in body for key in ("sourceAppID", "snapshotID", "backupID")):
            source_id = body.get("sourceAppID") or self._owner(body.get("snapshotID"), body.get("backupID"))
            source = self.apps[source_id]
            app.update(state="provisioning", sourceAppID=source_id, sourceClusterName=source["clusterName"],
                       _fail=self._take_failure("clone"))
            mapping = dict((entry["source"], entry["destination"]) for entry in body.get("namespaceMapping") or [])
            app["namespaceScopedResources"] = [dict(entry, namespace=mapping.get(entry["namespace"], entry["namespace"]))
                                               for entry in source["namespaceScopedResources"]]
        app.setdefault("clusterScopedResources", [])
        for entry in app["namespaceScopedResources"]:
            entry.setdefault("labelSelectors", [])
        self.apps[app_id] = app
        return 201, {"Content-Type": "application/astra-app+json", "Location": BASE + "k8s/v2/apps/" + app_id}, \
            json.dumps(self.public(app))

    def _owner(self, snapshot_id, backup_id):
        collection, point_id = ("appSnaps", snapshot_id) if snapshot_id else ("appBackups", backup_id)
        return next(app_id for app_id, by_app in self.points[collection].items() if point_id in by_app)

    def _post_app_child(self, app_id, collection, body):
        location = BASE + "k8s/v1/apps/%s/%s/" % (app_id, collection)
        if collection == "schedules":
            schedule = self.add_schedule(app_id, **{key: value for key, value in body.items() if key != "version"})
            return 201, {"Content-Type": "application/json", "Location": location + schedule["id"]}, json.dumps(schedule)
        fields = {key: value for key, value in body.items() if key not in ("type", "version", "name")}
        if collection == "appBackups" and "snapshotID" not in fields:
            fields["snapshotID"] = self.add_snapshot(app_id, "backup-snap-%d" % (self.ticks + 1))["id"]
        point = self.add_point(app_id, collection, body.get("name"), state="pending", **fields)
        self.points[collection][app_id][point["id"]]["_fail"] = self._take_failure(
            "appSnap" if collection == "appSnaps" else "appBackup")
        return 201, {"Content-Type": "application/json", "Location": location + point["id"]}, json.dumps(point)

    def _put(self, path, _params, body):
        """A schedule replaced; an app restored in place (snapshotID or backupID) or redefined."""
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 6 and segments[4] == "schedules":
            schedule = self.schedules[segments[3]][segments[5]]
            keep = {key: schedule[key] for key in ("id", "metadata")}
            schedule.clear()
            schedule.update(body, **keep)
            return 204, {}, ""
        if segments[:3] != ["k8s", "v2", "apps"]:
            return self._not_modelled(path)
        app = self.apps[segments[-1]]
        if "snapshotID" in body or "backupID" in body:
            app.pop("snapshotID", None)
            app.pop("backupID", None)
            for key in ("snapshotID", "backupID", "restoreFilter", "storageClassMapping"):
                if key in body:
                    app[key] = body[key]
            app["state"], app["_polls"], app["_fail"] = "restoring", 0, self._take_failure("restore")
            return 204, {}, ""
        for key in ("name", "namespaceScopedResources", "clusterScopedResources"):
            if key in body:
                app[key] = body[key]
        app["state"], app["_polls"] = "discovering", 0
        return 204, {}, ""

    def _delete(self, path, _params, _body):
        """A schedule removed at once; an app, snapshot or backup set deleting (gone after polls_until_gone reads)."""
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 6:
            if segments[4] == "schedules":
                del self.schedules[segments[3]][segments[5]]
                return 204, {}, ""
            point = self.points[segments[4]][segments[3]][segments[5]]
            point["state"], point["_polls"] = "deleting", 0
            return 204, {}, ""
        if segments[:3] != ["k8s", "v2", "apps"]:
            return self._not_modelled(path)
        app = self.apps[segments[-1]]
        app["state"], app["_polls"] = "deleting", 0
        return 204, {}, ""

    # ------------------------------------------------------------ app mirrors (contract of issue 4)

    MIRROR_ALLOWED = {"establishing": ["established", "deleted"], "established": ["failedOver", "deleted"],
                      "failingOver": ["failedOver", "deleted"], "failedOver": ["established", "deleted"],
                      "deleting": ["deleted"]}
    MIRROR_IDS = ("sourceAppID", "sourceClusterID", "destinationAppID", "destinationClusterID")

    @staticmethod
    def _detail(number, title, detail="", **extra):
        entry = {"type": "https://astra.netapp.io/stateDetails/%d" % number, "title": title, "detail": detail}
        entry.update(extra)
        return entry

    def _new_mirror(self, source, destination_cluster, destination_app_id, mapping, classes):
        mirror_id = str(uuid.uuid4())
        mirror = {"id": mirror_id, "type": "application/astra-appMirror", "version": "1.1",
                  "sourceAppID": source["id"], "sourceClusterID": source["clusterID"],
                  "destinationAppID": destination_app_id, "destinationClusterID": destination_cluster["id"],
                  "namespaceMapping": mapping, "storageClasses": classes, "stateDesired": "established",
                  "transferState": "idle", "transferStateDetails": [],
                  "metadata": {"labels": [], "creationTimestamp": self.timestamp()}, "_polls": 0}
        self._mirror_state(mirror, "establishing")
        self.mirrors[mirror_id] = mirror
        return mirror

    def _mirror_state(self, mirror, state, transfer=None):
        mirror["state"], mirror["_polls"] = state, 0
        mirror["stateAllowed"] = list(self.MIRROR_ALLOWED[state])
        if transfer:
            mirror["transferState"] = transfer
        if state != "deleting":
            mirror["healthState"] = "normal" if state == "established" else "warning"
            mirror["healthStateDetails"] = []

    def _mirror_view(self, mirror):
        return self.public(mirror)

    def _get_mirror(self, rest, params, _body):
        """The mirrors; or one, whose transition ends after polls_until_mirror reads."""
        if not rest:
            return self._list([self._mirror_view(mirror) for mirror in self.mirrors.values()], params)
        mirror = self.mirrors[rest[0]]
        mirror["_polls"] += 1
        if mirror["_polls"] >= self.polls_until_mirror:
            if self._advance_mirror(mirror) == "gone":
                return self._problem(404, 115, "AppMirror not found", "no such appMirror")
        return self._json(200, self._mirror_view(mirror))

    def _advance_mirror(self, mirror):
        """One step of the background work: establishing -> established (transferring, then idle), failingOver ->
        failedOver, deleting -> gone."""
        state = mirror["state"]
        if state == "establishing":
            self._mirror_state(mirror, "established", transfer="transferring")
        elif state == "established" and mirror["transferState"] == "transferring":
            mirror["transferState"] = "idle"
            snapshot = str(uuid.uuid4())
            if self._take_failure("appMirror"):
                mirror["healthState"] = "critical"
                mirror["healthStateDetails"] = [self._detail(7, "SnapMirror transfer failed",
                                                             "simulated failure of the transfer of snapshot %s" % snapshot)]
                mirror["transferStateDetails"] = [self._detail(25, "Snapshot replication failed", "simulated failure",
                                                               additionalDetails={"snapshotID": snapshot})]
            else:
                mirror["transferStateDetails"] = [self._detail(24, "Snapshot replication completed", "",
                                                               additionalDetails={"snapshotID": snapshot})]
        elif state == "failingOver" and mirror["destinationClusterID"] not in self.unreachable:
            self._mirror_state(mirror, "failedOver")
            self.apps[mirror["destinationAppID"]].pop("replicationSourceAppID", None)
        elif state == "deleting":
            del self.mirrors[mirror["id"]]
            destination = self.apps.get(mirror["destinationAppID"])
            if destination is not None:
                destination.pop("replicationSourceAppID", None)
            return "gone"
        return None

    def _post_mirror(self, _rest, _params, body):
        """A new relationship, establishing, with its destination app."""
        source = self.apps[body["sourceAppID"]]
        cluster = self.cluster_by_id(body["destinationClusterID"])
        mapping = body.get("namespaceMapping") or []
        namespaces = next((entry["namespaces"] for entry in mapping if entry["clusterID"] == cluster["id"]),
                          source["namespaces"])
        destination = self.add_app(source["name"], cluster["id"], namespaces)
        self.apps[destination["id"]]["replicationSourceAppID"] = source["id"]
        for namespace in namespaces:
            if namespace not in cluster["namespaces"]:
                cluster["namespaces"].append(namespace)
        mirror = self._new_mirror(source, cluster, destination["id"], mapping, body.get("storageClasses") or [])
        return 201, {"Content-Type": "application/astra-appMirror+json",
                     "Location": BASE + "k8s/v1/appMirrors/" + mirror["id"]}, json.dumps(self._mirror_view(mirror))

    def _put_mirror(self, rest, _params, body):
        """stateDesired failedOver (a failover), or established with the four IDs, swapped for a reverse."""
        mirror = self.mirrors[rest[0]]
        if body["stateDesired"] == "failedOver":
            mirror["stateDesired"] = "failedOver"
            self._mirror_state(mirror, "failingOver")
        else:
            ids = dict((key, body[key]) for key in self.MIRROR_IDS)
            if ids["sourceAppID"] != mirror["sourceAppID"]:
                mirror.update(ids)
                self.apps[mirror["sourceAppID"]].pop("replicationSourceAppID", None)
            self.apps[mirror["destinationAppID"]]["replicationSourceAppID"] = mirror["sourceAppID"]
            mirror["stateDesired"] = "established"
            self._mirror_state(mirror, "establishing")
        # Real ACC answers 200 with a partial mirror (no IDs, no stateAllowed, an extra key): clients must read again.
        partial = dict((key, value) for key, value in self._mirror_view(mirror).items()
                       if key not in self.MIRROR_IDS and key != "stateAllowed")
        partial["ReplicatedPVCs_"] = None
        return self._json(200, partial)

    def _delete_mirror(self, rest, _params, _body):
        mirror = self.mirrors[rest[0]]
        mirror["stateDesired"] = "deleted"
        self._mirror_state(mirror, "deleting")
        return 204, {}, ""


class FakeHooks:
    """Settings, hook sources and execution hooks: the setting switches hooks (off at first, as in a new account);
    while off, every hook and hook-source request answers 403 problem 168. Deletes of a source a hook uses: 403/72."""

    SETTING_ID = "66666666-6666-4666-8666-666666666666"

    def __init__(self, api):
        self.api = api
        self.setting = {"id": self.SETTING_ID, "type": "application/astra-setting", "version": "1.1",
                        "name": "astra.account.executionHooks.enabled", "currentConfig": {"isEnabled": "false"},
                        "desiredConfig": {}, "state": "valid", "stateUnready": []}
        self.sources = {}
        self.hooks = {}

    @property
    def enabled(self):
        return self.setting["currentConfig"]["isEnabled"] == "true"

    def enable(self):
        self.setting["currentConfig"] = {"isEnabled": "true"}

    def add_source(self, name, script="#!/bin/sh\necho hi\n", **fields):
        encoded = base64.b64encode(script.encode()).decode()
        source = dict({"id": str(uuid.uuid4()), "type": "application/astra-hookSource", "version": "1.0", "name": name,
                       "sourceType": "script", "source": encoded, "description": "", "preloaded": "false",
                       "private": "false", "sourceMD5Checksum": hashlib.md5(encoded.encode()).hexdigest()}, **fields)
        self.sources[source["id"]] = source
        return copy.deepcopy(source)

    def add_hook(self, app_id, name, source_id, **fields):
        hook = dict({"id": str(uuid.uuid4()), "type": "application/astra-executionHook", "version": "1.3", "name": name,
                     "hookType": "custom", "action": "snapshot", "stage": "pre", "hookSourceID": source_id,
                     "appID": app_id, "arguments": [], "matchingCriteria": [], "enabled": "true"}, **fields)
        self.hooks[hook["id"]] = hook
        return self.view(hook)

    @staticmethod
    def view(hook):
        return dict(copy.deepcopy(hook), matchingImages=["docker.io/bitnami/postgresql:16.2.0"],
                    matchingContainers=[{"podName": "postgres-0", "containerName": "postgresql"}])

    @staticmethod
    def serves(path):
        segments = path.split("/")
        return segments[:2] == ["core", "v1"] or (segments[:3] == ["k8s", "v1", "apps"] and segments[4:5] == ["executionHooks"])

    def handle(self, method, path, params, body):
        segments = path.split("/")
        if segments[:3] == ["core", "v1", "settings"]:
            if method == "GET" and len(segments) == 3:
                return self.api._list([copy.deepcopy(self.setting)], params)
            if method == "GET":
                return self.api._json(200, copy.deepcopy(self.setting))
            self.setting["desiredConfig"] = body["desiredConfig"]
            self.setting["currentConfig"] = dict(body["desiredConfig"])
            return 204, {}, ""
        if not self.enabled:
            return self.api._problem(403, 168, "Execution hook action not permitted", "Execution hooks are not enabled")
        if segments[2] == "hookSources":
            return self._sources(method, segments[3:], params, body)
        app_id = segments[3] if segments[0] == "k8s" else None
        return self._hooks(method, app_id, segments[5:] if app_id else segments[3:], params, body)

    def _sources(self, method, rest, params, body):
        if not rest:
            if method == "GET":
                return self.api._list([copy.deepcopy(item) for item in self.sources.values()], params)
            source = self.add_source(body["name"], base64.b64decode(body["source"]).decode(),
                                     description=body.get("description", ""))
            return 201, {"Content-Type": "application/json"}, json.dumps(source)
        source = self.sources[rest[0]]
        if method == "GET":
            return self.api._json(200, copy.deepcopy(source))
        if source["preloaded"] == "true":
            return self.api._problem(403, 71, "Preloaded hook source", "Preloaded hook sources are read-only")
        if method == "DELETE":
            if any(hook["hookSourceID"] == source["id"] for hook in self.hooks.values()):
                return self.api._problem(403, 72, "Hook source in use", "An execution hook references the source")
            del self.sources[rest[0]]
            return 204, {}, ""
        source.update((key, value) for key, value in body.items() if key not in ("type", "version"))
        source["sourceMD5Checksum"] = hashlib.md5(source["source"].encode()).hexdigest()
        return 204, {}, ""

    def _hooks(self, method, app_id, rest, params, body):
        if not rest:
            if method == "GET":
                items = [self.view(hook) for hook in self.hooks.values() if app_id in (None, hook["appID"])]
                return self.api._list(items, params)
            if body["action"] == "failover" and self.api.apps[app_id].get("_destination"):
                return self.api._problem(409, 162, "App not eligible", "The app is not eligible for failover hooks")
            given = ("type", "version", "name", "hookSourceID", "appID")
            fields = {key: value for key, value in body.items() if key not in given}
            hook = self.add_hook(body["appID"], body["name"], body["hookSourceID"], **fields)
            return 201, {"Content-Type": "application/json"}, json.dumps(hook)
        hook = self.hooks[rest[0]]
        if method == "GET":
            return self.api._json(200, self.view(hook))
        if method == "DELETE":
            del self.hooks[rest[0]]
            return 204, {}, ""
        hook.update((key, value) for key, value in body.items() if key not in ("type", "version"))
        return 204, {}, ""


class FakeTime:
    """Stands in for the time module of the client and the waiter: sleep() only advances monotonic()."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
