# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AstraModule: the base of every kubedr.astra module.

It owns the connection options, dependency checks, the client, check mode,
--diff output, the single resource-named return key and error reporting, plus
a declarative ensure-present/absent for resources that live in one collection.
"""

import datetime
import json
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback

from ansible_collections.kubedr.astra.plugins.module_utils.actoolkit_config import name_sources, resolve_connection
from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import (
    DEFAULT_RETRY_TIMEOUT,
    AstraClient,
    ca_file_is_empty,
)
from ansible_collections.kubedr.astra.plugins.module_utils.connection import (
    VALIDATE_CERTS_OFF_WARNING,
    ca_path_problems,
    check_connection_options,
)
from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraError,
    AstraValidationError,
    redact,
    summarize_state_details,
)
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import CHECK_MODE_ID, Lookups, is_check_mode_id
from ansible_collections.kubedr.astra.plugins.module_utils.waiter import Waiter

__all__ = ["CHECK_MODE_ID", "is_check_mode_id", "AstraModule", "ResourceKind", "astra_argument_spec", "wait_argument_spec",
           "compare", "normalise"]


def astra_argument_spec():
    """The connection options every module accepts (documented in the kubedr.astra.connection fragment).

    api_url, account_id and api_token are required, but may come from actoolkit_config, so AstraModule checks them
    after reading it; validate_certs has no default here for the same reason (it is true unless something sets it).
    """
    return dict(
        api_url=dict(type="str", fallback=(env_fallback, ["ASTRA_API_URL"])),
        account_id=dict(type="str", fallback=(env_fallback, ["ASTRA_ACCOUNT_ID"])),
        api_token=dict(type="str", no_log=True, fallback=(env_fallback, ["ASTRA_API_TOKEN"])),
        actoolkit_config=dict(type="path", fallback=(env_fallback, ["ASTRA_ACTOOLKIT_CONFIG"])),
        validate_certs=dict(type="bool", fallback=(env_fallback, ["ASTRA_VALIDATE_CERTS"])),
        ca_path=dict(type="path", fallback=(env_fallback, ["ASTRA_CA_PATH"])),
        timeout=dict(type="int", default=30, fallback=(env_fallback, ["ASTRA_TIMEOUT"])),
        retry_timeout=dict(type="int", default=DEFAULT_RETRY_TIMEOUT, fallback=(env_fallback, ["ASTRA_RETRY_TIMEOUT"])),
    )


def app_argument_spec():
    """The application a module acts on (documented in the kubedr.astra.app fragment)."""
    return dict(
        app=dict(type="str", required=True),
        cluster=dict(type="str"),
    )


def wait_argument_spec(wait_timeout=600):
    """The wait options (documented in the kubedr.astra.wait fragment)."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=wait_timeout),
    )


# ---------------------------------------------------------------------- time

def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso_time(moment):
    """ISO 8601 in UTC with milliseconds and a Z, the form the API uses: 2025-01-31T09:30:00.123Z."""
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


# ---------------------------------------------------------------------- comparison

def _sort_key(value):
    return json.dumps(value, sort_keys=True, default=str)


def normalise(value, ordered=False):
    """Comparable form: dicts without None values, lists as sorted multisets (unless ordered)."""
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        items = [normalise(item) for item in value]
        return items if ordered else sorted(items, key=_sort_key)
    return value


def compare(want, have, ordered=()):
    """Differences between the user-supplied keys of want and have.

    Keys whose wanted value is None are ignored (the user did not set them).
    Dicts are compared key by key, lists as multisets except for keys in
    `ordered`. Returns (before, after) holding only the differing keys; both
    are empty when nothing differs.
    """
    before, after = {}, {}
    have = have or {}
    for key, value in want.items():
        if value is None:
            continue
        current = have.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            nested_before, nested_after = compare(value, current, ordered)
            if nested_before or nested_after:
                before[key], after[key] = nested_before, nested_after
        elif normalise(value, key in ordered) != normalise(current, key in ordered):
            before[key], after[key] = current, value
    return before, after


def option_shape(fields, names):
    """API fields (an API object, or the part of one compare() returned) under the module's option names, for --diff.

    names: (API key, option name) or (API key, option name, function of the value) tuples, in the order the diff
    lists them. Keys without an entry are left out, so a whole API object shows only what the user controls.
    """
    fields = fields or {}
    shape = {}
    for entry in names:
        key, option = entry[0], entry[1]
        if key in fields:
            shape[option] = entry[2](fields[key]) if len(entry) > 2 else fields[key]
    return shape


# ---------------------------------------------------------------------- declarative resource description

class ResourceKind:
    """What ensure_present/ensure_absent need to know about one kind of API resource.

    name: the word used in messages ('app'); media_type: the resource type
    ('app' for application/astra-app); version: the body version sent;
    collection: the path of the collection ('k8s/v2/apps'); definition: a
    function returning the user-controlled fields of an API object, normalised
    the same way the module builds its desired fields; ordered: fields whose
    list order matters; transitional_states: states that settle on their own,
    worth waiting for on an unchanged run (None: every state that is neither
    ready nor failed); strict_hint: when set, an existing resource that is
    neither ready nor settling (failed, removed, deleting, ...) fails an
    ensure_present run with its state details and this advice, instead of a
    warning (for resources that cannot be repaired in place, like snapshots).
    shared_collection: where the waits of a batch list these resources together
    when it is not `collection` (an app's backups: the account's).
    """

    def __init__(self, name, media_type, version, collection, definition, ready_states=("ready",),
                 failure_states=("failed",), ordered=(), transitional_states=None, strict_hint=None,
                 shared_collection=None):
        self.strict_hint = strict_hint
        self.shared_collection = shared_collection
        self.name = name
        self.media_type = media_type
        self.version = version
        self.collection = collection
        self.definition = definition
        self.ready_states = tuple(ready_states)
        self.failure_states = tuple(failure_states)
        self.ordered = tuple(ordered)
        self.transitional_states = tuple(transitional_states) if transitional_states is not None else None

    def is_settling(self, state):
        if self.transitional_states is None:
            return state not in self.ready_states + self.failure_states
        return state in self.transitional_states

    def item_path(self, resource_id):
        return "%s/%s" % (self.collection, resource_id)

    def body(self, fields):
        body = {"type": "application/astra-%s" % self.media_type, "version": self.version}
        body.update(fields)
        return body

    def describe(self, name):
        return "%s %r" % (self.name, name)


# ---------------------------------------------------------------------- the module base class

class AstraModule(AnsibleModule):
    """AnsibleModule with the Astra connection options, a client, lookups and a waiter.

    resource_key: the one return key holding the resource ('app', 'snapshot',
    ...); None for _info modules, which return their own plural key.
    diff_shape: a function turning the before and after of the --diff output
    from API fields into the module's option names (see option_shape()); None
    when the module builds its diff in option shape itself.
    """

    def __init__(self, argument_spec=None, resource_key=None, diff_shape=None, **kwargs):
        self._started_at = utc_now()
        spec = astra_argument_spec()
        spec.update(argument_spec or {})
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, **kwargs)
        self.resource_key = resource_key
        self.diff_shape = diff_shape
        try:
            self._check_common_options()
        except AstraValidationError as exc:
            self.fail_json(**exc.fail_kwargs())
        params = self.params
        try:
            self.client = AstraClient(
                api_url=params["api_url"],
                account_id=params["account_id"],
                api_token=params["api_token"],
                validate_certs=params["validate_certs"],
                ca_path=params["ca_path"] or None,
                timeout=params["timeout"],
                retry_timeout=params["retry_timeout"],
                read_only=self.check_mode,
                warn=self.warn,
            )
        except AstraError as exc:
            self.fail_json(**exc.fail_kwargs())
        if not params["validate_certs"]:
            self.warn(VALIDATE_CERTS_OFF_WARNING)
        self.lookups = Lookups(self.client)
        self.waiter = Waiter(self.client)

    def _read_actoolkit_config(self):
        """Fill the connection options nobody set from actoolkit's config.yaml (actoolkit_config); validate_certs
        defaults to true here. The token read from the file joins the values ansible-core masks in every result."""
        names = list(astra_argument_spec())
        connection, sources, warnings = resolve_connection({name: self.params.get(name) for name in names})
        if connection.get("api_token"):
            self.no_log_values.add(connection["api_token"])
        for warning in warnings:
            self.warn(warning)
        self.params.update(connection)
        self._connection_sources = sources

    def _check_common_options(self):
        self._read_actoolkit_config()
        params = self.params
        violations = name_sources(check_connection_options(params), self._connection_sources)
        ca_path = params["ca_path"]
        ca_problems = ca_path_problems(params)
        violations.extend(ca_problems)
        if not ca_problems and ca_path and ca_file_is_empty(ca_path):
            # AWX writes the file of a blank optional CA field: that means "no CA given".
            params["ca_path"] = None
        if params.get("wait_timeout") is not None and params["wait_timeout"] < 1:
            violations.append(("wait_timeout", "must be at least 1 (seconds)"))
        if violations:
            raise AstraValidationError(violations=violations)

    # ------------------------------------------------------------ running and reporting

    def run(self, action):
        """Call action(self) and exit with the dict it returns; AstraError becomes fail_json."""
        try:
            result = action(self)
        except AstraError as exc:
            self.fail_from_error(exc)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            secrets = [self.params.get("api_token")]
            self.fail_json(msg=redact("Unexpected error: %s: %s" % (type(exc).__name__, exc), secrets),
                           exception=redact(traceback.format_exc(), secrets))
        else:
            self.exit_json(**result)

    def timing(self):
        """When this module run started and ends (controller clock, UTC): what runbook reports record as a step; and
        when the API accepted its last write, if it made one (a failover's RPO is measured to that moment)."""
        started = getattr(self, "_started_at", None) or utc_now()
        timing = {"started": iso_time(started), "finished": iso_time(utc_now())}
        accepted = getattr(getattr(self, "client", None), "last_write_accepted", None)
        if accepted is not None:
            timing["accepted"] = iso_time(accepted)
        return timing

    def fail_json(self, msg, **kwargs):
        kwargs.setdefault("timing", self.timing())
        super().fail_json(msg=self._all_validation_errors(msg), **kwargs)

    def _all_validation_errors(self, msg):
        """ansible-core reports only the first argument-spec error, which may not name the option
        ('dictionary requested, could not parse JSON or key=value'); report every one."""
        result = getattr(self, "validation_result", None)
        found = list(result.error_messages) if result is not None and not hasattr(self, "client") else []
        if len(found) < 2 or msg != found[0]:
            return msg
        return "; ".join(text for index, text in enumerate(found) if text not in found[:index])

    def fail_from_error(self, error):
        kwargs = error.fail_kwargs()
        if error.resource is not None and self.resource_key:
            kwargs[self.resource_key] = error.resource
        self.fail_json(**kwargs)

    def exit_json(self, **kwargs):
        """exit_json that understands three extra keywords.

        resource: returned under the module's resource key ({} when None);
        before/after: returned as diff {before, after} when --diff is on, in
        option shape (through diff_shape when the module has one).
        """
        before = kwargs.pop("before", None)
        after = kwargs.pop("after", None)
        if "resource" in kwargs:
            resource = kwargs.pop("resource")
            if self.resource_key:
                kwargs[self.resource_key] = resource if resource is not None else {}
        if self._diff and (before is not None or after is not None):
            before, after = before or {}, after or {}
            diff_shape = getattr(self, "diff_shape", None)
            if diff_shape is not None:
                before, after = diff_shape(before), diff_shape(after)
            kwargs["diff"] = {"before": before, "after": after}
        kwargs.setdefault("timing", self.timing())
        super().exit_json(**kwargs)

    # ------------------------------------------------------------ waiting

    @property
    def wants_wait(self):
        """Whether to wait: the wait option, and never in check mode."""
        return bool(self.params.get("wait")) and not self.check_mode

    def wait_until_ready(self, kind, resource_id, name):
        return self.waiter.until_state(kind.item_path(resource_id), kind.ready_states, kind.failure_states,
                                       timeout=self.params["wait_timeout"], description=kind.describe(name),
                                       shared_collection=kind.shared_collection)

    # ------------------------------------------------------------ ensure present / absent

    def ensure_present(self, kind, current, desired, create_fields, find_existing=None, update_fields=None,
                       predicted_fields=None):
        """Create, update or keep one resource so its user-controlled fields equal `desired`.

        current: the API object or None; desired: user-controlled fields in the
        shape kind.definition() returns; create_fields: the POST body fields
        (without type/version); find_existing: lookup used by the client after
        an ambiguous POST failure; update_fields(current): the full PUT body
        fields (default: current name and definition overlaid with desired);
        predicted_fields: read-only fields added to a check-mode prediction of a create.
        Returns the keywords for exit_json: changed, resource, before, after, elapsed.
        """
        name = create_fields.get("name") if current is None else current.get("name")
        if current is None:
            body = kind.body(create_fields)
            if self.check_mode:
                predicted = dict(body, id=CHECK_MODE_ID)
                predicted.update(predicted_fields or {})
                return dict(changed=True, resource=predicted, before={}, after=predicted, elapsed=0.0)
            created = self.client.post(kind.collection, body, kind.media_type, find_existing=find_existing,
                                       operation="Create %s" % kind.describe(name))
            resource, elapsed = created, 0.0
            if self.wants_wait:
                resource, elapsed = self.wait_until_ready(kind, created["id"], name)
            return dict(changed=True, resource=resource, before={}, after=resource, elapsed=round(elapsed, 1))

        before, after = compare(desired, kind.definition(current), kind.ordered)
        if after or before:
            if self.check_mode:
                predicted = dict(current)
                predicted.update((key, value) for key, value in desired.items() if value is not None)
                return dict(changed=True, resource=predicted, before=before, after=after, elapsed=0.0)
            if update_fields is not None:
                fields = update_fields(current)
            else:
                fields = {"name": current.get("name")}
                fields.update(kind.definition(current))
                fields.update((key, value) for key, value in desired.items() if value is not None)
            path = kind.item_path(current["id"])
            self.client.put(path, kind.body(fields), kind.media_type, operation="Update %s" % kind.describe(name))
            if self.wants_wait:
                resource, elapsed = self.wait_until_ready(kind, current["id"], name)
            else:
                resource, elapsed = self.client.get(path, operation="Read %s" % kind.describe(name)), 0.0
            return dict(changed=True, resource=resource, before=before, after=after, elapsed=round(elapsed, 1))

        resource, elapsed = current, 0.0
        state = current.get("state")
        if kind.is_settling(state):
            if self.wants_wait:
                # Still settling, e.g. after an earlier run with wait: false; waiting changes nothing.
                resource, elapsed = self.wait_until_ready(kind, current["id"], name)
        elif state not in kind.ready_states:
            details = "; ".join(summarize_state_details(current.get("stateDetails"))
                                + summarize_state_details(current.get("stateUnready"))) or "no state details"
            if kind.strict_hint:
                raise AstraError("%s is in state %s (%s); %s" % (kind.describe(name), state, details, kind.strict_hint),
                                 resource=current)
            self.warn("%s is in state %s (%s)" % (kind.describe(name), state, details))
        return dict(changed=False, resource=resource, before={}, after={}, elapsed=round(elapsed, 1))

    def ensure_absent(self, kind, current):
        """Delete the resource if it exists and (with wait) until the API answers 404.

        Returns the keywords for exit_json; the resource after a delete is {}.
        """
        if current is None:
            return dict(changed=False, resource={}, before={}, after={}, elapsed=0.0)
        name = current.get("name")
        path = kind.item_path(current["id"])
        if current.get("state") == "deleting":
            # An earlier request (e.g. with wait: false) is already removing it: nothing to send, maybe something to wait for.
            elapsed = 0.0
            if self.wants_wait:
                _gone, elapsed = self.waiter.until_gone(path, timeout=self.params["wait_timeout"], description=kind.describe(name),
                                                        shared_collection=kind.shared_collection)
            return dict(changed=False, resource={}, before={}, after={}, elapsed=round(elapsed, 1))
        if self.check_mode:
            return dict(changed=True, resource={}, before=current, after={}, elapsed=0.0)
        self.client.delete(path, operation="Delete %s" % kind.describe(name))
        elapsed = 0.0
        if self.wants_wait:
            _gone, elapsed = self.waiter.until_gone(path, timeout=self.params["wait_timeout"], description=kind.describe(name),
                                                    shared_collection=kind.shared_collection)
        return dict(changed=True, resource={}, before=current, after={}, elapsed=round(elapsed, 1))

    # ------------------------------------------------------------ a whole collection as desired state

    def ensure_collection(self, kind, list_items, desired, definition, fields, key="name"):
        """Make the items of one collection exactly `desired`, matched by `key`.

        kind: the ResourceKind of the items; list_items(): the API items this
        call owns (the caller leaves out the ones it must not touch), called
        once before and, after a change, once after the writes; desired: the
        wanted items in option shape (dicts holding `key`; None values are not
        compared); definition(item): an API item in option shape; fields(shape):
        the API body fields (without type/version) for a POST, or the full PUT
        body of an existing item's shape overlaid with the desired values.

        Deletes come first (a replacement never collides with what it
        replaces), then updates (PUT), then creates (POST). Returns the keywords
        for exit_json: changed, items (API objects after the change, predicted
        in check mode), before and after (option-shaped lists sorted by key),
        and the counts created/updated/deleted.
        """
        current = list_items()
        by_key, surplus = {}, []
        for item in current:
            item_key = definition(item).get(key)
            if item_key in by_key:
                surplus.append(item)
            else:
                by_key[item_key] = item
        wanted_keys = set(entry[key] for entry in desired)
        deletes = [item for item_key, item in by_key.items() if item_key not in wanted_keys] + surplus
        updates, creates, predicted = [], [], []
        after = []
        for entry in desired:
            item = by_key.get(entry[key])
            if item is None:
                shape = {name: value for name, value in entry.items() if value is not None}
                creates.append(shape)
                predicted.append(kind.body(dict(fields(shape), id=CHECK_MODE_ID)))
                after.append(shape)
                continue
            shape = definition(item)
            merged = dict(shape)
            merged.update({name: value for name, value in entry.items() if value is not None})
            changed_before, changed_after = compare(entry, shape)
            if changed_before or changed_after:
                updates.append((item, merged))
                predicted.append(dict(item, **fields(merged)))
            else:
                predicted.append(item)
            after.append(merged)

        def sort(shapes):
            return sorted(shapes, key=lambda shape: str(shape.get(key)))

        result = dict(changed=bool(deletes or updates or creates), before=sort(definition(item) for item in current),
                      after=sort(after), created=len(creates), updated=len(updates), deleted=len(deletes))
        if not result["changed"] or self.check_mode:
            result["items"] = predicted
            return result
        for item in deletes:
            self.client.delete(kind.item_path(item["id"]), operation="Delete %s" % kind.describe(item.get(key)))
        for item, merged in updates:
            self.client.put(kind.item_path(item["id"]), kind.body(fields(merged)), kind.media_type,
                            operation="Update %s" % kind.describe(merged.get(key)))
        for shape in creates:
            def find_existing(wanted=shape[key]):
                return next((item for item in list_items() if definition(item).get(key) == wanted), None)
            self.client.post(kind.collection, kind.body(fields(shape)), kind.media_type, find_existing=find_existing,
                             operation="Create %s" % kind.describe(shape.get(key)))
        result["items"] = list_items()
        return result
