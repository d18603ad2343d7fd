"""Authentication on every route, other accounts, the listening address, and the token staying secret."""

import re
import secrets
import uuid

import pytest
import requests

from astra_simulator.__main__ import parse_args
from astra_simulator.app import create_app
from astra_simulator.bootstrap import bootstrap
from astra_simulator.store import Store
from simulator_harness import SimulatorProcess, assert_problem, wait_until

PROBLEM_MEMBERS = {"type", "title", "detail", "status", "correlationID", "reason"}
PARAMETER = re.compile(r"\{([^}]+)\}")
# Control path parameters get real names, so a missing check would show as a success, not as a 404.
CONTROL_VALUES = {"name": "prod-east", "namespace": "wordpress"}
BODY = {"type": "application/astra-app", "version": "2.2", "name": "intruder"}


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    """Every (method, path pattern) the application serves: the API's route table and the control endpoints."""
    store = Store(str(tmp_path_factory.mktemp("routes") / "routes.sqlite"))
    try:
        app = create_app(store, bootstrap(store, scenario="empty").identity, 1.0).app
        routes = list(_walk(app.routes))
        control = sorted((method, path) for path, methods in routes if path.startswith("/_simulator/") for method in methods)
        others = [path for path, _methods in routes if not path.startswith("/_simulator/")]
        api = sorted((method, pattern) for pattern, route in app.state.api_router.routes.items() for method in route.operations)
    finally:
        store.close()
    assert others == ["/{path:path}"]         # everything else goes through the dispatcher's route table
    assert len(api) >= 80 and len(control) >= 12
    return {"api": api, "control": control}


def _walk(routes, prefix=""):
    """(path, methods) of every route, through included routers (FastAPI versions differ in how they keep them)."""
    for route in routes:
        if hasattr(route, "original_router"):           # FastAPI >= 0.16x keeps an included router as one entry
            yield from _walk(route.original_router.routes, prefix + getattr(route.include_context, "prefix", ""))
        else:
            yield prefix + route.path, route.methods


def fill(pattern, values):
    return PARAMETER.sub(lambda match: values(match.group(1)), pattern)


def send(method, url, headers=None):
    return requests.request(method, url, headers=headers or {}, timeout=10,
                            json=BODY if method in ("POST", "PUT") else None)


def test_every_route_needs_the_token(sim, registered):
    dummy = str(uuid.uuid4())
    targets = [(method, sim.api + fill(pattern, lambda _name: dummy)) for method, pattern in registered["api"]]
    targets += [("PATCH", sim.api + fill(pattern, lambda _name: dummy)) for pattern in {p for _m, p in registered["api"]}]
    targets += [(method, sim.url + fill(path, CONTROL_VALUES.get)) for method, path in registered["control"]
                if path != "/_simulator/health"]
    for method, url in targets:
        missing = send(method, url)
        assert_problem(missing, 401, 3)
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert_problem(send(method, url, {"Authorization": "Basic " + sim.token}), 401, 3)
        wrong = send(method, url, {"Authorization": "Bearer " + sim.token + "x"})
        assert_problem(wrong, 401, 4)
        assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
        for response in (missing, wrong):
            assert set(response.json()) <= PROBLEM_MEMBERS, (method, url)
    log = sim.control("GET", "requests").json()["items"]
    assert len(log) == 3 * len([url for _method, url in targets if "/accounts/" in url])
    assert {entry["status"] for entry in log} == {401}
    # health is the only route without a token; nothing changed in the world
    assert requests.get(sim.url + "/_simulator/health", timeout=5).json() == {"status": "ok"}
    assert sim.items("k8s/v2/apps") == [] and "wordpress" in sim.named("topology/v1/clusters", "prod-east")["namespaces"]
    assert not sim.control("GET", "clusters/prod-east").json()["unreachable"]


def _world_with_everything(sim):
    """An app with a snapshot, a backup, a schedule, an established mirror, a hook that ran (an event); {parameter name:
    a real ID}."""
    app = sim.ready_app("wp", "prod-east", ["wordpress"])
    snap = sim.completed_snapshot(app["id"], "s1")
    backup = sim.completed_backup(app["id"], "b1", snapshotID=snap["id"])
    schedule = sim.post("k8s/v1/apps/%s/schedules" % app["id"], {
        "type": "application/astra-schedule", "version": "1.3", "name": "daily", "granularity": "daily", "minute": "0",
        "hour": "1", "snapshotRetention": "2", "backupRetention": "1"})
    assert schedule.status_code == 201, schedule.text
    mirror = sim.post("k8s/v1/appMirrors", {"type": "application/astra-appMirror", "version": "1.1", "sourceAppID": app["id"],
                                            "destinationClusterID": sim.cluster_id("dr-west"), "stateDesired": "established"})
    assert mirror.status_code == 201, mirror.text
    sim.wait_for("k8s/v1/appMirrors/" + mirror.json()["id"], "established")
    prod = sim.named("topology/v1/managedClusters", "prod-east")
    assert sim.control("PUT", "executionHooks", json={"enabled": True}).status_code == 200
    source = sim.post("core/v1/hookSources", {"type": "application/astra-hookSource", "version": "1.0", "name": "quiesce",
                                              "sourceType": "script", "source": "ZWNobyBvawo="})
    assert source.status_code == 201, source.text
    hook = sim.post("k8s/v1/apps/%s/executionHooks" % app["id"], {
        "type": "application/astra-executionHook", "version": "1.3", "name": "pre-snap", "hookType": "custom",
        "action": "snapshot", "stage": "pre", "hookSourceID": source.json()["id"], "appID": app["id"]})
    assert hook.status_code == 201, hook.text
    sim.completed_snapshot(app["id"], "s2")  # runs the hook: an event in the activity log
    return {
        "event_id": sim.items("core/v1/events")[0]["id"],
        "hookSource_id": source.json()["id"], "executionHook_id": hook.json()["id"],
        "setting_id": sim.items("core/v1/settings")[0]["id"],
        "cloud_id": sim.items("topology/v1/clouds")[0]["id"], "cluster_id": prod["id"], "managedCluster_id": prod["id"],
        "namespace_id": sim.named("topology/v1/namespaces", "wordpress")["id"],
        "storageClass_id": sim.items("topology/v1/managedClusters/%s/storageClasses" % prod["id"])[0]["id"],
        "apiResource_id": sim.items("topology/v1/managedClusters/%s/apiResources" % prod["id"])[0]["id"],
        "bucket_id": sim.items("topology/v1/buckets")[0]["id"], "app_id": app["id"], "appSnap_id": snap["id"],
        "appBackup_id": backup["id"], "schedule_id": schedule.json()["id"], "appMirror_id": mirror.json()["id"],
        "appAsset_id": sim.items("k8s/v1/apps/%s/appAssets" % app["id"])[0]["id"],
    }


def _everything(sim, ids):
    app = "k8s/v1/apps/%s/" % ids["app_id"]
    return {path: sim.items(path) for path in ("k8s/v2/apps", app + "appSnaps", app + "appBackups", app + "schedules",
                                               "k8s/v1/appMirrors", "topology/v1/clouds", "topology/v1/buckets",
                                               "topology/v1/managedClusters", "topology/v1/namespaces",
                                               "core/v1/hookSources", "core/v1/executionHooks", "core/v1/settings",
                                               "core/v1/events")}


def test_another_account_is_refused_on_every_route_and_sees_nothing(sim, registered):
    ids = _world_with_everything(sim)
    before = _everything(sim, ids)
    known = set(ids.values()) | {sim.account_id}
    known |= {item["id"] for items in before.values() for item in items}
    other = str(uuid.uuid4())
    base = "%s/accounts/%s/" % (sim.url, other)
    assert set(PARAMETER.findall(" ".join(p for _m, p in registered["api"]))) <= set(ids)
    for method, pattern in registered["api"] + [("PATCH", "k8s/v2/apps"), ("GET", "no/such/collection")]:
        url = base + fill(pattern, ids.get)
        response = send(method, url, sim.headers)
        body = assert_problem(response, 403, 11)        # the same answer on every route: 403 problem 11
        assert set(body) <= PROBLEM_MEMBERS, (method, url)
        assert not {"location", "etag"} & {name.lower() for name in response.headers}
        leaked = [value for value in known if value in response.text]
        assert not leaked, (method, url, leaked)
        assert other in body["reason"]
        # with a wrong token it is 401 first: the account check never runs for an unauthenticated caller
        assert_problem(send(method, url, {"Authorization": "Bearer nope"}), 401, 4)
    assert _everything(sim, ids) == before          # no POST, PUT or DELETE of another account did anything


def test_default_host_is_loopback(tmp_path):
    assert parse_args([]).host == "127.0.0.1"
    simulator = SimulatorProcess(tmp_path, host=None).start()
    try:
        assert "--host" not in simulator.command()
        assert "base URL:    http://127.0.0.1:%d" % simulator.port in simulator.output()
        listening = _listeners(simulator.port)
        if listening is not None:
            assert listening == {"127.0.0.1"}, listening
    finally:
        simulator.stop()


def _listeners(port):
    """Addresses listening on `port` according to /proc/net/tcp{,6}; None where /proc isn't available."""
    found = set()
    try:
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            with open(table) as rows:
                for row in list(rows)[1:]:
                    local, state = row.split()[1], row.split()[3]
                    address, _colon, hex_port = local.partition(":")
                    if state == "0A" and int(hex_port, 16) == port:
                        found.add(_address(address))
    except OSError:
        return None
    return found


def _address(hex_address):
    if len(hex_address) == 8:
        return ".".join(str(int(hex_address[i:i + 2], 16)) for i in (6, 4, 2, 0))
    return hex_address       # IPv6: any listener there is wrong anyway


def test_token_never_leaks(tmp_path):
    token = "tok-" + secrets.token_urlsafe(24)
    simulator = SimulatorProcess(tmp_path, token=token).start()
    texts = []
    try:
        def keep(response):
            texts.append(response.text)
            texts.append(repr(dict(response.headers)))
            return response

        api, auth = simulator.api, {"Authorization": "Bearer " + token}
        keep(simulator.get("topology/v1/clouds"))
        keep(requests.get(api + "topology/v1/clouds", timeout=5))                                           # 3
        for wrong in (token + "x", token[:-1], token.upper(), "Bearer " + token, token + " " + token):
            keep(requests.get(api + "topology/v1/clouds", headers={"Authorization": "Bearer " + wrong}, timeout=5))   # 4
        keep(requests.get(api + "topology/v1/clouds", headers={"Authorization": token}, timeout=5))           # 3
        keep(requests.get("%s/accounts/%s/topology/v1/clouds" % (simulator.url, uuid.uuid4()), headers=auth, timeout=5))
        keep(requests.get("%s/accounts/nope/topology/v1/clouds" % simulator.url, headers=auth, timeout=5))     # 33
        keep(simulator.get("no/such/thing"))                                                                  # 2
        keep(simulator.request("PATCH", "k8s/v2/apps"))                                                       # 69
        keep(simulator.get("k8s/v2/apps", headers={"Accept": "text/html"}))                                   # 32
        keep(simulator.get("k8s/v2/apps?bogus=1"))                                                           # 6
        keep(simulator.get("k8s/v2/apps?limit=x"))                                                           # 5
        keep(simulator.request("POST", "k8s/v2/apps", data=b"{"))                                             # 7
        keep(simulator.post("k8s/v2/apps", {"type": "application/astra-app", "version": "2.2", "name": "Bad"}))  # 8
        keep(simulator.post("k8s/v2/apps", {"type": "application/astra-app", "version": "2.2", "name": "ok"}))   # 9
        keep(simulator.request("POST", "k8s/v2/apps", data=b" " * (1024 * 1024 + 1)))                         # 85
        keep(simulator.request("DELETE", "k8s/v2/apps/" + str(uuid.uuid4())))                                # 1
        keep(simulator.control("PUT", "faults", json={"retry_after": -1}))                                    # 9
        keep(simulator.control("POST", "clusters/nowhere/outage"))                                            # 2
        keep(simulator.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [503, 429],
                                                      "retry_after": 1}))
        for _attempt in range(4):
            keep(simulator.get("topology/v1/clouds"))                                                        # injected
        keep(simulator.control("DELETE", "faults"))
        log = keep(simulator.control("GET", "requests"))
        assert len(log.json()["items"]) >= 20
        keep(simulator.control("GET", "clusters/prod-east"))
        keep(simulator.control("GET", "faults"))
    finally:
        simulator.stop()
    leaked = [text for text in texts if token in text]
    assert not leaked, leaked
    output = simulator.output()
    assert "API token:   (command line; not shown)" in output
    assert token not in output and token[:12] not in output


def test_other_account_with_a_valid_token_never_reaches_the_world(sim):
    """Even creating calls under another account leave no trace (the request is logged, nothing else)."""
    other = "%s/accounts/%s/" % (sim.url, uuid.uuid4())
    body = {"type": "application/astra-app", "version": "2.2", "name": "intruder", "clusterID": sim.cluster_id("prod-east"),
            "namespaceScopedResources": [{"namespace": "wordpress"}]}
    assert_problem(requests.post(other + "k8s/v2/apps", json=body, headers=sim.headers, timeout=5), 403, 11)
    wait_until(lambda: sim.control("GET", "requests").json()["items"], what="the request log")
    assert sim.items("k8s/v2/apps") == []
