"""The scale scenario: its estate, what reset brings back, its command-line checks, and the rehearsal page size."""

import subprocess
import sys
from collections import Counter

import pytest

from simulator_harness import SimulatorProcess


@pytest.fixture(scope="module")
def scale_sim(tmp_path_factory):
    simulator = SimulatorProcess(tmp_path_factory.mktemp("scale"), scenario="scale",
                                 extra_args=["--apps", "30", "--clusters", "3", "--page-size", "7"]).start(timeout=60)
    yield simulator
    simulator.stop()


def pages(sim, relative, **params):
    """Every page of a list (following metadata.continue), and how many requests that took."""
    items, requests_sent, token = [], 0, None
    while True:
        query = dict(params, **({"continue": token} if token else {}))
        response = sim.get(relative, params=query)
        assert response.status_code == 200, response.text
        requests_sent += 1
        body = response.json()
        items += body["items"]
        token = body["metadata"].get("continue")
        if not token:
            return items, requests_sent


def every_item(sim, relative, **params):
    return pages(sim, relative, **params)[0]


def test_the_estate_spreads_the_apps_over_the_cluster_pairs_some_protected_some_mirrored(scale_sim):
    clusters = every_item(scale_sim, "topology/v1/clusters")
    assert sorted(cluster["name"] for cluster in clusters) == ["dr-01", "dr-02", "dr-03", "prod-01", "prod-02", "prod-03"]
    assert {cluster["managedState"] for cluster in clusters} == {"managed"}
    apps = every_item(scale_sim, "k8s/v2/apps")
    production = [app for app in apps if app["clusterName"].startswith("prod-")]
    assert sorted(app["name"] for app in production) == ["app-%03d" % number for number in range(1, 31)]
    assert Counter(app["clusterName"] for app in production) == {"prod-01": 10, "prod-02": 10, "prod-03": 10}
    assert {app["state"] for app in apps} == {"ready"}
    by_name = {app["name"]: app for app in production}
    assert by_name["app-001"]["clusterName"] == "prod-01" and by_name["app-002"]["clusterName"] == "prod-02"
    assert [entry["namespace"] for entry in by_name["app-005"]["namespaceScopedResources"]] == ["app-005", "app-005-cache"]

    # Every app but each 10th has a completed snapshot and backup; every app but each 5th is replicated.
    for name, app in by_name.items():
        number = int(name[4:])
        snapshots = every_item(scale_sim, "k8s/v1/apps/%s/appSnaps" % app["id"])
        backups = every_item(scale_sim, "k8s/v1/apps/%s/appBackups" % app["id"])
        protected = number % 10 != 0
        assert any(snap["state"] == "completed" for snap in snapshots) == protected, name
        assert [backup["state"] for backup in backups] == (["completed"] if protected else []), name
    mirrors = every_item(scale_sim, "k8s/v1/appMirrors")
    assert len(mirrors) == 24 and {mirror["state"] for mirror in mirrors} == {"established"}
    mirrored = {mirror["sourceAppID"]: mirror for mirror in mirrors}
    for name, app in by_name.items():
        number = int(name[4:])
        assert (app["id"] in mirrored) == (number % 5 != 0), name
    destination = {cluster["id"]: cluster["name"] for cluster in clusters}
    assert destination[mirrored[by_name["app-002"]["id"]]["destinationClusterID"]] == "dr-02"
    schedules = every_item(scale_sim, "k8s/v1/apps/%s/schedules" % by_name["app-001"]["id"])
    assert [(s["name"], s["replicate"], s["recurrenceRule"].split("\n")[1]) for s in schedules] == [
        ("kubedr-replication", "true", "RRULE:FREQ=MINUTELY;INTERVAL=1440")]


def test_the_page_size_pages_lists_without_limit_and_limit_still_wins(scale_sim):
    apps, requests_sent = pages(scale_sim, "k8s/v2/apps")
    assert len(apps) == 54 and requests_sent == 8          # 30 production apps, 24 mirror destinations; 7 a page
    assert len({app["id"] for app in apps}) == 54
    first = scale_sim.get("k8s/v2/apps").json()
    assert len(first["items"]) == 7 and first["metadata"]["continue"]
    limited = scale_sim.get("k8s/v2/apps", params={"limit": "20"}).json()
    assert len(limited["items"]) == 20 and limited["metadata"]["continue"]
    filtered = every_item(scale_sim, "k8s/v2/apps", filter="clusterName eq 'prod-03'")
    assert len(filtered) == 10


def test_reset_brings_the_same_estate_back(scale_sim):
    before = sorted((app["name"], app["id"], app["clusterName"]) for app in pages(scale_sim, "k8s/v2/apps")[0])
    (unmirrored,) = [entry[1] for entry in before if entry[0] == "app-010"]
    assert scale_sim.delete("k8s/v2/apps/%s" % unmirrored).status_code in (202, 204)
    scale_sim.wait_until_gone(unmirrored)
    assert scale_sim.control("POST", "reset").status_code == 200
    after = sorted((app["name"], app["id"], app["clusterName"]) for app in pages(scale_sim, "k8s/v2/apps")[0])
    assert sorted((name, cluster) for name, _id, cluster in after) == sorted((name, cluster) for name, _id, cluster in before)
    mirrors = every_item(scale_sim, "k8s/v1/appMirrors")
    assert len(mirrors) == 24 and {mirror["state"] for mirror in mirrors} == {"established"}


@pytest.mark.parametrize("arguments, message", [
    (["--scenario", "demo", "--apps", "10"], "--apps and --clusters size the scale scenario"),
    (["--scenario", "scale", "--apps", "0"], "--apps must be 1 to 2000"),
    (["--scenario", "scale", "--clusters", "21"], "--clusters must be 1 to 20"),
    (["--page-size", "0"], "must be a positive integer"),
])
def test_sizes_out_of_range_are_refused_before_anything_starts(tmp_path, arguments, message):
    result = subprocess.run([sys.executable, "-m", "astra_simulator", "--state", str(tmp_path / "state.sqlite")] + arguments,
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "state.sqlite").exists()
