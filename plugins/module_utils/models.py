# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input rules checked before any request, and models of the API resources.

Input models (AppSpec, NamespaceSelection, ...) validate what the user asked
for and name the offending option path (``namespaces[1].label_selectors[0]``).
API models (App, Cluster, ...) parse responses; they accept unknown fields,
because real servers send values outside the published spec.
"""

import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal, Optional

from ansible_collections.kubedr.astra.plugins.module_utils._pydantic_compat import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, AstraValidationError

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_LABEL_MAX = 63
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_SUBDOMAIN_MAX = 253
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
LABEL_NAME_MAX = 63
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
LABEL_VALUE_MAX = 63

_KEY_CHARS = r"[A-Za-z0-9._/-]+"
_EXISTS = re.compile(r"^\s*(?P<negated>!?)\s*(?P<key>%s)\s*$" % _KEY_CHARS)
_EQUALITY = re.compile(r"^\s*(?P<key>%s)\s*(?P<op>==|!=|=)\s*(?P<value>[^\s=!(),]*)\s*$" % _KEY_CHARS)
_SET = re.compile(r"^\s*(?P<key>%s)\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)\s*$" % _KEY_CHARS)

LISTED_NAMES_LIMIT = 20

DNS1123_RULE = "must be a DNS-1123 label: 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit"


# ---------------------------------------------------------------------- plain rules

def name_list(names, limit=LISTED_NAMES_LIMIT):
    """Names for a message: sorted, each once, at most `limit` of them; 'none' when there are none."""
    names = sorted(set(name for name in names if name))
    if not names:
        return "none"
    shown = ", ".join(names[:limit])
    return shown + (" and %d more" % (len(names) - limit) if len(names) > limit else "")


def dns1123_label_problem(value):
    """None if value is a DNS-1123 label, else the broken rule."""
    if not isinstance(value, str) or not value:
        return "must not be empty; it %s" % DNS1123_RULE
    if len(value) > DNS1123_LABEL_MAX or not DNS1123_LABEL.match(value):
        return "%r %s" % (value, DNS1123_RULE)
    return None


def label_key_problem(key):
    """None if key is a valid Kubernetes label key ([prefix/]name), else the broken rule."""
    prefix, slash, name = key.rpartition("/")
    if slash:
        if not prefix or len(prefix) > DNS1123_SUBDOMAIN_MAX or not DNS1123_SUBDOMAIN.match(prefix):
            return "key prefix %r must be a DNS-1123 subdomain (lower-case, dot-separated, at most 253 characters)" % prefix
    if not name or len(name) > LABEL_NAME_MAX or not LABEL_NAME.match(name):
        return ("key name %r must be 1-63 characters of letters, digits, '-', '_' or '.', "
                "starting and ending with a letter or digit" % name)
    return None


def label_value_problem(value):
    """None if value is a valid Kubernetes label value (may be empty), else the broken rule."""
    if len(value) > LABEL_VALUE_MAX or not LABEL_VALUE.match(value):
        return ("value %r must be at most 63 characters of letters, digits, '-', '_' or '.', "
                "starting and ending with a letter or digit" % value)
    return None


def _split_requirements(selector):
    """Split at commas outside parentheses; None when the parentheses do not balance."""
    parts, depth, current = [], 0, []
    for char in selector:
        if char == "(":
            depth += 1
            if depth > 1:
                return None
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        return None
    parts.append("".join(current))
    return parts


def label_selector_problem(selector):
    """None if selector follows the Kubernetes label-selector grammar, else what is wrong.

    Grammar: comma-separated requirements, each one of ``key``, ``!key``,
    ``key=value``, ``key==value``, ``key!=value``, ``key in (v1,v2)``,
    ``key notin (v1,v2)``.
    """
    intro = "%r is not a Kubernetes label selector" % selector
    if not isinstance(selector, str) or not selector.strip():
        return "must not be empty (a label selector such as 'app=shop')"
    requirements = _split_requirements(selector)
    if requirements is None:
        return "%s: unbalanced parentheses" % intro
    for requirement in requirements:
        if not requirement.strip():
            return "%s: empty requirement between commas" % intro
        problem = _requirement_problem(requirement)
        if problem:
            return "%s: %s" % (intro, problem)
    return None


def _requirement_problem(requirement):
    match = _SET.match(requirement)
    if match:
        values = [value.strip() for value in match.group("values").split(",")]
        if values == [""]:
            return "'%s' needs at least one value in parentheses" % match.group("op")
        problems = [label_key_problem(match.group("key"))] + [label_value_problem(value) for value in values]
        return next((problem for problem in problems if problem), None)
    match = _EQUALITY.match(requirement)
    if match:
        return label_key_problem(match.group("key")) or label_value_problem(match.group("value"))
    match = _EXISTS.match(requirement)
    if match:
        return label_key_problem(match.group("key"))
    return ("%r must be 'key', '!key', 'key=value', 'key==value', 'key!=value', "
            "'key in (a,b)' or 'key notin (a,b)'" % requirement.strip())


def _check(problem_finder):
    def validate(value):
        problem = problem_finder(value)
        if problem:
            raise ValueError(problem)
        return value
    return validate


def option_path(location, prefix=None):
    """('namespaces', 1, 'label_selectors', 0) -> 'namespaces[1].label_selectors[0]'."""
    path = prefix or ""
    for part in location:
        if isinstance(part, int):
            path += "[%d]" % part
        else:
            path += ("." if path else "") + str(part)
    return path


def validate_input(model, data, prefix=None):
    """Validate data (module options) against an input model; all violations are raised at once.

    Returns the model instance. Raises AstraValidationError whose violations
    name each option path and the rule it breaks.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        violations = []
        for error in exc.errors(include_url=False):
            message = error.get("msg", "")
            if message.startswith("Value error, "):
                message = message[len("Value error, "):]
            violations.append((option_path(error.get("loc", ()), prefix), message))
        raise AstraValidationError(violations=violations) from None


DNS1123Label = Annotated[str, AfterValidator(_check(dns1123_label_problem))]
LabelSelector = Annotated[str, AfterValidator(_check(label_selector_problem))]


# ---------------------------------------------------------------------- input models (snake_case options)

class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, defer_build=True)


class NamespaceSelection(InputModel):
    """One entry of the astra_app option namespaces."""

    name: DNS1123Label
    label_selectors: list[LabelSelector] = Field(default_factory=list)

    def to_api(self):
        return {"namespace": self.name, "labelSelectors": list(self.label_selectors)}


class ClusterScopedSelection(InputModel):
    """One entry of the astra_app option cluster_scoped_resources."""

    group: str = ""
    version: str
    kind: str
    label_selectors: list[LabelSelector] = Field(default_factory=list)

    @field_validator("version", "kind")
    @classmethod
    def _not_empty(cls, value):
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    def to_api(self):
        return {"GVK": {"group": self.group, "version": self.version, "kind": self.kind},
                "labelSelectors": list(self.label_selectors)}


class AppSpec(InputModel):
    """What the user wants an app to be; module options in, API body out."""

    name: DNS1123Label
    namespaces: list[NamespaceSelection]
    cluster_scoped_resources: Optional[list[ClusterScopedSelection]] = None

    @field_validator("namespaces")
    @classmethod
    def _namespaces_listed_once(cls, namespaces):
        if not namespaces:
            raise ValueError("must list at least one namespace (omit the option to use the namespace named like the app)")
        seen = {}
        for index, selection in enumerate(namespaces):
            if selection.name in seen:
                raise ValueError("namespace %r is listed twice (namespaces[%d] and namespaces[%d]); "
                                 "put all its label selectors in one entry" % (selection.name, seen[selection.name], index))
            seen[selection.name] = index
        return namespaces

    def definition(self):
        """The user-controlled part of the API body, in the shape App.definition() returns."""
        body = {"namespaceScopedResources": [selection.to_api() for selection in self.namespaces]}
        if self.cluster_scoped_resources is not None:
            body["clusterScopedResources"] = [selection.to_api() for selection in self.cluster_scoped_resources]
        return body


# ---------------------------------------------------------------------- API models (camelCase resources)

class ApiModel(BaseModel):
    """Base of API resource models: unknown fields kept, nothing but the identity required."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    id: Optional[str] = None
    type: Optional[str] = None
    version: Optional[str] = None
    metadata: Optional[dict] = None

    @classmethod
    def parse(cls, raw, what=None):
        """Validate an API response; a malformed one becomes an AstraError naming what was read."""
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join("%s: %s" % (option_path(error.get("loc", ())), error.get("msg"))
                                 for error in exc.errors(include_url=False))
            raise AstraError("Unexpected API response for %s: %s" % (what or cls.__name__, problems)) from None


class NamespaceScopedResource(ApiModel):
    namespace: str
    label_selectors: list[str] = Field(default_factory=list, alias="labelSelectors")


class GroupVersionKind(ApiModel):
    group: str = ""
    version: str = ""
    kind: str = ""


class ClusterScopedResource(ApiModel):
    gvk: GroupVersionKind = Field(alias="GVK")
    label_selectors: list[str] = Field(default_factory=list, alias="labelSelectors")


class App(ApiModel):
    name: str
    state: Optional[str] = None
    cluster_id: Optional[str] = Field(default=None, alias="clusterID")
    cluster_name: Optional[str] = Field(default=None, alias="clusterName")
    namespace_scoped_resources: list[NamespaceScopedResource] = Field(default_factory=list, alias="namespaceScopedResources")
    cluster_scoped_resources: list[ClusterScopedResource] = Field(default_factory=list, alias="clusterScopedResources")
    namespaces: list[str] = Field(default_factory=list)
    state_details: list[Any] = Field(default_factory=list, alias="stateDetails")
    source_app_id: Optional[str] = Field(default=None, alias="sourceAppID")
    source_cluster_id: Optional[str] = Field(default=None, alias="sourceClusterID")
    snapshot_id: Optional[str] = Field(default=None, alias="snapshotID")
    backup_id: Optional[str] = Field(default=None, alias="backupID")
    replication_source_app_id: Optional[str] = Field(default=None, alias="replicationSourceAppID")

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
    name: str
    state: Optional[str] = None
    managed_state: Optional[str] = Field(default=None, alias="managedState")
    cloud_id: Optional[str] = Field(default=None, alias="cloudID")
    namespaces: list[str] = Field(default_factory=list)
    default_storage_class: Optional[str] = Field(default=None, alias="defaultStorageClass")

    @property
    def is_managed(self):
        return self.managed_state == "managed"


class Namespace(ApiModel):
    name: str
    namespace_state: Optional[str] = Field(default=None, alias="namespaceState")
    cluster_id: Optional[str] = Field(default=None, alias="clusterID")
    system_type: Optional[str] = Field(default=None, alias="systemType")

    @property
    def is_usable(self):
        return self.namespace_state != "removed"


class StorageClass(ApiModel):
    name: str
    provisioner: Optional[str] = None
    is_default: Optional[str] = Field(default=None, alias="isDefault")


class Bucket(ApiModel):
    name: str
    state: Optional[str] = None
    provider: Optional[str] = None


class Cloud(ApiModel):
    name: Optional[str] = None
    default_bucket_id: Optional[str] = Field(default=None, alias="defaultBucketID")


class ApiResource(ApiModel):
    """One entry of a managed cluster's apiResources: apiVersion is 'group/version', or 'version' for the core group."""

    api_version: str = Field(alias="apiVersion")
    kind: str

    @property
    def gvk(self):
        group, _slash, version = self.api_version.rpartition("/")
        return group, version, self.kind


# ---------------------------------------------------------------------- timestamps and ordering

def creation_time(item):
    """metadata.creationTimestamp of an API object as an aware datetime; the oldest possible time when missing."""
    value = ((item or {}).get("metadata") or {}).get("creationTimestamp")
    if isinstance(value, str) and value:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        # Python 3.10 parses at most 6 fractional digits; the API may send more.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return datetime.min.replace(tzinfo=timezone.utc)


def newest_first(items):
    """Items ordered by metadata.creationTimestamp, newest first.

    Timestamps often have whole seconds only, so items created within one
    second tie; the API lists items in creation order, so of tied items the one
    listed later counts as newer.
    """
    positions = list(enumerate(items))
    positions.sort(key=lambda position: (creation_time(position[1]), position[0]), reverse=True)
    return [item for _position, item in positions]


# ---------------------------------------------------------------------- storage classes and PVCs
#
# The API does not say which access modes a storage class can provide, nor which
# Trident backend serves it. These heuristics (shared with the simulator's
# contract) decide from the provisioner and the class name.

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


# ---------------------------------------------------------------------- clone and restore input

class NamespaceMap(InputModel):
    """One entry of namespace_mapping."""

    source: DNS1123Label
    destination: DNS1123Label


def namespace_mapping_with_violations(mapping, app_namespaces, app_name, omitted_path):
    """(mapping, destination option paths, violations) for a namespace_mapping option and an app's namespaces.

    mapping: the option in API shape ([{source, destination}]), or None when omitted: then every namespace of
    the app keeps its name and each destination's path is omitted_path. Sources that are not namespaces of the
    app and namespaces of the app without an entry are violations.
    """
    if mapping is None:
        mapping = [{"source": name, "destination": name} for name in app_namespaces]
        return mapping, [omitted_path] * len(mapping), []
    violations = []
    paths = ["namespace_mapping[%d].destination" % index for index in range(len(mapping))]
    for index, entry in enumerate(mapping):
        if entry["source"] not in app_namespaces:
            violations.append(("namespace_mapping[%d].source" % index, "%r is not a namespace of app %r (its namespaces: %s)"
                               % (entry["source"], app_name, name_list(app_namespaces))))
    unmapped = [name for name in app_namespaces if name not in [entry["source"] for entry in mapping]]
    if unmapped:
        violations.append(("namespace_mapping", "namespaces %s of app %r have no entry; map every namespace of the app"
                           % (name_list(unmapped), app_name)))
    return mapping, paths, violations


class StorageClassMap(InputModel):
    """One entry of storage_class_mapping; source may be '*' (every class)."""

    source: str
    destination: str

    @field_validator("source", "destination")
    @classmethod
    def _not_empty(cls, value):
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("destination")
    @classmethod
    def _no_wildcard(cls, value):
        if value == "*":
            raise ValueError("must name a storage class; '*' is allowed only as source")
        return value


def _listed_once(entries, field, hint):
    seen = {}
    for index, entry in enumerate(entries):
        value = getattr(entry, field)
        if value in seen:
            raise ValueError("%s %r is listed twice (entries %d and %d); %s" % (field, value, seen[value], index, hint))
        seen[value] = index


def _one_entry_per_namespace(entries, empty_hint):
    """namespace_mapping: not empty when given, each source and each destination namespace listed once."""
    if entries is not None:
        if not entries:
            raise ValueError("must not be empty; %s" % empty_hint)
        _listed_once(entries, "source", "map each source namespace once")
        _listed_once(entries, "destination", "each source namespace needs its own destination namespace")
    return entries


def _one_entry_per_class(entries):
    if entries:
        _listed_once(entries, "source", "map each storage class once")
    return entries


class StorageClassMappingApi:
    """storage_class_mapping in API shape, for the input models that have the option."""

    def storage_class_mapping_api(self):
        return [{"source": entry.source, "destination": entry.destination} for entry in self.storage_class_mapping or ()]


class CloneSpec(InputModel, StorageClassMappingApi):
    """The options of astra_app_clone that can be checked without a request."""

    name: DNS1123Label
    namespace_mapping: Optional[list[NamespaceMap]] = None
    storage_class_mapping: Annotated[Optional[list[StorageClassMap]], AfterValidator(_one_entry_per_class)] = None

    @field_validator("namespace_mapping")
    @classmethod
    def _one_entry_per_namespace(cls, entries):
        return _one_entry_per_namespace(entries, "omit it for a cross-cluster clone into namespaces of the same names")

    def namespace_mapping_api(self):
        return [{"source": entry.source, "destination": entry.destination} for entry in self.namespace_mapping or ()]


class ResourceFilter(InputModel):
    """One entry of restore_filter.resources (an element of the API's restoreFilter.GVKN)."""

    group: Optional[str] = None
    version: Optional[str] = None
    kind: Optional[str] = None
    names: Optional[list[str]] = None
    namespaces: Optional[list[DNS1123Label]] = None
    label_selectors: Optional[list[LabelSelector]] = None

    @field_validator("names")
    @classmethod
    def _names_not_empty(cls, names):
        for name in names or ():
            if not name.strip() or len(name) > DNS1123_SUBDOMAIN_MAX:
                raise ValueError("each name must be 1-253 characters, got %r" % name)
        return names

    @model_validator(mode="after")
    def _selects_something(self):
        given = {field: value for field, value in self.model_dump().items() if value not in (None, "", [])}
        if not given:
            raise ValueError("an empty entry selects nothing; give at least one of group, version, kind, names, "
                             "namespaces or label_selectors")
        if ("group" in given or "version" in given or "kind" in given) and not ("version" in given and "kind" in given):
            raise ValueError("version and kind are both required whenever group, version or kind is given "
                             "(group may stay empty for the core group)")
        return self

    @property
    def gvk(self):
        """(group, version, kind) when the entry selects by kind, else None."""
        if self.version and self.kind:
            return self.group or "", self.version, self.kind
        return None

    def to_api(self):
        body = {}
        for option, field in (("group", "group"), ("version", "version"), ("kind", "kind"), ("names", "names"),
                              ("namespaces", "namespaces"), ("label_selectors", "labelSelectors")):
            value = getattr(self, option)
            if value not in (None, "", []):
                body[field] = list(value) if isinstance(value, list) else value
        return body


class RestoreFilter(InputModel):
    """The restore_filter option: which resources an in-place restore replaces."""

    selection: Literal["include", "exclude"]
    resources: list[ResourceFilter]

    @field_validator("resources")
    @classmethod
    def _not_empty(cls, resources):
        if not resources:
            raise ValueError("must list at least one resource entry (an empty filter is refused by Astra Control)")
        return resources

    def to_api(self):
        return {"resourceSelectionCriteria": self.selection, "GVKN": [entry.to_api() for entry in self.resources]}


class RestoreSpec(InputModel, StorageClassMappingApi):
    """The options of astra_app_restore that can be checked without a request."""

    restore_filter: Optional[RestoreFilter] = None
    storage_class_mapping: Annotated[Optional[list[StorageClassMap]], AfterValidator(_one_entry_per_class)] = None


# ---------------------------------------------------------------------- protection schedules

GRANULARITY_FIELDS = {
    "hourly": ("minute",),
    "daily": ("minute", "hour"),
    "weekly": ("minute", "hour", "day_of_week"),
    "monthly": ("minute", "hour", "day_of_month"),
    "custom": (),
}
SCHEDULE_TIME_FIELDS = (("minute", "minute"), ("hour", "hour"), ("day_of_week", "dayOfWeek"), ("day_of_month", "dayOfMonth"))
RECURRENCE_RULE = re.compile(r"^DTSTART:\d{8}T\d{6}Z\r?\nRRULE:FREQ=(MINUTELY|HOURLY);INTERVAL=[1-9][0-9]*$")
RECURRENCE_RULE_FORM = "DTSTART:<yyyymmdd>T<hhmmss>Z\\nRRULE:FREQ=MINUTELY|HOURLY;INTERVAL=<n>"
SCHEDULE_NAME_MAX = 63


def _int_or_value(value):
    """'05' -> 5; None, '' and '*' -> None; anything else unchanged (it then compares unequal)."""
    if value is None or value in ("", "*"):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return value


def schedule_definition(schedule):
    """An API schedule in the option shape of astra_protection_policy (only the fields its granularity uses)."""
    granularity = schedule.get("granularity")
    shape = {"name": schedule.get("name"), "granularity": granularity}
    for option, field in SCHEDULE_TIME_FIELDS:
        if option in GRANULARITY_FIELDS.get(granularity, ()):
            shape[option] = _int_or_value(schedule.get(field))
    if granularity == "custom":
        shape["recurrence_rule"] = schedule.get("recurrenceRule")
    shape["snapshot_retention"] = _int_or_value(schedule.get("snapshotRetention"))
    shape["backup_retention"] = _int_or_value(schedule.get("backupRetention"))
    shape["bucket"] = schedule.get("bucketID") or None
    shape["enabled"] = str(schedule.get("enabled", "true")).strip().lower() != "false"
    return shape


def is_replication_schedule(schedule):
    return str(schedule.get("replicate", "false")).strip().lower() == "true"


class ScheduleSpec(InputModel):
    """One entry of the astra_protection_policy option schedules."""

    granularity: Literal["hourly", "daily", "weekly", "monthly", "custom"]
    name: Optional[str] = None
    minute: Optional[int] = Field(default=None, ge=0, le=59)
    hour: Optional[int] = Field(default=None, ge=0, le=23)
    day_of_week: Optional[int] = Field(default=None, ge=0, le=7)
    day_of_month: Optional[int] = Field(default=None, ge=1, le=31)
    recurrence_rule: Optional[str] = None
    snapshot_retention: int = Field(ge=0)
    backup_retention: int = Field(ge=0)
    bucket: Optional[str] = None
    enabled: bool = True

    @model_validator(mode="after")
    def _fields_of_the_granularity(self):
        problems = []
        used = GRANULARITY_FIELDS[self.granularity]
        for option, _field in SCHEDULE_TIME_FIELDS:
            value = getattr(self, option)
            if option in used and value is None:
                problems.append("%s is required when granularity is %s" % (option, self.granularity))
            elif option not in used and value is not None:
                problems.append("%s is not used when granularity is %s; remove it" % (option, self.granularity))
        if self.granularity == "custom":
            if not self.name:
                problems.append("name is required when granularity is custom")
            if not self.recurrence_rule:
                problems.append("recurrence_rule is required when granularity is custom")
            elif not RECURRENCE_RULE.match(self.recurrence_rule):
                problems.append("recurrence_rule %r must have the form %s" % (self.recurrence_rule, RECURRENCE_RULE_FORM))
        elif self.recurrence_rule is not None:
            problems.append("recurrence_rule is used only when granularity is custom")
        if self.name is not None and not (1 <= len(self.name) <= SCHEDULE_NAME_MAX and self.name.strip()):
            problems.append("name must be 1-%d characters" % SCHEDULE_NAME_MAX)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def schedule_name(self):
        return self.name or self.granularity

    def definition(self, bucket_id=None):
        """The option shape schedule_definition() returns, with the bucket as its ID (None: not compared)."""
        shape = {"name": self.schedule_name, "granularity": self.granularity}
        for option in GRANULARITY_FIELDS[self.granularity]:
            shape[option] = getattr(self, option)
        if self.granularity == "custom":
            shape["recurrence_rule"] = self.recurrence_rule
        shape.update(snapshot_retention=self.snapshot_retention, backup_retention=self.backup_retention,
                     bucket=bucket_id, enabled=self.enabled)
        return shape

    def timing(self):
        """What makes two schedules duplicates for the API: granularity and time fields."""
        return (self.granularity,) + tuple(getattr(self, option) for option, _field in SCHEDULE_TIME_FIELDS) + (
            self.recurrence_rule,)


def schedule_fields(definition):
    """The API fields (all strings; unused time fields omitted) of a schedule in option shape."""
    fields = {"name": definition["name"], "granularity": definition["granularity"]}
    for option, field in SCHEDULE_TIME_FIELDS:
        if definition.get(option) is not None:
            fields[field] = str(definition[option])
    if definition.get("recurrence_rule"):
        fields["recurrenceRule"] = definition["recurrence_rule"]
    fields["snapshotRetention"] = str(definition["snapshot_retention"])
    fields["backupRetention"] = str(definition["backup_retention"])
    if definition.get("bucket"):
        fields["bucketID"] = definition["bucket"]
    fields["enabled"] = "true" if definition.get("enabled", True) else "false"
    fields["replicate"] = "false"
    return fields


class ProtectionPolicySpec(InputModel):
    """The astra_protection_policy option schedules: each name once, no two with the same timing."""

    schedules: list[ScheduleSpec]

    @field_validator("schedules")
    @classmethod
    def _distinct(cls, schedules):
        names, timings = {}, {}
        problems = []
        for index, schedule in enumerate(schedules):
            name = schedule.schedule_name
            if name in names:
                problems.append("entries %d and %d are both named %r (the name defaults to the granularity); give each "
                                "schedule its own name" % (names[name], index, name))
            names.setdefault(name, index)
            timing = schedule.timing()
            if timing in timings:
                problems.append("entries %d and %d have the same granularity and time; Astra Control refuses duplicate "
                                "schedules" % (timings[timing], index))
            timings.setdefault(timing, index)
        if problems:
            raise ValueError("; ".join(problems))
        return schedules


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


# ---------------------------------------------------------------------- app mirrors (replication)

MIRROR_ESTABLISHING = "establishing"
MIRROR_ESTABLISHED = "established"
MIRROR_FAILING_OVER = "failingOver"
MIRROR_FAILED_OVER = "failedOver"
MIRROR_DELETING = "deleting"
MIRROR_STATES = (MIRROR_ESTABLISHING, MIRROR_ESTABLISHED, MIRROR_FAILING_OVER, MIRROR_FAILED_OVER, MIRROR_DELETING)
# What may be requested in each state (the API's stateAllowed table), for responses that lack stateAllowed.
MIRROR_STATE_ALLOWED = {
    MIRROR_ESTABLISHING: (MIRROR_ESTABLISHED, "deleted"),
    MIRROR_ESTABLISHED: (MIRROR_FAILED_OVER, "deleted"),
    MIRROR_FAILING_OVER: (MIRROR_FAILED_OVER, "deleted"),
    MIRROR_FAILED_OVER: (MIRROR_ESTABLISHED, "deleted"),
    MIRROR_DELETING: ("deleted",),
}

REPLICATION_SCHEDULE_NAME = "kubedr-replication"
# A fixed start in the past keeps the rule identical from run to run; only the interval is compared.
REPLICATION_RULE_START = "DTSTART:20200101T000000Z"
_RULE_INTERVAL = re.compile(r"RRULE:FREQ=(?P<freq>MINUTELY|HOURLY);INTERVAL=(?P<interval>[1-9][0-9]*)\s*$")


class AppMirror(ApiModel):
    """A replication relationship (k8s/v1/appMirrors)."""

    source_app_id: Optional[str] = Field(default=None, alias="sourceAppID")
    source_cluster_id: Optional[str] = Field(default=None, alias="sourceClusterID")
    destination_app_id: Optional[str] = Field(default=None, alias="destinationAppID")
    destination_cluster_id: Optional[str] = Field(default=None, alias="destinationClusterID")
    state: Optional[str] = None
    state_desired: Optional[str] = Field(default=None, alias="stateDesired")
    state_allowed: Optional[list[str]] = Field(default=None, alias="stateAllowed")
    transfer_state: Optional[str] = Field(default=None, alias="transferState")
    health_state: Optional[str] = Field(default=None, alias="healthState")

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


class AppMirrorSpec(InputModel):
    """The options of astra_app_mirror that can be checked without a request."""

    namespace_mapping: Optional[list[NamespaceMap]] = None
    storage_class: Optional[str] = None
    replication_interval: int = Field(ge=1, le=10080)

    @field_validator("namespace_mapping")
    @classmethod
    def _one_entry_per_namespace(cls, entries):
        return _one_entry_per_namespace(entries, "omit it to replicate into namespaces of the same names")

    def namespace_mapping_api(self):
        """The option in API shape, None when omitted."""
        if self.namespace_mapping is None:
            return None
        return [{"source": entry.source, "destination": entry.destination} for entry in self.namespace_mapping]

    @field_validator("storage_class")
    @classmethod
    def _class_name(cls, value):
        if value is not None and not (value.strip() and len(value) <= 255):
            raise ValueError("must be the name of a storage class (1-255 characters)")
        return value


def replication_rule(interval):
    """The recurrence rule of a replication schedule firing every `interval` minutes."""
    return "%s\nRRULE:FREQ=MINUTELY;INTERVAL=%d" % (REPLICATION_RULE_START, interval)


def replication_interval(schedule):
    """Minutes between two firings of a custom schedule (HOURLY counts 60 per hour); None when not a custom rule."""
    match = _RULE_INTERVAL.search(schedule.get("recurrenceRule") or "")
    if schedule.get("granularity") != "custom" or not match:
        return None
    return int(match.group("interval")) * (60 if match.group("freq") == "HOURLY" else 1)


def replication_schedule_definition(schedule):
    """A replication schedule in the shape astra_app_mirror compares: name, interval (minutes) and enabled."""
    return {"name": schedule.get("name"), "interval": replication_interval(schedule),
            "enabled": str(schedule.get("enabled", "true")).strip().lower() != "false"}


def replication_schedule_fields(shape):
    """The API fields of a replication schedule (as actoolkit creates them) from its compared shape."""
    return {"name": shape["name"], "granularity": "custom", "recurrenceRule": replication_rule(shape["interval"]),
            "snapshotRetention": "0", "backupRetention": "0", "enabled": "true" if shape.get("enabled", True) else "false",
            "replicate": "true"}
