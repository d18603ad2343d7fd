"""The collection on the scale scenario, with a server that pages every list: every page is followed.

The simulator runs with --page-size 7 (a real Astra Control sends a whole collection when no limit is given; this
rehearses one that does not), so every list the modules read spans several pages. The info modules must see every
item, and a name that is only on a later page must still be found.
"""
import pytest

from playbook_harness import Simulator, make_run_playbook, make_run_task

APPS = 40          # app-001 ... app-040 over prod-01 and prod-02; 36 protected, 32 mirrored to dr-01 / dr-02
PAGE_SIZE = 7


@pytest.fixture(scope="module")
def paged_sim():
    simulator = Simulator(scenario="scale", time_scale=0.02, tls=True, apps=APPS, clusters=2, page_size=PAGE_SIZE).start(
        timeout=90)
    yield simulator
    simulator.cleanup()


@pytest.fixture
def run_task(paged_sim, tmp_path):
    paged_sim.clear_requests_log()
    return make_run_task(make_run_playbook(paged_sim), tmp_path)


def list_requests(sim, path_end):
    return [entry for entry in sim.requests_log() if entry["method"] == "GET" and entry["path"].endswith(path_end)]


def test_info_modules_read_every_page(paged_sim, run_task):
    apps = run_task("astra_app_info", {})["apps"]
    production = sorted(app["name"] for app in apps if app["clusterName"].startswith("prod-"))
    assert production == ["app-%03d" % number for number in range(1, APPS + 1)]
    assert len(apps) == APPS + 32
    # 72 apps at 7 a page: 11 requests, each after the first carrying the previous page's continue token.
    pages = list_requests(paged_sim, "/k8s/v2/apps")
    assert len(pages) == 11 and all("continue=" in entry.get("query", "") for entry in pages[1:]), pages

    mirrors = run_task("astra_app_mirror_info", {})["app_mirrors"]
    assert len(mirrors) == 32 and {mirror["state"] for mirror in mirrors} == {"established"}

    clusters = run_task("astra_cluster_info", {})["clusters"]
    assert sorted(cluster["name"] for cluster in clusters) == ["dr-01", "dr-02", "prod-01", "prod-02"]


def test_an_app_on_a_later_page_is_found_by_name(paged_sim, run_task):
    # app-039 is mirrored: its seeded snapshot and the replication's.
    snapshots = run_task("astra_app_snapshot_info", {"app": "app-039", "cluster": "prod-01"})["snapshots"]
    assert "app-039-seed" in [snapshot["name"] for snapshot in snapshots]
    assert {snapshot["state"] for snapshot in snapshots} == {"completed"}
    app = run_task("astra_app", {"name": "app-038", "cluster": "prod-02", "namespaces": [{"name": "app-038"}]})
    assert app["changed"] is False and app["app"]["state"] == "ready", app
    assert {entry["method"] for entry in paged_sim.requests_log()} == {"GET"}
