# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Models of the API resources the collection reads (camelCase fields), to parse responses.

They accept unknown fields, because real servers send values outside the
published spec, and require nothing but what the collection relies on.
"""

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError
from ansible_collections.kubedr.astra.plugins.module_utils.mirror_states import MIRROR_DELETING, MIRROR_STATE_ALLOWED
from ansible_collections.kubedr.astra.plugins.module_utils.records import Dict, Field, Kind, ListOf, Record, RecordError, Text
from ansible_collections.kubedr.astra.plugins.module_utils.validators import option_path


class ApiModel(Record):
    """Base of API resource models: unknown fields kept, nothing but the identity required."""

    extra = "allow"
    populate_by_name = True

    id = Field(Text(), default=None)
    type = Field(Text(), default=None)
    version = Field(Text(), default=None)
    metadata = Field(Dict(), default=None)

    @classmethod
    def parse(cls, raw, what=None):
        """Validate an API response; a malformed one becomes an AstraError naming what was read."""
        try:
            return cls.model_validate(raw)
        except RecordError as exc:
            problems = "; ".join("%s: %s" % (option_path(location), message) for location, message in exc.problems)
            raise AstraError("Unexpected API response for %s: %s" % (what or cls.__name__, problems)) from None


class NamespaceScopedResource(ApiModel):
    namespace = Field(Text())
    label_selectors = Field(ListOf(Text()), default_factory=list, alias="labelSelectors")


class GroupVersionKind(ApiModel):
    group = Field(Text(), default="")
    version = Field(Text(), default="")
    kind = Field(Text(), default="")


class ClusterScopedResource(ApiModel):
    gvk = Field(GroupVersionKind, alias="GVK")
    label_selectors = Field(ListOf(Text()), default_factory=list, alias="labelSelectors")


class App(ApiModel):
    name = Field(Text())
    state = Field(Text(), default=None)
    cluster_id = Field(Text(), default=None, alias="clusterID")
    cluster_name = Field(Text(), default=None, alias="clusterName")
    namespace_scoped_resources = Field(ListOf(NamespaceScopedResource), default_factory=list, alias="namespaceScopedResources")
    cluster_scoped_resources = Field(ListOf(ClusterScopedResource), default_factory=list, alias="clusterScopedResources")
    namespaces = Field(ListOf(Text()), default_factory=list)
    state_details = Field(ListOf(Kind()), default_factory=list, alias="stateDetails")
    source_app_id = Field(Text(), default=None, alias="sourceAppID")
    source_cluster_id = Field(Text(), default=None, alias="sourceClusterID")
    snapshot_id = Field(Text(), default=None, alias="snapshotID")
    backup_id = Field(Text(), default=None, alias="backupID")
    replication_source_app_id = Field(Text(), default=None, alias="replicationSourceAppID")

    @property
    def defined_namespaces(self):
        """The namespaces of the definition, in definition order, each once."""
        names = []
        for entry in self.namespace_scoped_resources:
            if entry.namespace not in names:
                names.append(entry.namespace)
        return names

    def definition(self):
        """The user-controlled part, normalised (server defaults filled in) for comparison with AppSpec.definition()."""
        return {
            "namespaceScopedResources": [
                {"namespace": entry.namespace, "labelSelectors": list(entry.label_selectors)}
                for entry in self.namespace_scoped_resources
            ],
            "clusterScopedResources": [
                {"GVK": {"group": entry.gvk.group, "version": entry.gvk.version, "kind": entry.gvk.kind},
                 "labelSelectors": list(entry.label_selectors)}
                for entry in self.cluster_scoped_resources
            ],
        }


class Cluster(ApiModel):
    name = Field(Text())
    state = Field(Text(), default=None)
    managed_state = Field(Text(), default=None, alias="managedState")
    cloud_id = Field(Text(), default=None, alias="cloudID")
    namespaces = Field(ListOf(Text()), default_factory=list)
    default_storage_class = Field(Text(), default=None, alias="defaultStorageClass")

    @property
    def is_managed(self):
        return self.managed_state == "managed"


class Namespace(ApiModel):
    name = Field(Text())
    namespace_state = Field(Text(), default=None, alias="namespaceState")
    cluster_id = Field(Text(), default=None, alias="clusterID")
    system_type = Field(Text(), default=None, alias="systemType")

    @property
    def is_usable(self):
        return self.namespace_state != "removed"


class StorageClass(ApiModel):
    name = Field(Text())
    provisioner = Field(Text(), default=None)
    is_default = Field(Text(), default=None, alias="isDefault")


class Bucket(ApiModel):
    name = Field(Text())
    state = Field(Text(), default=None)
    provider = Field(Text(), default=None)


class Cloud(ApiModel):
    name = Field(Text(), default=None)
    default_bucket_id = Field(Text(), default=None, alias="defaultBucketID")


class ApiResource(ApiModel):
    """One entry of a managed cluster's apiResources: apiVersion is 'group/version', or 'version' for the core group."""

    api_version = Field(Text(), alias="apiVersion")
    kind = Field(Text())

    @property
    def gvk(self):
        group, _slash, version = self.api_version.rpartition("/")
        return group, version, self.kind


class AppMirror(ApiModel):
    """A replication relationship (k8s/v1/appMirrors)."""

    source_app_id = Field(Text(), default=None, alias="sourceAppID")
    source_cluster_id = Field(Text(), default=None, alias="sourceClusterID")
    destination_app_id = Field(Text(), default=None, alias="destinationAppID")
    destination_cluster_id = Field(Text(), default=None, alias="destinationClusterID")
    state = Field(Text(), default=None)
    state_desired = Field(Text(), default=None, alias="stateDesired")
    state_allowed = Field(ListOf(Text()), default=None, alias="stateAllowed")
    transfer_state = Field(Text(), default=None, alias="transferState")
    health_state = Field(Text(), default=None, alias="healthState")

    @property
    def allowed(self):
        """The states that may be requested now: stateAllowed, else the API's table for the current state."""
        if self.state_allowed is not None:
            return list(self.state_allowed)
        return list(MIRROR_STATE_ALLOWED.get(self.state, ()))

    @property
    def cluster_ids(self):
        return frozenset((self.source_cluster_id, self.destination_cluster_id))

    @property
    def app_ids(self):
        return frozenset((self.source_app_id, self.destination_app_id))

    @property
    def is_deleting(self):
        return self.state == MIRROR_DELETING or self.state_desired == "deleted"

    @staticmethod
    def last_transfer(mirror):
        """The additionalDetails of the mirror's last completed transfer ({snapshotID, startTime, completionTime}) or None.

        The API reports the last transfer in transferStateDetails; a failed one carries no completionTime.
        """
        details = mirror.get("transferStateDetails") if isinstance(mirror, dict) else None
        done = [entry.get("additionalDetails") for entry in details or [] if isinstance(entry, dict)
                and isinstance(entry.get("additionalDetails"), dict) and entry["additionalDetails"].get("snapshotID")
                and entry["additionalDetails"].get("completionTime")]
        return done[-1] if done else None
