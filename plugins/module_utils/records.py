# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Declarative records on the standard library: typed fields, aliases, validators, every problem with its location.

The collection's models (api_resources, input_specs, schedules, hooks) used to be pydantic v2 models. Ansible starts
a fresh Python process for every module task, so every task paid for importing pydantic and building the models:
about 110 ms of CPU of the 325 ms astra_app spent importing (api_resources alone: 137 ms with pydantic, 28 ms on
records). This module keeps what the models relied on, including pydantic's wording of type errors ("Field
required", "Input should be a valid string"), which users see in failure messages.

A record declares its fields as class attributes, ``name = Field(Text(), default=None, alias="apiName")``; a field
whose default is None also accepts None. model_validate() checks a mapping and raises RecordError listing every
problem as (location, message), the location a tuple of keys and list indexes such as ('namespaces', 1, 'name').
"""

from collections.abc import Mapping

INVALID = object()  # what a kind returns for a value it refused, after recording why
_REQUIRED = object()
_SEQUENCES = (list, tuple, set, frozenset)
_TRUE = frozenset(("1", "on", "t", "true", "y", "yes"))
_FALSE = frozenset(("0", "off", "f", "false", "n", "no"))


class RecordError(ValueError):
    """Validation failed; problems: [(location tuple, message)], in field order."""

    def __init__(self, problems):
        super().__init__("; ".join("%s: %s" % (".".join(str(part) for part in location), message)
                                   for location, message in problems))
        self.problems = problems


class Kind:
    """What a field holds; Kind() itself takes any value. check: value -> None, or the rule the value breaks."""

    def __init__(self, check=None):
        self.check = check

    def coerce(self, value):
        """The value converted to this kind; raises ValueError with the problem."""
        return value

    def convert(self, value, location, problems):
        try:
            value = self.coerce(value)
        except ValueError as exc:
            problems.append((location, str(exc)))
            return INVALID
        problem = self.check(value) if self.check else None
        if problem:
            problems.append((location, problem))
            return INVALID
        return value


class Text(Kind):
    def __init__(self, check=None, max_length=None):
        super().__init__(check)
        self.max_length = max_length

    def coerce(self, value):
        if not isinstance(value, str):
            raise ValueError("Input should be a valid string")
        if self.max_length is not None and len(value) > self.max_length:
            raise ValueError("String should have at most %d characters" % self.max_length)
        return value


class Int(Kind):
    """An integer within ge..le; like pydantic, also a bool, an integral float or a string of digits."""

    def __init__(self, ge=None, le=None):
        super().__init__()
        self.ge, self.le = ge, le

    def coerce(self, value):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError("Input should be a valid integer, got a number with a fractional part")
        if isinstance(value, str):
            try:
                value = int(value.strip())
            except ValueError:
                raise ValueError("Input should be a valid integer, unable to parse string as an integer") from None
        elif isinstance(value, (int, float)):
            value = int(value)
        else:
            raise ValueError("Input should be a valid integer")
        if self.ge is not None and value < self.ge:
            raise ValueError("Input should be greater than or equal to %d" % self.ge)
        if self.le is not None and value > self.le:
            raise ValueError("Input should be less than or equal to %d" % self.le)
        return value


class Bool(Kind):
    """A bool; like pydantic, also 0 and 1 and the strings true/false, yes/no, on/off, t/f, y/n, 1/0."""

    def coerce(self, value):
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        if isinstance(value, (int, str)) or isinstance(value, float) and value.is_integer():
            raise ValueError("Input should be a valid boolean, unable to interpret input")
        raise ValueError("Input should be a valid boolean")


class Dict(Kind):
    def coerce(self, value):
        if not isinstance(value, Mapping):
            raise ValueError("Input should be a valid dictionary")
        return dict(value)


class OneOf(Kind):
    """One of the given strings."""

    def __init__(self, *choices):
        super().__init__()
        self.choices = choices

    def coerce(self, value):
        if isinstance(value, str) and value in self.choices:
            return value
        quoted = [repr(choice) for choice in self.choices]
        allowed = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        raise ValueError("Input should be %s" % allowed)


class ListOf(Kind):
    """A list whose every element is of kind (a Kind or a Record class); each problem names its index."""

    def __init__(self, kind, check=None):
        super().__init__(check)
        self.kind = as_kind(kind)

    def convert(self, value, location, problems):
        if not isinstance(value, _SEQUENCES):
            problems.append((location, "Input should be a valid list"))
            return INVALID
        items = [self.kind.convert(item, location + (index,), problems) for index, item in enumerate(value)]
        if any(item is INVALID for item in items):
            return INVALID
        return super().convert(items, location, problems)


class Nested(Kind):
    def __init__(self, record):
        super().__init__()
        self.record = record

    def convert(self, value, location, problems):
        return self.record.from_data(value, location, problems)


def as_kind(kind):
    return Nested(kind) if isinstance(kind, type) and issubclass(kind, Record) else kind


class Field:
    """A record's field; default None makes it optional and nullable; alias: its key in the data."""

    def __init__(self, kind, default=_REQUIRED, default_factory=None, alias=None):
        self.kind = as_kind(kind)
        self.default, self.default_factory, self.alias = default, default_factory, alias
        self.required = default is _REQUIRED and default_factory is None

    def default_value(self):
        return self.default_factory() if self.default_factory else self.default

    def keys(self, name, populate_by_name):
        """The keys the field is read from; the first names it when it is missing."""
        if not self.alias:
            return (name,)
        return (self.alias, name) if populate_by_name else (self.alias,)


def validates(*names):
    """Marks a classmethod (cls, value) -> value run on the named fields once their kind accepted them.

    Raise ValueError(problem) to refuse the value; the problem is reported at the field's location.
    """
    def mark(method):
        getattr(method, "__func__", method).validates_fields = names
        return method
    return mark


def validates_record(method):
    """Marks a method (self) run once every field of the record is valid; ValueError(problem) refuses the record."""
    method.validates_record = True
    return method


class Record:
    """The base of declarative records. extra: 'forbid' (unknown keys are problems), 'allow' (kept in model_extra)
    or 'ignore'. populate_by_name: a field with an alias also accepts its name as key."""

    extra = "forbid"
    populate_by_name = False
    model_fields = {}
    _keys = {}
    _field_checks = {}
    _record_checks = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = {name: value for name, value in vars(cls).items() if isinstance(value, Field)}
        for name in own:
            delattr(cls, name)  # the instance attribute is the value; a leftover Field would hide a missing one
        fields, methods = {}, {}
        for klass in reversed(cls.__mro__):
            fields.update(own if klass is cls else vars(klass).get("_own_fields", {}))
            methods.update((name, getattr(value, "__func__", value)) for name, value in vars(klass).items()
                           if callable(getattr(value, "__func__", value)))
        cls._own_fields, cls.model_fields = own, fields
        cls._keys = dict((name, field.keys(name, cls.populate_by_name)) for name, field in fields.items())
        cls._field_checks = {name: [method for method, function in methods.items()
                                    if name in getattr(function, "validates_fields", ())] for name in fields}
        cls._record_checks = [method for method, function in methods.items()
                              if getattr(function, "validates_record", False)]

    @classmethod
    def model_validate(cls, data):
        """The record for data (a mapping); raises RecordError with every problem."""
        problems = []
        record = cls.from_data(data, (), problems)
        if problems:
            raise RecordError(problems)
        return record

    @classmethod
    def from_data(cls, data, location, problems):
        """The record for data, or INVALID after appending its problems (location tuple, message)."""
        if isinstance(data, cls):
            return data
        if not isinstance(data, Mapping):
            problems.append((location, "Input should be a valid dictionary or instance of %s" % cls.__name__))
            return INVALID
        found = len(problems)
        values, used = {}, set()
        for name, field in cls.model_fields.items():
            key = next((key for key in cls._keys[name] if key in data), None)
            if key is None:
                if field.required:
                    problems.append((location + (cls._keys[name][0],), "Field required"))
                else:
                    values[name] = field.default_value()
            else:
                used.add(key)
                values[name] = cls._field_value(name, field, data[key], location + (key,), problems)
        extra = dict((key, value) for key, value in data.items() if key not in used)
        if cls.extra == "forbid":
            problems.extend((location + (key,), "Extra inputs are not permitted") for key in extra)
        if len(problems) > found:
            return INVALID
        record = cls.__new__(cls)
        record.__dict__.update(values, model_extra=extra if cls.extra == "allow" else None)
        for method in cls._record_checks:
            try:
                getattr(record, method)()
            except ValueError as exc:
                problems.append((location, str(exc)))
                return INVALID
        return record

    @classmethod
    def _field_value(cls, name, field, value, location, problems):
        if value is not None or field.default is not None:
            value = field.kind.convert(value, location, problems)
        if value is INVALID:
            return value
        for method in cls._field_checks[name]:
            try:
                value = getattr(cls, method)(value)
            except ValueError as exc:
                problems.append((location, str(exc)))
                return INVALID
        return value

    def __getattr__(self, name):
        """Unknown fields a record with extra='allow' kept are attributes too."""
        extra = self.__dict__.get("model_extra") or {}
        if name in extra:
            return extra[name]
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def model_dump(self):
        """The fields by name (nested records as dicts), then any unknown fields kept."""
        dumped = dict((name, _dumped(getattr(self, name))) for name in self.model_fields)
        dumped.update(self.model_extra or {})
        return dumped

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    __hash__ = None

    def __repr__(self):
        return "%s(%s)" % (type(self).__name__, ", ".join("%s=%r" % (name, getattr(self, name)) for name in self.model_fields))


def _dumped(value):
    if isinstance(value, Record):
        return value.model_dump()
    return [_dumped(item) for item in value] if isinstance(value, list) else value
