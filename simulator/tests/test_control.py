"""Control endpoints: request log, faults, outages and reset."""

import time

import pytest
import requests

from simulator_harness import assert_problem


def test_request_log_records_api_requests_only(sim):
    sim.get("topology/v1/clouds?include=name")
    sim.get("no/such/thing")
    sim.control("GET", "faults")
    log = sim.control("GET", "requests").json()["items"]
    assert [(e["method"], e["path"].split(sim.account_id)[1], e["query"], e["status"]) for e in log] == [
        ("GET", "/topology/v1/clouds", "include=name", 200),
        ("GET", "/no/such/thing", "", 404),
    ]
    assert all(e["time"].endswith("Z") for e in log)
    assert all(not e["path"].startswith("/_simulator") for e in log)
    assert sim.control("DELETE", "requests").json() == {"items": []}
    assert sim.control("GET", "requests").json()["items"] == []


def test_request_log_includes_unauthenticated_requests(sim):
    requests.get(sim.api + "topology/v1/clouds", timeout=5)
    assert [e["status"] for e in sim.control("GET", "requests").json()["items"]] == [401]


def test_http_error_rate_with_statuses(sim):
    configured = sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [503]})
    assert configured.status_code == 200 and configured.json()["http_error_rate"] == 1.0
    response = sim.get("topology/v1/clouds")
    assert response.status_code == 503
    assert response.json()["status"] == "503"
    assert response.headers["content-type"] == "application/problem+json"
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [429]})
    limited = sim.get("topology/v1/clouds")
    assert limited.status_code == 429 and "retry-after" not in limited.headers      # only with `retry_after`
    assert sim.control("GET", "requests").json()["items"][-1]["status"] == 429
    # faults never touch the control endpoints
    assert sim.control("GET", "faults").status_code == 200
    assert sim.control("DELETE", "faults").json()["http_error_rate"] == 0.0
    assert sim.get("topology/v1/clouds").status_code == 200


def test_injected_fault_bodies_use_the_catalogue_detail(sim):
    for status, number in ((500, 34), (502, 40), (503, 24)):
        sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [status]})
        body = assert_problem(sim.get("topology/v1/clouds"), status, number)      # title and detail verbatim
        assert body["reason"] == "Simulated fault injected by the Astra simulator."
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [429]})
    limited = sim.get("topology/v1/clouds")
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.json()["type"] == "about:blank" and limited.json()["title"] == "Too Many Requests"
    assert limited.json()["status"] == "429" and limited.json()["reason"] == "Simulated fault injected by the Astra simulator."


def test_retry_after_on_injected_429_and_503(sim):
    configured = sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [429], "retry_after": 7})
    assert configured.status_code == 200 and configured.json()["retry_after"] == 7
    limited = sim.get("topology/v1/clouds")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "7"
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [503], "retry_after": 0})
    unavailable = sim.get("topology/v1/clouds")
    assert unavailable.status_code == 503 and unavailable.headers["retry-after"] == "0"
    assert_problem(unavailable, 503, 24)
    # other statuses never carry it
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [500, 502, 504], "retry_after": 3})
    for _attempt in range(6):
        response = sim.get("topology/v1/clouds")
        assert response.status_code in (500, 502, 504) and "retry-after" not in response.headers
    # without the setting: no header at all
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [503]})
    assert sim.control("GET", "faults").json()["retry_after"] is None
    response = sim.get("topology/v1/clouds")
    assert response.status_code == 503 and "retry-after" not in response.headers
    sim.control("DELETE", "faults")
    assert "retry-after" not in sim.get("topology/v1/clouds").headers


def test_faults_apply_only_to_listed_methods(sim):
    sim.control("PUT", "faults", json={"http_error_rate": 1.0, "http_error_statuses": [502], "methods": ["POST"]})
    assert sim.get("topology/v1/clouds").status_code == 200
    assert sim.manage("wp", "prod-east", ["wordpress"]).status_code == 502


def test_seed_makes_faults_reproducible(sim):
    def run():
        sim.control("PUT", "faults", json={"http_error_rate": 0.5, "http_error_statuses": [500, 503], "seed": 7})
        return [sim.get("topology/v1/clouds").status_code for _attempt in range(12)]
    first = run()
    assert first == run()
    assert {200} < set(first)


def test_connection_reset_raises_connection_error(sim):
    sim.control("PUT", "faults", json={"connection_reset_rate": 1.0})
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.api + "topology/v1/clouds", headers=sim.headers, timeout=5)
    assert sim.control("GET", "requests").json()["items"][-1]["status"] is None
    sim.control("DELETE", "faults")
    assert sim.get("topology/v1/clouds").status_code == 200


def test_reset_after_processing_still_applies_the_change(sim):
    """An ambiguous POST: the app is created although the client sees a dropped connection."""
    sim.control("PUT", "faults", json={"connection_reset_rate": 1.0, "methods": ["POST"], "after_processing": True})
    with pytest.raises(requests.ConnectionError):
        sim.manage("wp", "prod-east", ["wordpress"])
    assert [a["name"] for a in sim.items("k8s/v2/apps")] == ["wp"]


def test_latency(sim):
    sim.control("PUT", "faults", json={"latency_ms": 300})
    started = time.monotonic()
    assert sim.get("topology/v1/clouds").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    sim.control("GET", "faults")
    assert time.monotonic() - started < 0.3


def test_fail_next_makes_a_manage_end_failed(sim):
    sim.control("PUT", "faults", json={"fail_next": {"app": 1}})
    failing = sim.manage("wp", "prod-east", ["wordpress"]).json()
    failed = sim.wait_for_app(failing["id"], "failed")
    assert failed["stateDetails"] and failed["stateDetails"][0]["title"]
    assert sim.control("GET", "faults").json()["fail_next"] == {}
    healthy = sim.manage("pg", "prod-east", ["postgres"]).json()
    assert sim.wait_for_app(healthy["id"], "ready")["namespaces"] == ["postgres"]
    # a failed app can be unmanaged
    assert sim.request("DELETE", "k8s/v2/apps/" + failing["id"]).status_code == 204


def test_fault_configuration_is_validated(sim):
    for body in ({"http_error_rate": 2}, {"http_error_statuses": [200]}, {"latency_ms": -1}, {"fail_next": {"app": -1}},
                 {"seed": "x"}, {"methods": ["FETCH"]}):
        assert_problem(sim.control("PUT", "faults", json=body), 400, 9)
    for bad in (-1, 1.5, "5", True, [1]):
        problem = assert_problem(sim.control("PUT", "faults", json={"http_error_rate": 1.0, "retry_after": bad}), 400, 9)
        assert [field["name"] for field in problem["invalidFields"]] == ["retry_after"]
    assert sim.control("GET", "faults").json()["http_error_rate"] == 0.0       # a refused configuration changes nothing
    assert sim.control("PUT", "faults", json={"retry_after": None}).json()["retry_after"] is None
    assert_problem(sim.control("PUT", "faults", json={"nonsense": 1}), 400, 8)


def test_outage_makes_apps_unavailable_then_ready(sim):
    app = sim.manage("wp", "prod-east", ["wordpress"]).json()
    sim.wait_for_app(app["id"], "ready")
    other = sim.manage("base", "dr-west", ["default"]).json()
    sim.wait_for_app(other["id"], "ready")
    started = sim.control("POST", "clusters/prod-east/outage")
    assert started.status_code == 200 and started.json()["unreachable"] is True
    unavailable = sim.app(app["id"]).json()
    assert unavailable["state"] == "unavailable" and unavailable["stateDetails"]
    assert sim.app(other["id"]).json()["state"] == "ready"
    cluster = sim.named("topology/v1/clusters", "prod-east")
    assert cluster["state"] == "removed" and cluster["stateUnready"]
    assert sim.named("topology/v1/managedClusters", "prod-east")["managedState"] == "managed"
    assert sim.control("DELETE", "clusters/prod-east/outage").json()["unreachable"] is False
    assert sim.app(app["id"]).json()["state"] == "ready"
    assert sim.named("topology/v1/clusters", "prod-east")["state"] == "running"
    assert_problem(sim.control("POST", "clusters/nowhere/outage"), 404, 2)


def test_deleting_a_namespace_deletes_its_objects_as_kubectl_does(sim):
    world = sim.control("GET", "clusters/prod-east").json()
    assert any(obj["namespace"] == "jenkins" for obj in world["resources"])
    removed = sim.control("DELETE", "clusters/prod-east/namespaces/jenkins").json()
    assert removed["name"] == "jenkins" and removed["namespaceState"] == "removed"
    world = sim.control("GET", "clusters/prod-east").json()
    assert not [obj for obj in world["resources"] if obj["namespace"] == "jenkins"]
    assert {ns["name"]: ns["namespaceState"] for ns in world["namespaces"]}["jenkins"] == "removed"
    assert {ns["name"]: ns["namespaceState"] for ns in world["namespaces"]}["postgres"] == "discovered"
    assert_problem(sim.control("DELETE", "clusters/prod-east/namespaces/nowhere"), 404, 2)


def test_reset_restores_the_scenario(sim):
    before = {c["name"]: c["id"] for c in sim.items("topology/v1/clusters")}
    sim.manage("wp", "prod-east", ["wordpress"])
    sim.control("PUT", "faults", json={"latency_ms": 1})
    sim.control("POST", "clusters/dr-west/outage")
    sim.control("DELETE", "clusters/prod-east/namespaces/jenkins")
    assert sim.control("POST", "reset").status_code == 200
    assert sim.control("GET", "requests").json()["items"] == []
    assert sim.control("GET", "faults").json()["latency_ms"] == 0
    assert sim.items("k8s/v2/apps") == []
    clusters = {c["name"]: c for c in sim.items("topology/v1/clusters")}
    assert {name: c["id"] for name, c in clusters.items()} == before      # same IDs after reset
    assert clusters["dr-west"]["state"] == "running"
    assert "jenkins" in clusters["prod-east"]["namespaces"]


def test_creating_a_namespace_with_a_sample_workload(sim):
    response = sim.control("POST", "clusters/dr-west/namespaces", json={"name": "orders", "labels": {"team": "blue"}})
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["type"] == "application/astra-namespace" and created["name"] == "orders"
    assert created["namespaceState"] == "discovered" and created["clusterID"] == sim.cluster_id("dr-west")
    assert {"name": "team", "value": "blue"} in created["kubernetesLabels"]
    # listed like any namespace of the cluster
    dr_west = sim.cluster_id("dr-west")
    for path in ("topology/v1/namespaces", "topology/v1/clusters/%s/namespaces" % dr_west,
                 "topology/v1/managedClusters/%s/namespaces" % dr_west):
        assert sim.named(path, "orders")["id"] == created["id"]
    assert sim.get("topology/v1/namespaces/" + created["id"]).json()["name"] == "orders"
    assert "orders" in sim.named("topology/v1/clusters", "dr-west")["namespaces"]
    objects = sim.objects("dr-west", "orders")
    assert {kind for kind, _name in objects} == {"Deployment", "Service", "Secret", "PersistentVolumeClaim"}
    pvc = next(obj for (kind, _name), obj in objects.items() if kind == "PersistentVolumeClaim")
    assert pvc["storageClassName"] == "ontap-gold" and pvc["accessModes"] == ["ReadWriteOnce"]     # the default class
    assert all(obj["labels"] == {"app": "orders", "team": "blue"} for obj in objects.values())
    assert not sim.objects("prod-east", "orders")

    # it can be managed (also by a label selector), snapshotted, backed up and cloned
    app = sim.ready_app("orders", "dr-west", [{"namespace": "orders", "labelSelectors": ["team=blue"]}])
    assert app["namespaces"] == ["orders"]
    assets = sim.items("k8s/v1/apps/%s/appAssets" % app["id"])
    assert {(a["assetType"], a["assetName"]) for a in assets} == set(objects)
    snap = sim.completed_snapshot(app["id"], "s1")
    assert sim.completed_backup(app["id"], "b1", snapshotID=snap["id"])["state"] == "completed"
    clone = {"type": "application/astra-app", "version": "2.2", "name": "orders-copy", "clusterID": sim.cluster_id("prod-east"),
             "sourceClusterID": dr_west, "sourceAppID": app["id"]}
    cloned = sim.post("k8s/v2/apps", clone)
    assert cloned.status_code == 201, cloned.text
    sim.wait_for_app(cloned.json()["id"], "ready")
    assert {kind for kind, _name in sim.objects("prod-east", "orders")} == {kind for kind, _name in objects}


def test_creating_a_namespace_refusals(sim):
    path = "clusters/prod-east/namespaces"
    assert sim.control("POST", path, json={"name": "fresh"}).status_code == 201
    assert "fresh" in sim.control("POST", path, json={"name": "fresh"}).json()["reason"]
    assert_problem(sim.control("POST", path, json={"name": "fresh"}), 409, 123)             # exists
    assert_problem(sim.control("POST", path, json={"name": "wordpress"}), 409, 123)
    assert_problem(sim.control("POST", path, json={"name": "kube-system"}), 409, 123)
    assert_problem(sim.control("POST", "clusters/nowhere/namespaces", json={"name": "x"}), 404, 2)
    for bad in ("Bad_Name", "-x", "x-", "a" * 64, "", "UPPER", "dots.not.allowed", 5, None):
        problem = assert_problem(sim.control("POST", path, json={"name": bad}), 400, 9)
        assert [field["name"] for field in problem["invalidFields"]] == ["name"], bad
    assert_problem(sim.control("POST", path, json={}), 400, 9)
    for labels in ({"bad key!": "x"}, {"ok": "not ok!"}, {"ok": 1}, ["team=blue"]):
        problem = assert_problem(sim.control("POST", path, json={"name": "y", "labels": labels}), 400, 9)
        assert [field["name"] for field in problem["invalidFields"]] == ["labels"], labels
    assert_problem(sim.control("POST", path, json={"name": "y", "owner": "me"}), 400, 8)
    assert_problem(sim.control("POST", path, json=["y"]), 400, 8)
    assert_problem(sim.control("POST", path, data="{not json"), 400, 7)
    assert_problem(requests.post(sim.url + "/_simulator/" + path, json={"name": "z"}, timeout=5), 401, 3)
    assert_problem(requests.post(sim.url + "/_simulator/" + path, json={"name": "z"},
                                 headers={"Authorization": "Bearer wrong"}, timeout=5), 401, 4)
    assert not {"y", "z"} & {ns["name"] for ns in sim.world("prod-east")["namespaces"]}        # nothing was created
    # a removed namespace can be created again (as kubectl would), with a fresh workload
    before = sim.objects("prod-east", "fresh")
    sim.control("DELETE", "clusters/prod-east/namespaces/fresh")
    assert sim.control("POST", path, json={"name": "fresh"}).status_code == 201
    again = sim.objects("prod-east", "fresh")
    assert set(again) == set(before) and not {o["uid"] for o in again.values()} & {o["uid"] for o in before.values()}
    assert [ns["namespaceState"] for ns in sim.world("prod-east")["namespaces"] if ns["name"] == "fresh"] == ["discovered"]
    # an unmanaged cluster works too (lab-north's default class is `standard`)
    assert sim.control("POST", "clusters/lab-north/namespaces", json={"name": "lab"}).status_code == 201
    assert sim.objects("lab-north", "lab")[("PersistentVolumeClaim", "lab-data")]["storageClassName"] == "standard"


def test_creating_a_namespace_a_clone_is_about_to_create_is_refused(sim):
    app = sim.ready_app("pg", "prod-east", ["postgres"])
    sim.control("POST", "clusters/dr-west/outage")          # the clone stays `provisioning`
    clone = {"type": "application/astra-app", "version": "2.2", "name": "pg-copy", "clusterID": sim.cluster_id("dr-west"),
             "sourceClusterID": sim.cluster_id("prod-east"), "sourceAppID": app["id"]}
    assert sim.post("k8s/v2/apps", clone).status_code == 201
    problem = assert_problem(sim.control("POST", "clusters/dr-west/namespaces", json={"name": "postgres"}), 409, 123)
    assert "pg-copy" in problem["reason"]
    sim.control("DELETE", "clusters/dr-west/outage")
