# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""records: the declarative record layer the models are built on (no pydantic)."""

import subprocess
import sys
from pathlib import Path

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.records import (
    Bool,
    Dict,
    Field,
    Int,
    Kind,
    ListOf,
    OneOf,
    Record,
    RecordError,
    Text,
    validates,
    validates_record,
)
from ansible_collections.kubedr.astra.plugins.module_utils.validators import option_path


def no_dots(value):
    return "must not contain '.'" if "." in value else None


class Selector(Record):
    key = Field(Text(check=no_dots))
    values = Field(ListOf(Text()), default_factory=list)


class Entry(Record):
    name = Field(Text())
    weight = Field(Int(ge=1, le=10), default=None)
    mode = Field(OneOf("include", "exclude"), default="include")
    selectors = Field(ListOf(Selector), default_factory=list)


class Spec(Record):
    entries = Field(ListOf(Entry))
    enabled = Field(Bool(), default=True)
    note = Field(Text(max_length=5), default=None)

    @validates("entries")
    @classmethod
    def _names_once(cls, entries):
        names = [entry.name for entry in entries]
        if len(set(names)) != len(names):
            raise ValueError("names must be distinct")
        return entries


class Resource(Record):
    extra = "allow"
    populate_by_name = True

    name = Field(Text())
    cluster_id = Field(Text(), default=None, alias="clusterID")
    labels = Field(Dict(), default=None)
    details = Field(ListOf(Kind()), default_factory=list, alias="stateDetails")


def problems_of(record, data):
    with pytest.raises(RecordError) as raised:
        record.model_validate(data)
    return [(option_path(location), message) for location, message in raised.value.problems]


def test_a_valid_record_has_its_values_and_defaults():
    spec = Spec.model_validate({"entries": [{"name": "a", "weight": "3", "selectors": [{"key": "k"}]}], "enabled": "no"})
    assert spec.enabled is False and spec.note is None
    entry = spec.entries[0]
    assert (entry.name, entry.weight, entry.mode) == ("a", 3, "include")
    assert entry.selectors[0].values == [] and entry.selectors[0].key == "k"
    assert spec.model_dump() == {"entries": [{"name": "a", "weight": 3, "mode": "include",
                                              "selectors": [{"key": "k", "values": []}]}],
                                 "enabled": False, "note": None}


def test_required_fields_and_unknown_keys_are_problems_in_field_order():
    assert problems_of(Spec, {"enabled": True, "colour": "red", "entries": [{"nme": "a"}]}) == [
        ("entries[0].name", "Field required"),
        ("entries[0].nme", "Extra inputs are not permitted"),
        ("colour", "Extra inputs are not permitted"),
    ]


def test_every_problem_is_reported_with_its_path():
    assert problems_of(Spec, {"entries": [
        {"name": "a", "weight": 0},
        {"name": 7, "mode": "both", "selectors": [{"key": "ok"}, {"key": "a.b", "values": ["x", 2]}]},
        {"name": "c", "weight": 11},
    ], "enabled": "maybe", "note": "longer"}) == [
        ("entries[0].weight", "Input should be greater than or equal to 1"),
        ("entries[1].name", "Input should be a valid string"),
        ("entries[1].mode", "Input should be 'include' or 'exclude'"),
        ("entries[1].selectors[1].key", "must not contain '.'"),
        ("entries[1].selectors[1].values[1]", "Input should be a valid string"),
        ("entries[2].weight", "Input should be less than or equal to 10"),
        ("enabled", "Input should be a valid boolean, unable to interpret input"),
        ("note", "String should have at most 5 characters"),
    ]


@pytest.mark.parametrize("data, problem", [
    ({"entries": "a"}, ("entries", "Input should be a valid list")),
    ({"entries": ["a"]}, ("entries[0]", "Input should be a valid dictionary or instance of Entry")),
    ({"entries": [{"name": "a", "weight": 1.5}]}, ("entries[0].weight",
                                                   "Input should be a valid integer, got a number with a fractional part")),
    ({"entries": [{"name": "a", "weight": "many"}]}, ("entries[0].weight",
                                                      "Input should be a valid integer, unable to parse string as an integer")),
    ({"entries": None}, ("entries", "Input should be a valid list")),
    ({"entries": [], "enabled": None}, ("enabled", "Input should be a valid boolean")),
])
def test_type_problems_use_pydantics_wording(data, problem):
    assert problems_of(Spec, data) == [problem]


def test_optional_fields_accept_none():
    entry = Entry.model_validate({"name": "a", "weight": None})
    assert entry.weight is None


def test_field_validators_run_only_on_valid_values():
    assert problems_of(Spec, {"entries": [{"name": "a"}, {"name": "a"}]}) == [("entries", "names must be distinct")]
    # An invalid entry stops the list's own rule: only the entry's problem is reported.
    assert problems_of(Spec, {"entries": [{"name": "a"}, {"name": "a", "weight": 0}]}) == [
        ("entries[1].weight", "Input should be greater than or equal to 1")]


class Window(Record):
    start = Field(Int())
    end = Field(Int())

    @validates_record
    def _ordered(self):
        if self.start > self.end:
            raise ValueError("start must not be after end")


class Windows(Record):
    windows = Field(ListOf(Window))


def test_record_validators_run_once_the_fields_are_valid_and_name_the_record():
    assert problems_of(Windows, {"windows": [{"start": 1, "end": 2}, {"start": 3, "end": 2}]}) == [
        ("windows[1]", "start must not be after end")]
    assert problems_of(Windows, {"windows": [{"start": "x", "end": 2}]}) == [
        ("windows[0].start", "Input should be a valid integer, unable to parse string as an integer")]


class NamedWindow(Window):
    name = Field(Text())

    @validates("name")
    @classmethod
    def _short(cls, value):
        if len(value) > 3:
            raise ValueError("at most 3 characters")
        return value.upper()


def test_subclasses_inherit_fields_first_and_validators():
    assert list(NamedWindow.model_fields) == ["start", "end", "name"]
    assert NamedWindow.model_validate({"start": 1, "end": 2, "name": "abc"}).name == "ABC"
    assert problems_of(NamedWindow, {"start": 2, "end": 1, "name": "long"}) == [("name", "at most 3 characters")]
    assert problems_of(NamedWindow, {"start": 2, "end": 1, "name": "ok"}) == [("", "start must not be after end")]


def test_aliases_names_and_unknown_fields_of_an_allowing_record():
    resource = Resource.model_validate({"name": "a", "clusterID": "c1", "cloudType": "GCP", "stateDetails": [1, {"x": 2}]})
    assert resource.cluster_id == "c1" and resource.details == [1, {"x": 2}]
    assert resource.model_extra == {"cloudType": "GCP"} and resource.cloudType == "GCP"
    assert Resource.model_validate({"name": "a", "cluster_id": "c2"}).cluster_id == "c2"
    assert problems_of(Resource, {"clusterID": 5, "labels": []}) == [
        ("name", "Field required"), ("clusterID", "Input should be a valid string"),
        ("labels", "Input should be a valid dictionary")]
    with pytest.raises(AttributeError):
        resource.missing  # pylint: disable=pointless-statement


def test_records_compare_by_value_and_are_not_a_field_of_the_class():
    assert Entry.model_validate({"name": "a"}) == Entry.model_validate({"name": "a", "mode": "include"})
    assert Entry.model_validate({"name": "a"}) != Entry.model_validate({"name": "b"})
    assert not hasattr(Entry, "name")
    assert repr(Window.model_validate({"start": 1, "end": 2})) == "Window(start=1, end=2)"


def test_a_record_given_a_record_keeps_it():
    window = Window.model_validate({"start": 1, "end": 2})
    assert Windows.model_validate({"windows": [window]}).windows[0] is window


def test_the_modules_import_without_pydantic():
    """Each module task is a fresh Python process: the models must cost no third-party import."""
    modules = sorted(path.stem for path in (Path(__file__).parents[4] / "plugins" / "modules").glob("*.py")
                     if path.stem != "__init__")
    code = ("import sys; sys.modules['pydantic'] = None\n"
            "for name in %r: __import__('ansible_collections.kubedr.astra.plugins.modules.' + name)\n"
            "print(sorted(name for name, module in sys.modules.items() if module and name.startswith('pydantic')))"
            % modules)
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
