# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP client for the Astra Control REST API: the only place in the collection that sends requests (through
transport.HttpTransport, on the standard library)."""

import http.client
import json
import os
import random
import socket
import ssl
import time
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone
from urllib.parse import unquote, urlencode, urlsplit

from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraApiError,
    AstraConnectionError,
    AstraError,
    AstraReadOnlyError,
    AstraValidationError,
    redact,
    sanitize_url,
)
from ansible_collections.kubedr.astra.plugins.module_utils.transport import HttpTransport, environment_proxy

RETRYABLE_STATUSES = frozenset((429, 502, 503, 504))
# A GET changes nothing, so a 500 is worth another try too; a PUT or DELETE answered 500 may have been applied.
RETRYABLE_GET_STATUSES = RETRYABLE_STATUSES | frozenset((500,))
IDEMPOTENT_METHODS = frozenset(("GET", "PUT", "DELETE"))
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
BACKOFF_BASE = 0.5
BACKOFF_CAP = 10.0
RETRY_AFTER_CAP = 60.0
DEFAULT_RETRY_TIMEOUT = 60
ERROR_BODY_LIMIT = 500
TLS_PROBE_TIMEOUT = 3.0


def astra_media_type(resource_type):
    """'appSnap' -> 'application/astra-appSnap+json' (the resource media type for Content-Type and Accept)."""
    return "application/astra-%s+json" % resource_type


def ca_file_is_empty(ca_path):
    """True when ca_path names a file holding nothing but white space.

    AWX writes the file of an optional credential field even when the field was left blank: such a file means
    "no CA given", not "trust nothing".
    """
    try:
        if not os.path.isfile(ca_path) or os.path.getsize(ca_path) > 65536:
            return False
        with open(ca_path, "rb") as handle:
            return not handle.read().strip()
    except OSError:
        return False


def compute_verify(validate_certs, ca_path):
    """What verifies the server: False (nothing), a CA bundle path, or True (the system trust store).

    An empty ca_path, or one naming an empty or blank file, counts as unset.
    """
    if not validate_certs:
        return False
    if ca_path and not ca_file_is_empty(ca_path):
        return ca_path
    return True


def system_trust_store():
    """Where OpenSSL on this machine finds its trusted CAs, as (cafile, capath), each None when absent.

    SSL_CERT_FILE and SSL_CERT_DIR win when set; otherwise OpenSSL's defaults (Debian and Ubuntu:
    /etc/ssl/certs; RHEL and UBI execution environments: /etc/pki/tls/certs/ca-bundle.crt), which is where
    update-ca-certificates or update-ca-trust put a corporate CA.
    """
    paths = ssl.get_default_verify_paths()
    cafile = os.environ.get(paths.openssl_cafile_env) or paths.cafile or paths.openssl_cafile
    capath = os.environ.get(paths.openssl_capath_env) or paths.capath or paths.openssl_capath
    return (cafile if cafile and os.path.isfile(cafile) else None,
            capath if capath and os.path.isdir(capath) else None)


def describe_trust(verify):
    """The trust store a verify value means, in words for error messages."""
    if verify is True:
        cafile, capath = system_trust_store()
        where = " and ".join(path for path in (cafile, capath) if path)
        if where:
            return "the system trust store (%s)" % where
        return "the CA bundle of the Python package certifi" if _certifi_bundle() else "the system trust store (empty)"
    return "the CA file %s (ca_path)" % verify


def tls_context(verify):
    """The SSL context that verifies the server: the system trust store for True, only the given CAs for a path.

    certifi's bundle is a last resort, for a machine whose OpenSSL knows no CA at all.
    """
    if verify is True:
        cafile, capath = system_trust_store()
        if cafile or capath:
            return ssl.create_default_context(cafile=cafile, capath=capath)
        return ssl.create_default_context(cafile=_certifi_bundle())
    if os.path.isdir(verify):
        return ssl.create_default_context(capath=verify)
    return ssl.create_default_context(cafile=verify)


def unverified_tls_context():
    """The SSL context of validate_certs false: TLS without checking the certificate or the host name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _certifi_bundle():
    """The CA bundle of the Python package certifi, or None when it is not installed."""
    try:
        import certifi  # only for a machine whose OpenSSL knows no CA: not a dependency
    except ImportError:
        return None
    return certifi.where()


def speaks_tls(host, port, timeout=TLS_PROBE_TIMEOUT):
    """Whether a TLS handshake with host:port succeeds (certificate not checked): is it an HTTPS server?"""
    context = unverified_tls_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            with context.wrap_socket(sock, server_hostname=host):
                return True
    except (OSError, ValueError):
        return False


def tls_failure_advice(text, verify, host):
    """What to fix, for the text of an SSL error."""
    lowered = text.lower()
    if "expired" in lowered or "not yet valid" in lowered:
        return ("the server's certificate has expired or is not yet valid: renew the Astra Control certificate "
                "(or correct the controller's clock)")
    if "hostname mismatch" in lowered or "ip address mismatch" in lowered or "doesn't match" in lowered:
        return ("the server's certificate is not valid for %s: put a host name the certificate was issued for "
                "in api_url" % host)
    if "wrong version number" in lowered or "record layer failure" in lowered or "unknown protocol" in lowered:
        return "the server does not answer TLS on this port: if it serves plain HTTP, use an http:// api_url"
    if "certificate verify failed" in lowered or "self-signed" in lowered or "self signed" in lowered:
        return ("the server's certificate is not signed by a CA in %s: set ca_path to the PEM file of the CA "
                "that signed the Astra Control certificate" % describe_trust(verify))
    return "check ca_path and validate_certs"


def check_relative_path(path):
    """Refuse an API path that could leave <api_url>/accounts/<account_id>/ ('..' segments, a scheme, a host)."""
    decoded = unquote(unquote(path))
    segments = decoded.replace("\\", "/").split("/")
    if "://" in decoded or decoded.startswith("//") or any(segment in (".", "..") for segment in segments):
        raise AstraError("Internal error: refused to request %r, which is not a path below the account; "
                         "please report this as a bug in kubedr.astra" % path)


class _AmbiguousPostFailure(Exception):
    """A POST whose outcome is unknown: it may or may not have created the resource."""

    def __init__(self, error):
        super().__init__(str(error))
        self.error = error
        self.reason = getattr(error, "reason", None) or "HTTP %s" % getattr(error, "status", "?")


class AstraClient:
    """Client bound to one account, <api_url>/accounts/<account_id>/, over one keep-alive connection.

    Paths given to the methods are relative to that base, e.g. 'k8s/v2/apps'.

    - verify=True means the system trust store (see system_trust_store); environment
      settings of other HTTP clients (REQUESTS_CA_BUNDLE, .netrc) play no part.
      Proxies come from the environment (transport.environment_proxy).
    - GET, PUT and DELETE are retried on transport errors and 429/502/503/504 (GET
      also on 500) with capped, jittered exponential backoff honouring Retry-After,
      for at most retry_timeout seconds from the first attempt.
    - POST is never retried blindly: after an ambiguous failure the caller's
      find_existing() decides between adopting the resource and posting again.
    - read_only (check mode) turns every write into an internal error.
    """

    def __init__(self, api_url, account_id, api_token, validate_certs=True, ca_path=None, timeout=30,
                 retry_timeout=DEFAULT_RETRY_TIMEOUT, read_only=False, warn=None, sleep=None, jitter=None, clock=None):
        # Userinfo in api_url is never sent (Astra uses bearer tokens only) and must not reach a message.
        self.base_url = "%s/accounts/%s/" % (sanitize_url(api_url).rstrip("/"), account_id.strip().strip("/"))
        # The kubedr.astra simulator's control API (simulator_request), on the same server as the account.
        self.simulator_url = "%s/_simulator/" % sanitize_url(api_url).rstrip("/")
        self.verify = compute_verify(validate_certs, ca_path)
        self.timeout = timeout
        self.retry_timeout = max(0.0, float(retry_timeout))
        self.read_only = read_only
        self._token = api_token
        self._warn = warn or (lambda message: None)
        self._sleep = sleep or time.sleep
        self._jitter = jitter or random.uniform
        self._clock = clock or time.monotonic
        # When the API last accepted a write of this client (UTC): the moment a change took effect, for RPO.
        self.last_write_accepted = None
        try:
            proxy = environment_proxy(self.base_url)
        except ValueError as exc:
            raise AstraError("Cannot connect to %s: %s; fix the variable, or list the Astra Control host in NO_PROXY"
                             % (sanitize_url(api_url), exc)) from None
        self._transport = HttpTransport(timeout, self._tls_context(), proxy)
        self._headers = {"Authorization": "Bearer %s" % api_token, "User-Agent": "kubedr.astra"}

    # ------------------------------------------------------------------ public API

    def url(self, path, base=None):
        # Only ever relative to the account (or the simulator's control API on the same server): the token must not
        # be sent anywhere else.
        check_relative_path(path)
        return (base or self.base_url) + path.lstrip("/")

    def simulator_request(self, method, path, operation):
        """A request to the kubedr.astra simulator's control API, <api_url>/_simulator/<path>, which a real Astra
        Control does not have (it answers 404); retried, verified and authenticated as every API request."""
        return self._request(method, path, operation=operation, base=self.simulator_url)

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
        the POST is repeated while retry_timeout lasts. Without it, the failure
        is raised.
        """
        operation = operation or "Create %s" % resource_type
        deadline = self._clock() + self.retry_timeout
        attempt = 0
        while True:
            try:
                created = self._request("POST", path, json_body=body, resource_type=resource_type, operation=operation,
                                        ambiguous_post=True)
                return self._follow_location(created, path, operation)
            except _AmbiguousPostFailure as failure:
                if find_existing is None:
                    raise failure.error from None
                try:
                    existing = find_existing()
                except AstraError as exc:
                    raise AstraError("%s: outcome unknown (%s), and looking for the %s it may have created failed "
                                     "too: %s. Run the task again once the API answers: it adopts what the request "
                                     "created, or creates it" % (operation, failure.reason, resource_type, exc)) from None
                if existing:
                    self._warn("%s: outcome unknown (%s); adopted the %s that the request created (id %s) "
                               "instead of posting again" % (operation, failure.reason, resource_type, existing.get("id")))
                    return existing
                delay = self._backoff_delay(attempt)
                attempt += 1
                if self._clock() + delay > deadline:
                    failure.error.add_note("%d attempt(s) within retry_timeout %s s; no %s was created"
                                           % (attempt, _seconds(self.retry_timeout), resource_type))
                    raise failure.error from None
                self._warn("%s: outcome unknown (%s) and no %s was created; posting again in %.1f s (retry %d)"
                           % (operation, failure.reason, resource_type, delay, attempt))
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

    def _tls_context(self):
        if not self.base_url.startswith("https:"):
            return None
        if self.verify is False:
            return unverified_tls_context()
        try:
            return tls_context(self.verify)
        except (OSError, ssl.SSLError) as exc:
            raise AstraValidationError("ca_path" if self.verify is not True else None,
                                       "cannot load the CA certificates of %s: %s; give a PEM file with the CA "
                                       "certificates that signed the Astra Control certificate"
                                       % (describe_trust(self.verify), exc)) from None

    def _follow_location(self, created, collection, operation):
        """The created resource: the POST body, else a GET of the ID that ends the Location header."""
        if created.body:
            return created.body
        if created.location:
            resource_id = created.location.rstrip("/").rsplit("/", 1)[-1]
            return self.get("%s/%s" % (collection, resource_id), operation=operation)
        return {}

    def _request(self, method, path, params=None, json_body=None, resource_type=None, headers=None, operation=None,
                 ambiguous_post=False, base=None):
        url = self.url(path, base)
        if self.read_only and method in WRITE_METHODS:
            raise AstraReadOnlyError(method, url)
        request_headers = dict(self._headers, Accept="*/*")
        data = None
        if resource_type:
            request_headers["Accept"] = request_headers["Content-Type"] = astra_media_type(resource_type)
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            request_headers.setdefault("Content-Type", "application/json")
        request_headers.update(headers or {})
        retryable = method in IDEMPOTENT_METHODS
        retry_statuses = RETRYABLE_GET_STATUSES if method == "GET" else RETRYABLE_STATUSES
        display_url = self._display_url(url, params)
        request_url = _with_query(url, params)
        deadline = self._clock() + self.retry_timeout
        attempt = 0
        while True:
            try:
                response = self._transport.send(method, request_url, request_headers, data)
            except ssl.SSLError as exc:
                # The TLS handshake failed. Not transient: retrying cannot help, and nothing reached the API.
                text = self._describe_exception(exc)
                raise AstraConnectionError(operation, method, display_url, "%s; %s" % (
                    text, tls_failure_advice(text, self.verify, urlsplit(url).hostname))) from None
            except (OSError, http.client.HTTPException) as exc:
                error = AstraConnectionError(operation, method, display_url, self._describe_exception(exc))
                if self._https_server_behind_http_url(exc, url):
                    raise AstraConnectionError(operation, method, display_url, "%s; the server at %s answers HTTPS: "
                                               "use an https:// api_url" % (error.reason, urlsplit(url).netloc)) from None
                if ambiguous_post:
                    raise _AmbiguousPostFailure(error) from None
                if retryable:
                    attempt = self._wait_before_retry(error, method, display_url, attempt, deadline, None)
                    continue
                raise error from None
            except ValueError as exc:
                # A header or URL http.client refuses to send (a control character in the token, say): nothing was sent.
                raise AstraConnectionError(operation, method, display_url, self._describe_exception(exc)) from None

            status = response.status
            if 300 <= status < 400:
                # Redirects are not followed: the token must not go to another host, and a POST must not become a GET.
                raise AstraError("%s failed: the API answered HTTP %d, a redirect to %s; set api_url to the address the "
                                 "API is served at (%s %s)" % (operation, status, sanitize_url(response.headers.get("Location")),
                                                               method, display_url))
            if status < 400:
                if method in WRITE_METHODS:
                    self.last_write_accepted = datetime.now(timezone.utc)
                return self._decode_success(response, method, display_url, operation)
            error = self._api_error(response, operation, method, display_url)
            if url.startswith("http:") and status == 400 and error.problem is None:
                error.add_note("if the server serves HTTPS, use an https:// api_url")
            if ambiguous_post and status >= 500:
                raise _AmbiguousPostFailure(error)
            # A 429 means the request was not processed, so repeating it is safe for POST too.
            if status in retry_statuses and (retryable or status == 429):
                attempt = self._wait_before_retry(error, method, display_url, attempt, deadline,
                                                  response.headers.get("Retry-After"))
                continue
            raise error

    def _wait_before_retry(self, error, method, display_url, attempt, deadline, retry_after):
        """Sleep before the next attempt, or raise `error` when the next one would start after the deadline."""
        delay = self._backoff_delay(attempt)
        server_delay = self._parse_retry_after(retry_after)
        if server_delay is not None:
            delay = server_delay
        attempt += 1
        if self._clock() + delay > deadline:
            note = "%d attempt(s) within retry_timeout %s s" % (attempt, _seconds(self.retry_timeout))
            if server_delay is not None and server_delay > self.retry_timeout:
                note += "; the API asked to retry after %s s" % _seconds(server_delay)
            error.add_note(note)
            raise error
        reason = error.reason if isinstance(error, AstraConnectionError) else "HTTP %d" % error.status
        self._warn("%s %s failed (%s); retry %d in %.1f s" % (method, display_url, reason, attempt, delay))
        self._sleep(delay)
        return attempt

    def _https_server_behind_http_url(self, exc, url):
        """An http:// api_url whose server dropped the connection without an answer: does it speak TLS instead?"""
        if not url.startswith("http:") or isinstance(exc, TimeoutError):
            return False
        # An HTTPS server reading a plain HTTP request drops the connection or answers a TLS alert, not HTTP.
        if not isinstance(exc, (http.client.BadStatusLine, ConnectionResetError, ConnectionAbortedError)):
            return False
        parts = urlsplit(url)
        return speaks_tls(parts.hostname, parts.port or 80)

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
        if response.body:
            try:
                body = json.loads(response.body)
            except ValueError:
                raise AstraError("%s failed: the API returned a response that is not JSON (HTTP %d; %s %s)"
                                 % (operation, response.status, method, display_url)) from None
        if method == "POST":
            return _Created(body, response.headers.get("Location"))
        return body

    def _api_error(self, response, operation, method, display_url):
        text = None
        try:
            problem = json.loads(response.body) if response.body else None
        except ValueError:
            problem = None
        if isinstance(problem, dict):
            problem = json.loads(redact(json.dumps(problem), [self._token]))
        elif problem is not None:
            text = redact(str(problem)[:ERROR_BODY_LIMIT], [self._token])
            problem = None
        else:
            text = redact(response.body.decode("utf-8", "replace")[:ERROR_BODY_LIMIT], [self._token]) or response.reason
        return AstraApiError(operation, method, display_url, response.status, problem=problem, body_text=text)

    def _display_url(self, url, params):
        if params:
            url += "?" + "&".join("%s=%s" % (key, value) for key, value in params.items())
        return redact(sanitize_url(url), [self._token])

    def _describe_exception(self, exc):
        """'ConnectionRefusedError: [Errno 111] Connection refused', without the token."""
        if isinstance(exc, http.client.BadStatusLine) and not isinstance(exc, http.client.RemoteDisconnected):
            text = "the answer is not HTTP: %r" % exc.line[:60]
        else:
            text = str(exc)
        name = type(exc).__name__
        return redact("%s: %s" % (name, text) if text else name, [self._token])


def _with_query(url, params):
    """url with params url-encoded as its query string; parameters whose value is None are left out."""
    pairs = [(key, value) for key, value in (params or {}).items() if value is not None]
    if not pairs:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(pairs)


def _seconds(value):
    return ("%.1f" % value).rstrip("0").rstrip(".")


class _Created:
    """The raw outcome of a POST: the body (if any) and the Location header."""

    def __init__(self, body, location):
        self.body = body
        self.location = location
