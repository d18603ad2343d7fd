"""A tiny structural validator for request bodies (problem 8 material).

Schemas are plain Python values built with the helpers below. `validate`
returns the first failure as a readable sentence, or None.
"""

import re


class Str:
    def __init__(self, pattern=None, min_length=None, max_length=None, enum=None):
        self.pattern = re.compile(pattern) if pattern else None
        self.min_length = min_length
        self.max_length = max_length
        self.enum = enum

    def check(self, value, path):
        if not isinstance(value, str):
            return "%s must be a string" % path
        if self.enum is not None and value not in self.enum:
            return "%s must be one of %s, not %r" % (path, ", ".join(self.enum), value)
        if self.min_length is not None and len(value) < self.min_length:
            return "%s must have at least %d characters" % (path, self.min_length)
        if self.max_length is not None and len(value) > self.max_length:
            return "%s must have at most %d characters" % (path, self.max_length)
        if self.pattern and not self.pattern.match(value):
            return "%s %r doesn't match the pattern %s" % (path, value, self.pattern.pattern)
        return None


class Arr:
    def __init__(self, items, unique=False, min_items=None, max_items=None):
        self.items = items
        self.unique = unique
        self.min_items = min_items
        self.max_items = max_items

    def check(self, value, path):
        if not isinstance(value, list):
            return "%s must be an array" % path
        if self.min_items is not None and len(value) < self.min_items:
            return "%s must have at least %d items" % (path, self.min_items)
        if self.max_items is not None and len(value) > self.max_items:
            return "%s must have at most %d items" % (path, self.max_items)
        if self.unique:
            seen = []
            for item in value:
                if item in seen:
                    return "%s must not contain duplicate items" % path
                seen.append(item)
        for index, item in enumerate(value):
            failure = self.items.check(item, "%s[%d]" % (path, index))
            if failure:
                return failure
        return None


class Obj:
    def __init__(self, properties, required=(), additional=False):
        self.properties = properties
        self.required = required
        self.additional = additional

    def check(self, value, path):
        if not isinstance(value, dict):
            return "%s must be a JSON object" % (path or "the request body")
        prefix = path + "." if path else ""
        for name in self.required:
            if name not in value:
                return "%s%s is required" % (prefix, name)
        for name, item in value.items():
            rule = self.properties.get(name)
            if rule is None:
                if not self.additional:
                    return "%s%s is not an allowed field" % (prefix, name)
                continue
            failure = rule.check(item, prefix + name)
            if failure:
                return failure
        return None


class Any:
    def check(self, value, path):
        return None


class Nullable:
    """Accepts JSON null or the wrapped rule."""

    def __init__(self, rule):
        self.rule = rule

    def check(self, value, path):
        return None if value is None else self.rule.check(value, path)


def validate(schema, value):
    return schema.check(value, "")


# Building blocks shared by the resource schemas ----------------------------
IDENTIFIER = Str(
    pattern=r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}|0{8}-0{4}-0{4}-0{4}-0{12})$"
)
DNS_1123 = Str(pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", min_length=1, max_length=63)
TIMESTAMP = Str(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]{1,9})?Z$")
LABELS = Arr(Obj({"name": Str(), "value": Str()}, required=("name", "value")))
METADATA_UPDATE = Obj({
    "labels": LABELS,
    "creationTimestamp": TIMESTAMP,
    "modificationTimestamp": TIMESTAMP,
    "createdBy": Str(),
    "modifiedBy": Str(),
})


def envelope(resource_type, versions):
    """The `type` and `version` members every request body carries."""
    return {"type": Str(enum=["application/astra-%s" % resource_type]), "version": Str(enum=list(versions))}
