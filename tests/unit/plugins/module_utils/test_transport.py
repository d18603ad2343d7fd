# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""HttpTransport and AstraClient against real local servers: keep-alive, reconnects, timeouts, TLS, proxies."""

import base64
import json
import ssl

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import transport
from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient, tls_context
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraConnectionError, AstraError
from ansible_collections.kubedr.astra.plugins.module_utils.transport import HttpTransport, Proxy

from ansible_collections.kubedr.astra.tests.unit.local_servers import LocalProxy, LocalServer, make_certificates, unused_port

ACCOUNT = "acct"
TOKEN = "transport-test-token-5b1f"
HEADERS = {"Authorization": "Bearer " + TOKEN, "Accept": "*/*"}
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_environment(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture
def server():
    with LocalServer() as local:
        yield local


@pytest.fixture
def certificates(tmp_path):
    return make_certificates(tmp_path, "127.0.0.1")


@pytest.fixture
def tls_server(certificates):
    _ca, certificate, key = certificates
    with LocalServer(tls=(certificate, key)) as local:
        yield local


def client(url, **kwargs):
    return AstraClient(url, ACCOUNT, TOKEN, retry_timeout=0, **kwargs)


def answer(response):
    assert response.status == 200, response
    return json.loads(response.body)


# ---------------------------------------------------------------------- keep-alive

def test_one_connection_serves_every_request(server):
    sender = HttpTransport(timeout=5)
    for method in ("GET", "POST", "PUT", "DELETE", "GET"):
        body = b'{"a": 1}' if method in ("POST", "PUT") else None
        assert answer(sender.send(method, server.url + "/x?q=1", HEADERS, body)) == {"method": method, "path": "/x?q=1"}
    assert server.connections() == 1 and len(server.requests) == 5
    assert server.requests[1][3] == b'{"a": 1}' and server.requests[1][2]["Content-Length"] == "8"


def test_a_connection_the_server_closed_while_idle_is_replaced(server):
    sender = HttpTransport(timeout=5)
    answer(sender.send("GET", server.url + "/close", HEADERS))
    server.wait_closed(1)
    for method in ("POST", "GET"):
        answer(sender.send(method, server.url + "/x", HEADERS, b"{}" if method == "POST" else None))
    assert server.connections() == 2


def test_a_get_on_a_connection_that_turns_out_closed_is_sent_again(server, monkeypatch):
    """The server closed the connection after the last look at it: the request fails before any answer."""
    monkeypatch.setattr(transport, "_connection_dropped", lambda sock: False)
    sender = HttpTransport(timeout=5)
    answer(sender.send("GET", server.url + "/close", HEADERS))
    server.wait_closed(1)
    assert answer(sender.send("GET", server.url + "/again", HEADERS))["path"] == "/again"
    assert server.connections() == 2


def test_a_post_on_a_connection_that_turns_out_closed_fails_and_is_never_sent_again(server, monkeypatch):
    monkeypatch.setattr(transport, "_connection_dropped", lambda sock: False)
    sender = HttpTransport(timeout=5)
    answer(sender.send("GET", server.url + "/close", HEADERS))
    server.wait_closed(1)
    with pytest.raises(transport.STALE_CONNECTION_ERRORS):
        sender.send("POST", server.url + "/create", HEADERS, b"{}")
    assert [request[0] for request in server.requests] == ["GET"]
    assert answer(sender.send("POST", server.url + "/create", HEADERS, b"{}"))["method"] == "POST"


def test_a_stale_connection_post_through_the_client_is_an_ambiguous_failure(server, monkeypatch):
    monkeypatch.setattr(transport, "_connection_dropped", lambda sock: False)
    astra = client(server.url)
    astra.get("close")
    server.wait_closed(1)
    lookups = []
    created = astra.post("apps", {"name": "wordpress"}, "app", find_existing=lambda: lookups.append(1) or {"id": "a1"})
    assert created == {"id": "a1"} and lookups == [1]
    assert [request[0] for request in server.requests] == ["GET"], "the POST was never repeated blindly"


# ---------------------------------------------------------------------- failures

def test_a_slow_server_times_out(server):
    with pytest.raises(TimeoutError):
        HttpTransport(timeout=0.2).send("GET", server.url + "/slow", HEADERS)
    with pytest.raises(AstraConnectionError) as raised:
        client(server.url, timeout=0.2).get("slow")
    assert "(TimeoutError: timed out; GET %s/accounts/acct/slow)" % server.url in str(raised.value)
    assert "use an https:// api_url" not in str(raised.value)


def test_nothing_listening_is_a_refused_connection():
    url = "http://127.0.0.1:%d" % unused_port()
    with pytest.raises(ConnectionRefusedError):
        HttpTransport(timeout=5).send("GET", url + "/x", HEADERS)
    with pytest.raises(AstraConnectionError) as raised:
        client(url).get("x")
    assert "cannot reach the Astra Control API (ConnectionRefusedError: [Errno 111] Connection refused" in str(raised.value)
    assert "1 attempt(s) within retry_timeout 0 s" in str(raised.value)


def test_redirects_are_not_followed(server):
    response = HttpTransport(timeout=5).send("GET", server.url + "/redirect", HEADERS)
    assert (response.status, response.headers["location"]) == (302, "https://elsewhere.example.com/")
    with pytest.raises(AstraError, match="HTTP 302, a redirect to https://elsewhere.example.com/"):
        client(server.url).get("redirect")
    assert len(server.requests) == 2


# ---------------------------------------------------------------------- TLS

def test_tls_with_ca_path_reuses_one_connection(tls_server, certificates):
    ca_path = certificates[0]
    astra = client(tls_server.url, ca_path=ca_path)
    assert astra.get("a") == {"method": "GET", "path": "/accounts/acct/a"}
    astra.put("b", {}, "app")
    assert tls_server.connections() == 1
    assert tls_server.requests[0][2]["Authorization"] == "Bearer " + TOKEN


def test_tls_verification_failure_names_ca_path(tls_server, tmp_path):
    (tmp_path / "other").mkdir()
    other_ca = make_certificates(tmp_path / "other", "127.0.0.1", ca_name="some other CA")[0]
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        HttpTransport(5, tls_context(other_ca)).send("GET", tls_server.url + "/x", HEADERS)
    with pytest.raises(AstraConnectionError) as raised:
        client(tls_server.url, ca_path=other_ca).get("x")
    message = str(raised.value)
    assert "SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed" in message
    assert "is not signed by a CA in the CA file %s (ca_path)" % other_ca in message
    assert tls_server.requests == []


def test_a_certificate_for_another_host_is_a_hostname_mismatch(tmp_path):
    ca_path, certificate, key = make_certificates(tmp_path, "astra.example.com")
    with LocalServer(tls=(certificate, key)) as tls_server:
        with pytest.raises(AstraConnectionError) as raised:
            client(tls_server.url, ca_path=ca_path).get("x")
    assert "is not valid for 127.0.0.1: put a host name the certificate was issued for in api_url" in str(raised.value)


def test_validate_certs_false_talks_to_any_certificate(tls_server):
    assert client(tls_server.url, validate_certs=False).get("x")["path"] == "/accounts/acct/x"


def test_an_http_url_to_an_https_server_says_use_https(tls_server):
    with pytest.raises(AstraConnectionError) as raised:
        client(tls_server.url.replace("https://", "http://")).get("x")
    message = str(raised.value)
    assert "the server at 127.0.0.1:%d answers HTTPS: use an https:// api_url" % tls_server.port in message, message


def test_an_https_url_to_an_http_server_says_use_http(server):
    with pytest.raises(AstraConnectionError) as raised:
        client(server.url.replace("http://", "https://")).get("x")
    assert "if it serves plain HTTP, use an http:// api_url" in str(raised.value)


# ---------------------------------------------------------------------- proxies

def test_https_goes_through_a_connect_tunnel_and_the_token_never_reaches_the_proxy(tls_server, certificates, monkeypatch):
    with LocalProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", "http://alice:p%%40ss@127.0.0.1:%d" % proxy.port)
        astra = client(tls_server.url, ca_path=certificates[0])
        astra.get("a")
        astra.get("b")
    assert len(proxy.requests) == 1, "one tunnel, kept alive"
    request_line, headers = proxy.requests[0]
    assert request_line.startswith("CONNECT 127.0.0.1:%d HTTP/1." % tls_server.port)
    assert headers["Proxy-Authorization"] == "Basic " + base64.b64encode(b"alice:p@ss").decode()
    assert TOKEN not in json.dumps(proxy.requests)
    assert [request[1] for request in tls_server.requests] == ["/accounts/acct/a", "/accounts/acct/b"]
    assert tls_server.requests[0][2]["Authorization"] == "Bearer " + TOKEN


def test_plain_http_goes_to_the_proxy_in_absolute_form(server, monkeypatch):
    with LocalProxy() as proxy:
        monkeypatch.setenv("http_proxy", "127.0.0.1:%d" % proxy.port)
        assert client(server.url).get("a", params={"filter": "name eq 'x y'"}) == {
            "proxied": "%s/accounts/acct/a?filter=name+eq+%%27x+y%%27" % server.url}
    assert "Proxy-Authorization" not in proxy.requests[0][1] and server.requests == []


def test_no_proxy_sends_directly(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:%d" % unused_port())
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    assert client(server.url).get("a")["path"] == "/accounts/acct/a"


def test_an_unreachable_proxy_is_a_connection_error(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:%d" % unused_port())
    with pytest.raises(AstraConnectionError, match="ConnectionRefusedError"):
        client(server.url).get("a")


@pytest.mark.parametrize("url, environ, expected", [
    ("https://astra.example.com", {}, None),
    ("https://astra.example.com", {"HTTPS_PROXY": "http://proxy:3128"}, ("proxy", 3128, "HTTPS_PROXY")),
    ("https://astra.example.com", {"https_proxy": "proxy:3128", "HTTPS_PROXY": "http://other:1"},
     ("proxy", 3128, "https_proxy")),
    ("https://astra.example.com", {"https_proxy": "", "HTTPS_PROXY": "http://other:1"}, None),
    ("https://astra.example.com", {"HTTP_PROXY": "http://proxy:3128"}, None),
    ("http://astra.example.com", {"HTTP_PROXY": "http://proxy:3128"}, ("proxy", 3128, "HTTP_PROXY")),
    ("http://astra.example.com", {"HTTP_PROXY": "http://proxy:3128", "REQUEST_METHOD": "GET"}, None),
    ("https://astra.example.com", {"ALL_PROXY": "http://proxy"}, ("proxy", 80, "ALL_PROXY")),
    ("https://astra.example.com", {"all_proxy": "http://all:1", "https_proxy": "http://https:2"}, ("https", 2, "https_proxy")),
    ("https://astra.example.com", {"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "example.com"}, None),
    ("https://astra.example.com", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "other.com, .example.com"}, None),
    ("https://astra.example.com", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "*"}, None),
    ("https://astra.example.com", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "xample.com"},
     ("proxy", 3128, "HTTPS_PROXY")),
    ("https://10.1.2.3:8443", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "10.0.0.0/8"}, None),
    ("https://[::1]:8443", {"HTTPS_PROXY": "http://proxy:3128", "no_proxy": "::1"}, None),
])
def test_the_proxy_comes_from_the_environment_as_requests_chose_it(url, environ, expected):
    proxy = transport.environment_proxy(url, environ)
    assert (proxy and (proxy.host, proxy.port, proxy.source)) == expected


@pytest.mark.parametrize("host, port, no_proxy, bypassed", [
    ("astra.example.com", 443, "", False),
    ("astra.example.com", 443, "astra.example.com", True),
    ("astra.example.com", 443, "ASTRA.example.com", True),
    ("astra.example.com", 443, "example.com", True),
    ("astra.example.com", 443, ".example.com", True),
    ("example.com", 443, ".example.com", True),
    ("badexample.com", 443, "example.com", False),
    ("astra.example.com", 443, "astra.example.com:443", True),
    ("astra.example.com", 443, "astra.example.com:8443", False),
    ("astra.example.com", 443, " other.com , astra.example.com ", True),
    ("astra.example.com", 443, "*", True),
    ("10.1.2.3", 443, "10.1.2.3", True),
    ("10.1.2.3", 443, "10.1.2.4", False),
    ("10.1.2.3", 443, "10.0.0.0/8", True),
    ("10.1.2.3", 443, "10.1.2.3:443", True),
    ("10.1.2.3", 443, "10.1.2.3:8443", False),
    ("10.1.2.3", 443, "1.2.3", False),
    ("::1", 443, "::1", True),
    ("::1", 8443, "[::1]:8443", True),
    ("fd00::5", 443, "fd00::/8", True),
])
def test_no_proxy_matching(host, port, no_proxy, bypassed):
    assert transport.bypasses_proxy(host, port, no_proxy) is bypassed


def test_proxy_userinfo_becomes_proxy_authorization_and_never_shows():
    proxy = Proxy("http://bob:s%3Acret@proxy.corp:8080", "HTTPS_PROXY")
    assert (proxy.host, proxy.port, proxy.url) == ("proxy.corp", 8080, "http://proxy.corp:8080")
    assert proxy.headers == {"Proxy-Authorization": "Basic " + base64.b64encode(b"bob:s:cret").decode()}
    assert Proxy("proxy.corp:3128", "HTTPS_PROXY").headers == {}


@pytest.mark.parametrize("value, message", [
    ("https://bob:secret@proxy.corp:443", "HTTPS_PROXY=https://proxy.corp:443 names a proxy this collection cannot use"),
    ("socks5://proxy.corp:1080", "only http:// proxies are supported"),
    ("http://proxy.corp:port", "is not a valid proxy URL"),
])
def test_an_unusable_proxy_fails_the_client_with_the_variable_named(monkeypatch, value, message):
    monkeypatch.setenv("HTTPS_PROXY", value)
    with pytest.raises(AstraError) as raised:
        AstraClient("https://astra.example.com", ACCOUNT, TOKEN)
    assert message in str(raised.value) and "secret" not in str(raised.value)
    assert "NO_PROXY" in str(raised.value)
