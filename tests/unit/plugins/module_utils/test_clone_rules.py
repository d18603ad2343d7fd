# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The clone rules on plain data, and clone_violations() through a stand-in Lookups."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.clone_rules import (
    clone_violations,
    default_bucket_violations,
    existing_namespace_violations,
    live_clone_economy_violations,
)
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError

TRIDENT = "csi.trident.netapp.io"
GOLD = {"name": "ontap-gold", "provisioner": TRIDENT, "isDefault": "true"}
SAN = {"name": "ontap-san", "provisioner": TRIDENT}
ECONOMY = {"name": "ontap-nas-economy", "provisioner": TRIDENT}
PROD = {"id": "c-prod", "name": "prod-east", "cloudID": "cloud-1"}
DR = {"id": "c-dr", "name": "dr-west", "cloudID": "cloud-1"}


def claim(namespace, name, storage_class=None, modes=("ReadWriteOnce",)):
    return {"namespace": namespace, "name": name, "storage_class": storage_class, "access_modes": list(modes)}


def pvc_asset(namespace, name, storage_class=None, modes=("ReadWriteOnce",)):
    spec = {"accessModes": list(modes)}
    if storage_class:
        spec["storageClassName"] = storage_class
    return {"assetType": "PersistentVolumeClaim", "namespace": namespace, "assetName": name,
            "resource": {"metadata": {"name": name, "namespace": namespace}, "spec": spec}}


def test_existing_namespace_violations_name_the_entry_path():
    mapping = [{"source": "shop-frontend", "destination": "default"}, {"source": "shop-db", "destination": "shop-db-qa"}]
    paths = ["namespace_mapping[0].destination", "namespace_mapping[1].destination"]
    assert existing_namespace_violations(mapping, paths, ["default", "kube-system"], "dr-west") == [
        ("namespace_mapping[0].destination", "namespace 'default' already exists on cluster 'dr-west'; Astra Control "
         "creates the destination namespaces, so choose namespaces that do not exist yet")]
    assert existing_namespace_violations(mapping, paths, [], "dr-west") == []


def test_live_clone_economy_violations_count_the_default_class():
    classes = [dict(ECONOMY, isDefault="true"), SAN]
    claims = [claim("jenkins", "home"), claim("jenkins", "cache", "ontap-san"), claim("jenkins", "logs", "ontap-nas-economy")]
    assert live_clone_economy_violations(claims, classes, "jenkins") == [
        ("source_app", "app 'jenkins' has volumes on ontap-nas-economy storage classes (jenkins/home (ontap-nas-economy), "
         "jenkins/logs (ontap-nas-economy)), which Astra Control cannot clone live; clone from a snapshot or backup "
         "instead")]
    assert live_clone_economy_violations(claims[1:2], classes, "jenkins") == []


def test_default_bucket_violations_read_each_cloud_once():
    reads = []

    def cloud(cloud_id):
        reads.append(cloud_id)
        return {"id": cloud_id, "name": "on-prem", "defaultBucketID": ""}

    members = (("source_cluster", PROD), ("destination_cluster", DR), ("destination_cluster", {"name": "no-cloud"}))
    assert default_bucket_violations(members, cloud) == [
        ("source_cluster", "cloud 'on-prem' of cluster 'prod-east' has no default bucket; a clone to another cluster "
         "goes through the default bucket of both clusters' clouds, so set one first"),
        ("destination_cluster", "cloud 'on-prem' of cluster 'dr-west' has no default bucket; a clone to another cluster "
         "goes through the default bucket of both clusters' clouds, so set one first"),
    ]
    assert reads == ["cloud-1"]
    assert default_bucket_violations(members, lambda cloud_id: {"name": "on-prem", "defaultBucketID": "b-1"}) == []


class Lookups:
    """Only what clone_violations() reads; every call recorded."""

    def __init__(self, namespaces, classes, assets, points=None, default_bucket="b-1"):
        self._namespaces, self._classes, self._assets = namespaces, classes, assets
        self._points = points or {}
        self._default_bucket = default_bucket
        self.calls = []

    def restore_point(self, kind, app, ref, option):
        self.calls.append(("restore_point", kind, ref))
        if ref not in self._points:
            raise AstraValidationError(option, "app %r has no %s named or identified by %r" % (app["name"], kind, ref))
        return self._points[ref]

    def namespaces(self, cluster, shared=False):
        assert shared, "clone_violations reads before any change: its lists may be shared in a batch"
        self.calls.append(("namespaces", cluster["name"]))
        return self._namespaces[cluster["id"]]

    def storage_classes(self, cluster, shared=False):
        assert shared, "clone_violations reads before any change: its lists may be shared in a batch"
        self.calls.append(("storage_classes", cluster["name"]))
        return self._classes[cluster["id"]]

    def app_assets(self, app, kind=None, point=None):
        self.calls.append(("app_assets", kind, (point or {}).get("id")))
        return self._assets

    def cloud(self, cloud_id):
        self.calls.append(("cloud", cloud_id))
        return {"id": cloud_id, "name": "on-prem", "defaultBucketID": self._default_bucket}


SHOP = {"id": "a-shop", "name": "shop", "clusterID": "c-prod",
        "namespaceScopedResources": [{"namespace": "shop-frontend", "labelSelectors": ["app=shop"]},
                                     {"namespace": "shop-db", "labelSelectors": ["app=shop"]}]}


def estate(**extra):
    arguments = dict(
        namespaces={"c-prod": [{"name": "shop-frontend"}, {"name": "shop-db"}],
                    "c-dr": [{"name": "default"}, {"name": "shop-db", "namespaceState": "removed"}]},
        classes={"c-prod": [GOLD, SAN, ECONOMY], "c-dr": [GOLD, SAN]},
        assets=[pvc_asset("shop-frontend", "assets", "ontap-gold", ("ReadWriteMany",)),
                pvc_asset("shop-db", "data", "ontap-nas-economy")])
    arguments.update(extra)
    return Lookups(**arguments)


def test_clone_violations_report_everything_at_once():
    lookups = estate(default_bucket="")
    mapping, point, violations = clone_violations(
        lookups, PROD, SHOP, DR,
        namespace_mapping=[{"source": "shop-frontend", "destination": "default"},
                           {"source": "shop-cache", "destination": "shop-cache"}],
        storage_class_mapping=[{"source": "ontap-gold", "destination": "ontap-san"},
                               {"source": "ontap-nas-economy", "destination": "ontap-platinum"}])

    assert mapping == [{"source": "shop-frontend", "destination": "default"},
                       {"source": "shop-cache", "destination": "shop-cache"}]
    assert point is None
    assert [option for option, _message in violations] == [
        "namespace_mapping[1].source", "namespace_mapping", "namespace_mapping[0].destination",
        "storage_class_mapping[1].destination", "storage_class_mapping", "source_app", "source_cluster",
        "destination_cluster"]
    assert violations[3] == ("storage_class_mapping[1].destination", "storage class 'ontap-platinum' does not exist on "
                             "cluster 'dr-west'; its storage classes: ontap-gold, ontap-san")
    assert violations[5] == ("source_app", "app 'shop' has volumes on ontap-nas-economy storage classes (shop-db/data "
                             "(ontap-nas-economy)), which Astra Control cannot clone live; clone from a snapshot or "
                             "backup instead")
    assert lookups.calls == [("namespaces", "dr-west"), ("storage_classes", "dr-west"), ("app_assets", None, None),
                             ("storage_classes", "prod-east"), ("cloud", "cloud-1")]


def test_clone_violations_without_mapping_keep_the_names_and_name_the_omitted_option():
    lookups = estate(namespaces={"c-dr": [{"name": "shop-frontend"}]}, assets=[])
    mapping, point, violations = clone_violations(lookups, PROD, SHOP, DR)
    assert mapping == [{"source": "shop-frontend", "destination": "shop-frontend"},
                       {"source": "shop-db", "destination": "shop-db"}]
    assert point is None
    assert violations == [("namespace_mapping (omitted: same names as the source)",
                           "namespace 'shop-frontend' already exists on cluster 'dr-west'; Astra Control creates the "
                           "destination namespaces, so choose namespaces that do not exist yet")]


def test_clone_violations_from_a_restore_point():
    backup = {"id": "p-1", "name": "nightly", "state": "completed"}
    lookups = estate(points={"nightly": backup})
    mapping, point, violations = clone_violations(
        lookups, PROD, SHOP, DR, namespace_mapping=[{"source": "shop-frontend", "destination": "web"},
                                                    {"source": "shop-db", "destination": "db"}],
        restore_point_kind="backup", restore_point_ref="nightly")
    # A restore may use an ontap-nas-economy class and falls back to the default class; RWX on ontap-gold stays RWX.
    assert (mapping, point, violations) == ([{"source": "shop-frontend", "destination": "web"},
                                             {"source": "shop-db", "destination": "db"}], backup, [])
    assert ("app_assets", "backup", "p-1") in lookups.calls


def test_clone_violations_with_an_unknown_restore_point_skip_the_volume_rules():
    lookups = estate()
    _mapping, point, violations = clone_violations(
        lookups, PROD, SHOP, PROD, namespace_mapping=[{"source": "shop-frontend", "destination": "web"},
                                                      {"source": "shop-db", "destination": "db"}],
        restore_point_kind="snapshot", restore_point_ref="weekly")
    assert point is None
    assert violations == [("snapshot", "app 'shop' has no snapshot named or identified by 'weekly'")]
    assert not any(call[0] in ("app_assets", "cloud") for call in lookups.calls), "same cluster: no bucket check"


@pytest.mark.parametrize("mapping, expected", [
    ([{"source": "*", "destination": "ontap-san"}], [
        ("storage_class_mapping", "PVC shop-frontend/assets is ReadWriteMany, but its storage class 'ontap-gold' would "
         "become 'ontap-san' on cluster 'dr-west', which provides only ReadWriteOnce volumes (provisioner "
         "csi.trident.netapp.io); map 'ontap-gold' to a ReadWriteMany-capable class")]),
    ([{"source": "*", "destination": "ontap-gold"}], []),
])
def test_clone_violations_of_the_access_modes(mapping, expected):
    lookups = estate(assets=[pvc_asset("shop-frontend", "assets", None, ("ReadWriteMany",))])
    _mapping, _point, violations = clone_violations(
        lookups, PROD, SHOP, DR, namespace_mapping=[{"source": "shop-frontend", "destination": "web"},
                                                    {"source": "shop-db", "destination": "db"}],
        storage_class_mapping=mapping)
    assert violations == expected
