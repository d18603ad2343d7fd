# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A stand-in for transport.HttpTransport that answers from registered responses, as the `responses` library did.

    mock = FakeResponses()
    mock.install(monkeypatch)           # every AstraClient made afterwards sends through it
    mock.get(url, json={...})           # also post/put/delete/add(method, url, ...)
    mock.post(url, body=ConnectionResetError("reset"))   # an exception as the body is raised by send()
    mock.add_callback("GET", re.compile(...), callback=lambda request: (200, headers, body) or an exception)
    mock.calls[0].request.url / .method / .headers / .body / .params / .timeout / .ssl_context / .verified / .proxy

Several responses registered for one request are used in turn; the last one keeps answering.
"""

import http
import http.client
import json as json_module
import re
import ssl
from urllib.parse import parse_qs, urlsplit

from ansible_collections.kubedr.astra.plugins.module_utils import astra_client
from ansible_collections.kubedr.astra.plugins.module_utils.transport import HttpResponse


class FakeRequest:
    """What the client sent, and the transport settings it sent it with."""

    def __init__(self, transport, method, url, headers, body):
        self.method = method
        self.url = url
        self.headers = dict(headers)
        self.body = body
        self.params = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        self.timeout = transport.timeout
        self.ssl_context = transport.ssl_context
        self.proxy = transport.proxy

    @property
    def verified(self):
        """Whether the server's certificate and host name are checked (None: plain http, no TLS)."""
        if self.ssl_context is None:
            return None
        return self.ssl_context.verify_mode == ssl.CERT_REQUIRED and self.ssl_context.check_hostname


class Call:
    def __init__(self, request, response):
        self.request = request
        self.response = response


def query_param_matcher(params):
    """A `match` entry: the request's query parameters are exactly params."""
    return lambda request: request.params == params


class _Registered:
    def __init__(self, method, url, answer, match):
        self.method = method
        self.url = url
        self.answer = answer  # request -> (status, headers, body) or an exception
        self.match = match or []

    def matches(self, request):
        if request.method != self.method:
            return False
        if isinstance(self.url, re.Pattern):
            url_matches = bool(self.url.match(request.url))
        elif "?" in self.url:
            url_matches = request.url == self.url
        else:
            url_matches = request.url.split("?", 1)[0] == self.url
        return url_matches and all(matcher(request) for matcher in self.match)


class FakeResponses:
    def __init__(self):
        self.registered = []
        self.calls = []

    def install(self, monkeypatch):
        monkeypatch.setattr(astra_client, "HttpTransport", lambda timeout, ssl_context=None, proxy=None:
                            FakeTransport(self, timeout, ssl_context, proxy))
        return self

    def add(self, method, url, json=None, body=None, status=200, headers=None, content_type=None, match=None):
        """A response: `json` (encoded), or `body` (str, bytes, or an exception to raise), with status and headers."""
        headers = dict(headers or {})
        if json is not None:
            body = json_module.dumps(json)
            headers.setdefault("Content-Type", content_type or "application/json")
        elif content_type:
            headers.setdefault("Content-Type", content_type)
        fixed = body

        def answer(_request):
            return fixed if _is_exception(fixed) else (status, headers, fixed)
        self.registered.append(_Registered(method, url, answer, match))

    def get(self, url, **kwargs):
        self.add("GET", url, **kwargs)

    def post(self, url, **kwargs):
        self.add("POST", url, **kwargs)

    def put(self, url, **kwargs):
        self.add("PUT", url, **kwargs)

    def delete(self, url, **kwargs):
        self.add("DELETE", url, **kwargs)

    def add_callback(self, method, url, callback, match=None):
        self.registered.append(_Registered(method, url, callback, match))

    def replace(self, method, url, **kwargs):
        """Replace the first response registered for method and url."""
        index = next(index for index, entry in enumerate(self.registered) if (entry.method, entry.url) == (method, url))
        self.add(method, url, **kwargs)
        self.registered[index] = self.registered.pop()

    def answer(self, request):
        found = [entry for entry in self.registered if entry.matches(request)]
        if not found:
            raise ConnectionRefusedError("[fake transport] no response registered for %s %s" % (request.method, request.url))
        if len(found) > 1:
            self.registered.remove(found[0])
        outcome = found[0].answer(request)
        if _is_exception(outcome):
            self.calls.append(Call(request, outcome))
            raise outcome
        status, headers, body = outcome
        response = _response(status, headers, body)
        self.calls.append(Call(request, response))
        return response


class FakeTransport:
    """HttpTransport's interface; every request goes to the FakeResponses it was made by."""

    def __init__(self, responses, timeout, ssl_context, proxy):
        self.responses = responses
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.proxy = proxy

    def send(self, method, url, headers, body=None):
        return self.responses.answer(FakeRequest(self, method, url, headers, body))

    def close(self):
        pass


def _is_exception(value):
    return isinstance(value, BaseException) or (isinstance(value, type) and issubclass(value, BaseException))


def _response(status, headers, body):
    message = http.client.HTTPMessage()
    for name, value in (headers or {}).items():
        message[name] = value
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    return HttpResponse(status, reason, message, body)
