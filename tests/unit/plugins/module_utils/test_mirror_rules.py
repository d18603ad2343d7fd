# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The app mirror rules on plain data, and mirror_violations() through a stand-in Lookups."""

from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import Relationship
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_rules import (
    destination_app_name_violations,
    destination_namespace_violations,
    destination_storage_class_violations,
    mirror_violations,
    source_app_violations,
    source_storage_violations,
    unmanaged_cluster_violations,
)

TRIDENT = "csi.trident.netapp.io"
GOLD = {"name": "ontap-gold", "provisioner": TRIDENT, "isDefault": "true"}
SAN = {"name": "ontap-san", "provisioner": TRIDENT}
ECONOMY = {"name": "ontap-nas-economy", "provisioner": TRIDENT}
PROD = {"id": "c-prod", "name": "prod-east", "managedState": "managed"}
DR = {"id": "c-dr", "name": "dr-west", "managedState": "managed"}
LAB = {"id": "c-lab", "name": "lab-north", "managedState": "unmanaged"}


def app(app_id, name, cluster, namespaces=None, state="ready"):
    namespaces = namespaces or [name]
    return {"id": app_id, "name": name, "state": state, "clusterID": cluster["id"], "clusterName": cluster["name"],
            "namespaceScopedResources": [{"namespace": ns, "labelSelectors": []} for ns in namespaces],
            "namespaces": namespaces}


def claim(namespace, name, storage_class=None):
    return {"namespace": namespace, "name": name, "storage_class": storage_class, "access_modes": ["ReadWriteOnce"]}


def pvc_asset(namespace, name, storage_class):
    return {"assetType": "PersistentVolumeClaim", "namespace": namespace, "assetName": name,
            "resource": {"spec": {"storageClassName": storage_class, "accessModes": ["ReadWriteOnce"]}}}


def mirror(mirror_id, source_app, destination_app, state="established"):
    return {"id": mirror_id, "sourceAppID": source_app["id"], "sourceClusterID": source_app["clusterID"],
            "destinationAppID": destination_app["id"], "destinationClusterID": destination_app["clusterID"],
            "state": state, "stateDesired": state}


def relationship(apps, mirrors=(), destination=None):
    return Relationship("postgres", PROD, destination or DR, [PROD, DR, LAB], apps, list(mirrors))


def test_unmanaged_cluster_violations():
    assert unmanaged_cluster_violations(PROD, DR) == []
    assert unmanaged_cluster_violations(LAB, dict(DR, managedState="pending")) == [
        ("source_cluster", "cluster 'lab-north' is not managed by Astra Control (managedState unmanaged); manage it first"),
        ("destination_cluster", "cluster 'dr-west' is not managed by Astra Control (managedState pending); manage it first"),
    ]


def test_source_app_violations_state_and_other_relationships():
    postgres = app("a-pg", "postgres", PROD, state="provisioning")
    elsewhere = app("a-pg-lab", "postgres", LAB)
    rel = relationship([postgres], [mirror("m-1", postgres, elsewhere, "failedOver")])
    assert source_app_violations(rel, postgres) == [
        ("source_app", "app 'postgres' is provisioning, not ready; Astra Control replicates ready apps only"),
        ("source_app", "app 'postgres' is already in a replication relationship (app mirror m-1, prod-east -> lab-north, "
         "failedOver); an app can be in one relationship only: delete that one first (state: absent)"),
    ]
    assert source_app_violations(relationship([app("a-pg", "postgres", PROD)]), app("a-pg", "postgres", PROD)) == []


def test_source_storage_violations_one_class_and_no_economy():
    claims = [claim("postgres", "data"), claim("postgres", "wal", "ontap-san"), claim("postgres", "tmp", "ontap-nas-economy")]
    assert source_storage_violations("postgres", claims, [GOLD, SAN, ECONOMY]) == [
        ("source_app", "the volumes of app 'postgres' use 3 storage classes (ontap-gold: postgres/data; ontap-nas-economy: "
         "postgres/tmp; ontap-san: postgres/wal); Astra Control replicates an app whose volumes all use one storage "
         "class"),
        ("source_app", "volumes postgres/tmp of app 'postgres' use storage class 'ontap-nas-economy', an "
         "ontap-nas-economy class, which cannot replicate"),
    ]
    assert source_storage_violations("postgres", claims[:1] + [claim("postgres", "wal", "ontap-gold")], [GOLD, SAN]) == []


def test_destination_storage_class_violations():
    assert destination_storage_class_violations("ontap-platinum", [GOLD, SAN], "dr-west") == [
        ("storage_class", "storage class 'ontap-platinum' does not exist on cluster 'dr-west'; its storage classes: "
         "ontap-gold, ontap-san")]
    assert destination_storage_class_violations("ontap-nas-economy", [GOLD, ECONOMY], "dr-west") == [
        ("storage_class", "storage class 'ontap-nas-economy' of cluster 'dr-west' is an ontap-nas-economy class, which "
         "cannot receive replicated volumes; choose another class")]
    assert destination_storage_class_violations(None, [SAN, dict(ECONOMY, isDefault="true")], "dr-west") == [
        ("storage_class (omitted: the default class)", "storage class 'ontap-nas-economy' of cluster 'dr-west' is an "
         "ontap-nas-economy class, which cannot receive replicated volumes; choose another class")]
    assert destination_storage_class_violations(None, [GOLD, SAN], "dr-west") == []
    assert destination_storage_class_violations("ontap-san", [GOLD, SAN], "dr-west") == []


def test_destination_namespace_violations():
    mapping = [{"source": "postgres", "destination": "jenkins"}, {"source": "pg-logs", "destination": "pg-logs"}]
    paths = ["namespace_mapping[0].destination", "namespace_mapping[1].destination"]
    apps = [app("a-j", "jenkins", DR)]
    assert destination_namespace_violations(mapping, paths, apps, "dr-west") == [
        ("namespace_mapping[0].destination", "namespace 'jenkins' of cluster 'dr-west' belongs to the managed app "
         "'jenkins'; a mirror needs destination namespaces that are empty or missing (Astra Control creates missing "
         "ones): unmanage that app or choose another namespace")]
    assert destination_namespace_violations(mapping, paths, [], "dr-west") == []


def test_destination_app_name_violations():
    taken = app("a-pg-dr", "postgres", DR)
    assert destination_app_name_violations(relationship([app("a-pg", "postgres", PROD), taken])) == [
        ("source_app", "cluster 'dr-west' already has an app named 'postgres' (ID a-pg-dr); the mirror gives the "
         "destination app the source app's name, so unmanage that app first")]
    assert destination_app_name_violations(relationship([app("a-pg", "postgres", PROD)])) == []


class Lookups:
    """Only what mirror_violations() reads; every call recorded."""

    def __init__(self, classes, assets, apps):
        self._classes, self._assets, self._apps = classes, assets, apps
        self.calls = []

    def app_assets(self, item):
        self.calls.append(("app_assets", item["name"]))
        return self._assets

    def storage_classes(self, cluster):
        self.calls.append(("storage_classes", cluster["name"]))
        return self._classes[cluster["id"]]

    def apps(self, cluster_id):
        self.calls.append(("apps", cluster_id))
        return self._apps.get(cluster_id, [])


def test_mirror_violations_all_at_once():
    postgres = app("a-pg", "postgres", PROD, namespaces=["postgres", "pg-logs"])
    lookups = Lookups({"c-prod": [GOLD, ECONOMY], "c-dr": [GOLD, SAN]},
                      [pvc_asset("postgres", "data", "ontap-gold"), pvc_asset("pg-logs", "logs", "ontap-nas-economy")],
                      {"c-dr": [app("a-j", "jenkins", DR)]})
    mapping, violations = mirror_violations(lookups, relationship([postgres]),
                                            [{"source": "postgres", "destination": "jenkins"}], "ontap-platinum")
    assert mapping == [{"source": "postgres", "destination": "jenkins"}]
    assert [option for option, _message in violations] == [
        "namespace_mapping", "source_app", "source_app", "storage_class", "namespace_mapping[0].destination"]
    assert violations[0] == ("namespace_mapping", "namespaces pg-logs of app 'postgres' have no entry; map every "
                                                  "namespace of the app")
    assert lookups.calls == [("app_assets", "postgres"), ("storage_classes", "prod-east"), ("storage_classes", "dr-west"),
                             ("apps", "c-dr")]


def test_mirror_violations_without_a_source_app_check_the_destination_only():
    other = app("a-pg-lab", "postgres", LAB)
    lookups = Lookups({"c-dr": [GOLD]}, [], {})
    mapping, violations = mirror_violations(lookups, relationship([other]))
    assert mapping is None
    assert violations == [("source_app", "no managed app named or identified by 'postgres' on cluster 'prod-east'; "
                           "manage it first (kubedr.astra.astra_app); managed apps of that name: postgres on lab-north")]
    assert lookups.calls == [("storage_classes", "dr-west"), ("apps", "c-dr")]


def test_mirror_violations_with_an_unmanaged_destination_skip_its_reads():
    postgres = app("a-pg", "postgres", PROD)
    lookups = Lookups({}, [], {})
    mapping, violations = mirror_violations(lookups, relationship([postgres], destination=LAB))
    assert mapping == [{"source": "postgres", "destination": "postgres"}]
    assert violations == [("destination_cluster", "cluster 'lab-north' is not managed by Astra Control (managedState "
                                                  "unmanaged); manage it first")]
    assert lookups.calls == [("app_assets", "postgres")]


def test_a_relationship_reads_only_the_mirrors_of_its_apps(monkeypatch):
    """Each run of a wave gets every mirror of the account: it parses only those of its own apps (an estate's other
    mirrors, even one the models would refuse, are none of its business)."""
    from ansible_collections.kubedr.astra.plugins.module_utils import app_mirrors
    postgres, replica = app("a-pg", "postgres", PROD), app("a-pg-dr", "postgres", DR)
    others = [mirror("m-%d" % number, app("a-%d" % number, "shop", PROD), app("b-%d" % number, "shop", DR))
              for number in range(50)]
    unreadable = dict(others[0], id="m-bad", state=["not", "a", "state"])
    ours = mirror("m-pg", postgres, replica)
    parsed = []
    original = app_mirrors.AppMirror.parse
    monkeypatch.setattr(app_mirrors.AppMirror, "parse", staticmethod(
        lambda item, where: parsed.append(item["id"]) or original(item, where)))
    rel = relationship([postgres, replica], others + [unreadable, ours])
    assert rel.mirror is ours and parsed == ["m-pg"]
    assert rel.mirrors_of("a-pg") == [ours] and rel.mirrors_of("a-pg", exclude=ours) == []
