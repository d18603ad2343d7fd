"""AppMirror replication through ansible-playbook: the whole DR story, and the refusals.

Each step goes through `converge`: --check first (no POST/PUT/DELETE, the same
`changed` as the real run), the real run, then a rerun that changes nothing.
"""
from playbook_harness import mutating_requests

PROD_TO_DR = {"source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "dr-west"}
DR_TO_PROD = {"source_app": "postgres", "source_cluster": "dr-west", "destination_cluster": "prod-east"}


def app_on(sim, name, cluster_name):
    apps = sim.api("GET", "k8s/v2/apps", params={"filter": "name eq '%s'" % name}).json()["items"]
    matches = [app for app in apps if app["clusterName"] == cluster_name]
    assert len(matches) == 1, apps
    return matches[0]


def workload_kinds(sim, app):
    assets = sim.api("GET", "k8s/v1/apps/%s/appAssets" % app["id"]).json()["items"]
    return {asset["assetType"] for asset in assets}


def runs_workloads(sim, app):
    return bool(workload_kinds(sim, app) & {"Deployment", "StatefulSet"})


def test_failover_and_failback_of_postgres(sim, converge):
    assert converge("astra_app", {"name": "postgres", "cluster": "prod-east"})["app"]["state"] == "ready"

    established = converge("astra_app_mirror", dict(PROD_TO_DR, state="established", replication_interval=5))["app_mirror"]
    prod_app = app_on(sim, "postgres", "prod-east")
    dr_app = app_on(sim, "postgres", "dr-west")
    assert established["state"] == "established" and established["transferState"] == "idle"
    assert established["sourceAppID"] == prod_app["id"] and established["destinationAppID"] == dr_app["id"]
    assert dr_app.get("replicationSourceAppID") == prod_app["id"]
    assert not runs_workloads(sim, dr_app)

    sim.control("POST", "clusters/prod-east/outage")
    failing_over = converge("astra_app_mirror", dict(PROD_TO_DR, state="failed_over"))
    failed_over = failing_over["app_mirror"]
    assert failed_over["state"] == "failedOver"
    # When Astra Control accepted the failover: what the failover runbook measures an unplanned RPO to.
    timing = failing_over["timing"]
    assert timing["started"] < timing["accepted"] <= timing["finished"], timing
    dr_app = app_on(sim, "postgres", "dr-west")
    assert "replicationSourceAppID" not in dr_app or not dr_app["replicationSourceAppID"]
    assert runs_workloads(sim, dr_app)
    sim.control("DELETE", "clusters/prod-east/outage")

    resynced = converge("astra_app_mirror", dict(DR_TO_PROD, state="established"))["app_mirror"]
    assert resynced["state"] == "established"
    assert resynced["sourceAppID"] == dr_app["id"] and resynced["destinationAppID"] == prod_app["id"]
    assert not runs_workloads(sim, app_on(sim, "postgres", "prod-east"))

    failed_back = converge("astra_app_mirror", dict(PROD_TO_DR, state="established"))["app_mirror"]
    assert failed_back["state"] == "established"
    assert failed_back["sourceAppID"] == prod_app["id"] and failed_back["destinationAppID"] == dr_app["id"]
    assert runs_workloads(sim, app_on(sim, "postgres", "prod-east"))
    assert not runs_workloads(sim, app_on(sim, "postgres", "dr-west"))

    removed = converge("astra_app_mirror", dict(PROD_TO_DR, state="absent"))
    assert removed["app_mirror"] == {}
    assert sim.api("GET", "k8s/v1/appMirrors").json()["items"] == []
    assert app_on(sim, "postgres", "prod-east")["state"] == "ready"
    assert app_on(sim, "postgres", "dr-west")["state"] == "ready"


def test_mirror_refusals(sim, run_task):
    assert run_task("astra_app", {"name": "jenkins", "cluster": "prod-east"})["app"]["state"] == "ready"
    assert run_task("astra_app", {"name": "postgres", "cluster": "prod-east"})["app"]["state"] == "ready"
    sim.clear_requests_log()

    two_classes = run_task("astra_app_mirror", {"source_app": "jenkins", "source_cluster": "prod-east",
                                                "destination_cluster": "dr-west"})
    assert two_classes.get("failed") and "storage class" in two_classes["msg"], two_classes
    assert mutating_requests(sim) == []

    first = run_task("astra_app_mirror", dict(PROD_TO_DR))
    assert not first.get("failed") and first["app_mirror"]["state"] == "established", first
    sim.clear_requests_log()
    # A second relationship for the same app: with two managed clusters the module can only be asked for
    # one on the same cluster, which it refuses before any request; the API refuses the raw attempt too.
    same_cluster = run_task("astra_app_mirror", {
        "source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "prod-east",
        "namespace_mapping": [{"source": "postgres", "destination": "postgres-replica"}]})
    assert same_cluster.get("failed"), same_cluster
    assert mutating_requests(sim) == []
    second = sim.api("POST", "k8s/v1/appMirrors", json={
        "type": "application/astra-appMirror", "version": "1.0", "stateDesired": "established",
        "sourceAppID": first["app_mirror"]["sourceAppID"],
        "destinationClusterID": first["app_mirror"]["destinationClusterID"]})
    assert second.status_code == 409 and second.json()["type"].endswith("/150"), second.text

    failed_over = run_task("astra_app_mirror", dict(PROD_TO_DR, state="failed_over"))
    assert not failed_over.get("failed"), failed_over
    sim.clear_requests_log()
    for check in (True, False):
        guarded = run_task("astra_app_mirror", dict(PROD_TO_DR, state="established"), check=check)
        assert guarded.get("failed") and "discard_failed_over_data" in guarded["msg"], guarded
    assert mutating_requests(sim) == []


def test_forbidden_transition_is_refused_before_any_write(slow_sim, run_task_slow):
    run_task = run_task_slow
    assert run_task("astra_app", {"name": "postgres", "cluster": "prod-east"})["app"]["state"] == "ready"
    started = run_task("astra_app_mirror", dict(PROD_TO_DR, wait=False))
    assert started["changed"] and started["app_mirror"]["state"] == "establishing", started
    slow_sim.clear_requests_log()

    refused = run_task("astra_app_mirror", dict(PROD_TO_DR, state="failed_over"))
    assert refused.get("failed") and "establishing" in refused["msg"], refused
    assert mutating_requests(slow_sim) == []


def test_info_lists_the_relationship_in_check_mode(sim, run_task):
    assert run_task("astra_app", {"name": "postgres", "cluster": "prod-east"})["app"]["state"] == "ready"
    assert not run_task("astra_app_mirror", dict(PROD_TO_DR)).get("failed")
    info = run_task("astra_app_mirror_info", {"app": "postgres", "cluster": "prod-east"}, check=True)
    assert [m["state"] for m in info["app_mirrors"]] == ["established"], info
