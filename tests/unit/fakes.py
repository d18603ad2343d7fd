# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test doubles: a small in-memory Astra API served through `responses`, and a fake clock.

The fake API is deliberately tiny and independent of simulator/: it answers
only the requests the plugins under test send, and records every request so
tests can assert on counts, methods and bodies.
"""

import copy
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import requests

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

# Kubernetes kinds every fake cluster serves (group, version, kind).
API_RESOURCES = (("", "v1", "PersistentVolumeClaim"), ("", "v1", "Secret"), ("", "v1", "ConfigMap"), ("", "v1", "Service"),
                 ("apps", "v1", "Deployment"), ("apps", "v1", "StatefulSet"),
                 ("rbac.authorization.k8s.io", "v1", "ClusterRole"))


def problem(status, number, title, detail):
    return {"type": "https://astra.netapp.io/problems/%d" % number, "title": title, "detail": detail,
            "status": str(status), "correlationID": "corr-%d" % number}


class FakeAstraApi:
    """The demo estate: prod-east and dr-west managed, lab-north not; apps added by the tests."""

    FILTER_TERM = re.compile(r"\s*(?P<field>[\w.\[\]*]+)\s+eq\s+'(?P<value>[^']*)'\s*")

    def __init__(self):
        self.requests = []
        self.clusters = [
            self._cluster(PROD_EAST, "prod-east", "managed", ["default", "kube-system", "wordpress", "jenkins", "postgres",
                                                              "shop-frontend", "shop-db"]),
            self._cluster(DR_WEST, "dr-west", "managed", ["default", "kube-system"]),
            self._cluster(LAB_NORTH, "lab-north", "unmanaged", ["default", "kube-system", "lab"]),
        ]
        self.storage_classes = {
            cluster["id"]: [self._storage_class(name) for name in (
                ("ontap-gold", "ontap-san") if cluster["id"] == DR_WEST else ("ontap-gold", "ontap-san", "ontap-nas-economy"))]
            for cluster in self.clusters
        }
        self.buckets = [{"id": BUCKET, "name": "dr-bucket", "state": "available",
                         "type": "application/astra-bucket", "version": "1.1", "provider": "ontap-s3"}]
        self.clouds = [{"id": CLOUD, "name": "on-prem", "type": "application/astra-cloud", "version": "1.1",
                        "state": "running", "cloudType": "private", "defaultBucketID": BUCKET}]
        self.api_resources = {
            cluster["id"]: [{"id": str(uuid.uuid4()), "type": "application/astra-apiResource", "version": "1.0",
                             "apiVersion": "%s/%s" % (group, version) if group else version, "kind": kind}
                            for group, version, kind in API_RESOURCES]
            for cluster in self.clusters
        }
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

    @staticmethod
    def _storage_class(name):
        item = {"id": str(uuid.uuid4()), "name": name, "type": "application/astra-storageClass", "version": "1.1",
                "provisioner": "csi.trident.netapp.io"}
        if name == "ontap-gold":
            item["isDefault"] = "true"
        return item

    def timestamp(self):
        """A creation timestamp one second after the previous one: creation order is time order."""
        self.ticks += 1
        return "2025-01-01T00:%02d:%02dZ" % divmod(self.ticks, 60)

    @staticmethod
    def _cluster(cluster_id, name, managed_state, namespaces):
        return {"id": cluster_id, "name": name, "type": "application/astra-cluster", "version": "1.7",
                "state": "running", "managedState": managed_state, "namespaces": namespaces,
                "clusterType": "kubernetes", "cloudID": CLOUD}

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
            return requests.ConnectionError("simulated outage: the cluster behind %s does not answer" % path)
        body = json.loads(request.body) if request.body else None
        self.current = request
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
        terms = [term for term in (params.get("filter") or "").split(",") if term.strip()]
        if len(terms) > 1:
            # The published grammar of `filter` does not reliably allow a second, different condition: a real Astra
            # Control Center may answer 400 (problem 5). The fake refuses it, so no test passes with one.
            return self._problem(400, 5, "Invalid query parameters", "more than one filter condition: %r" % params["filter"])
        for term in terms:
            if not term.strip():
                continue
            match = self.FILTER_TERM.fullmatch(term)
            if not match:
                return self._problem(400, 5, "Invalid query parameters", "bad filter %r" % term)
            items = [item for item in items if self._matches(item, match.group("field"), match.group("value"))]
        return self._json(200, {"items": items, "metadata": {}})

    @staticmethod
    def _matches(item, field, value):
        if "[*]." in field:
            list_field, sub_field = field.split("[*].", 1)
            return any(entry.get(sub_field) == value for entry in item.get(list_field) or [])
        return item.get(field) == value

    def _get(self, path, params, _body):
        segments = path.split("/")
        if path == "topology/v1/clusters":
            return self._list(copy.deepcopy(self.clusters), params)
        if path == "topology/v1/buckets":
            if params:
                return self._problem(400, 6, "Query parameters not supported", "buckets take no parameters")
            return self._json(200, {"items": copy.deepcopy(self.buckets), "metadata": {}})
        if path == "k8s/v2/apps":
            return self._list([self.public(app) for app in self.apps.values()], params)
        if segments[:3] in (["topology", "v1", "clusters"], ["topology", "v1", "managedClusters"]):
            cluster = next((c for c in self.clusters if c["id"] == segments[3]), None)
            if cluster is None or (segments[2] == "managedClusters" and cluster["managedState"] != "managed"):
                return self._problem(404, 2, "Collection not found", "no such cluster")
            if len(segments) == 4:
                return self._json(200, copy.deepcopy(cluster))
            if segments[4] == "namespaces":
                items = [{"id": str(uuid.uuid5(uuid.NAMESPACE_DNS, cluster["id"] + name)), "name": name,
                          "namespaceState": "discovered", "clusterID": cluster["id"],
                          **({"systemType": "kubernetes"} if name.startswith("kube-") else {})}
                         for name in cluster["namespaces"]]
                return self._list(items, params)
            if segments[4] == "apiResources":
                return self._json(200, {"items": copy.deepcopy(self.api_resources[cluster["id"]]), "metadata": {}})
            if segments[4] == "storageClasses":
                if "filter" in params:
                    return self._problem(400, 6, "Query parameters not supported", "filter")
                return self._json(200, {"items": copy.deepcopy(self.storage_classes[cluster["id"]]), "metadata": {}})
        if segments[:3] == ["k8s", "v2", "apps"] and len(segments) == 4:
            app = self.apps.get(segments[3])
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
                del self.apps[segments[3]]
                return self._problem(404, 2, "Resource not found", "no such app")
            return self._json(200, self.public(app))
        if path == "topology/v1/appBackups":
            if "filter" in params:
                return self._problem(400, 6, "Query parameters not supported", "filter")
            items = [self.public(item) for by_app in self.points["appBackups"].values() for item in by_app.values()]
            return self._json(200, {"items": items, "metadata": {}})
        if segments[:3] == ["topology", "v1", "clouds"] and len(segments) == 4:
            cloud = next((item for item in self.clouds if item["id"] == segments[3]), None)
            if cloud is None:
                return self._problem(404, 2, "Resource not found", "no such cloud")
            return self._json(200, copy.deepcopy(cloud))
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) >= 5:
            return self._get_app_child(segments[3], segments[4:], params)
        return self._problem(404, 2, "Collection not found", path)

    def _get_app_child(self, app_id, rest, params):
        if app_id not in self.apps:
            return self._problem(404, 2, "Collection not found", "no such app")
        if "filter" in params:
            return self._problem(400, 6, "Query parameters not supported", "filter")
        if rest == ["appAssets"]:
            return self._json(200, {"items": copy.deepcopy(self.assets.get(app_id, [])), "metadata": {}})
        if rest == ["schedules"]:
            return self._json(200, {"items": copy.deepcopy(list(self.schedules.get(app_id, {}).values())), "metadata": {}})
        if rest == ["appMirrors"]:
            items = [self._mirror_view(mirror) for mirror in self.mirrors.values()
                     if app_id in (mirror["sourceAppID"], mirror["destinationAppID"])]
            return self._json(200, {"items": items, "metadata": {}})
        collection = rest[0]
        if collection not in self.points:
            return self._problem(404, 2, "Collection not found", collection)
        by_app = self.points[collection].get(app_id, {})
        if len(rest) == 1:
            return self._json(200, {"items": [self.public(item) for item in by_app.values()], "metadata": {}})
        point = by_app.get(rest[1])
        if point is None:
            return self._problem(404, 2, "Resource not found", "no such %s" % collection)
        if rest[2:] == ["appAssets"]:
            return self._json(200, {"items": copy.deepcopy(point["_assets"]), "metadata": {}})
        point["_polls"] += 1
        if point["state"] in ("pending", "running") and point["_polls"] >= self.polls_until_completed:
            point["state"] = "failed" if point["_fail"] else "completed"
            if point["_fail"]:
                point["stateDetails"] = [{"type": "https://astra.netapp.io/stateDetails/9", "title": "Snapshot failed",
                                          "detail": "simulated failure"}]
        if point["state"] == "deleting" and point["_polls"] >= self.polls_until_gone:
            del by_app[rest[1]]
            return self._problem(404, 2, "Resource not found", "no such %s" % collection)
        return self._json(200, self.public(point))

    def _post(self, path, _params, body):
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 5:
            return self._post_app_child(segments[3], segments[4], body)
        if path != "k8s/v2/apps":
            return self._problem(405, 69, "Method not supported", path)
        cluster = next((c for c in self.clusters if c["id"] == body.get("clusterID")), None)
        if cluster is None:
            return self._problem(400, 106, "Cluster not found", "unknown clusterID")
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
        if app_id not in self.apps:
            return self._problem(404, 2, "Collection not found", "no such app")
        location = BASE + "k8s/v1/apps/%s/%s/" % (app_id, collection)
        if collection == "schedules":
            schedule = self.add_schedule(app_id, **{key: value for key, value in body.items() if key != "version"})
            return 201, {"Content-Type": "application/json", "Location": location + schedule["id"]}, json.dumps(schedule)
        if collection not in self.points:
            return self._problem(404, 2, "Collection not found", collection)
        by_app = self.points[collection].get(app_id, {})
        if any(item["name"] == body.get("name") for item in by_app.values()):
            number = 176 if collection == "appSnaps" else 143
            return self._problem(409, number, "Duplicate name", "a %s named %s exists" % (collection, body.get("name")))
        fields = {key: value for key, value in body.items() if key not in ("type", "version", "name")}
        if collection == "appBackups" and "snapshotID" not in fields:
            fields["snapshotID"] = self.add_snapshot(app_id, "backup-snap-%d" % (self.ticks + 1))["id"]
        point = self.add_point(app_id, collection, body.get("name"), state="pending", **fields)
        self.points[collection][app_id][point["id"]]["_fail"] = self._take_failure(
            "appSnap" if collection == "appSnaps" else "appBackup")
        return 201, {"Content-Type": "application/json", "Location": location + point["id"]}, json.dumps(point)

    def _put(self, path, _params, body):
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 6 and segments[4] == "schedules":
            schedule = self.schedules.get(segments[3], {}).get(segments[5])
            if schedule is None:
                return self._problem(404, 1, "Resource not found", path)
            keep = {key: schedule[key] for key in ("id", "metadata")}
            schedule.clear()
            schedule.update(body, **keep)
            return 204, {}, ""
        app = self.apps.get(segments[-1]) if segments[:3] == ["k8s", "v2", "apps"] else None
        if app is None:
            return self._problem(404, 1, "Resource not found", path)
        if "snapshotID" in body or "backupID" in body:
            if self.current.headers.get("ForceUpdate", "").lower() != "true":
                return self._problem(403, 79, "Missing request header", "ForceUpdate")
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
        segments = path.split("/")
        if segments[:3] == ["k8s", "v1", "apps"] and len(segments) == 6:
            if segments[4] == "schedules":
                if self.schedules.get(segments[3], {}).pop(segments[5], None) is None:
                    return self._problem(404, 1, "Resource not found", path)
                return 204, {}, ""
            point = self.points.get(segments[4], {}).get(segments[3], {}).get(segments[5])
            if point is None:
                return self._problem(404, 1, "Resource not found", path)
            point["state"], point["_polls"] = "deleting", 0
            return 204, {}, ""
        app = self.apps.get(segments[-1]) if segments[:3] == ["k8s", "v2", "apps"] else None
        if app is None:
            return self._problem(404, 1, "Resource not found", path)
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
        if state == "establishing":
            mirror["stateDetails"] = [self._detail(3, "AppMirror is being established")]
            mirror["healthState"] = "warning"
            mirror["healthStateDetails"] = [self._detail(4, "AppMirror not yet established")]
        elif state == "established":
            mirror["stateDetails"] = [self._detail(1, "AppMirror relationship established")]
            mirror["healthState"] = "normal"
            mirror["healthStateDetails"] = [self._detail(2, "SnapMirror syncing successfully")]
        elif state in ("failingOver", "failedOver"):
            mirror["stateDetails"] = [self._detail(5, "AppMirror failing over" if state == "failingOver" else
                                                   "AppMirror failed over")]
            mirror["healthState"] = "warning"
            mirror["healthStateDetails"] = [self._detail(6, "AppMirror is not protecting the app")]

    def _mirror_view(self, mirror):
        return self.public(mirror)

    def _get_mirror(self, rest, params, _body):
        if not rest:
            return self._list([self._mirror_view(mirror) for mirror in self.mirrors.values()], params)
        mirror = self.mirrors.get(rest[0])
        if mirror is None:
            return self._problem(404, 115, "AppMirror not found", "no such appMirror")
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

    def _live_mirrors_of(self, app_id):
        return [mirror for mirror in self.mirrors.values()
                if mirror["state"] != "deleting" and app_id in (mirror["sourceAppID"], mirror["destinationAppID"])]

    def _post_mirror(self, rest, _params, body):
        if rest:
            return self._problem(405, 69, "Method not supported", "/".join(rest))
        if body.get("stateDesired") != "established" or "destinationAppID" in body:
            return self._problem(400, 9, "Invalid body", "stateDesired must be established; no destinationAppID")
        source = self.apps.get(body.get("sourceAppID"))
        if source is None:
            return self._problem(400, 117, "Source app ID invalid", "no such app")
        cluster = next((c for c in self.clusters if c["id"] == body.get("destinationClusterID")), None)
        if cluster is None or cluster["managedState"] != "managed":
            return self._problem(400, 106, "Cluster not found", "unknown or unmanaged destination cluster")
        if source["state"] != "ready":
            return self._problem(409, 112, "App not ready", "the source app is %s" % source["state"])
        if self._live_mirrors_of(source["id"]):
            return self._problem(409, 150, "Replication not supported", "the app is already in a relationship")
        classes = body.get("storageClasses") or []
        names = [item["name"] for item in self.storage_classes[cluster["id"]]]
        if any(entry.get("storageClassName") not in names for entry in classes):
            return self._problem(400, 118, "Storage class invalid", "no such storage class on the destination")
        mapping = body.get("namespaceMapping") or []
        namespaces = next((entry["namespaces"] for entry in mapping if entry["clusterID"] == cluster["id"]),
                          source["namespaces"])
        destination = self.add_app(source["name"], cluster["id"], namespaces)
        self.apps[destination["id"]]["replicationSourceAppID"] = source["id"]
        for namespace in namespaces:
            if namespace not in cluster["namespaces"]:
                cluster["namespaces"].append(namespace)
        mirror = self._new_mirror(source, cluster, destination["id"], mapping, classes)
        return 201, {"Content-Type": "application/astra-appMirror+json",
                     "Location": BASE + "k8s/v1/appMirrors/" + mirror["id"]}, json.dumps(self._mirror_view(mirror))

    def _put_mirror(self, rest, _params, body):
        mirror = self.mirrors.get(rest[0]) if len(rest) == 1 else None
        if mirror is None:
            return self._problem(404, 115, "AppMirror not found", "no such appMirror")
        if body.get("type") != "application/astra-appMirror" or body.get("version") not in ("1.0", "1.1"):
            return self._problem(400, 9, "Invalid body", "type and version are required")
        desired, state = body.get("stateDesired"), mirror["state"]
        ids = dict((key, body[key]) for key in self.MIRROR_IDS if key in body)
        current = dict((key, mirror[key]) for key in self.MIRROR_IDS)
        swapped = {"sourceAppID": current["destinationAppID"], "sourceClusterID": current["destinationClusterID"],
                   "destinationAppID": current["sourceAppID"], "destinationClusterID": current["sourceClusterID"]}
        refused = self._problem(409, 10, "Invalid state transition", "stateDesired %s is not allowed in state %s"
                                % (desired, state))
        if desired == "failedOver":
            if state in ("failingOver", "failedOver"):
                pass
            elif state != "established":
                return refused
            else:
                mirror["stateDesired"] = "failedOver"
                self._mirror_state(mirror, "failingOver")
        elif desired == "established":
            if set(ids) != set(self.MIRROR_IDS) or ids not in (current, swapped):
                return self._problem(409, 10, "Invalid IDs", "give all four IDs, unchanged or swapped")
            if not (state == "failedOver" or (state == "established" and ids == swapped)):
                return refused
            if ids == swapped:
                mirror.update(swapped)
                self.apps[mirror["sourceAppID"]].pop("replicationSourceAppID", None)
            self.apps[mirror["destinationAppID"]]["replicationSourceAppID"] = mirror["sourceAppID"]
            mirror["stateDesired"] = "established"
            self._mirror_state(mirror, "establishing")
        else:
            return refused
        # Real ACC answers 200 with a partial mirror (no IDs, no stateAllowed, an extra key): clients must read again.
        partial = dict((key, value) for key, value in self._mirror_view(mirror).items()
                       if key not in self.MIRROR_IDS and key != "stateAllowed")
        partial["ReplicatedPVCs_"] = None
        return self._json(200, partial)

    def _delete_mirror(self, rest, _params, _body):
        mirror = self.mirrors.get(rest[0]) if len(rest) == 1 else None
        if mirror is None:
            return self._problem(404, 115, "AppMirror not found", "no such appMirror")
        mirror["stateDesired"] = "deleted"
        self._mirror_state(mirror, "deleting")
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
