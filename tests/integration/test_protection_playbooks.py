"""Snapshots, backups, clones, restores and protection policies through ansible-playbook.

Every mutating step goes through `converge`: --check first (no POST/PUT/DELETE,
same `changed` as the real run), the real run, then a rerun that changes nothing.
"""
import time

import pytest

from playbook_harness import mutating_requests

WORDPRESS = {"app": "wordpress", "cluster": "prod-east"}


@pytest.fixture
def managed(run_task):
    """Manage demo apps on prod-east (plain runs; astra_app's own contract is tested elsewhere)."""
    def manage(name, namespaces=None):
        args = {"name": name, "cluster": "prod-east"}
        if namespaces:
            args["namespaces"] = namespaces
        result = run_task("astra_app", args)
        assert result["app"]["state"] == "ready", result
        return result["app"]
    return manage


def app_assets(sim, app_id):
    return sim.api("GET", "k8s/v1/apps/%s/appAssets" % app_id).json()["items"]


def test_snapshot_and_backup_lifecycle(sim, managed, converge, run_task):
    managed("wordpress")
    snapshot = converge("astra_app_snapshot", dict(WORDPRESS, name="wp-snap-1"))["snapshot"]
    assert snapshot["state"] == "completed"

    backup = converge("astra_app_backup", dict(WORDPRESS, name="wp-backup-1", snapshot="wp-snap-1"))["backup"]
    assert backup["state"] == "completed"
    assert backup["snapshotID"] == snapshot["id"]
    assert backup["percentDone"] == 100

    listed = run_task("astra_app_backup_info", dict(WORDPRESS))
    assert [b["name"] for b in listed["backups"]] == ["wp-backup-1"]

    converge("astra_app_backup", dict(WORDPRESS, name="wp-backup-1", state="absent"))
    converge("astra_app_snapshot", dict(WORDPRESS, name="wp-snap-1", state="absent"))
    assert run_task("astra_app_snapshot_info", dict(WORDPRESS))["snapshots"] == []


def test_deleting_a_snapshot_a_running_backup_uses_fails_with_the_api_reason(slow_sim, run_task_slow):
    run_task = run_task_slow
    assert run_task("astra_app", {"name": "wordpress", "cluster": "prod-east"})["app"]["state"] == "ready"
    run_task("astra_app_snapshot", dict(WORDPRESS, name="wp-snap-busy"))
    started = run_task("astra_app_backup", dict(WORDPRESS, name="wp-backup-busy", snapshot="wp-snap-busy", wait=False))
    assert started["changed"] and started["backup"]["state"] in ("pending", "running"), started

    refused = run_task("astra_app_snapshot", dict(WORDPRESS, name="wp-snap-busy", state="absent"))
    assert refused.get("failed"), refused
    assert "409" in refused["msg"] and "problem 144" in refused["msg"], refused["msg"]

    finished = run_task("astra_app_backup", dict(WORDPRESS, name="wp-backup-busy", snapshot="wp-snap-busy"))
    assert finished["changed"] is False and finished["backup"]["state"] == "completed", finished


def test_live_clone_on_the_same_cluster(sim, managed, converge):
    source = managed("wordpress")
    clone = converge("astra_app_clone", {
        "name": "wordpress-qa", "source_app": "wordpress", "source_cluster": "prod-east",
        "namespace_mapping": [{"source": "wordpress", "destination": "wordpress-qa"}],
    })["app"]
    assert clone["state"] == "ready"
    assert clone["sourceAppID"] == source["id"]
    assert clone["namespaces"] == ["wordpress-qa"]
    assert clone["clusterName"] == "prod-east"


def test_cross_cluster_clone_from_the_latest_backup(sim, managed, run_task, converge):
    managed("wordpress")
    run_task("astra_app_backup", dict(WORDPRESS, name="wp-backup-old"))
    newest = run_task("astra_app_backup", dict(WORDPRESS, name="wp-backup-new"))["backup"]

    clone = converge("astra_app_clone", {
        "name": "wordpress-dr", "source_app": "wordpress", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "backup": "latest", "storage_class_mapping": [{"source": "*", "destination": "ontap-san"}],
    })["app"]
    assert clone["state"] == "ready"
    assert clone["clusterName"] == "dr-west"
    assert clone["backupID"] == newest["id"]
    pvcs = [a for a in app_assets(sim, clone["id"]) if a["assetType"] == "PersistentVolumeClaim"]
    assert pvcs and {p["resource"]["spec"]["storageClassName"] for p in pvcs} == {"ontap-san"}


def test_clone_refusals_are_all_reported_before_any_post(sim, managed, run_task):
    managed("shop", [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                     {"name": "shop-db", "label_selectors": ["app=shop"]}])
    cloud_id = sim.api("GET", "topology/v1/clouds").json()["items"][0]["id"]
    cleared = sim.api("PUT", "topology/v1/clouds/%s" % cloud_id,
                      json={"type": "application/astra-cloud", "version": "1.0", "defaultBucketID": ""})
    assert cleared.status_code == 204, cleared.text
    sim.clear_requests_log()

    refused = run_task("astra_app_clone", {
        "name": "shop-dr", "source_app": "shop", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "namespace_mapping": [{"source": "shop-frontend", "destination": "default"},
                              {"source": "shop-db", "destination": "shop-db"}],
        "storage_class_mapping": [{"source": "ontap-nas-economy", "destination": "ontap-platinum"},
                                  {"source": "*", "destination": "ontap-san"}],
    })
    assert refused.get("failed"), refused
    message = refused["msg"]
    for expected in ("default", "ontap-platinum", "ReadWriteMany", "frontend-assets", "default bucket"):
        assert expected in message, message
    for option in ("namespace_mapping", "storage_class_mapping", "destination_cluster"):
        assert option in message, message
    assert mutating_requests(sim) == []


def test_clone_refuses_live_clone_of_a_nas_economy_app_and_a_foreign_snapshot(sim, managed, run_task):
    managed("jenkins")
    managed("postgres")
    run_task("astra_app_snapshot", {"app": "postgres", "cluster": "prod-east", "name": "pg-snap"})
    sim.clear_requests_log()

    economy = run_task("astra_app_clone", {
        "name": "jenkins-qa", "source_app": "jenkins", "source_cluster": "prod-east",
        "namespace_mapping": [{"source": "jenkins", "destination": "jenkins-qa"}]})
    assert economy.get("failed") and "ontap-nas-economy" in economy["msg"], economy

    foreign = run_task("astra_app_clone", {
        "name": "jenkins-qa", "source_app": "jenkins", "source_cluster": "prod-east", "snapshot": "pg-snap",
        "namespace_mapping": [{"source": "jenkins", "destination": "jenkins-qa"}]})
    assert foreign.get("failed") and "pg-snap" in foreign["msg"], foreign

    both = run_task("astra_app_clone", {
        "name": "jenkins-qa", "source_app": "jenkins", "source_cluster": "prod-east", "snapshot": "latest",
        "backup": "latest", "namespace_mapping": [{"source": "jenkins", "destination": "jenkins-qa"}]})
    assert both.get("failed") and "mutually exclusive" in both["msg"], both
    assert mutating_requests(sim) == []


def test_in_place_restore_and_selective_restore(sim, managed, run_task, converge):
    app = managed("wordpress")
    snapshot = run_task("astra_app_snapshot", dict(WORDPRESS, name="wp-before-upgrade"))["snapshot"]

    restored = converge("astra_app_restore", dict(WORDPRESS, snapshot="wp-before-upgrade"))["app"]
    assert restored["state"] == "ready" and restored["snapshotID"] == snapshot["id"]

    forced = run_task("astra_app_restore", dict(WORDPRESS, snapshot="wp-before-upgrade", force=True))
    assert forced["changed"] and forced["app"]["state"] == "ready", forced

    backup = run_task("astra_app_backup", dict(WORDPRESS, name="wp-secrets-point"))["backup"]
    before = {a["assetName"] + "/" + a["assetType"]: a["assetID"] for a in app_assets(sim, app["id"])}
    selective = converge("astra_app_restore", dict(
        WORDPRESS, backup="wp-secrets-point",
        restore_filter={"selection": "include", "resources": [{"version": "v1", "kind": "Secret"}]}))["app"]
    assert selective["state"] == "ready" and selective["backupID"] == backup["id"]
    after = {a["assetName"] + "/" + a["assetType"]: a["assetID"] for a in app_assets(sim, app["id"])}
    assert set(after) == set(before)
    replaced = {key for key in after if after[key] != before[key]}
    assert replaced and all(key.endswith("/Secret") for key in replaced), replaced
    assert any(not key.endswith("/Secret") for key in after)


def test_restore_validates_in_check_mode(sim, managed, run_task):
    managed("wordpress")
    sim.clear_requests_log()
    missing = run_task("astra_app_restore", dict(WORDPRESS, snapshot="no-such-snapshot"), check=True)
    assert missing.get("failed") and "no-such-snapshot" in missing["msg"], missing
    empty_filter = run_task("astra_app_restore", dict(
        WORDPRESS, snapshot="latest", restore_filter={"selection": "include", "resources": [{}]}), check=True)
    assert empty_filter.get("failed") and "restore_filter" in empty_filter["msg"], empty_filter
    assert mutating_requests(sim) == []


def test_protection_policy_schedules_snapshots(fast_sim, run_task_fast, converge_fast):
    managed = run_task_fast("astra_app", {"name": "wordpress", "cluster": "prod-east"})
    assert managed["app"]["state"] == "ready", managed
    policy = converge_fast("astra_protection_policy", dict(WORDPRESS, schedules=[
        {"granularity": "hourly", "minute": 0, "snapshot_retention": 2, "backup_retention": 0},
        {"granularity": "daily", "hour": 2, "minute": 30, "snapshot_retention": 7, "backup_retention": 3},
    ]))["protection_policy"]
    hourly = [s for s in policy["schedules"] if s["granularity"] == "hourly"][0]

    # At time scale 0.001 an hour lasts 3.6 s: the hourly schedule fires within that, then keeps 2 snapshots.
    deadline = time.monotonic() + 30
    scheduled = []
    while time.monotonic() < deadline:
        snapshots = run_task_fast("astra_app_snapshot_info", dict(WORDPRESS))["snapshots"]
        scheduled = [s for s in snapshots if s.get("scheduleID") == hourly["id"] and s["state"] == "completed"]
        if len(scheduled) >= 2:
            break
        time.sleep(1)
    assert len(scheduled) >= 2, scheduled
    time.sleep(4)  # one more scaled hour: retention keeps at most 2 completed snapshots of the schedule
    snapshots = run_task_fast("astra_app_snapshot_info", dict(WORDPRESS))["snapshots"]
    kept = [s for s in snapshots if s.get("scheduleID") == hourly["id"] and s["state"] == "completed"]
    assert 1 <= len(kept) <= 2, kept

    converge_fast("astra_protection_policy", dict(WORDPRESS, state="absent"))
