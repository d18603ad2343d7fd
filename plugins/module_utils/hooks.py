# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Execution hooks, hook sources and the account setting that switches hooks on: what the hook modules share.

The API paths, the input rules (scripts, RE2 regular expressions, stages), the option shape of a hook, the
account setting, and the clear messages for the API's hook problems (168, 71, 72, 73, 162).
"""

import base64
import functools
import hashlib
import re

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import InputModel
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import app_path
from ansible_collections.kubedr.astra.plugins.module_utils.records import (
    Bool,
    Field,
    ListOf,
    OneOf,
    Text,
    validates,
    validates_record,
)
from ansible_collections.kubedr.astra.plugins.module_utils.validators import name_list

SETTINGS = "core/v1/settings"
HOOKS_SETTING = "astra.account.executionHooks.enabled"
SETTING_VERSION = "1.1"
HOOK_SOURCES = "core/v1/hookSources"
EXECUTION_HOOKS = "core/v1/executionHooks"

SCRIPT_MAX_BYTES = 96 * 1024  # 131072 base64 characters, the API's limit
NAME_MAX = 63
DESCRIPTION_MAX = 511
ARGUMENTS_MAX = 16
ARGUMENT_MAX_LENGTH = 127
CRITERIA_MAX = 10

ACTIONS = ("snapshot", "backup", "restore", "failover")
STAGES = ("pre", "post")
# The spec's stage rule: restore and failover hooks run after the operation only.
POST_ONLY_ACTIONS = ("restore", "failover")
# matching_criteria[].type (option) -> matchingCriteria[].type (API).
CRITERIA_TYPES = {
    "container_image": "containerImage",
    "container_name": "containerName",
    "pod_name": "podName",
    "pod_label": "podLabel",
    "namespace_name": "namespaceName",
}
CRITERIA_OPTIONS = dict((api, option) for option, api in CRITERIA_TYPES.items())

HOOKS_DISABLED = ("execution hooks are disabled in the Astra Control account; enable them with "
                  "kubedr.astra.astra_execution_hooks_setting (enabled: true) or in Astra Control (Account > Settings)")
HOOK_PROBLEMS = {
    (403, 168): HOOKS_DISABLED,
    (403, 71): ("the hook source is provided by NetApp (preloaded): NetApp-provided hook sources cannot be changed or "
                "deleted; create a hook source of another name instead"),
    (403, 72): ("the hook source is still used by an execution hook; delete those hooks "
                "(kubedr.astra.astra_execution_hook, state: absent) or point them at another source first"),
    (403, 73): ("the execution hook is provided by NetApp (hookType netapp): NetApp-provided hooks cannot be created, "
                "changed or deleted; give your hook another name"),
    (409, 162): ("the app is not eligible for failover hooks: it is the destination of an app mirror (the hooks of the "
                 "mirror's source app run on it after a failover; define the hook there) or it has a volume on "
                 "ontap-nas-economy, which cannot be replicated"),
}


def app_hooks_path(app_id):
    """k8s/v1/apps/<id>/executionHooks: the hooks of one app."""
    return "%s/executionHooks" % app_path(app_id)


def is_true(value):
    """The API's string booleans ('true'/'false'); a real bool is taken as it is."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() == "true"


def api_bool(value):
    return "true" if value else "false"


# ---------------------------------------------------------------------- errors

def hook_problem_message(error):
    """The clear message for an API answer about hooks, or None when it is not one of the hook problems."""
    if not isinstance(error, AstraApiError):
        return None
    return HOOK_PROBLEMS.get((error.status, error.problem))


def translate_hook_errors(function):
    """Decorator of a hook module's run(module): the API's hook problems become clear messages (the API's own
    message, status and problem stay in the message and the failure's keys)."""
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except AstraApiError as exc:
            clear = hook_problem_message(exc)
            if clear is None:
                raise
            raise HookProblem(clear, exc) from None
    return wrapper


class HookProblem(AstraError):
    """An API hook problem with a clear explanation in front of the API's own message."""

    def __init__(self, clear, api_error):
        self.api_error = api_error
        super().__init__("%s (%s)" % (clear[0].upper() + clear[1:], api_error.message))

    def fail_kwargs(self):
        kwargs = self.api_error.fail_kwargs()
        kwargs["msg"] = self.message
        return kwargs


# ---------------------------------------------------------------------- the account setting

def hooks_setting(lookups):
    """The account setting that switches execution hooks on, or None when the API has none (before ACC 23.10, hooks
    are always on): one request."""
    found = lookups.find_by_fields(SETTINGS, [("name", HOOKS_SETTING)], what="setting %s" % HOOKS_SETTING)
    return found[0] if found else None


def setting_enabled(setting):
    """Whether the setting has hooks on now (currentConfig.isEnabled); None (no setting) counts as on."""
    if setting is None:
        return True
    return is_true((setting.get("currentConfig") or {}).get("isEnabled", "false"))


def setting_will_be(setting, enabled):
    """Whether the setting is, or is already being set to, `enabled` (a desiredConfig being applied)."""
    if setting_enabled(setting) == enabled:
        return True
    desired = (setting.get("desiredConfig") or {}).get("isEnabled")
    return desired is not None and is_true(desired) == enabled and setting.get("state") == "pending"


def setting_body(enabled):
    return {"type": "application/astra-setting", "version": SETTING_VERSION,
            "desiredConfig": {"isEnabled": api_bool(enabled)}}


# ---------------------------------------------------------------------- scripts (hook sources)

def script_problem(text):
    """None when text is an acceptable hook script, else the rule it breaks (UTF-8 text, no CR, no control
    characters but tab and newline, at most 96 KiB)."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            return "must be UTF-8 text, not binary data (byte %d is not UTF-8)" % exc.start
    if not isinstance(text, str) or not text.strip():
        return "must not be empty; give the script's text"
    if "\r" in text:
        return ("must not contain carriage-return characters (line %d); Astra Control takes Unix line endings only"
                % (text[:text.index("\r")].count("\n") + 1))
    for index, character in enumerate(text):
        if (ord(character) < 32 and character not in "\t\n") or ord(character) == 127:
            return ("must be text, not binary data: control character U+%04X on line %d (only tab and newline are "
                    "allowed)" % (ord(character), text[:index].count("\n") + 1))
    size = len(text.encode("utf-8"))
    if size > SCRIPT_MAX_BYTES:
        return "must be at most 96 KiB (%d bytes) of UTF-8 text, got %d bytes" % (SCRIPT_MAX_BYTES, size)
    return None


def encode_script(text):
    """The base64 text the API stores as `source`."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def source_checksum(encoded):
    """sourceMD5Checksum: the MD5 of the base64 text (not of the script)."""
    return hashlib.md5(encoded.encode("ascii")).hexdigest()  # nosec B324 - the API's checksum, not security


def without_script(source):
    """A hook source without its base64 `source` (returns and diffs show the checksum instead)."""
    if not source:
        return source
    return dict((key, value) for key, value in source.items() if key != "source")


def hook_source_definition(source):
    """The fields of a hook source a user controls, for comparison: the checksum of the script and the description."""
    return {"sourceMD5Checksum": (source.get("sourceMD5Checksum") or "").lower(), "description": source.get("description", "")}


def is_preloaded(source):
    return is_true(source.get("preloaded", "false"))


# ---------------------------------------------------------------------- RE2

_BACKREFERENCE = re.compile(r"\\([1-9]|k<|g[<{0-9-])")
_QUANTIFIER_END = "*+?}"


_COUNTED = re.compile(r"\{\d+(,\d*)?\}$")


def _ends_quantifier(before, previous):
    """Whether the text before a '+' ends with a quantifier (so the '+' makes it possessive)."""
    if not previous or previous.startswith("\\") or previous[-1] not in _QUANTIFIER_END:
        return False
    return previous != "}" or bool(_COUNTED.search(before))


def re2_problem(pattern):
    """None when pattern is an RE2 regular expression Python also compiles; else why it is not.

    Python's re accepts what RE2 refuses: lookarounds, backreferences, atomic groups, possessive quantifiers and
    conditionals. The pattern is scanned outside character classes and escapes for them, then compiled.
    """
    if not isinstance(pattern, str) or pattern == "":
        return "must not be empty"
    refused = _re2_refusal(pattern)
    if refused:
        return "%r is not an RE2 regular expression: %s are not supported" % (pattern, refused)
    try:
        re.compile(pattern)
    except re.error as exc:
        return "%r is not a valid regular expression: %s" % (pattern, exc)
    return None


def _re2_refusal(pattern):
    """The first construct of pattern RE2 does not have, in words; None when there is none."""
    index, in_class, previous = 0, False, ""
    while index < len(pattern):
        character = pattern[index]
        if character == "\\":
            if not in_class and _BACKREFERENCE.match(pattern, index):
                return "backreferences (\\1, \\k<name>)"
            previous = pattern[index:index + 2]
            index += 2
            continue
        if in_class:
            if character == "]":
                in_class = False
            index += 1
            continue
        if character == "[":
            in_class = True
            # A ']' right after '[' or '[^' is a literal member.
            index += 1
            if pattern.startswith("^", index):
                index += 1
            if pattern.startswith("]", index):
                index += 1
            previous = "]"
            continue
        if pattern.startswith("(?", index):
            rest = pattern[index + 2:]
            if rest.startswith(("=", "!", "<=", "<!")):
                return "lookarounds ((?=...), (?!...), (?<=...), (?<!...))"
            if rest.startswith(">"):
                return "atomic groups ((?>...))"
            if rest.startswith("P="):
                return "backreferences ((?P=name))"
            if rest.startswith("("):
                return "conditionals ((?(1)...))"
        if character == "+" and _ends_quantifier(pattern[:index], previous):
            return "possessive quantifiers (*+, ++, ?+, {n}+)"
        previous = character
        index += 1
    return None


# ---------------------------------------------------------------------- input models

def _name_problem(value):
    if not value.strip() or len(value) > NAME_MAX:
        return "must be 1-%d characters, got %d" % (NAME_MAX, len(value))
    return None


def _checked(problem, value):
    """A field validator's answer: the value, or the problem as the ValueError validate_input reports."""
    if problem:
        raise ValueError(problem)
    return value


class _NamedSpec(InputModel):
    """A hook source's or execution hook's options: a name (1-63 characters) and a description."""

    name = Field(Text())
    description = Field(Text(max_length=DESCRIPTION_MAX), default=None)

    @validates("name")
    @classmethod
    def _name(cls, value):
        return _checked(_name_problem(value), value)


class HookSourceSpec(_NamedSpec):
    """The options of astra_hook_source that can be checked without a request."""

    content = Field(Text(), default=None)

    @validates("content")
    @classmethod
    def _script(cls, value):
        return _checked(script_problem(value) if value is not None else None, value)

    def encoded(self):
        return encode_script(self.content)


class MatchingCriterion(InputModel):
    """One entry of matching_criteria."""

    type = Field(OneOf(*CRITERIA_TYPES))
    value = Field(Text())

    @validates("value")
    @classmethod
    def _re2(cls, value):
        return _checked(re2_problem(value), value)

    def to_api(self):
        return {"type": CRITERIA_TYPES[self.type], "value": self.value}


class ExecutionHookSpec(_NamedSpec):
    """The options of astra_execution_hook that can be checked without a request."""

    action = Field(OneOf(*ACTIONS), default=None)
    stage = Field(OneOf(*STAGES), default=None)
    arguments = Field(ListOf(Text()), default=None)
    matching_criteria = Field(ListOf(MatchingCriterion), default=None)
    enabled = Field(Bool(), default=True)

    @validates("arguments")
    @classmethod
    def _arguments(cls, arguments):
        if arguments is None:
            return arguments
        if len(arguments) > ARGUMENTS_MAX:
            raise ValueError("at most %d arguments, got %d" % (ARGUMENTS_MAX, len(arguments)))
        for index, argument in enumerate(arguments):
            if len(argument) > ARGUMENT_MAX_LENGTH:
                raise ValueError("arguments[%d] must be at most %d characters, got %d"
                                 % (index, ARGUMENT_MAX_LENGTH, len(argument)))
            if argument in arguments[:index]:
                raise ValueError("%r is listed twice (arguments[%d] and arguments[%d]); Astra Control takes distinct "
                                 "arguments only" % (argument, arguments.index(argument), index))
        return arguments

    @validates("matching_criteria")
    @classmethod
    def _criteria(cls, criteria):
        if criteria is None:
            return criteria
        if len(criteria) > CRITERIA_MAX:
            raise ValueError("at most %d criteria, got %d" % (CRITERIA_MAX, len(criteria)))
        seen = []
        for index, criterion in enumerate(criteria):
            key = (criterion.type, criterion.value)
            if key in seen:
                raise ValueError("the criterion %s %r is listed twice (entries %d and %d)"
                                 % (criterion.type, criterion.value, seen.index(key), index))
            seen.append(key)
        return criteria

    @validates_record
    def _stage_of_the_action(self):
        if self.action in POST_ONLY_ACTIONS and self.stage == "pre":
            raise ValueError("stage: %s hooks run after the operation only; use stage: post (Astra Control has no "
                             "pre-%s hooks)" % (self.action, self.action))
        return self

    def definition(self, source_id):
        """The user-controlled API fields in the shape hook_definition() returns (None: not compared)."""
        return {
            "action": self.action,
            "stage": self.stage,
            "hookSourceID": source_id,
            "arguments": list(self.arguments) if self.arguments is not None else None,
            "matchingCriteria": [entry.to_api() for entry in self.matching_criteria]
            if self.matching_criteria is not None else None,
            "enabled": api_bool(self.enabled),
            "description": self.description,
        }


def hook_definition(hook):
    """The user-controlled fields of an API execution hook (API names; enabled as 'true'/'false')."""
    return {
        "action": hook.get("action"),
        "stage": hook.get("stage"),
        "hookSourceID": hook.get("hookSourceID"),
        "arguments": list(hook.get("arguments") or []),
        "matchingCriteria": [{"type": entry.get("type"), "value": entry.get("value")}
                             for entry in hook.get("matchingCriteria") or []],
        "enabled": api_bool(is_true(hook.get("enabled", "true"))),
        "description": hook.get("description", ""),
    }


def criteria_options(criteria):
    """matchingCriteria (API) -> matching_criteria (options), sorted (their order does not matter)."""
    shaped = [{"type": CRITERIA_OPTIONS.get(entry.get("type"), entry.get("type")), "value": entry.get("value")}
              for entry in criteria or []]
    return sorted(shaped, key=lambda entry: (str(entry["type"]), str(entry["value"])))


def hook_diff_shape(source_names):
    """--diff of an execution hook in option shape; source_names: {hookSourceID: name} to show sources by name."""
    def shape(fields):
        fields = fields or {}
        result = {}
        for key, option in (("name", "name"), ("action", "action"), ("stage", "stage"), ("hookSourceID", "source"),
                            ("arguments", "arguments"), ("matchingCriteria", "matching_criteria"),
                            ("enabled", "enabled"), ("description", "description")):
            if key not in fields:
                continue
            value = fields[key]
            if key == "hookSourceID":
                value = source_names.get(value, value)
            elif key == "matchingCriteria":
                value = criteria_options(value)
            elif key == "enabled":
                value = is_true(value)
            result[option] = value
        return result
    return shape


# ---------------------------------------------------------------------- reading

def read_script_file(path):
    """(text, problem) of the script file at path: problem is None when it is an acceptable script."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(SCRIPT_MAX_BYTES + 1)
    except (IOError, OSError) as exc:
        return None, "cannot read the script file %s: %s" % (path, exc.strerror or exc)
    if len(data) > SCRIPT_MAX_BYTES:
        return None, "the script file %s must be at most 96 KiB (%d bytes)" % (path, SCRIPT_MAX_BYTES)
    problem = script_problem(data)
    if problem:
        return None, "the script file %s %s" % (path, problem)
    return data.decode("utf-8"), None


def hook_sources(lookups):
    """Every hook source of the account: one request."""
    return lookups.client.list(HOOK_SOURCES, operation="List hook sources")


def hook_source(sources, ref, option="source"):
    """The hook source that ref names (an ID or a name) among sources; fails naming the option when there is none."""
    matches = [item for item in sources if item.get("id") == ref] or [item for item in sources if item.get("name") == ref]
    if not matches:
        raise AstraValidationError(option, "no hook source named or identified by %r; hook sources: %s (create it with "
                                   "kubedr.astra.astra_hook_source)" % (ref, name_list(item.get("name") for item in sources)))
    if len(matches) > 1:
        raise AstraValidationError(option, "%d hook sources are named %r (IDs %s); give the ID instead"
                                   % (len(matches), ref, name_list(item.get("id") for item in matches)))
    return matches[0]


def hooks_using(lookups, source):
    """The execution hooks of the account whose hookSourceID is the source's, as 'name (app <app>)' strings; None when
    the hook list cannot be read because hooks are disabled (the API then refuses the delete itself, problem 72)."""
    try:
        users = lookups.find_by_fields(EXECUTION_HOOKS, [("hookSourceID", source["id"])], what="execution hooks")
    except AstraApiError as exc:
        if (exc.status, exc.problem) == (403, 168):
            return None
        raise
    if not users:
        return []
    app_names = dict((app.get("id"), app.get("name")) for app in lookups.apps())
    return sorted("%s (app %s)" % (hook.get("name"), app_names.get(hook.get("appID"), hook.get("appID"))) for hook in users)
