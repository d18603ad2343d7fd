# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input models: what the user asked for, checked before any request.

Each model validates module options (snake_case) and names the offending option
path (``namespaces[1].label_selectors[0]``); validate_input() raises all
violations at once.
"""

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.records import (
    Field,
    Int,
    ListOf,
    OneOf,
    Record,
    RecordError,
    Text,
    validates,
    validates_record,
)
from ansible_collections.kubedr.astra.plugins.module_utils.validators import (
    DNS1123_SUBDOMAIN_MAX,
    DNS1123Label,
    LabelSelector,
    name_list,
    option_path,
)


def validate_input(model, data, prefix=None):
    """Validate data (module options) against an input model; all violations are raised at once.

    Returns the model instance. Raises AstraValidationError whose violations
    name each option path and the rule it breaks.
    """
    try:
        return model.model_validate(data)
    except RecordError as exc:
        violations = [(option_path(location, prefix), message) for location, message in exc.problems]
        raise AstraValidationError(violations=violations) from None


class InputModel(Record):
    """Module options: an unknown key is a violation."""

    extra = "forbid"


class NamespaceSelection(InputModel):
    """One entry of the astra_app option namespaces."""

    name = Field(DNS1123Label)
    label_selectors = Field(ListOf(LabelSelector), default_factory=list)

    def to_api(self):
        return {"namespace": self.name, "labelSelectors": list(self.label_selectors)}


class ClusterScopedSelection(InputModel):
    """One entry of the astra_app option cluster_scoped_resources."""

    group = Field(Text(), default="")
    version = Field(Text())
    kind = Field(Text())
    label_selectors = Field(ListOf(LabelSelector), default_factory=list)

    @validates("version", "kind")
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

    name = Field(DNS1123Label)
    namespaces = Field(ListOf(NamespaceSelection))
    cluster_scoped_resources = Field(ListOf(ClusterScopedSelection), default=None)

    @validates("namespaces")
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


# ---------------------------------------------------------------------- clone, restore and mirror input

class NamespaceMap(InputModel):
    """One entry of namespace_mapping."""

    source = Field(DNS1123Label)
    destination = Field(DNS1123Label)


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

    source = Field(Text())
    destination = Field(Text())

    @validates("source", "destination")
    @classmethod
    def _not_empty(cls, value):
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @validates("destination")
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
    """The rule and the API shape of storage_class_mapping, for the input models that have the option."""

    @validates("storage_class_mapping")
    @classmethod
    def _one_entry_per_class(cls, entries):
        return _one_entry_per_class(entries)

    def storage_class_mapping_api(self):
        return [{"source": entry.source, "destination": entry.destination} for entry in self.storage_class_mapping or ()]


class CloneSpec(InputModel, StorageClassMappingApi):
    """The options of astra_app_clone that can be checked without a request."""

    name = Field(DNS1123Label)
    namespace_mapping = Field(ListOf(NamespaceMap), default=None)
    storage_class_mapping = Field(ListOf(StorageClassMap), default=None)

    @validates("namespace_mapping")
    @classmethod
    def _one_entry_per_namespace(cls, entries):
        return _one_entry_per_namespace(entries, "omit it for a cross-cluster clone into namespaces of the same names")

    def namespace_mapping_api(self):
        return [{"source": entry.source, "destination": entry.destination} for entry in self.namespace_mapping or ()]


class ResourceFilter(InputModel):
    """One entry of restore_filter.resources (an element of the API's restoreFilter.GVKN)."""

    group = Field(Text(), default=None)
    version = Field(Text(), default=None)
    kind = Field(Text(), default=None)
    names = Field(ListOf(Text()), default=None)
    namespaces = Field(ListOf(DNS1123Label), default=None)
    label_selectors = Field(ListOf(LabelSelector), default=None)

    @validates("names")
    @classmethod
    def _names_not_empty(cls, names):
        for name in names or ():
            if not name.strip() or len(name) > DNS1123_SUBDOMAIN_MAX:
                raise ValueError("each name must be 1-253 characters, got %r" % name)
        return names

    @validates_record
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

    selection = Field(OneOf("include", "exclude"))
    resources = Field(ListOf(ResourceFilter))

    @validates("resources")
    @classmethod
    def _not_empty(cls, resources):
        if not resources:
            raise ValueError("must list at least one resource entry (an empty filter is refused by Astra Control)")
        return resources

    def to_api(self):
        return {"resourceSelectionCriteria": self.selection, "GVKN": [entry.to_api() for entry in self.resources]}


class RestoreSpec(InputModel, StorageClassMappingApi):
    """The options of astra_app_restore that can be checked without a request."""

    restore_filter = Field(RestoreFilter, default=None)
    storage_class_mapping = Field(ListOf(StorageClassMap), default=None)


class AppMirrorSpec(InputModel):
    """The options of astra_app_mirror that can be checked without a request."""

    namespace_mapping = Field(ListOf(NamespaceMap), default=None)
    storage_class = Field(Text(), default=None)
    replication_interval = Field(Int(ge=1, le=10080))

    @validates("namespace_mapping")
    @classmethod
    def _one_entry_per_namespace(cls, entries):
        return _one_entry_per_namespace(entries, "omit it to replicate into namespaces of the same names")

    def namespace_mapping_api(self):
        """The option in API shape, None when omitted."""
        if self.namespace_mapping is None:
            return None
        return [{"source": entry.source, "destination": entry.destination} for entry in self.namespace_mapping]

    @validates("storage_class")
    @classmethod
    def _class_name(cls, value):
        if value is not None and not (value.strip() and len(value) <= 255):
            raise ValueError("must be the name of a storage class (1-255 characters)")
        return value
