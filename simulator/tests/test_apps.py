"""Managed apps: state machine, validation problems, update and unmanage."""

import json
import sqlite3
import uuid

from simulator_harness import assert_problem, wait_until


def test_manage_answers_discovering_then_becomes_ready(sim):
    response = sim.manage("wordpress", "prod-east", ["wordpress"], version="2.0")
    assert response.status_code == 201, response.text
    app = response.json()
    assert response.headers["location"].endswith("/k8s/v2/apps/" + app["id"])
    assert response.headers["location"].startswith(sim.api)
    assert response.headers["etag"]
    assert app["state"] == "discovering" and app["namespaces"] == []
    assert app["version"] == "2.0"
    assert app["type"] == "application/astra-app"
    assert {"to": ["pending"]} in app["stateTransitions"]
    assert {"from": "discovering", "to": ["ready", "failed"]} in app["stateTransitions"]
    assert app["namespaceScopedResources"] == [{"namespace": "wordpress", "labelSelectors": []}]
    assert app["clusterScopedResources"] == []
    assert app["clusterName"] == "prod-east" and app["clusterType"] == "kubernetes"
    assert app["protectionState"] == "none" and isinstance(app["links"], list)
    assert set(app["metadata"]) >= {"labels", "creationTimestamp", "modificationTimestamp", "createdBy"}
    # listed at once, in the same cycle as the 201
    assert [a["id"] for a in sim.items("k8s/v2/apps")] == [app["id"]]
    ready = sim.wait_for_app(app["id"], "ready")
    assert ready["namespaces"] == ["wordpress"]
    assert sim.named("topology/v1/clusters", "prod-east")["inUse"] == "true"


def test_accept_echoes_the_app_media_type(sim):
    response = sim.request("POST", "k8s/v2/apps", headers={"accept": "application/astra-app+json"}, json={
        "type": "application/astra-app", "version": "2.2", "name": "pg", "clusterID": sim.cluster_id("prod-east"),
        "namespaceScopedResources": [{"namespace": "postgres"}]})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/astra-app+json"


def test_label_selectors_decide_the_namespaces(sim):
    response = sim.manage("shop", "prod-east", [
        {"namespace": "shop-frontend", "labelSelectors": ["app=shop"]},
        {"namespace": "shop-db", "labelSelectors": ["app in (shop)"]},
        {"namespace": "wordpress", "labelSelectors": ["app=shop"]},
    ])
    assert response.status_code == 201, response.text
    ready = sim.wait_for_app(response.json()["id"], "ready")
    assert ready["namespaces"] == ["shop-frontend", "shop-db"]


def test_unmanage_goes_through_deleting_to_gone(slow_sim):
    sim = slow_sim          # unmanaging takes 0.5 s: long enough to read `deleting` on a busy machine (40 ms on `sim`)
    app = sim.manage("jenkins", "prod-east", ["jenkins"]).json()
    sim.wait_for_app(app["id"], "ready")
    response = sim.request("DELETE", "k8s/v2/apps/" + app["id"])
    assert response.status_code == 204 and response.content == b""
    assert sim.app(app["id"]).json()["state"] == "deleting"
    again = sim.request("DELETE", "k8s/v2/apps/" + app["id"])
    assert again.status_code == 204
    sim.wait_until_gone(app["id"])
    assert_problem(sim.app(app["id"]), 404, 2)
    assert sim.items("k8s/v2/apps") == []


def test_unmanage_while_discovering_is_problem_112(sim):
    sim.control("POST", "clusters/prod-east/outage")     # holds discovery until the outage ends
    app = sim.manage("slow", "prod-east", ["postgres"]).json()
    assert app["state"] == "discovering"
    problem = assert_problem(sim.request("DELETE", "k8s/v2/apps/" + app["id"]), 409, 112)
    assert problem["title"] == "Application not ready"
    sim.control("DELETE", "clusters/prod-east/outage")
    sim.wait_for_app(app["id"], "ready")
    assert sim.request("DELETE", "k8s/v2/apps/" + app["id"]).status_code == 204


def test_manage_validation_problems(sim):
    prod = sim.cluster_id("prod-east")
    base = {"type": "application/astra-app", "version": "2.1", "name": "x", "clusterID": prod,
            "namespaceScopedResources": [{"namespace": "wordpress"}]}

    def post(**changes):
        body = dict(base, **changes)
        for key in [k for k, v in changes.items() if v is None]:
            del body[key]
        return sim.request("POST", "k8s/v2/apps", json=body)

    assert_problem(post(name="Bad Name"), 400, 8)
    missing_cluster = assert_problem(post(clusterID=None), 400, 9)
    assert missing_cluster["invalidFields"][0]["name"] == "clusterID"
    assert assert_problem(post(namespaceScopedResources=None), 400, 9)["invalidFields"][0]["name"] == "namespaceScopedResources"
    assert_problem(post(namespaceScopedResources=[]), 400, 9)
    assert_problem(post(clusterID=str(uuid.uuid4())), 400, 106)
    unmanaged = assert_problem(post(clusterID=sim.cluster_id("lab-north")), 400, 106)
    assert "isn't managed" in unmanaged["reason"]
    assert_problem(post(namespaceScopedResources=[{"namespace": "nope"}]), 400, 122)
    bad_selector = assert_problem(post(namespaceScopedResources=[{"namespace": "wordpress", "labelSelectors": ["app in shop"]}]),
                                  400, 9)
    assert "labelSelectors" in bad_selector["invalidFields"][0]["name"]
    gvk = {"GVK": {"group": "example.com", "version": "v1", "kind": "Widget"}}
    assert_problem(post(clusterScopedResources=[gvk]), 400, 9)
    namespaced = {"GVK": {"group": "apps", "version": "v1", "kind": "Deployment"}}
    assert_problem(post(clusterScopedResources=[namespaced]), 400, 9)
    ok = {"GVK": {"group": "rbac.authorization.k8s.io", "version": "v1", "kind": "ClusterRole"}, "labelSelectors": ["app=jenkins"]}
    assert post(clusterScopedResources=[ok]).status_code == 201
    assert sim.items("k8s/v2/apps?include=name") == [["x"]]


def test_removed_namespace_is_problem_124(sim):
    assert sim.control("DELETE", "clusters/prod-east/namespaces/postgres").status_code == 200
    assert_problem(sim.manage("pg", "prod-east", ["postgres"]), 400, 124)
    assert "postgres" not in sim.named("topology/v1/clusters", "prod-east")["namespaces"]


def test_duplicate_app_name_on_a_cluster_is_problem_121(sim):
    assert sim.manage("wp", "prod-east", ["wordpress"]).status_code == 201
    assert_problem(sim.manage("wp", "prod-east", ["postgres"]), 409, 121)
    assert sim.manage("wp", "dr-west", ["default"]).status_code == 201


def test_rename_and_keep_omitted_keys(sim):
    app = sim.manage("wp", "prod-east", [{"namespace": "wordpress", "labelSelectors": ["app=wordpress"]}]).json()
    sim.wait_for_app(app["id"], "ready")
    response = sim.request("PUT", "k8s/v2/apps/" + app["id"], json={"type": "application/astra-app", "version": "2.2", "name": "blog"})
    assert response.status_code == 204 and response.content == b""
    renamed = sim.app(app["id"]).json()
    assert renamed["name"] == "blog" and renamed["state"] == "ready"
    assert renamed["namespaceScopedResources"] == app["namespaceScopedResources"]
    assert renamed["metadata"]["creationTimestamp"] == app["metadata"]["creationTimestamp"]


def test_definition_change_rediscovers(sim):
    app = sim.manage("shop", "prod-east", ["shop-frontend"]).json()
    sim.wait_for_app(app["id"], "ready")
    body = {"type": "application/astra-app", "version": "2.2",
            "namespaceScopedResources": [{"namespace": "shop-frontend"}, {"namespace": "shop-db"}]}
    assert sim.request("PUT", "k8s/v2/apps/" + app["id"], json=body).status_code == 204
    assert sim.app(app["id"]).json()["state"] == "discovering"
    assert sim.wait_for_app(app["id"], "ready")["namespaces"] == ["shop-frontend", "shop-db"]


def test_update_conflicts(sim):
    app = sim.manage("wp", "prod-east", ["wordpress"]).json()
    other = sim.manage("pg", "prod-east", ["postgres"]).json()
    put = {"type": "application/astra-app", "version": "2.2"}
    conflict = assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json=dict(put, clusterID=sim.cluster_id("dr-west"))),
                              409, 10)
    assert conflict["invalidFields"][0]["name"] == "clusterID"
    sim.wait_for_app(app["id"], "ready")
    sim.wait_for_app(other["id"], "ready")
    # a definition change while the cluster is out (app unavailable) is refused, a rename into a taken name too
    sim.control("POST", "clusters/prod-east/outage")
    assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json=dict(put, namespaceScopedResources=[{"namespace": "jenkins"}])),
                   409, 112)
    sim.control("DELETE", "clusters/prod-east/outage")
    assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json=dict(put, name=other["name"])), 409, 121)
    assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json=dict(put, name="Bad_Name")), 400, 8)
    assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json={"version": "2.2"}), 400, 8)


def test_if_match_precondition(sim):
    app = sim.manage("wp", "prod-east", ["wordpress"]).json()
    sim.wait_for_app(app["id"], "ready")
    current = sim.app(app["id"])
    put = {"type": "application/astra-app", "version": "2.2", "name": "blog"}
    assert_problem(sim.request("PUT", "k8s/v2/apps/" + app["id"], json=put, headers={"If-Match": '"stale"'}), 412, 38)
    ok = sim.request("PUT", "k8s/v2/apps/" + app["id"], json=put, headers={"If-Match": current.headers["etag"]})
    assert ok.status_code == 204


def test_cluster_scoped_alias(sim):
    prod = sim.cluster_id("prod-east")
    dr = sim.cluster_id("dr-west")
    body = {"type": "application/astra-app", "version": "2.2", "name": "wp", "namespaceScopedResources": [{"namespace": "wordpress"}]}
    created = sim.request("POST", "topology/v2/managedClusters/%s/apps" % prod, json=body)
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["clusterID"] == prod
    assert [a["id"] for a in sim.items("topology/v2/managedClusters/%s/apps" % prod)] == [app["id"]]
    assert sim.items("topology/v2/managedClusters/%s/apps" % dr) == []
    assert sim.get("topology/v2/managedClusters/%s/apps/%s" % (prod, app["id"])).json()["name"] == "wp"
    assert_problem(sim.get("topology/v2/managedClusters/%s/apps/%s" % (dr, app["id"])), 404, 2)
    assert_problem(sim.get("topology/v2/managedClusters/%s/apps" % sim.cluster_id("lab-north")), 404, 2)


def test_discovery_progresses_without_requests(sim):
    """The background ticker moves the state on even when no request arrives."""
    app = sim.manage("wp", "prod-east", ["wordpress"]).json()

    def stored_state():
        with sqlite3.connect(sim.state_path) as db:
            return json.loads(db.execute("SELECT data FROM objects WHERE id = ?", (app["id"],)).fetchone()[0])["state"]
    wait_until(lambda: stored_state() == "ready", what="the ticker to finish discovery")
