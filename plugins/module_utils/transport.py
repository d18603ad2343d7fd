# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HTTP/1.1 for AstraClient on the standard library: one keep-alive connection, proxies from the environment.

HttpTransport.send() raises what the standard library raises, and nothing else:

- ssl.SSLError (ssl.SSLCertVerificationError among them): the TLS handshake failed; nothing was sent.
- OSError (ConnectionRefusedError, TimeoutError, socket.gaierror, ConnectionResetError, ...) and
  http.client.HTTPException (RemoteDisconnected, BadStatusLine, IncompleteRead, ...): no usable response.
  A TLS error after the handshake (the connection broke) is raised as ConnectionResetError.
- ValueError: a header or URL http.client refuses to send.
"""

import base64
import http.client
import ipaddress
import os
import select
import ssl
from collections import namedtuple
from urllib.parse import unquote, urlsplit

from ansible_collections.kubedr.astra.plugins.module_utils.errors import sanitize_url

DEFAULT_PORTS = {"http": 80, "https": 443}
# Methods that may be sent again when a reused keep-alive connection turns out to be closed by the server.
RESENDABLE_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
# What a request on a keep-alive connection the server has closed meanwhile fails with, before any response byte.
STALE_CONNECTION_ERRORS = (http.client.RemoteDisconnected, ConnectionResetError, ConnectionAbortedError, BrokenPipeError,
                           ssl.SSLEOFError, ssl.SSLZeroReturnError)

HttpResponse = namedtuple("HttpResponse", "status reason headers body")


class Proxy:
    """An http:// proxy from the environment: where to connect, and the Proxy-Authorization its userinfo gives."""

    def __init__(self, url, source):
        self.source = source
        if "://" not in url:
            url = "http://" + url
        self.url = sanitize_url(url)
        parts = urlsplit(url)
        if parts.scheme.lower() != "http":
            raise ValueError("%s=%s names a proxy this collection cannot use: only http:// proxies are supported "
                             "(HTTPS to Astra Control goes through them as a CONNECT tunnel)" % (source, self.url))
        try:
            self.port = parts.port or DEFAULT_PORTS["http"]
        except ValueError:
            raise ValueError("%s=%s is not a valid proxy URL: the port is not a number" % (source, self.url)) from None
        self.host = parts.hostname
        if not self.host:
            raise ValueError("%s=%s is not a valid proxy URL: it names no host" % (source, self.url))
        self.headers = {}
        if parts.username is not None:
            credentials = "%s:%s" % (unquote(parts.username), unquote(parts.password or ""))
            self.headers["Proxy-Authorization"] = "Basic " + base64.b64encode(credentials.encode("utf-8")).decode("ascii")


def environment_proxy(url, environ=None):
    """The proxy the environment names for url, or None, as requests chose it.

    <scheme>_proxy (https_proxy or http_proxy), else all_proxy, the lowercase name winning over the uppercase one;
    none when no_proxy lists the host (see bypasses_proxy). Raises ValueError for a proxy URL that cannot be used.
    """
    environ = os.environ if environ is None else environ
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    for name in (scheme + "_proxy", "all_proxy"):
        # In a CGI script HTTP_PROXY may come from a request's Proxy: header ("httpoxy"); urllib ignores it there.
        ignore_upper = name == "http_proxy" and "REQUEST_METHOD" in environ
        source, value = _environment_value(environ, name, ignore_upper)
        if value:
            break
    else:
        return None
    _no_proxy_source, no_proxy = _environment_value(environ, "no_proxy")
    if bypasses_proxy(parts.hostname, parts.port or DEFAULT_PORTS.get(scheme), no_proxy or ""):
        return None
    return Proxy(value.strip(), source)


def _environment_value(environ, name, ignore_upper=False):
    """(variable, value) of the lowercase name, else the uppercase one; a lowercase name set empty turns it off."""
    if name in environ:
        return name, environ[name]
    upper = name.upper()
    if upper in environ and not ignore_upper:
        return upper, environ[upper]
    return None, None


def bypasses_proxy(host, port, no_proxy):
    """Whether no_proxy (comma-separated) lists host:port.

    Entries: '*' (every host); a domain, with or without a leading dot, matching itself and its subdomains;
    host:port, matching that port only; an IP address or network (10.0.0.0/8) for hosts given as IP addresses.
    """
    host = (host or "").lower().strip("[]")
    address = _ip_address(host)
    for entry in no_proxy.lower().split(","):
        entry = entry.strip()
        if entry == "*":
            return True
        entry_host, entry_port = _split_port(entry)
        if not entry_host or (entry_port is not None and entry_port != port):
            continue
        if address is not None:
            if _address_matches(address, entry_host):
                return True
            continue
        domain = entry_host.lstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _split_port(entry):
    """'host:3128' -> ('host', 3128); '[::1]:8443' -> ('::1', 8443); '::1', 'host', '10.0.0.0/8' -> (entry, None)."""
    if entry.startswith("["):
        host, _bracket, rest = entry[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if entry.count(":") == 1:
        host, port = entry.split(":")
        if port.isdigit():
            return host, int(port)
    return entry, None


def _ip_address(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _address_matches(address, entry):
    try:
        if "/" in entry:
            return address in ipaddress.ip_network(entry, strict=False)
        return address == ipaddress.ip_address(entry)
    except ValueError:
        return False


def _connection_dropped(sock):
    """Whether the server has closed an idle keep-alive connection (or sent something unasked: unusable too)."""
    try:
        readable, _writable, _failed = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


class HttpTransport:
    """Sends requests over one persistent connection (per scheme, host and port), one at a time (not thread-safe).

    timeout: seconds for connecting and for each read. ssl_context: verifies https servers (required for https).
    proxy: a Proxy, or None for direct connections: https goes through it as a CONNECT tunnel (the proxy sees only
    Proxy-Authorization, never the request's headers), plain http as absolute-form requests.
    """

    def __init__(self, timeout, ssl_context=None, proxy=None):
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.proxy = proxy
        self._connection = None
        self._origin = None

    def send(self, method, url, headers, body=None):
        """One request and its complete response, as an HttpResponse (body: bytes). Redirects are not followed.

        A request on a reused connection that the server had closed is sent once more on a new connection when
        the method is idempotent; a POST never is: it fails, and whether it was processed is unknown.
        """
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        origin = (scheme, parts.hostname, parts.port or DEFAULT_PORTS[scheme])
        headers = dict(headers)
        if self.proxy is not None and scheme == "http":
            target = url
            headers.update(self.proxy.headers)
        else:
            target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        while True:
            reused = self._connect(origin)
            try:
                self._connection.request(method, target, body=body, headers=headers)
                response = self._connection.getresponse()
            except STALE_CONNECTION_ERRORS as exc:
                self.close()
                if reused and method in RESENDABLE_METHODS:
                    continue
                raise _broken(exc) from None
            except BaseException as exc:
                self.close()
                raise _broken(exc) from None
            return self._read(response)

    def close(self):
        if self._connection is not None:
            self._connection.close()
        self._connection = self._origin = None

    def _connect(self, origin):
        """Make the connection to origin ready; True when it is an open one reused, False when new."""
        connection = self._connection
        if (connection is not None and self._origin == origin and connection.sock is not None
                and not _connection_dropped(connection.sock)):
            return True
        self.close()
        connection = self._new_connection(*origin)
        try:
            # Connecting here rather than inside request() keeps handshake failures apart from later ones.
            connection.connect()
        except BaseException:
            connection.close()
            raise
        self._connection, self._origin = connection, origin
        return False

    def _new_connection(self, scheme, host, port):
        proxy = self.proxy
        if scheme == "https":
            connection = http.client.HTTPSConnection(proxy.host if proxy else host, proxy.port if proxy else port,
                                                     timeout=self.timeout, context=self.ssl_context)
            if proxy:
                connection.set_tunnel(host, port, headers=proxy.headers)
            return connection
        return http.client.HTTPConnection(proxy.host if proxy else host, proxy.port if proxy else port,
                                          timeout=self.timeout)

    def _read(self, response):
        try:
            body = response.read()
        except BaseException as exc:
            self.close()
            raise _broken(exc) from None
        if response.will_close:
            self.close()
        return HttpResponse(response.status, response.reason, response.headers, body)


def _broken(exc):
    """What to raise for exc, a failure on an established connection: a TLS error there means the connection broke,
    not that the certificate is wrong (ssl.SSLError is kept for handshake failures)."""
    if isinstance(exc, ssl.SSLError) and not isinstance(exc, ssl.SSLCertVerificationError):
        return ConnectionResetError("the TLS connection broke: %s" % exc)
    return exc
