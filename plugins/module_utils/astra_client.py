# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP client for the Astra Control REST API: the only place in the collection that sends requests."""

import json
import random
import time
import traceback
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraApiError,
    AstraConnectionError,
    AstraError,
    AstraReadOnlyError,
    redact,
    sanitize_url,
)

try:
    import requests
    from requests.utils import get_environ_proxies
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

RETRYABLE_STATUSES = frozenset((429, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(("GET", "PUT", "DELETE"))
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 60.0
ERROR_BODY_LIMIT = 500


def astra_media_type(resource_type):
    """'appSnap' -> 'application/astra-appSnap+json' (the resource media type for Content-Type and Accept)."""
    return "application/astra-%s+json" % resource_type


def compute_verify(validate_certs, ca_path):
    """requests' verify value: False, a CA bundle path, or True (an empty ca_path counts as unset)."""
    if not validate_certs:
        return False
    if ca_path:
        return ca_path
    return True


class _AmbiguousPostFailure(Exception):
    """A POST whose outcome is unknown: it may or may not have created the resource."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error
        self.reason = getattr(error, "reason", None) or "HTTP %s" % getattr(error, "status", "?")


class AstraClient:
    """Session-based client bound to one account: <api_url>/accounts/<account_id>/.

    Paths given to the methods are relative to that base, e.g. 'k8s/v2/apps'.

    - verify and timeout are passed on every request, never left to the session
      (REQUESTS_CA_BUNDLE would otherwise override verify=True/False).
    - GET, PUT and DELETE are retried on transport errors and 429/502/503/504 with
      jittered exponential backoff, honouring Retry-After.
    - POST is never retried blindly: after an ambiguous failure the caller's
      find_existing() decides between adopting the resource and posting again.
    - read_only (check mode) turns every write into an internal error.
    """

    def __init__(self, api_url, account_id, api_token, validate_certs=True, ca_path=None, timeout=30, retries=4,
                 read_only=False, warn=None, sleep=None, jitter=None):
        if not HAS_REQUESTS:
            raise AstraError("The Python library requests is required to talk to the Astra Control API")
        # Userinfo in api_url would make requests replace the bearer token by Basic auth; Astra never uses it.
        self.base_url = "%s/accounts/%s/" % (sanitize_url(api_url).rstrip("/"), account_id.strip("/"))
        self.verify = compute_verify(validate_certs, ca_path)
        self.timeout = (timeout, timeout)
        self.retries = max(0, int(retries))
        self.read_only = read_only
        self._token = api_token
        self._warn = warn or (lambda message: None)
        self._sleep = sleep or time.sleep
        self._jitter = jitter or random.uniform
        self._session = requests.Session()
        # Environment settings (REQUESTS_CA_BUNDLE, .netrc credentials) must not override verify or the
        # Authorization header; proxies are still taken from the environment, explicitly, below.
        self._session.trust_env = False
        self._proxies = get_environ_proxies(self.base_url)
        self._session.headers.update({"Authorization": "Bearer %s" % api_token, "User-Agent": "kubedr.astra"})

    # ------------------------------------------------------------------ public API

    def url(self, path):
        # Only ever relative to the account: the token must not be sent anywhere else.
        return self.base_url + path.lstrip("/")

    def get(self, path, params=None, operation=None):
        """GET one resource or list page; returns the decoded JSON body."""
        return self._request("GET", path, params=params, operation=operation or "Read %s" % path)

    def get_or_none(self, path, operation=None):
        """GET one resource; None when the API answers 404."""
        try:
            return self.get(path, operation=operation)
        except AstraApiError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, path, params=None, operation=None):
        """GET a collection and return every item, following metadata.continue tokens."""
        operation = operation or "List %s" % path
        items = []
        seen_tokens = set()
        page_params = dict(params or {})
        while True:
            body = self._request("GET", path, params=page_params or None, operation=operation) or {}
            items.extend(body.get("items") or [])
            token = (body.get("metadata") or {}).get("continue")
            if not token:
                return items
            if token in seen_tokens:
                raise AstraError("%s failed: the API returned the same continue token twice (%s)" % (operation, path))
            seen_tokens.add(token)
            page_params["continue"] = token

    def post(self, path, body, resource_type, find_existing=None, operation=None):
        """POST a new resource and return it.

        find_existing: a callable returning the resource the POST would have
        created, or None. It is consulted only after an ambiguous failure
        (timeout, connection error, 5xx): a found resource is adopted, otherwise
        the POST is repeated (at most `retries` times). Without it, the failure
        is raised.
        """
        operation = operation or "Create %s" % resource_type
        attempt = 0
        while True:
            try:
                created = self._request("POST", path, json_body=body, resource_type=resource_type, operation=operation,
                                        ambiguous_post=True)
                return self._follow_location(created, path, operation)
            except _AmbiguousPostFailure as failure:
                if find_existing is None:
                    raise failure.error from None
                existing = find_existing()
                if existing:
                    self._warn("%s: outcome unknown (%s); adopted the %s that the request created (id %s) "
                               "instead of posting again" % (operation, failure.reason, resource_type, existing.get("id")))
                    return existing
                if attempt >= self.retries:
                    raise failure.error from None
                delay = self._backoff_delay(attempt)
                attempt += 1
                self._warn("%s: outcome unknown (%s) and no %s was created; posting again in %.1f s "
                           "(retry %d of %d)" % (operation, failure.reason, resource_type, delay, attempt, self.retries))
                self._sleep(delay)

    def put(self, path, body, resource_type, headers=None, operation=None):
        """PUT (replace) a resource; returns the body when the API sends one (usually 204: None)."""
        return self._request("PUT", path, json_body=body, resource_type=resource_type, headers=headers,
                             operation=operation or "Update %s" % path)

    def delete(self, path, operation=None, missing_ok=True):
        """DELETE a resource. Returns False when it was already gone (404) and missing_ok, else True."""
        try:
            self._request("DELETE", path, operation=operation or "Delete %s" % path)
        except AstraApiError as exc:
            if missing_ok and exc.status == 404:
                return False
            raise
        return True

    # ------------------------------------------------------------------ internals

    def _follow_location(self, created, collection, operation):
        """The created resource: the POST body, else a GET of the ID that ends the Location header."""
        if created.body:
            return created.body
        if created.location:
            resource_id = created.location.rstrip("/").rsplit("/", 1)[-1]
            return self.get("%s/%s" % (collection, resource_id), operation=operation)
        return {}

    def _request(self, method, path, params=None, json_body=None, resource_type=None, headers=None, operation=None,
                 ambiguous_post=False):
        url = self.url(path)
        if self.read_only and method in WRITE_METHODS:
            raise AstraReadOnlyError(method, url)
        request_headers = {"Accept": "*/*"}
        data = None
        if resource_type:
            request_headers["Accept"] = request_headers["Content-Type"] = astra_media_type(resource_type)
        if json_body is not None:
            data = json.dumps(json_body)
            request_headers.setdefault("Content-Type", "application/json")
        request_headers.update(headers or {})
        retryable = method in IDEMPOTENT_METHODS
        display_url = self._display_url(url, params)
        attempt = 0
        while True:
            try:
                response = self._session.request(method, url, params=params, data=data, headers=request_headers,
                                                 verify=self.verify, timeout=self.timeout, proxies=self._proxies,
                                                 allow_redirects=False)
            except requests.exceptions.SSLError as exc:
                # Not transient and nothing was sent: retrying cannot help.
                raise AstraConnectionError(operation, method, display_url, "%s; check ca_path and validate_certs"
                                           % self._describe_exception(exc)) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = AstraConnectionError(operation, method, display_url, self._describe_exception(exc))
                if ambiguous_post:
                    raise _AmbiguousPostFailure(error) from None
                if retryable and attempt < self.retries:
                    attempt = self._wait_before_retry(method, display_url, attempt, error.reason, None)
                    continue
                raise error from None
            except requests.RequestException as exc:
                raise AstraConnectionError(operation, method, display_url, self._describe_exception(exc)) from None

            status = response.status_code
            if 300 <= status < 400:
                # Redirects are not followed: requests would drop the token on another host and turn a POST into a GET.
                raise AstraError("%s failed: the API answered HTTP %d, a redirect to %s; set api_url to the address the "
                                 "API is served at (%s %s)" % (operation, status, sanitize_url(response.headers.get("Location")),
                                                               method, display_url))
            if status < 400:
                return self._decode_success(response, method, display_url, operation)
            error = self._api_error(response, operation, method, display_url)
            if ambiguous_post and status >= 500:
                raise _AmbiguousPostFailure(error)
            # A 429 means the request was not processed, so repeating it is safe for POST too.
            if status in RETRYABLE_STATUSES and (retryable or status == 429) and attempt < self.retries:
                attempt = self._wait_before_retry(method, display_url, attempt, "HTTP %d" % status,
                                                  response.headers.get("Retry-After"))
                continue
            raise error

    def _wait_before_retry(self, method, display_url, attempt, reason, retry_after):
        delay = self._backoff_delay(attempt)
        server_delay = self._parse_retry_after(retry_after)
        if server_delay is not None:
            delay = server_delay
        attempt += 1
        self._warn("%s %s failed (%s); retry %d of %d in %.1f s" % (method, display_url, reason, attempt, self.retries, delay))
        self._sleep(delay)
        return attempt

    def _backoff_delay(self, attempt):
        """Exponential backoff with 'equal jitter': between half and all of min(cap, base * 2**attempt).

        Each attempt's range starts where the previous one ended, so delays grow until the cap.
        """
        ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))
        return ceiling / 2 + self._jitter(0, ceiling / 2)

    @staticmethod
    def _parse_retry_after(value):
        if value is None:
            return None
        value = str(value).strip()
        try:
            seconds = float(value)
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is None:
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            seconds = (when - datetime.now(timezone.utc)).total_seconds()
        return min(max(seconds, 0.0), RETRY_AFTER_CAP)

    def _decode_success(self, response, method, display_url, operation):
        body = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                raise AstraError("%s failed: the API returned a response that is not JSON (HTTP %d; %s %s)"
                                 % (operation, response.status_code, method, display_url)) from None
        if method == "POST":
            return _Created(body, response.headers.get("Location"))
        return body

    def _api_error(self, response, operation, method, display_url):
        problem = None
        text = None
        try:
            problem = response.json()
        except ValueError:
            text = redact((response.text or "")[:ERROR_BODY_LIMIT], [self._token]) or response.reason
        if isinstance(problem, dict):
            problem = json.loads(redact(json.dumps(problem), [self._token]))
        elif problem is not None:
            text = redact(str(problem)[:ERROR_BODY_LIMIT], [self._token])
            problem = None
        return AstraApiError(operation, method, display_url, response.status_code, problem=problem, body_text=text)

    def _display_url(self, url, params):
        if params:
            url += "?" + "&".join("%s=%s" % (key, value) for key, value in params.items())
        return redact(sanitize_url(url), [self._token])

    def _describe_exception(self, exc):
        return redact("%s: %s" % (type(exc).__name__, exc), [self._token])


class _Created:
    """The raw outcome of a POST: the body (if any) and the Location header."""

    def __init__(self, body, location):
        self.body = body
        self.location = location
