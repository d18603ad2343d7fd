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
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert sim.control("GET", "requests").json()["items"][-1]["status"] == 429
    # faults never touch the control endpoints
    assert sim.control("GET", "faults").status_code == 200
    assert sim.control("DELETE", "faults").json()["http_error_rate"] == 0.0
    assert sim.get("topology/v1/clouds").status_code == 200


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
