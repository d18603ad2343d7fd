# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import datetime

import pytest
import yaml

from ansible.utils.plugin_docs import merge_fragment

from ansible_collections.kubedr.astra.plugins.doc_fragments.connection import ModuleDocFragment
from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import astra_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.inventory import (
    build_hosts,
    duplicate_host_problems,
    filter_problems,
    group_name,
    read_estate,
)
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups
from ansible_collections.kubedr.astra.plugins.module_utils.validators import label_selector_matches
from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, DR_WEST, PROD_EAST, TOKEN

NOW = datetime.datetime(2025, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("selector, expected", [
    ("tier=gold", True), ("tier==gold", True), ("tier!=gold", False), ("tier", True), ("!tier", False),
    ("tier in (gold, silver)", True), ("tier notin (gold)", False), ("tier=gold,env=prod", True),
    ("tier=gold,env=dev", False), ("missing!=x", True), ("missing notin (x)", True), ("missing in (x)", False),
    ("!missing", True),
])
def test_label_selector_matches(selector, expected):
    assert label_selector_matches(selector, {"tier": "gold", "env": "prod"}) is expected


def test_filter_problems_name_the_option_and_the_rule():
    assert filter_problems(None, None) == []
    assert filter_problems(["prod-east"], ["tier=gold"]) == []
    problems = filter_problems("prod-east", ["tier in gold", ""])
    assert problems[0] == ("clusters", "must be a list of strings, got str")
    assert problems[1][0] == "labels[0]" and "'tier in gold' is not a Kubernetes label selector" in problems[1][1]
    assert problems[2] == ("labels[1]", "must be a non-empty string")


def test_group_names_are_valid_and_snake_case():
    assert group_name("cluster", "prod-east") == "cluster_prod_east"
    assert group_name("mirror", "failedOver") == "mirror_failed_over"
    assert group_name("cluster", "DC1.Prod") == "cluster_dc1_prod"


def test_duplicate_host_names_are_reported_with_both_apps():
    assert duplicate_host_problems([("a", "a@x"), ("b", "b@x")]) == []
    (problem,) = duplicate_host_problems([("wordpress", "wordpress@prod-east"), ("wordpress", "wordpress@dr-west")])
    assert "'wordpress' is shared by app wordpress@prod-east and app wordpress@dr-west" in problem


def _app(app_id, name, cluster_id, cluster, labels=None, namespaces=None):
    return {"id": app_id, "name": name, "clusterID": cluster_id, "clusterName": cluster, "state": "ready",
            "namespaces": namespaces or [name],
            "namespaceScopedResources": [{"namespace": ns, "labelSelectors": ["app=%s" % name]} for ns in namespaces or [name]],
            "metadata": {"labels": [{"name": k, "value": v} for k, v in (labels or {}).items()],
                         "creationTimestamp": "2025-01-01T00:00:00Z"}}


def _point(name, state, created):
    return {"id": "id-" + name, "name": name, "state": state, "metadata": {"creationTimestamp": created}}


ESTATE = {
    "clusters": [{"id": "c1", "name": "prod-east"}, {"id": "c2", "name": "dr-west"}],
    "apps": [_app("a1", "postgres", "c1", "prod-east", {"tier": "gold"}),
             _app("a2", "shop", "c1", "prod-east", namespaces=["shop-frontend", "shop-db"]),
             _app("a3", "shop", "c2", "dr-west"),
             _app("a4", "jenkins", "c1", "prod-east")],
    "app_mirrors": [{"id": "m1", "sourceAppID": "a2", "sourceClusterID": "c1", "destinationAppID": "a3",
                     "destinationClusterID": "c2", "state": "failedOver", "stateDesired": "failedOver",
                     "healthState": "warning", "transferState": "idle",
                     "transferStateDetails": [{"type": "https://astra.netapp.io/stateDetails/24", "additionalDetails": {
                         "snapshotID": "s9", "startTime": "2025-01-01T11:49:00Z",
                         "completionTime": "2025-01-01T11:50:00Z"}}]}],
    "protection": {
        "a1": {"snapshots": [_point("old", "completed", "2025-01-01T10:00:00Z"),
                             _point("newer", "completed", "2025-01-01T11:00:00Z"),
                             _point("running", "running", "2025-01-01T11:59:00Z")],
               "backups": [_point("nightly", "completed", "2025-01-01T02:00:00Z")],
               "schedules": [{"id": "s1", "name": "hourly", "granularity": "hourly", "minute": "5",
                              "snapshotRetention": "24", "backupRetention": "0", "enabled": "true", "replicate": "false"},
                             {"id": "s2", "name": "replication", "granularity": "custom", "replicate": "true",
                              "recurrenceRule": "DTSTART:20250101T000000Z\nRRULE:FREQ=MINUTELY;INTERVAL=5",
                              "snapshotRetention": "0", "backupRetention": "0", "enabled": "true"}]},
        "a2": {"snapshots": [], "backups": [], "schedules": []},
        "a3": {"snapshots": [_point("snap", "completed", "2025-01-01T11:30:00Z")], "backups": [], "schedules": []},
        # a4 (jenkins) was filtered out: no protection read, no host.
    },
}


def test_build_hosts_variables_and_groups_with_one_clock_reading():
    hosts = {record["name"]: record for record in build_hosts(ESTATE, NOW)}
    assert sorted(hosts) == ["postgres@prod-east", "shop@dr-west", "shop@prod-east"]

    postgres = hosts["postgres@prod-east"]["vars"]
    assert postgres["astra_app"] == {"id": "a1", "name": "postgres", "cluster": "prod-east", "cluster_id": "c1",
                                     "namespaces": ["postgres"], "labels": {"tier": "gold"}, "state": "ready",
                                     "created": "2025-01-01T00:00:00Z"}
    protection = postgres["astra_protection"]
    assert protection["state"] == "protected"
    assert protection["snapshot"] == {"id": "id-newer", "name": "newer", "created": "2025-01-01T11:00:00Z",
                                      "age_seconds": 3600}
    assert protection["backup"] == {"id": "id-nightly", "name": "nightly", "created": "2025-01-01T02:00:00Z",
                                    "age_seconds": 36000}
    assert [item["name"] for item in protection["schedules"]] == ["hourly"]
    assert protection["schedules"][0]["minute"] == 5 and protection["schedules"][0]["enabled"] is True
    assert [item["name"] for item in protection["replication_schedules"]] == ["replication"]
    assert (protection["snapshot_count"], protection["backup_count"]) == (3, 1)
    assert postgres["astra_replication"] == {"mirrored": False}
    assert postgres["astra_app_entry"] == {"name": "postgres", "cluster": "prod-east",
                                           "namespaces": [{"name": "postgres", "label_selectors": ["app=postgres"]}]}
    assert hosts["postgres@prod-east"]["groups"] == ["astra_apps", "cluster_prod_east", "protected", "not_replicated"]

    source = hosts["shop@prod-east"]["vars"]
    assert source["astra_replication"] == {
        "mirrored": True, "id": "m1", "state": "failedOver", "state_desired": "failedOver", "health": "warning",
        "transfer_state": "idle", "role": "source", "direction": "prod-east -> dr-west", "source_cluster": "prod-east",
        "destination_cluster": "dr-west", "peer_cluster": "dr-west", "peer_app": "shop", "peer_app_id": "a3",
        "last_transfer_snapshot_id": "s9", "last_transfer_time": "2025-01-01T11:50:00Z", "last_transfer_age_seconds": 600}
    assert source["astra_app_entry"] == {
        "name": "shop", "cluster": "prod-east", "destination_cluster": "dr-west",
        "namespaces": [{"name": "shop-frontend", "label_selectors": ["app=shop"]},
                       {"name": "shop-db", "label_selectors": ["app=shop"]}]}
    assert source["astra_protection"]["state"] == "none"
    assert hosts["shop@prod-east"]["groups"] == ["astra_apps", "cluster_prod_east", "unprotected", "mirror_failed_over",
                                                 "mirror_source"]

    destination = hosts["shop@dr-west"]["vars"]
    assert destination["astra_replication"]["role"] == "destination"
    assert destination["astra_replication"]["peer_cluster"] == "prod-east"
    assert "destination_cluster" not in destination["astra_app_entry"]
    assert destination["astra_protection"]["state"] == "partial"
    assert hosts["shop@dr-west"]["groups"] == ["astra_apps", "cluster_dr_west", "partially_protected",
                                               "mirror_failed_over", "mirror_destination"]


def test_build_hosts_applies_the_filters_to_the_hosts():
    assert [r["name"] for r in build_hosts(ESTATE, NOW, clusters=["dr-west"])] == ["shop@dr-west"]
    assert [r["name"] for r in build_hosts(ESTATE, NOW, labels=["tier in (gold,silver)"])] == ["postgres@prod-east"]


@pytest.fixture
def lookups(fake_api):
    return Lookups(AstraClient(API_URL, ACCOUNT_ID, TOKEN))


def test_read_estate_lists_each_kind_once_and_each_selected_app_three_times(lookups, fake_api):
    postgres = fake_api.add_app("postgres")
    fake_api.add_snapshot(postgres["id"], "hourly-1")
    fake_api.add_backup(postgres["id"], "nightly")
    fake_api.add_schedule(postgres["id"], name="hourly", granularity="hourly", minute="0", snapshotRetention="2",
                          backupRetention="1")
    fake_api.add_app("wordpress", cluster_id=DR_WEST)
    estate = read_estate(lookups, clusters=["prod-east"])
    include = {"include": "id,name,state,metadata"}
    assert fake_api.calls() == [
        ("GET", "topology/v1/clusters", {}), ("GET", "k8s/v2/apps", {}), ("GET", "k8s/v1/appMirrors", {}),
        ("GET", "k8s/v1/apps/%s/appSnaps" % postgres["id"], include),
        ("GET", "k8s/v1/apps/%s/appBackups" % postgres["id"], include),
        ("GET", "k8s/v1/apps/%s/schedules" % postgres["id"],
         {"include": "id,name,granularity,minute,hour,dayOfWeek,dayOfMonth,recurrenceRule,snapshotRetention,"
                     "backupRetention,enabled,replicate,bucketID"})]
    assert list(estate["protection"]) == [postgres["id"]]
    assert [item["name"] for item in estate["protection"][postgres["id"]]["backups"]] == ["nightly"]
    assert {app["clusterID"] for app in estate["apps"]} == {PROD_EAST, DR_WEST}


def test_read_estate_refuses_an_unknown_cluster_naming_the_known_ones(lookups, fake_api):
    with pytest.raises(AstraValidationError) as caught:
        read_estate(lookups, clusters=["prod-east", "mars"])
    assert "clusters[1]: no cluster named 'mars'; known clusters: dr-west, lab-north, prod-east" in str(caught.value)
    assert fake_api.calls() == [("GET", "topology/v1/clusters", {})]


def test_include_rows_become_dicts(lookups, fake_api, monkeypatch):
    app = fake_api.add_app("postgres")
    rows = {"appSnaps": [["s1", "hourly-1", "completed", {"creationTimestamp": "2025-01-01T00:00:00Z"}]],
            "appBackups": [], "schedules": []}
    original = lookups.client.list

    def listing(path, params=None, operation=None):
        return rows[path.rsplit("/", 1)[1]] if path.startswith("k8s/v1/apps/") else original(path, params, operation)
    monkeypatch.setattr(lookups.client, "list", listing)
    estate = read_estate(lookups)
    assert estate["protection"][app["id"]]["snapshots"] == [
        {"id": "s1", "name": "hourly-1", "state": "completed", "metadata": {"creationTimestamp": "2025-01-01T00:00:00Z"}}]


def test_plugin_options_are_the_module_options_with_their_environment_variables():
    """PLUGIN_ENVIRONMENT, merged onto DOCUMENTATION the way Ansible merges doc fragments, gives the plugin every
    module option with its ASTRA_* variable, and nothing more."""
    modules = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    environment = yaml.safe_load(ModuleDocFragment.PLUGIN_ENVIRONMENT)
    assert list(environment["options"]) == list(modules["options"]) == list(astra_argument_spec())
    merged = {}
    merge_fragment(merged, environment["options"])
    merge_fragment(merged, yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"])
    expected = {}
    for name, spec in astra_argument_spec().items():
        expected[name] = dict(modules["options"][name], env=[{"name": spec["fallback"][1][0]}])
    expected["ca_path"]["type"] = expected["actoolkit_config"]["type"] = "str"
    assert merged == expected
