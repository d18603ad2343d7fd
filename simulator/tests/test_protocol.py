"""Auth, account checks, media types, status codes and problem bodies shared by every endpoint."""

import uuid

import requests

from simulator_harness import assert_problem


def test_missing_token_is_problem_3(sim):
    response = requests.get(sim.api + "topology/v1/clouds", timeout=5)
    body = assert_problem(response, 401, 3)
    assert body["title"] == "Missing bearer token"
    assert "Bearer" in response.headers["www-authenticate"]


def test_non_bearer_authorization_is_problem_3(sim):
    response = requests.get(sim.api + "topology/v1/clouds", headers={"Authorization": "Basic Zm9vOmJhcg=="}, timeout=5)
    assert_problem(response, 401, 3)


def test_wrong_token_is_problem_4_before_anything_else(sim):
    for path in ("topology/v1/clouds", "no/such/path"):
        response = requests.get(sim.api + path, headers={"Authorization": "Bearer wrong"}, timeout=5)
        assert_problem(response, 401, 4)
    response = requests.get(sim.url + "/accounts/not-a-uuid/topology/v1/clouds", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert_problem(response, 401, 4)


def test_token_never_appears_in_responses_or_log(sim):
    response = requests.get(sim.api + "topology/v1/clouds", headers={"Authorization": "Bearer wrong"}, timeout=5)
    assert sim.token not in response.text
    assert sim.token not in sim.output()


def test_malformed_account_is_problem_33(sim):
    response = requests.get(sim.url + "/accounts/12345/topology/v1/clouds", headers=sim.headers, timeout=5)
    assert_problem(response, 400, 33)


def test_other_account_is_problem_11_naming_the_header(sim):
    other = str(uuid.uuid4())
    response = requests.get(sim.url + "/accounts/%s/topology/v1/clouds" % other, headers=sim.headers, timeout=5)
    body = assert_problem(response, 403, 11)
    assert "x-pcloud-accountid" in body["reason"]


def test_unknown_collection_is_problem_2(sim):
    body = assert_problem(sim.get("topology/v1/nothing"), 404, 2)
    assert body["title"] == "Collection not found"
    assert_problem(requests.get(sim.url + "/elsewhere", headers=sim.headers, timeout=5), 404, 2)


def test_unknown_id_is_problem_2_on_get_and_1_on_put_and_delete(sim):
    missing = str(uuid.uuid4())
    assert_problem(sim.get("k8s/v2/apps/" + missing), 404, 2)
    body = {"type": "application/astra-app", "version": "2.2", "name": "x"}
    assert assert_problem(sim.request("PUT", "k8s/v2/apps/" + missing, json=body), 404, 1)["title"] == "Resource not found"
    assert_problem(sim.request("DELETE", "k8s/v2/apps/" + missing), 404, 1)
    assert_problem(sim.get("topology/v1/clusters/" + missing), 404, 2)
    assert_problem(sim.get("topology/v1/buckets/" + missing), 404, 2)


def test_method_not_offered_is_problem_69(sim):
    response = sim.request("PATCH", "k8s/v2/apps", json={})
    assert_problem(response, 405, 69)
    assert "POST" in response.headers["allow"]
    assert_problem(sim.request("POST", "topology/v1/namespaces", json={}), 405, 69)


def test_accept_negotiation(sim):
    clouds = sim.items("topology/v1/clouds")
    path = "topology/v1/clouds/" + clouds[0]["id"]
    assert sim.get(path).headers["content-type"] == "application/json"
    assert sim.get(path, headers={"Accept": "*/*"}).headers["content-type"] == "application/json"
    echoed = sim.get(path, headers={"Accept": "application/astra-cloud+json"})
    assert echoed.status_code == 200
    assert echoed.headers["content-type"] == "application/astra-cloud+json"
    assert echoed.headers["etag"]
    listed = sim.get("topology/v1/clouds", headers={"Accept": "application/astra-cloud+json"})
    assert listed.headers["content-type"] == "application/json"
    body = assert_problem(sim.get(path, headers={"Accept": "text/html"}), 406, 32)
    assert body["title"] == "Unsupported content type"
    assert_problem(sim.get(path, headers={"Accept": "application/astra-app+json"}), 406, 32)


def test_body_not_json_is_problem_7(sim):
    response = sim.request("POST", "k8s/v2/apps", data="{not json", headers={"Content-Type": "application/astra-app+json"})
    assert_problem(response, 400, 7)


def test_schema_failures_are_problem_8(sim):
    prod = sim.cluster_id("prod-east")
    good = {"type": "application/astra-app", "version": "2.2", "name": "ok", "clusterID": prod,
            "namespaceScopedResources": [{"namespace": "wordpress"}]}
    cases = [
        {k: v for k, v in good.items() if k != "type"},
        dict(good, type="application/astra-appSnap"),
        dict(good, version="3.0"),
        {k: v for k, v in good.items() if k != "version"},
        dict(good, name="Not_A_DNS_Label"),
        dict(good, name="x" * 64),
        dict(good, unexpected="field"),
        [good],
    ]
    for body in cases:
        problem = assert_problem(sim.request("POST", "k8s/v2/apps", json=body), 400, 8)
        assert problem["schemaValidationFailure"]


def test_get_and_delete_tolerate_a_json_body(sim):
    response = sim.request("GET", "topology/v1/clouds", json={}, headers={"Accept": "*/*"})
    assert response.status_code == 200


def test_query_parameters_on_single_resources_are_problem_6(sim):
    cloud = sim.items("topology/v1/clouds")[0]
    problem = assert_problem(sim.get("topology/v1/clouds/%s?include=name" % cloud["id"]), 400, 6)
    assert problem["invalidParams"][0]["name"] == "include"


def test_not_yet_simulated_writes_say_so(sim):
    response = sim.request("POST", "topology/v1/buckets", json={"type": "application/astra-bucket", "version": "1.1"})
    assert "isn't simulated" in assert_problem(response, 405, 69)["reason"]


def test_control_endpoints_need_the_token_except_health(sim):
    assert requests.get(sim.url + "/_simulator/health", timeout=5).json() == {"status": "ok"}
    assert_problem(requests.get(sim.url + "/_simulator/requests", timeout=5), 401, 3)
    assert_problem(requests.put(sim.url + "/_simulator/faults", json={}, headers={"Authorization": "Bearer x"}, timeout=5), 401, 4)
    assert_problem(requests.post(sim.url + "/_simulator/reset", timeout=5), 401, 3)
