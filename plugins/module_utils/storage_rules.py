# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Storage classes and PVCs: what a class can provide, which class a PVC gets, and the rules Astra Control enforces.

The API does not say which access modes a storage class can provide, nor which
Trident backend serves it. These heuristics (shared with the simulator's
contract) decide from the provisioner and the class name.
"""


TRIDENT_PROVISIONER = "csi.trident.netapp.io"
BLOCK_ONLY_PROVISIONERS = frozenset((
    "ebs.csi.aws.com", "kubernetes.io/aws-ebs", "disk.csi.azure.com", "kubernetes.io/azure-disk",
    "pd.csi.storage.gke.io", "kubernetes.io/gce-pd", "cinder.csi.openstack.org", "csi.vsphere.vmware.com",
))
READ_WRITE_MANY = "ReadWriteMany"


def _class_name_tokens(storage_class):
    return (storage_class.get("name") or "").lower().split("-")


def is_rwo_only_class(storage_class):
    """True when the class cannot provide ReadWriteMany volumes: a block-only CSI driver, or a Trident 'san' class."""
    provisioner = storage_class.get("provisioner") or ""
    if provisioner in BLOCK_ONLY_PROVISIONERS:
        return True
    return provisioner == TRIDENT_PROVISIONER and "san" in _class_name_tokens(storage_class)


def is_nas_economy_class(storage_class):
    """True for a Trident class whose name holds the tokens 'nas-economy' (served by the ontap-nas-economy driver)."""
    if (storage_class.get("provisioner") or "") != TRIDENT_PROVISIONER:
        return False
    tokens = _class_name_tokens(storage_class)
    return any(tokens[index:index + 2] == ["nas", "economy"] for index in range(len(tokens) - 1))


def persistent_volume_claims(assets):
    """The PVCs among appAssets: dicts with namespace, name, storage_class (None: the default) and access_modes."""
    claims = []
    for asset in assets or ():
        kind = asset.get("assetType") or (asset.get("GVK") or {}).get("kind")
        if kind != "PersistentVolumeClaim":
            continue
        resource = asset.get("resource") or {}
        spec = resource.get("spec") or {}
        claims.append({
            "namespace": asset.get("namespace") or (resource.get("metadata") or {}).get("namespace"),
            "name": asset.get("assetName") or (resource.get("metadata") or {}).get("name"),
            "storage_class": spec.get("storageClassName") or None,
            "access_modes": list(spec.get("accessModes") or []),
        })
    return claims


def mapped_storage_class(mapping, source_class):
    """The destination class a storage class mapping gives source_class: an exact entry, else '*', else None."""
    wildcard = None
    for entry in mapping or ():
        if entry["source"] == source_class:
            return entry["destination"]
        if entry["source"] == "*":
            wildcard = entry["destination"]
    return wildcard


def default_storage_class(classes):
    """The name of the class marked isDefault among a cluster's storage classes, or None."""
    return next((item.get("name") for item in classes if str(item.get("isDefault", "")).lower() == "true"), None)


def storage_class_mapping_violations(mapping, classes, cluster_name, option="storage_class_mapping"):
    """(option path, message) for each mapping destination that is not a storage class of the cluster."""
    names = set(item.get("name") for item in classes)
    return [("%s[%d].destination" % (option, index),
             "storage class %r does not exist on cluster %r; its storage classes: %s"
             % (entry["destination"], cluster_name, ", ".join(sorted(name for name in names if name)) or "none"))
            for index, entry in enumerate(mapping or ()) if entry["destination"] not in names]


def access_mode_violations(claims, mapping, source_classes, destination_classes, destination_name,
                           option="storage_class_mapping"):
    """(option, message) for each ReadWriteMany PVC whose destination storage class cannot provide ReadWriteMany.

    claims: persistent_volume_claims() of the source; a claim without a class
    uses the source cluster's default class. Its destination class is the one
    the mapping gives (exact entry, else '*'), else the same name, falling
    back to the destination's default class when that name does not exist
    there (what a restore does). Mapped classes missing on the destination are
    reported elsewhere and skipped here.
    """
    source_default = default_storage_class(source_classes)
    destination_by_name = dict((item.get("name"), item) for item in destination_classes)
    destination_default = destination_by_name.get(default_storage_class(destination_classes))
    violations = []
    for claim in claims:
        if READ_WRITE_MANY not in claim["access_modes"]:
            continue
        source_class = claim["storage_class"] or source_default
        mapped = mapped_storage_class(mapping, source_class)
        if mapped is not None:
            target = destination_by_name.get(mapped)
        else:
            target = destination_by_name.get(source_class, destination_default)
        if target is None or not is_rwo_only_class(target):
            continue
        violations.append((option if mapping else "%s (omitted)" % option,
                           "PVC %s/%s is ReadWriteMany, but its storage class %r would become %r on cluster %r, which "
                           "provides only ReadWriteOnce volumes (provisioner %s); map %r to a ReadWriteMany-capable class"
                           % (claim["namespace"], claim["name"], source_class, target.get("name"), destination_name,
                              target.get("provisioner"), source_class)))
    return violations


def missing_class_violations(claims, mapping, source_classes, destination_classes, destination_name,
                             option="storage_class_mapping"):
    """(option, message) for each PVC whose (mapped) storage class does not exist on the destination.

    For live clones: unlike a restore, a live clone does not fall back to the
    destination's default class. Mapped classes missing on the destination are
    reported elsewhere and skipped here.
    """
    source_default = default_storage_class(source_classes)
    names = set(item.get("name") for item in destination_classes)
    missing = {}
    for claim in claims:
        source_class = claim["storage_class"] or source_default
        if mapped_storage_class(mapping, source_class) is None and source_class not in names:
            missing.setdefault(source_class, []).append("%s/%s" % (claim["namespace"], claim["name"]))
    return [(option if mapping else "%s (omitted)" % option,
             "storage class %r of PVCs %s does not exist on cluster %r, and a live clone keeps the class; map it to one of "
             "%s" % (name, ", ".join(sorted(pvcs)), destination_name, ", ".join(sorted(n for n in names if n)) or "none"))
            for name, pvcs in sorted(missing.items(), key=lambda entry: str(entry[0]))]
