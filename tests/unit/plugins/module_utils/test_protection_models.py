# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Models and helpers of issue 3: ordering, storage-class heuristics, PVCs, schedules, clone and restore input."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import ApiResource
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import CloneSpec, validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.ordering import creation_time, newest_first
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import (
    ScheduleSpec,
    schedule_definition,
    schedule_fields,
)
from ansible_collections.kubedr.astra.plugins.module_utils.storage_rules import (
    access_mode_violations,
    is_nas_economy_class,
    is_rwo_only_class,
    mapped_storage_class,
    persistent_volume_claims,
)

TRIDENT = "csi.trident.netapp.io"


def stamped(name, timestamp):
    return {"name": name, "metadata": {"creationTimestamp": timestamp}}


def test_newest_first_parses_timestamps_instead_of_comparing_strings():
    items = [stamped("a", "2025-01-01T00:00:05Z"), stamped("b", "2025-01-01T00:00:05.5Z"), {"name": "no-stamp"},
             stamped("c", "2025-01-01T00:00:04.123456789Z"), stamped("d", "2025-01-01T01:00:00+01:00")]
    assert [item["name"] for item in newest_first(items)] == ["b", "a", "c", "d", "no-stamp"]


def test_creation_time_of_garbage_is_the_oldest():
    assert creation_time(stamped("x", "yesterday")) == creation_time({})


@pytest.mark.parametrize("provisioner, name, rwo_only", [
    (TRIDENT, "ontap-san", True),
    (TRIDENT, "ontap-san-economy", True),
    (TRIDENT, "gold-san", True),
    (TRIDENT, "ontap-gold", False),
    (TRIDENT, "ontap-nas-economy", False),
    (TRIDENT, "sandbox", False),
    ("ebs.csi.aws.com", "gp3", True),
    ("disk.csi.azure.com", "managed-premium", True),
    ("pd.csi.storage.gke.io", "standard-rwo", True),
    ("nfs.csi.k8s.io", "nfs-san", False),
])
def test_rwo_only_heuristic(provisioner, name, rwo_only):
    assert is_rwo_only_class({"name": name, "provisioner": provisioner}) is rwo_only


@pytest.mark.parametrize("provisioner, name, economy", [
    (TRIDENT, "ontap-nas-economy", True),
    (TRIDENT, "nas-economy-gold", True),
    (TRIDENT, "ontap-nas", False),
    (TRIDENT, "ontap-san-economy", False),
    ("nfs.csi.k8s.io", "ontap-nas-economy", False),
])
def test_nas_economy_heuristic(provisioner, name, economy):
    assert is_nas_economy_class({"name": name, "provisioner": provisioner}) is economy


def test_persistent_volume_claims_from_app_assets():
    assets = [
        {"assetType": "Deployment", "assetName": "web", "namespace": "shop"},
        {"assetType": "PersistentVolumeClaim", "assetName": "data", "namespace": "shop",
         "resource": {"spec": {"accessModes": ["ReadWriteMany"], "storageClassName": "ontap-gold"}}},
        {"GVK": {"kind": "PersistentVolumeClaim"}, "resource": {"metadata": {"name": "cache", "namespace": "shop"}, "spec": {}}},
    ]
    assert persistent_volume_claims(assets) == [
        {"namespace": "shop", "name": "data", "storage_class": "ontap-gold", "access_modes": ["ReadWriteMany"]},
        {"namespace": "shop", "name": "cache", "storage_class": None, "access_modes": []},
    ]


def test_storage_class_mapping_exact_entry_beats_the_wildcard():
    mapping = [{"source": "*", "destination": "ontap-san"}, {"source": "ontap-gold", "destination": "ontap-gold"}]
    assert mapped_storage_class(mapping, "ontap-gold") == "ontap-gold"
    assert mapped_storage_class(mapping, "other") == "ontap-san"
    assert mapped_storage_class([], "other") is None


def test_access_mode_violations_use_the_source_default_for_claims_without_class():
    source = [{"name": "ontap-gold", "provisioner": TRIDENT, "isDefault": "true"}]
    destination = [{"name": "ontap-gold", "provisioner": TRIDENT}, {"name": "ontap-san", "provisioner": TRIDENT}]
    claims = [{"namespace": "ns", "name": "shared", "storage_class": None, "access_modes": ["ReadWriteMany"]},
              {"namespace": "ns", "name": "single", "storage_class": None, "access_modes": ["ReadWriteOnce"]}]
    assert access_mode_violations(claims, [], source, destination, "dr") == []
    violations = access_mode_violations(claims, [{"source": "ontap-gold", "destination": "ontap-san"}], source,
                                        destination, "dr")
    assert len(violations) == 1 and violations[0][0] == "storage_class_mapping"
    assert "PVC ns/shared is ReadWriteMany" in violations[0][1]


def test_api_resource_gvk():
    assert ApiResource.parse({"apiVersion": "v1", "kind": "Secret"}).gvk == ("", "v1", "Secret")
    assert ApiResource.parse({"apiVersion": "apps/v1", "kind": "Deployment"}).gvk == ("apps", "v1", "Deployment")


def test_schedule_definition_normalises_api_strings():
    api = {"name": "weekly", "granularity": "weekly", "minute": "05", "hour": "4", "dayOfWeek": "0", "dayOfMonth": "*",
           "snapshotRetention": "1", "backupRetention": "8", "enabled": "False", "bucketID": ""}
    assert schedule_definition(api) == {"name": "weekly", "granularity": "weekly", "minute": 5, "hour": 4, "day_of_week": 0,
                                        "snapshot_retention": 1, "backup_retention": 8, "bucket": None, "enabled": False}


def test_schedule_spec_round_trip():
    spec = validate_input(ScheduleSpec, {"granularity": "monthly", "minute": 0, "hour": 1, "day_of_month": 31,
                                         "snapshot_retention": 0, "backup_retention": 3})
    shape = spec.definition("bucket-id")
    assert shape["name"] == "monthly"
    fields = schedule_fields(shape)
    assert fields == {"name": "monthly", "granularity": "monthly", "minute": "0", "hour": "1", "dayOfMonth": "31",
                      "snapshotRetention": "0", "backupRetention": "3", "bucketID": "bucket-id", "enabled": "true",
                      "replicate": "false"}
    assert schedule_definition(fields) == shape


def test_clone_spec_reports_every_problem():
    with pytest.raises(AstraValidationError) as raised:
        validate_input(CloneSpec, {"name": "ok", "namespace_mapping": [], "storage_class_mapping": [
            {"source": "", "destination": "x"}, {"source": "a", "destination": "*"}]})
    assert raised.value.options == ["namespace_mapping", "storage_class_mapping[0].source",
                                    "storage_class_mapping[1].destination"]


def test_items_created_within_one_second_keep_list_order_newest_last():
    items = [stamped("first", "2025-01-01T00:00:05Z"), stamped("second", "2025-01-01T00:00:05Z"),
             stamped("older", "2025-01-01T00:00:04Z")]
    assert [item["name"] for item in newest_first(items)] == ["second", "first", "older"]
