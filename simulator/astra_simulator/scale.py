"""The `scale` scenario: an estate of many apps across several cluster pairs, to rehearse and measure runbooks at size.

`--scenario scale --apps N --clusters M` builds M production clusters `prod-01`... each paired with a DR cluster
`dr-01`..., and N apps `app-001`... spread over the production clusters in turn. Each app has a namespace of its
own with a small workload and a volume (every 5th app has a second namespace, `<app>-cache`); the volumes alternate
between the two storage classes every cluster has.

Then the apps are put under protection through the simulator's own API, as any client would, so every document has
the shape and the history a client's requests give it, and the state machines run as usual (at a tiny time scale,
before the server serves its first request):
- every app is managed;
- every app but each 10th (`app-010`, `app-020`...) has a completed snapshot and a completed backup (protected);
- every app but each 5th (`app-005`, `app-010`...) is replicated to its cluster's DR peer: an established AppMirror
  with a `kubedr-replication` schedule every 10 minutes, as astra_app_mirror makes it.
So a 250-app estate has 225 protected and 200 mirrored apps, and the unprotected ones show up in a posture run.
"""

import json
import time

DEFAULT_APPS = 200
DEFAULT_CLUSTERS = 2
MAX_APPS = 2000
MAX_CLUSTERS = 20
# How fast the seeding's own operations complete: every duration times this, so they are due at once.
SEEDING_TIME_SCALE = 1e-6
SEEDING_TIMEOUT = 120.0
REPLICATION_RULE = "DTSTART:20200101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=10"


def app_name(number):
    return "app-%03d" % number


def is_protected(number):
    return number % 10 != 0


def is_mirrored(number):
    return number % 5 != 0


def app_namespaces(number):
    name = app_name(number)
    return [name, "%s-cache" % name] if number % 5 == 0 else [name]


def cluster_pair(number, clusters):
    """(production cluster, DR cluster) of app `number` (1-based): the apps go round the production clusters."""
    index = (number - 1) % clusters + 1
    return "prod-%02d" % index, "dr-%02d" % index


def check_size(apps, clusters):
    if not 1 <= apps <= MAX_APPS:
        raise ValueError("--apps must be 1 to %d, got %s" % (MAX_APPS, apps))
    if not 1 <= clusters <= MAX_CLUSTERS:
        raise ValueError("--clusters must be 1 to %d, got %s" % (MAX_CLUSTERS, clusters))


def build_scale(builder, apps, clusters, storage_classes, sample_workload):
    """The topology and the workloads: M cluster pairs, N apps' namespaces (no Astra object yet)."""
    check_size(apps, clusters)
    bucket = builder.bucket("dr-bucket", "s3.on-prem.example.internal")
    cloud = builder.cloud("on-prem", default_bucket=bucket)
    by_name = {}
    for index in range(1, clusters + 1):
        for prefix, location in (("prod", "dc-east"), ("dr", "dc-west")):
            name = "%s-%02d" % (prefix, index)
            by_name[name] = builder.kubernetes_cluster(name, cloud, True, location, storage_classes,
                                                       storage_classes[0][0])
    for number in range(1, apps + 1):
        production, _dr = cluster_pair(number, clusters)
        storage_class = storage_classes[number % len(storage_classes)][0]
        for namespace in app_namespaces(number):
            labels = {"app": app_name(number)}
            builder.namespace(by_name[production], namespace, labels)
            for spec in sample_workload(namespace, labels=labels, storage_class=storage_class):
                builder.k8s(by_name[production], namespace, spec)


class _Seeder:
    """Requests to the simulator's own API, in process, with the account's token."""

    def __init__(self, store, identity, time_scale):
        # Imported here: the routes import the scenarios, which import this module.
        from .dispatcher import Dispatcher  # pylint: disable=import-outside-toplevel
        from .engine import Engine  # pylint: disable=import-outside-toplevel
        from .routes import build_router  # pylint: disable=import-outside-toplevel
        self.engine = Engine(store, time_scale)
        self.dispatcher = Dispatcher(store, self.engine, build_router(), identity)
        self.headers = {"authorization": "Bearer %s" % identity.token, "accept": "*/*",
                        "content-type": "application/json"}
        self.prefix = "/accounts/%s/" % identity.account_id

    def call(self, method, path, body=None):
        from .dispatcher import RawRequest  # pylint: disable=import-outside-toplevel
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
        app_id, _, snapshot_id = path.partition("/appSnaps/")
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
