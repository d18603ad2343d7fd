"""List query parameters over HTTP: filter, include, limit + continue, count, problems 5 and 6."""

from simulator_harness import assert_problem


def _manage_three(sim):
    ids = []
    for name, namespaces in (("wordpress", ["wordpress"]), ("jenkins", ["jenkins"]), ("shop", ["shop-frontend", "shop-db"])):
        response = sim.manage(name, "prod-east", namespaces)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


def test_filter_eq_on_name(sim):
    found = sim.items("topology/v1/clusters?filter=name%20eq%20'prod-east'")
    assert [c["name"] for c in found] == ["prod-east"]
    assert sim.items("topology/v1/clusters?filter=name eq 'nowhere'") == []


def test_filter_through_array_path(sim):
    _manage_three(sim)
    found = sim.items("k8s/v2/apps?filter=namespaceScopedResources[*].namespace%20eq%20'shop-db'")
    assert [a["name"] for a in found] == ["shop"]


def test_filter_two_conditions(sim):
    _manage_three(sim)
    prod = sim.cluster_id("prod-east")
    found = sim.items("k8s/v2/apps?filter=clusterID eq '%s',name eq 'jenkins'" % prod)
    assert [a["name"] for a in found] == ["jenkins"]
    assert sim.items("k8s/v2/apps?filter=clusterID eq '%s',name eq 'nothing'" % prod) == []
    repeated = sim.get("k8s/v2/apps", params=[("filter", "clusterID eq '%s'" % prod), ("filter", "name eq 'wordpress'")])
    assert [a["name"] for a in repeated.json()["items"]] == ["wordpress"]


def test_include_projects_items_to_arrays(sim):
    items = sim.items("topology/v1/clusters?include=name,managedState")
    assert ["prod-east", "managed"] in items and ["lab-north", "unmanaged"] in items
    assert all(isinstance(item, list) and len(item) == 2 for item in items)


def test_limit_and_continue_walk_the_whole_list(sim):
    everything = [ns["id"] for ns in sim.items("topology/v1/namespaces")]
    seen, token = [], None
    while True:
        params = {"limit": "4"}
        if token:
            params["continue"] = token
        body = sim.get("topology/v1/namespaces", params=params).json()
        assert len(body["items"]) <= 4
        seen += [ns["id"] for ns in body["items"]]
        token = body["metadata"].get("continue")
        if not token:
            break
    assert seen == everything


def test_lists_without_limit_return_everything(sim):
    body = sim.get("topology/v1/namespaces").json()
    assert len(body["items"]) == 15 and "continue" not in body["metadata"]


def test_count_is_tolerated_and_counts_matches(sim):
    body = sim.get("topology/v1/namespaces?count=true&limit=2").json()
    assert body["metadata"]["count"] == 15 and len(body["items"]) == 2
    prod = sim.cluster_id("prod-east")
    assert sim.get("topology/v1/managedClusters/%s/storageClasses?count=true" % prod).json()["metadata"]["count"] == 3


def test_undeclared_parameter_is_problem_6(sim):
    problem = assert_problem(sim.get("k8s/v2/apps?orderBy=name"), 400, 6)
    assert problem["invalidParams"] == [{"name": "orderBy", "reason": problem["invalidParams"][0]["reason"]}]
    prod = sim.cluster_id("prod-east")
    assert_problem(sim.get("topology/v1/managedClusters/%s/storageClasses?filter=name%%20eq%%20'x'" % prod), 400, 6)
    assert_problem(sim.get("topology/v1/clusters?skip=1"), 400, 6)


def test_malformed_values_are_problem_5(sim):
    for query in ("limit=0", "limit=-1", "include=name;id", "filter=name%20equals%20'x'", "filter=name eq x", "continue=@@",
                  "count=false"):
        problem = assert_problem(sim.get("topology/v1/clusters?" + query), 400, 5)
        assert problem["invalidParams"][0]["name"] in query
