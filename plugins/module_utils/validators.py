# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Name and selector rules: DNS-1123 names, Kubernetes label keys, values and selectors.

Each *_problem function returns None for a valid value, else the broken rule, so
input models (input_specs) and modules can name the offending option.
"""

import re

from ansible_collections.kubedr.astra.plugins.module_utils.records import Text

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


def option_path(location, prefix=None):
    """('namespaces', 1, 'label_selectors', 0) -> 'namespaces[1].label_selectors[0]'."""
    path = prefix or ""
    for part in location:
        if isinstance(part, int):
            path += "[%d]" % part
        else:
            path += ("." if path else "") + str(part)
    return path


DNS1123Label = Text(check=dns1123_label_problem)
LabelSelector = Text(check=label_selector_problem)


def label_selector_matches(selector, labels):
    """Whether labels ({key: value}) satisfy a valid Kubernetes label selector: every requirement must hold."""
    for requirement in _split_requirements(selector) or ():
        match = _SET.match(requirement)
        if match:
            values = [value.strip() for value in match.group("values").split(",")]
            present = match.group("key") in labels
            inside = present and labels[match.group("key")] in values
            if inside != (match.group("op") == "in"):
                return False
            continue
        match = _EQUALITY.match(requirement)
        if match:
            equal = labels.get(match.group("key")) == match.group("value") and match.group("key") in labels
            if equal != (match.group("op") != "!="):
                return False
            continue
        match = _EXISTS.match(requirement)
        if match and (match.group("key") in labels) == bool(match.group("negated")):
            return False
    return True
