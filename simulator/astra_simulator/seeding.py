"""What a scenario puts in place through the simulator's own API once the account exists: the scale scenario's
managed, protected and replicated apps (scale.py says which).

The requests go through the dispatcher in process, with the account's token, so every document has the shape and
history a client's requests give it; the seeding's own operations run at a tiny time scale and are driven to
completion here, before the server serves anything (and again after a reset).
"""

import json
import time

from .dispatcher import Dispatcher, RawRequest
from .engine import Engine
from .routes import build_router
from .scale import DEFAULT_APPS, DEFAULT_CLUSTERS, app_name, app_namespaces, cluster_pair, is_mirrored, is_protected

# How fast the seeding's own operations complete: every duration times this, so they are due at once.
SEEDING_TIME_SCALE = 1e-6
SEEDING_TIMEOUT = 120.0
# Daily: hundreds of mirrors transferring every few minutes would keep a simulator at a test time scale (0.02: a
# 10-minute interval fires every 12 s) busy with transfers alone, and slow every request it serves.
REPLICATION_RULE = "DTSTART:20200101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=1440"


def seed_scenario(store, identity, time_scale):
    """Seed the state file's scenario, if it is one that needs it (only scale does)."""
    if store.setting("scenario") == "scale":
        size = store.setting("scale") or {}
        seed_scale(store, identity, size.get("apps", DEFAULT_APPS), size.get("clusters", DEFAULT_CLUSTERS), time_scale)


class _Seeder:
    """Requests to the simulator's own API, in process, with the account's token."""

    def __init__(self, store, identity, time_scale):
        self.engine = Engine(store, time_scale)
        self.dispatcher = Dispatcher(store, self.engine, build_router(), identity)
        self.headers = {"authorization": "Bearer %s" % identity.token, "accept": "*/*",
                        "content-type": "application/json"}
        self.prefix = "/accounts/%s/" % identity.account_id

    def call(self, method, path, body=None):
        raw = RawRequest(method, self.prefix + path, [], dict(self.headers),
                         json.dumps(body).encode() if body is not None else b"", "https://simulator.invalid")
        reply = self.dispatcher.dispatch(raw)
        if reply.status >= 300:
            raise RuntimeError("seeding the scale scenario: %s %s answered %d: %s"
                               % (method, path, reply.status, reply.body.decode(errors="replace")))
        return json.loads(reply.body) if reply.body else None

    def settle(self, path, state, ids):
        """Run the state machines until every resource path % id is in `state`."""
        deadline = time.monotonic() + SEEDING_TIMEOUT
        pending = set(ids)
        while pending:
            self.engine.run_due()
            pending = {one for one in pending if self.call("GET", path % one).get("state") != state}
            if pending and time.monotonic() > deadline:
                raise RuntimeError("seeding the scale scenario: %d of %s not %s in time" % (len(pending), path, state))
            if pending:
                time.sleep(0.001)


def seed_scale(store, identity, apps, clusters, time_scale):
    """Manage, protect and replicate the scale scenario's apps (see the module docstring).

    time_scale: the server's; the replication schedules are created at it, so they fire at the server's pace."""
    seeder = _Seeder(store, identity, SEEDING_TIME_SCALE)
    cluster_ids = {item["name"]: item["id"] for item in seeder.call("GET", "topology/v1/clusters")["items"]}
    app_ids = {}
    for number in range(1, apps + 1):
        production, _dr = cluster_pair(number, clusters)
        created = seeder.call("POST", "k8s/v2/apps", {
            "type": "application/astra-app", "version": "2.1", "name": app_name(number),
            "clusterID": cluster_ids[production],
            "namespaceScopedResources": [{"namespace": namespace} for namespace in app_namespaces(number)]})
        app_ids[number] = created["id"]
    seeder.settle("k8s/v2/apps/%s", "ready", app_ids.values())

    snapshots = {}
    for number, app_id in app_ids.items():
        if is_protected(number):
            snapshot = seeder.call("POST", "k8s/v1/apps/%s/appSnaps" % app_id, {
                "type": "application/astra-appSnap", "version": "1.1", "name": "%s-seed" % app_name(number)})
            snapshots[number] = "%s/appSnaps/%s" % (app_id, snapshot["id"])
    seeder.settle("k8s/v1/apps/%s", "completed", snapshots.values())
    backups = []
    for number, path in snapshots.items():
        app_id, snapshot_id = path.split("/appSnaps/")
        backup = seeder.call("POST", "k8s/v1/apps/%s/appBackups" % app_id, {
            "type": "application/astra-appBackup", "version": "1.1", "name": "%s-seed" % app_name(number),
            "snapshotID": snapshot_id})
        backups.append("%s/appBackups/%s" % (app_id, backup["id"]))
    seeder.settle("k8s/v1/apps/%s", "completed", backups)

    mirrors = {}
    for number, app_id in app_ids.items():
        if not is_mirrored(number):
            continue
        _production, dr = cluster_pair(number, clusters)
        mirrors[app_id] = seeder.call("POST", "k8s/v1/appMirrors", {
            "type": "application/astra-appMirror", "version": "1.1", "sourceAppID": app_id,
            "destinationClusterID": cluster_ids[dr], "stateDesired": "established"})["id"]
    seeder.settle("k8s/v1/appMirrors/%s", "established", mirrors.values())
    scheduler = _Seeder(store, identity, time_scale)
    for app_id in mirrors:
        scheduler.call("POST", "k8s/v1/apps/%s/schedules" % app_id, {
            "type": "application/astra-schedule", "version": "1.3", "name": "kubedr-replication",
            "granularity": "custom", "recurrenceRule": REPLICATION_RULE, "snapshotRetention": "0",
            "backupRetention": "0", "enabled": "true", "replicate": "true"})
