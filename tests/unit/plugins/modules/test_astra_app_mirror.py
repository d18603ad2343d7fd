# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import CHECK_MODE_ID
from ansible_collections.kubedr.astra.plugins.modules import astra_app_mirror
from ansible_collections.kubedr.astra.tests.unit.fakes import DR_WEST, LAB_NORTH, PROD_EAST

MIRRORS = "k8s/v1/appMirrors"
RULE_5 = "DTSTART:20200101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5"


@pytest.fixture
def postgres(fake_api):
    app = fake_api.add_app("postgres")
    fake_api.add_pvc(app["id"], "postgres", "data-postgres-0", "ontap-gold")
    return app


def args(**extra):
    values = {"source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "dr-west"}
    values.update(extra)
    return values


def back(**extra):
    """The task of the other direction: dr-west is the source."""
    return args(source_cluster="dr-west", destination_cluster="prod-east", **extra)


def replication_schedule(fake_api, app_id, interval=5, name="kubedr-replication"):
    return fake_api.add_schedule(app_id, name=name, granularity="custom", replicate="true", snapshotRetention="0",
                                 backupRetention="0", recurrenceRule=RULE_5.replace("=5", "=%d" % interval))


def replication_schedules(fake_api, app_id):
    return [item for item in fake_api.schedules.get(app_id, {}).values() if item.get("replicate") == "true"]


def mirror_of(fake_api, postgres, state="established"):
    """An existing relationship prod-east -> dr-west with the replication schedule on the source app."""
    mirror = fake_api.add_mirror(postgres["id"], DR_WEST, state=state)
    replication_schedule(fake_api, postgres["id"])
    return mirror


def paths(fake_api):
    return [path for _method, path, _params in fake_api.calls()]


# ---------------------------------------------------------------------- establish

def test_establish_creates_the_mirror_and_its_replication_schedule(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_mirror, args(storage_class="ontap-gold"), diff=True)

    assert not failed, result
    assert result["changed"] is True
    schedules = "k8s/v1/apps/%s/schedules" % postgres["id"]
    assert fake_api.writes() == [("POST", MIRRORS), ("POST", schedules)]
    assert fake_api.bodies("POST", MIRRORS) == [{
        "type": "application/astra-appMirror", "version": "1.1", "sourceAppID": postgres["id"],
        "destinationClusterID": DR_WEST, "stateDesired": "established",
        "namespaceMapping": [{"clusterID": PROD_EAST, "namespaces": ["postgres"]},
                             {"clusterID": DR_WEST, "namespaces": ["postgres"]}],
        "storageClasses": [{"clusterID": DR_WEST, "storageClassName": "ontap-gold"}]}]
    assert fake_api.bodies("POST", schedules) == [{
        "type": "application/astra-schedule", "version": "1.2", "name": "kubedr-replication", "granularity": "custom",
        "recurrenceRule": RULE_5, "snapshotRetention": "0", "backupRetention": "0", "enabled": "true",
        "replicate": "true"}]
    mirror = result["app_mirror"]
    # The wait ends on established with the baseline transfer finished, not at the first "established".
    assert mirror["state"] == "established" and mirror["transferState"] == "idle" and mirror["healthState"] == "normal"
    assert mirror["sourceAppID"] == postgres["id"] and mirror["destinationClusterID"] == DR_WEST
    destination = fake_api.apps[mirror["destinationAppID"]]
    assert destination["name"] == "postgres" and destination["clusterID"] == DR_WEST
    assert result["diff"] == {"before": {}, "after": {
        "source_app": "postgres", "source_cluster": "prod-east", "destination_cluster": "dr-west", "state": "established",
        "replication_interval": 5}}


def test_an_established_mirror_is_unchanged_on_a_rerun_without_writes(fake_api, run_module, postgres):
    run_module(astra_app_mirror, args())
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(), diff=True)

    assert not failed and result["changed"] is False and fake_api.writes() == []
    assert result["app_mirror"]["state"] == "established"
    # Clusters, apps of the name, mirrors, then the schedules of both apps: no mirror GET needed, it is settled.
    destination_id = result["app_mirror"]["destinationAppID"]
    assert paths(fake_api) == ["topology/v1/clusters", "k8s/v2/apps", MIRRORS, "k8s/v1/apps/%s/schedules" % postgres["id"],
                               "k8s/v1/apps/%s/schedules" % destination_id]


def test_a_new_interval_updates_the_replication_schedule_only(fake_api, run_module, postgres):
    mirror_of(fake_api, postgres)
    schedule_id = replication_schedules(fake_api, postgres["id"])[0]["id"]

    result, failed = run_module(astra_app_mirror, args(replication_interval=15), diff=True)

    assert not failed and result["changed"] is True
    assert fake_api.writes() == [("PUT", "k8s/v1/apps/%s/schedules/%s" % (postgres["id"], schedule_id))]
    assert fake_api.bodies("PUT")[0]["recurrenceRule"].endswith("INTERVAL=15")
    assert result["diff"]["before"]["replication_interval"] == 5 and result["diff"]["after"]["replication_interval"] == 15


def test_every_precheck_violation_is_reported_at_once_and_nothing_is_posted(fake_api, run_module):
    shop = fake_api.add_app("shop", namespaces=["shop-frontend", "shop-db"], state="discovering")
    fake_api.add_pvc(shop["id"], "shop-frontend", "assets", "ontap-gold")
    fake_api.add_pvc(shop["id"], "shop-db", "data", "ontap-nas-economy")
    fake_api.add_mirror(shop["id"], LAB_NORTH)  # already replicating elsewhere
    legacy = fake_api.add_app("legacy", DR_WEST, namespaces=["shop-frontend"])
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(
        source_app="shop", storage_class="ontap-platinum",
        namespace_mapping=[{"source": "shop-frontend", "destination": "shop-frontend"},
                           {"source": "shop-cache", "destination": "shop-cache"}]))

    assert failed and fake_api.writes() == []
    options = [entry["option"] for entry in result["invalid_options"]]
    assert options == ["source_app", "source_app", "namespace_mapping[1].source", "namespace_mapping", "source_app",
                       "source_app", "storage_class", "namespace_mapping[0].destination"]
    message = result["msg"]
    assert message.startswith("Invalid input (8 problems)")
    for expected in ("is discovering, not ready", "already in a replication relationship", "'shop-cache' is not a namespace",
                     "shop-db of app 'shop' have no entry", "use 2 storage classes", "ontap-nas-economy class",
                     "'ontap-platinum' does not exist on cluster 'dr-west'", "belongs to the managed app 'legacy'"):
        assert expected in message, expected
    assert legacy["id"] in fake_api.apps


def test_an_unmanaged_destination_and_an_existing_app_of_the_name_are_refused(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_mirror, args(destination_cluster="lab-north"))
    assert failed and fake_api.writes() == []
    assert [entry["option"] for entry in result["invalid_options"]] == ["destination_cluster"]
    assert "'lab-north' is not managed" in result["msg"]

    fake_api.add_app("postgres", DR_WEST, namespaces=["postgres-old"])
    result, failed = run_module(astra_app_mirror, args())
    assert failed and fake_api.writes() == []
    assert "already has an app named 'postgres'" in result["msg"]


def test_input_rules_fail_before_any_request(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_mirror, args(replication_interval=0, namespace_mapping=[]))
    assert failed and fake_api.requests == []
    assert [entry["option"] for entry in result["invalid_options"]] == ["namespace_mapping", "replication_interval"]

    result, failed = run_module(astra_app_mirror, args(destination_cluster="prod-east"))
    assert failed and fake_api.writes() == []
    assert "destination_cluster" in result["msg"] and "between two clusters only" in result["msg"]


def test_wait_false_returns_the_accepted_mirror_read_again(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_mirror, args(wait=False))
    assert not failed and result["changed"] is True and result["elapsed"] == 0
    assert result["app_mirror"]["state"] in ("establishing", "established")
    assert result["app_mirror"]["sourceAppID"] == postgres["id"]


def test_a_rerun_with_wait_waits_for_an_establishing_mirror_without_changing_it(fake_api, run_module, postgres):
    fake_api.polls_until_mirror = 3
    first, _failed = run_module(astra_app_mirror, args(wait=False))
    assert first["app_mirror"]["state"] == "establishing"
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args())

    assert not failed and result["changed"] is False and fake_api.writes() == []
    assert result["app_mirror"]["state"] == "established" and result["app_mirror"]["transferState"] == "idle"
    assert result["elapsed"] > 0


def test_a_new_relationship_waits_for_the_old_one_to_be_gone(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    fake_api._mirror_state(fake_api.mirrors[mirror["id"]], "deleting")
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args())

    # Gone after the wait; the destination app it leaves behind (managed, same name, same namespace) must go first.
    assert failed and fake_api.mirrors == {} and fake_api.writes() == []
    assert "already has an app named 'postgres'" in result["msg"] and "belongs to the managed app 'postgres'" in result["msg"]


def test_critical_health_fails_the_wait_with_the_details(fake_api, run_module, postgres):
    fake_api.fail_next["appMirror"] = 1

    result, failed = run_module(astra_app_mirror, args())

    assert failed
    assert "its health is critical" in result["msg"] and "SnapMirror transfer failed" in result["msg"]
    assert "Snapshot replication failed" in result["msg"]
    assert result["health_state"] == "critical" and result["transfer_state"] == "idle"
    assert result["health_state_details"][0]["title"] == "SnapMirror transfer failed"
    assert result["app_mirror"]["healthState"] == "critical"


def test_the_source_app_may_be_given_by_id(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    result, failed = run_module(astra_app_mirror, args(source_app=postgres["id"]))
    assert not failed and result["changed"] is False and result["app_mirror"]["id"] == mirror["id"]

    result, failed = run_module(astra_app_mirror, back(source_app=postgres["id"]))
    assert failed and "runs on cluster 'prod-east', not on source_cluster 'dr-west'" in result["msg"]


def test_check_mode_accepts_an_app_an_earlier_task_predicted(fake_api, run_module):
    result, failed = run_module(astra_app_mirror, args(source_app=CHECK_MODE_ID), check=True)
    assert not failed and result["changed"] is True and fake_api.writes() == []
    assert result["app_mirror"]["sourceAppID"] == CHECK_MODE_ID and result["app_mirror"]["state"] == "establishing"


# ---------------------------------------------------------------------- failover

def test_failover_puts_failed_over_and_returns_the_mirror_read_again(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(state="failed_over"), diff=True)

    assert not failed, result
    assert result["changed"] is True
    assert fake_api.writes() == [("PUT", "%s/%s" % (MIRRORS, mirror["id"]))]
    assert fake_api.bodies("PUT") == [{"type": "application/astra-appMirror", "version": "1.1", "stateDesired": "failedOver"}]
    returned = result["app_mirror"]
    # The PUT answer lacks the IDs; what is returned comes from a GET.
    assert returned["state"] == "failedOver" and returned["sourceAppID"] == postgres["id"]
    assert returned["destinationAppID"] == mirror["destinationAppID"] and "ReplicatedPVCs_" not in returned
    assert "replicationSourceAppID" not in fake_api.apps[mirror["destinationAppID"]]
    assert result["diff"]["before"]["state"] == "established" and result["diff"]["after"]["state"] == "failed_over"

    fake_api.requests.clear()
    again, failed = run_module(astra_app_mirror, args(state="failed_over"))
    assert not failed and again["changed"] is False and fake_api.writes() == []


def test_failover_works_while_the_source_cluster_is_unreachable(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    fake_api.mirrors[mirror["id"]].update(healthState="critical", transferState="transferring")
    fake_api.unreachable.add(PROD_EAST)
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(state="failed_over"))

    assert not failed, result
    assert result["changed"] is True and result["app_mirror"]["state"] == "failedOver"
    touched = paths(fake_api)
    assert not [path for path in touched if PROD_EAST in path], touched
    assert not [path for path in touched if postgres["id"] in path], touched
    assert not [path for path in touched if "storageClasses" in path or "namespaces" in path or "appAssets" in path]
    assert fake_api.writes() == [("PUT", "%s/%s" % (MIRRORS, mirror["id"]))]


def test_failover_is_refused_when_the_mirror_replicates_the_other_way(fake_api, run_module, postgres):
    mirror_of(fake_api, postgres)
    result, failed = run_module(astra_app_mirror, back(state="failed_over"))
    assert failed and fake_api.writes() == []
    assert "replicates from prod-east" in result["msg"] and "set source_cluster: prod-east" in result["msg"]
    assert result["app_mirror"]["sourceAppID"] == postgres["id"]


def test_failover_of_an_establishing_mirror_is_refused_before_any_write(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    fake_api._mirror_state(fake_api.mirrors[mirror["id"]], "establishing")
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(state="failed_over"))

    assert failed and fake_api.writes() == []
    assert "is establishing" in result["msg"] and "stateAllowed: established, deleted" in result["msg"]


def test_failover_without_a_relationship_fails(fake_api, run_module, postgres):
    result, failed = run_module(astra_app_mirror, args(state="failed_over"))
    assert failed and fake_api.writes() == [] and "establish one first" in result["msg"]


# ---------------------------------------------------------------------- resync, reverse (failback)

def test_resync_from_the_dr_side_swaps_the_ids_and_moves_the_replication_schedule(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres, state="failedOver")
    dr_app = mirror["destinationAppID"]
    old_schedule = replication_schedules(fake_api, postgres["id"])[0]
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, back(), diff=True)

    assert not failed, result
    assert fake_api.writes() == [("PUT", "%s/%s" % (MIRRORS, mirror["id"])), ("POST", "k8s/v1/apps/%s/schedules" % dr_app),
                                 ("DELETE", "k8s/v1/apps/%s/schedules/%s" % (postgres["id"], old_schedule["id"]))]
    assert fake_api.bodies("PUT")[0] == {
        "type": "application/astra-appMirror", "version": "1.1", "stateDesired": "established",
        "sourceAppID": dr_app, "sourceClusterID": DR_WEST, "destinationAppID": postgres["id"],
        "destinationClusterID": PROD_EAST}
    returned = result["app_mirror"]
    assert returned["state"] == "established" and returned["sourceAppID"] == dr_app and returned["transferState"] == "idle"
    assert fake_api.apps[postgres["id"]]["replicationSourceAppID"] == dr_app
    assert result["diff"]["before"] == {"source_app": "postgres", "source_cluster": "prod-east",
                                        "destination_cluster": "dr-west", "state": "failed_over", "replication_interval": 5}
    assert result["diff"]["after"] == {"source_app": "postgres", "source_cluster": "dr-west",
                                       "destination_cluster": "prod-east", "state": "established", "replication_interval": 5}
    assert replication_schedules(fake_api, postgres["id"]) == [] and len(replication_schedules(fake_api, dr_app)) == 1

    fake_api.requests.clear()
    again, failed = run_module(astra_app_mirror, back())
    assert not failed and again["changed"] is False and fake_api.writes() == []


def test_reverse_fails_back_to_prod_east(fake_api, run_module, postgres):
    """The whole sequence: establish, fail over, resync from dr-west, reverse to prod-east."""
    assert not run_module(astra_app_mirror, args())[1]
    assert not run_module(astra_app_mirror, args(state="failed_over"))[1]
    assert not run_module(astra_app_mirror, back())[1]
    mirror = next(iter(fake_api.mirrors.values()))
    dr_app = mirror["sourceAppID"]
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(replication_interval=10))

    assert not failed, result
    assert result["changed"] is True
    put = fake_api.bodies("PUT", "%s/%s" % (MIRRORS, mirror["id"]))
    assert put == [{"type": "application/astra-appMirror", "version": "1.1", "stateDesired": "established",
                    "sourceAppID": postgres["id"], "sourceClusterID": PROD_EAST, "destinationAppID": dr_app,
                    "destinationClusterID": DR_WEST}]
    assert result["app_mirror"]["sourceAppID"] == postgres["id"] and result["app_mirror"]["state"] == "established"
    assert fake_api.apps[dr_app]["replicationSourceAppID"] == postgres["id"]
    assert replication_schedules(fake_api, dr_app) == []
    assert [item["recurrenceRule"][-11:] for item in replication_schedules(fake_api, postgres["id"])] == ["INTERVAL=10"]


def test_the_resync_that_discards_the_failed_over_data_is_guarded(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres, state="failedOver")
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args())

    assert failed and fake_api.writes() == []
    message = result["msg"]
    assert "discard_failed_over_data: true" in message and "fail back" in message and "is lost" in message
    assert result["app_mirror"]["state"] == "failedOver"

    result, failed = run_module(astra_app_mirror, args(discard_failed_over_data=True))

    assert not failed, result
    assert fake_api.writes() == [("PUT", "%s/%s" % (MIRRORS, mirror["id"]))]
    assert fake_api.bodies("PUT") == [{
        "type": "application/astra-appMirror", "version": "1.1", "stateDesired": "established",
        "sourceAppID": postgres["id"], "sourceClusterID": PROD_EAST, "destinationAppID": mirror["destinationAppID"],
        "destinationClusterID": DR_WEST}]
    assert result["app_mirror"]["state"] == "established" and result["app_mirror"]["sourceAppID"] == postgres["id"]


@pytest.mark.parametrize("state, task, phrase", [
    ("failingOver", args, "wait until the failover has finished"),
    ("failingOver", back, "a reverse needs an established relationship"),
    ("establishing", back, "a reverse needs an established relationship"),
])
def test_forbidden_transitions_are_refused_before_any_write(fake_api, run_module, postgres, state, task, phrase):
    mirror = mirror_of(fake_api, postgres)
    fake_api._mirror_state(fake_api.mirrors[mirror["id"]], state)
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, task())

    assert failed and fake_api.writes() == []
    assert phrase in result["msg"] and "is %s" % state in result["msg"]


# ---------------------------------------------------------------------- absent

def test_delete_waits_until_gone_then_removes_the_replication_schedules(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    dr_app = mirror["destinationAppID"]
    stray = replication_schedule(fake_api, dr_app, name="replication-by-hand")
    protection = fake_api.add_schedule(postgres["id"], name="daily", granularity="daily", minute="0", hour="1",
                                       snapshotRetention="7", backupRetention="0")
    source_schedule = replication_schedules(fake_api, postgres["id"])[0]
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, args(state="absent"), diff=True)

    assert not failed, result
    assert result["changed"] is True and result["app_mirror"] == {}
    assert fake_api.writes() == [("DELETE", "%s/%s" % (MIRRORS, mirror["id"])),
                                 ("DELETE", "k8s/v1/apps/%s/schedules/%s" % (postgres["id"], source_schedule["id"])),
                                 ("DELETE", "k8s/v1/apps/%s/schedules/%s" % (dr_app, stray["id"]))]
    assert fake_api.mirrors == {}
    assert list(fake_api.schedules[postgres["id"]]) == [protection["id"]]
    assert dr_app in fake_api.apps and postgres["id"] in fake_api.apps
    assert result["diff"] == {"before": {"source_app": "postgres", "source_cluster": "prod-east",
                                         "destination_cluster": "dr-west", "state": "established",
                                         "replication_interval": 5}, "after": {}}

    fake_api.requests.clear()
    again, failed = run_module(astra_app_mirror, args(state="absent"))
    assert not failed and again["changed"] is False and fake_api.writes() == []


def test_a_rerun_after_a_delete_without_wait_removes_left_over_schedules(fake_api, run_module, postgres):
    mirror = mirror_of(fake_api, postgres)
    fake_api.polls_until_mirror = 99
    result, failed = run_module(astra_app_mirror, args(state="absent", wait=False))
    assert not failed and result["changed"] is True
    assert fake_api.mirrors[mirror["id"]]["state"] == "deleting"
    assert replication_schedules(fake_api, postgres["id"]) == []

    # Schedules left behind by an interrupted run (mirror already gone) are removed on the next run.
    del fake_api.mirrors[mirror["id"]]
    replication_schedule(fake_api, postgres["id"])
    fake_api.requests.clear()
    result, failed = run_module(astra_app_mirror, args(state="absent"), diff=True)
    assert not failed and result["changed"] is True
    assert [method for method, _path in fake_api.writes()] == ["DELETE"]
    assert result["diff"]["before"]["replication_schedules"][0]["app"] == "postgres"


# ---------------------------------------------------------------------- check mode

def _establishing(fake_api, postgres):
    return None


def _established(fake_api, postgres):
    return mirror_of(fake_api, postgres)


def _failed_over(fake_api, postgres):
    return mirror_of(fake_api, postgres, state="failedOver")


@pytest.mark.parametrize("setup, task, changed, state, source", [
    (_establishing, args(), True, "establishing", "prod"),
    (_established, args(), False, "established", "prod"),
    (_established, args(replication_interval=30), True, "established", "prod"),
    (_established, args(state="failed_over"), True, "failingOver", "prod"),
    (_failed_over, args(state="failed_over"), False, "failedOver", "prod"),
    (_failed_over, back(), True, "establishing", "dr"),
    (_established, back(), True, "establishing", "dr"),
    (_failed_over, args(discard_failed_over_data=True), True, "establishing", "prod"),
    (_established, args(state="absent"), True, None, None),
    (_establishing, args(state="absent"), False, None, None),
], ids=["create", "unchanged", "interval", "failover", "failed-over", "resync", "reverse", "guarded-resync", "delete",
        "delete-nothing"])
def test_check_mode_predicts_without_writes(fake_api, run_module, postgres, setup, task, changed, state, source):
    mirror = setup(fake_api, postgres)
    fake_api.requests.clear()

    result, failed = run_module(astra_app_mirror, task, check=True, diff=True)

    assert not failed, result
    assert fake_api.writes() == []
    assert result["changed"] is changed
    predicted = result["app_mirror"]
    if state is None:
        assert predicted == {}
        return
    assert predicted["state"] == state
    if mirror is None:
        assert predicted["id"] == CHECK_MODE_ID
    else:
        expected_source = postgres["id"] if source == "prod" else mirror["destinationAppID"]
        assert predicted["sourceAppID"] == expected_source


def test_check_mode_refuses_what_a_real_run_refuses(fake_api, run_module, postgres):
    mirror_of(fake_api, postgres, state="failedOver")
    result, failed = run_module(astra_app_mirror, args(), check=True)
    assert failed and "discard_failed_over_data" in result["msg"] and fake_api.writes() == []
