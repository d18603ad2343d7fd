"""kubedr.astra.astra_batch through ansible-playbook against the simulator: many runs of one module in one task."""
from playbook_harness import mutating_requests


def apps_on_prod_east(sim):
    return sorted(app["name"] for app in sim.api("GET", "k8s/v2/apps").json()["items"] if app["clusterName"] == "prod-east")


def test_each_run_ends_on_its_own_and_a_failed_one_fails_the_task_naming_it(sim, run_task):
    runs = [{"name": "postgres", "cluster": "prod-east"}, {"name": "wordpress", "cluster": "prod-east"},
            {"name": "nosuch", "cluster": "prod-east"}]

    predicted = run_task("astra_batch", {"module": "astra_app", "runs": runs[:2]}, check=True)
    assert not predicted.get("failed"), predicted
    assert [run["changed"] for run in predicted["results"]] == [True, True]
    assert mutating_requests(sim) == [] and apps_on_prod_east(sim) == []

    result = run_task("astra_batch", {"module": "astra_app", "runs": runs, "max_parallel": 2})
    assert result["failed"] and result["changed"]
    assert result["msg"].startswith("1 of 3 runs of astra_app failed: runs[2]: Invalid input")
    assert "namespace 'nosuch' does not exist on cluster 'prod-east'" in result["msg"]
    assert [(run.get("app") or {}).get("state") for run in result["results"]] == ["ready", "ready", None]
    # each run's own result: its own options, its own timing
    assert [run["invocation"]["module_args"]["name"] for run in result["results"]] == ["postgres", "wordpress", "nosuch"]
    assert all(run["timing"]["started"] <= run["timing"]["finished"] for run in result["results"])
    assert apps_on_prod_east(sim) == ["postgres", "wordpress"]

    sim.clear_requests_log()
    again = run_task("astra_batch", {"module": "astra_app", "runs": runs[:2]})
    assert not again.get("failed") and again["changed"] is False
    assert mutating_requests(sim) == []


def test_connection_options_belong_to_the_task_not_to_a_run(sim, run_task):
    result = run_task("astra_batch", {"module": "astra_app", "runs": [
        {"name": "postgres", "cluster": "prod-east", "api_token": sim.token}]})
    assert result["failed"]
    assert result["msg"] == ("runs[0]: api_token set on the run; connection options are this task's own and reach "
                             "every run")
    assert sim.requests_log() == []
    assert sim.token not in result["_output"]
