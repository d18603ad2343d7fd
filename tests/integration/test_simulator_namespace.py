"""kubedr.astra.astra_simulator_namespace: the simulator's stand-in for deleting namespaces (drill cleanup in rehearsals)."""


def namespace_states(sim, cluster):
    return {ns["name"]: ns["namespaceState"] for ns in sim.control("GET", "clusters/%s" % cluster)["namespaces"]}


def test_deletes_only_what_still_exists_predicts_in_check_mode_and_refuses_a_real_astra(sim, run_task):
    args = {"cluster": "prod-east", "names": ["wordpress", "no-such-namespace"]}
    predicted = run_task("astra_simulator_namespace", args, check=True)
    assert predicted["changed"] and predicted["removed"] == ["wordpress"]
    assert namespace_states(sim, "prod-east")["wordpress"] != "removed"

    deleted = run_task("astra_simulator_namespace", args)
    assert deleted["changed"] and deleted["removed"] == ["wordpress"]
    assert namespace_states(sim, "prod-east")["wordpress"] == "removed"
    again = run_task("astra_simulator_namespace", args)
    assert not again["changed"] and again["removed"] == []
    assert sim.token not in deleted["_output"] + again["_output"]

    # Pointed at a server without the simulator's control API (a path prefix the simulator does not serve stands in for one).
    elsewhere = run_task("astra_simulator_namespace", dict(args, api_url=sim.url + "/elsewhere"))
    assert elsewhere.get("failed") and "this module only works against the simulator" in elsewhere["msg"], elsewhere
    assert "kubernetes.core.k8s" in elsewhere["msg"]
