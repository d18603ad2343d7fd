"""Kubernetes label selectors: parse the string form and match label sets.

Grammar (comma-separated requirements, all of which must hold; blanks between
tokens are ignored)::

    key=value   key==value   key!=value
    key in (v1, v2)   key notin (v1, v2)
    key   !key

A key is `[prefix/]name`: the prefix is a DNS-1123 subdomain (at most 253
characters), the name at most 63 alphanumerics with `-`, `_` or `.` inside.
A value is empty or follows the name rule.
"""

import re

NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SPECIAL = "!=,()"


class SelectorError(ValueError):
    pass


def _tokens(text):
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif text.startswith("==", i) or text.startswith("!=", i):
            yield text[i:i + 2]
            i += 2
        elif char in SPECIAL:
            yield char
            i += 1
        else:
            start = i
            while i < len(text) and not text[i].isspace() and text[i] not in SPECIAL:
                i += 1
            yield text[start:i]


def _check_key(key):
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not DNS_SUBDOMAIN.match(prefix)):
        raise SelectorError("invalid label key prefix in %r" % key)
    if not name or len(name) > 63 or not NAME.match(name):
        raise SelectorError("invalid label key %r" % key)
    return key


def _check_value(value):
    if value and (len(value) > 63 or not NAME.match(value)):
        raise SelectorError("invalid label value %r" % value)
    return value


def check_label(key, value):
    """Raise SelectorError unless `key: value` is a valid Kubernetes label (what a label set may hold)."""
    if not isinstance(key, str) or not isinstance(value, str):
        raise SelectorError("label keys and values must be strings")
    _check_key(key)
    _check_value(value)


def _is_word(token):
    return token is not None and token not in SPECIAL and token not in ("==", "!=")


class Selector:
    def __init__(self, text):
        if not isinstance(text, str) or not text.strip():
            raise SelectorError("a label selector must be a non-empty string")
        self.text = text
        self.requirements = []
        self._tokens = list(_tokens(text))
        self._pos = 0
        self._parse()

    def _peek(self):
        return self._tokens[self._pos] if self._pos < len(self._tokens) else None

    def _next(self):
        token = self._peek()
        self._pos += 1
        return token

    def _word(self, what):
        token = self._next()
        if not _is_word(token):
            raise SelectorError("expected %s in %r" % (what, self.text))
        return token

    def _parse(self):
        while True:
            self.requirements.append(self._requirement())
            token = self._next()
            if token is None:
                return
            if token != ",":
                raise SelectorError("expected ',' before %r in %r" % (token, self.text))

    def _requirement(self):
        if self._peek() == "!":
            self._next()
            return ("absent", _check_key(self._word("a label key")), None)
        key = _check_key(self._word("a label key"))
        operator = self._peek()
        if operator in (None, ","):
            return ("present", key, None)
        self._next()
        if operator in ("=", "=="):
            return ("equals", key, _check_value(self._optional_value()))
        if operator == "!=":
            return ("differs", key, _check_value(self._optional_value()))
        if operator in ("in", "notin"):
            return (operator, key, self._value_set())
        raise SelectorError("unknown operator %r in %r" % (operator, self.text))

    def _optional_value(self):
        return self._next() if _is_word(self._peek()) else ""

    def _value_set(self):
        if self._next() != "(":
            raise SelectorError("expected '(' in %r" % self.text)
        values = set()
        while True:
            values.add(_check_value(self._word("a value")))
            token = self._next()
            if token == ")":
                return values
            if token != ",":
                raise SelectorError("expected ',' or ')' in %r" % self.text)

    def matches(self, labels):
        for operator, key, value in self.requirements:
            present = key in labels
            if operator == "present" and not present:
                return False
            if operator == "absent" and present:
                return False
            if operator == "equals" and (not present or labels[key] != value):
                return False
            if operator == "differs" and present and labels[key] == value:
                return False
            if operator == "in" and (not present or labels[key] not in value):
                return False
            if operator == "notin" and present and labels[key] in value:
                return False
        return True


def matches_all(selectors, labels):
    """An empty list selects everything; otherwise every selector must match."""
    return all(selector.matches(labels) for selector in selectors)
