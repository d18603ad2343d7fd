# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Exceptions of the kubedr.astra collection.

Every error a module can report derives from AstraError and renders itself
for AnsibleModule.fail_json() through fail_kwargs(). None of them ever holds
request headers or the API token.
"""

import re
from urllib.parse import urlsplit, urlunsplit

PROBLEM_TYPE_PATTERN = re.compile(r"/problems/(\d+)/?$")
DETAIL_TEXT_LIMIT = 500
# RFC 7807 members and the Astra extensions rendered on their own; other text members (such as a `reason` with the
# specifics of one occurrence, while `detail` is the fixed text of the problem type) are quoted after the detail.
KNOWN_PROBLEM_MEMBERS = frozenset(("type", "title", "detail", "status", "instance", "correlationID", "invalidFields",
                                   "invalidParams"))


def sanitize_url(url):
    """Return url without userinfo (user:password@), the only place a URL could carry a credential."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = "%s:%s" % (host, parts.port)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def redact(text, secrets):
    """Replace every occurrence of each secret in text by a placeholder."""
    if text is None:
        return None
    text = str(text)
    for secret in secrets or ():
        if secret:
            text = text.replace(secret, "********")
    return text


def summarize_state_details(details):
    """One line per stateDetails/stateUnready entry: 'title: detail' or the plain string."""
    lines = []
    for entry in details or ():
        if isinstance(entry, dict):
            title = entry.get("title") or entry.get("type") or ""
            detail = entry.get("detail") or ""
            lines.append("%s: %s" % (title, detail) if title and detail else (title or detail))
        elif entry:
            lines.append(str(entry))
    return [line for line in lines if line]


class AstraError(Exception):
    """Base of every error this collection reports.

    resource: the API object the failure concerns, when there is one; the
    module base class returns it under the module's resource key.
    """

    def __init__(self, message, resource=None, **details):
        super().__init__(message)
        self.message = message
        self.resource = resource
        self.details = {key: value for key, value in details.items() if value is not None}

    def __str__(self):
        return self.message

    def add_note(self, note):
        """Append a clause to the message (for example how often the request was tried)."""
        self.message = "%s; %s" % (self.message, note)
        self.args = (self.message,)

    def fail_kwargs(self):
        """Keyword arguments for AnsibleModule.fail_json()."""
        kwargs = dict(self.details)
        kwargs["msg"] = self.message
        return kwargs


class AstraApiError(AstraError):
    """The API answered with an error status (usually an RFC 7807 problem body)."""

    def __init__(self, operation, method, url, status, problem=None, body_text=None):
        self.operation = operation
        self.method = method
        self.url = sanitize_url(url)
        self.status = int(status)
        problem = problem if isinstance(problem, dict) else {}
        self.problem_body = problem
        self.problem = self._problem_number(problem.get("type"))
        self.title = problem.get("title")
        self.detail = problem.get("detail")
        if not self.title and not self.detail and body_text:
            self.detail = body_text[:DETAIL_TEXT_LIMIT]
        self.correlation_id = problem.get("correlationID")
        self.invalid_fields = problem.get("invalidFields")
        self.invalid_params = problem.get("invalidParams")
        self.extra = [str(value) for key, value in sorted(problem.items())
                      if key not in KNOWN_PROBLEM_MEMBERS and isinstance(value, (str, int, float)) and str(value).strip()]
        super().__init__(self._render())

    @staticmethod
    def _problem_number(problem_type):
        match = PROBLEM_TYPE_PATTERN.search(problem_type or "")
        return int(match.group(1)) if match else None

    def _render(self):
        summary = " - ".join(part for part in (self.title, self.detail) if part) or "no problem details"
        if self.extra:
            summary += " (%s)" % "; ".join(text[:DETAIL_TEXT_LIMIT] for text in self.extra)
        context = ["HTTP %d" % self.status]
        if self.problem is not None:
            context.append("problem %d" % self.problem)
        if self.correlation_id:
            context.append("correlationID %s" % self.correlation_id)
        message = "%s failed: %s (%s; %s %s)" % (self.operation, summary, ", ".join(context), self.method, self.url)
        for label, entries in (("invalid fields", self.invalid_fields), ("invalid parameters", self.invalid_params)):
            if entries:
                message += "; %s: %s" % (label, ", ".join(self._name_reason(entry) for entry in entries))
        return message

    @staticmethod
    def _name_reason(entry):
        if isinstance(entry, dict):
            return "%s (%s)" % (entry.get("name"), entry.get("reason")) if entry.get("reason") else str(entry.get("name"))
        return str(entry)

    def fail_kwargs(self):
        kwargs = super().fail_kwargs()
        kwargs["status"] = self.status
        problem = dict(self.problem_body)
        problem["number"] = self.problem
        kwargs["problem"] = problem
        kwargs["request"] = {"method": self.method, "url": self.url}
        return kwargs


class AstraConnectionError(AstraError):
    """No usable HTTP response: DNS, TCP, TLS or timeout failures."""

    def __init__(self, operation, method, url, reason):
        self.operation = operation
        self.method = method
        self.url = sanitize_url(url)
        self.reason = reason
        super().__init__("%s failed: cannot reach the Astra Control API (%s; %s %s)" % (operation, reason, method, self.url))

    def fail_kwargs(self):
        kwargs = super().fail_kwargs()
        kwargs["request"] = {"method": self.method, "url": self.url}
        return kwargs


class AstraValidationError(AstraError):
    """Input that breaks a rule, found before (or instead of) a change.

    Carries one or more violations, each naming the option path and the rule,
    so a user sees every problem of one task at once.
    """

    def __init__(self, option=None, message=None, violations=None):
        self.violations = list(violations or [])
        if option is not None or message is not None:
            self.violations.insert(0, (option, message))
        rendered = "; ".join("%s: %s" % (opt, msg) if opt else str(msg) for opt, msg in self.violations)
        prefix = "Invalid input" if len(self.violations) < 2 else "Invalid input (%d problems)" % len(self.violations)
        super().__init__("%s: %s" % (prefix, rendered))

    @property
    def options(self):
        return [option for option, _message in self.violations]

    def fail_kwargs(self):
        kwargs = super().fail_kwargs()
        kwargs["invalid_options"] = [{"option": option, "message": message} for option, message in self.violations]
        return kwargs


class AstraWaitError(AstraError):
    """A wait ended without reaching the target: a failure state or the timeout."""

    # Resources with a health and a transfer state of their own (app mirrors) report them too.
    EXTRA_STATES = (("healthState", "healthStateDetails", "health_state"), ("transferState", "transferStateDetails", "transfer_state"))

    def __init__(self, description, target, reason, resource, elapsed, timeout, cause=None):
        self.description = description
        self.target = target
        self.reason = reason
        self.cause = cause
        self.elapsed = round(elapsed, 1)
        self.timeout = timeout
        resource = resource if isinstance(resource, dict) else None
        self.state = (resource or {}).get("state")
        self.state_details = (resource or {}).get("stateDetails") or []
        self.state_unready = (resource or {}).get("stateUnready") or []
        self.extra_states = {}
        for state_field, details_field, key in self.EXTRA_STATES:
            if resource and state_field in resource:
                self.extra_states[key] = resource.get(state_field)
                self.extra_states[key + "_details"] = resource.get(details_field) or []
        if reason == "timeout":
            head = "Timed out after %s s (wait_timeout %s) waiting for %s to become %s" % (self.elapsed, timeout, description, target)
        elif reason == "gone":
            head = "%s disappeared (HTTP 404) after %s s while waiting for %s" % (description, self.elapsed, target)
        elif cause:
            head = "%s failed after %s s while waiting for %s: %s" % (description, self.elapsed, target, cause)
        else:
            head = "%s ended in state %s after %s s while waiting for %s" % (description, self.state, self.elapsed, target)
        tail = ["last state: %s" % (self.state if self.state is not None else "unknown")]
        details = summarize_state_details(self.state_details)
        unready = summarize_state_details(self.state_unready)
        if details:
            tail.append("stateDetails: %s" % "; ".join(details))
        if unready:
            tail.append("stateUnready: %s" % "; ".join(unready))
        for state_field, details_field, _key in self.EXTRA_STATES:
            if resource and resource.get(state_field) is not None:
                extra = summarize_state_details(resource.get(details_field))
                tail.append("%s: %s%s" % (state_field, resource[state_field], " (%s)" % "; ".join(extra) if extra else ""))
        super().__init__("%s (%s)" % (head, "; ".join(tail)), resource=resource)

    def fail_kwargs(self):
        kwargs = super().fail_kwargs()
        kwargs.update(
            elapsed=self.elapsed,
            wait_timeout=self.timeout,
            state=self.state,
            state_details=self.state_details,
            state_unready=self.state_unready,
        )
        kwargs.update(self.extra_states)
        return kwargs


class AstraReadOnlyError(AstraError):
    """Internal safety net: a write was attempted through a read-only (check mode) client."""

    def __init__(self, method, url):
        super().__init__(
            "Internal error: refused %s %s because the client is read-only (check mode must never write). "
            "Please report this as a bug in kubedr.astra." % (method, sanitize_url(url))
        )
