# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Real local servers for the transport's tests: HTTP/1.1 (optionally TLS) that records connections, a CA and
certificates made with `cryptography`, and a tiny forward proxy (CONNECT tunnels and absolute-form requests)."""

import datetime
import ipaddress
import json
import select
import socket
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_certificates(directory, host, ca_name="transport test CA"):
    """(ca.pem path, server.pem path, server-key.pem path): a CA and a certificate for host (a name or an IP)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(_name(ca_name)).issuer_name(_name(ca_name))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True).sign(ca_key, hashes.SHA256()))
    san = x509.IPAddress(ipaddress.ip_address(host)) if host[0].isdigit() else x509.DNSName(host)
    server = (x509.CertificateBuilder().subject_name(_name(host)).issuer_name(ca.subject).public_key(key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([san]), critical=False).sign(ca_key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    paths = []
    for file_name, data in (("ca.pem", ca.public_bytes(pem)), ("server.pem", server.public_bytes(pem)),
                            ("server-key.pem", key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                 serialization.NoEncryption()))):
        path = directory / file_name
        path.write_bytes(data)
        paths.append(str(path))
    return tuple(paths)


class _Handler(BaseHTTPRequestHandler):
    """/slow answers after a second; /close answers, then drops the connection as an idle-timeout would;
    /redirect answers 302; anything else answers 200 with what it received, as JSON."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, dict(self.headers), body, self.client_address[1]))
        if self.path.endswith("/slow"):
            time.sleep(1.0)
        if self.path.endswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "https://elsewhere.example.com/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        payload = json.dumps({"method": self.command, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        if self.path.endswith("/close"):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):  # pylint: disable=arguments-differ
        pass


class LocalServer(ThreadingHTTPServer):
    """An HTTP/1.1 server on 127.0.0.1 in a thread; with tls=(certificate, key) an HTTPS one.

    requests: (method, path, headers, body, client port) of each request; closed: how many connections it closed.
    """

    daemon_threads = True

    def __init__(self, tls=None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests = []
        self.closed = 0
        self.context = None
        if tls:
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(*tls)
        self.port = self.server_address[1]
        self.url = "%s://127.0.0.1:%d" % ("https" if tls else "http", self.port)
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()

    def connections(self):
        """How many TCP connections the requests came on."""
        return len({port for _method, _path, _headers, _body, port in self.requests})

    def wait_closed(self, count, timeout=5.0):
        deadline = time.monotonic() + timeout
        while self.closed < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def finish_request(self, request, client_address):
        if self.context is None:
            super().finish_request(request, client_address)
            return
        request.settimeout(5)
        try:
            tls_request = self.context.wrap_socket(request, server_side=True)
        except OSError:
            return  # a plain HTTP client, or one that refused the certificate: shutdown_request closes the socket
        try:
            super().finish_request(tls_request, client_address)
        finally:
            tls_request.close()

    def shutdown_request(self, request):
        super().shutdown_request(request)
        self.closed += 1


class _ProxyHandler(socketserver.StreamRequestHandler):
    def handle(self):
        request_line = self.rfile.readline().decode("latin-1").strip()
        headers = {}
        while True:
            line = self.rfile.readline().decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            name, _colon, value = line.partition(":")
            headers[name.strip()] = value.strip()
        self.server.requests.append((request_line, headers))
        method, target, _version = request_line.split(" ")
        if method != "CONNECT":
            payload = json.dumps({"proxied": target}).encode()
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n%s" % (len(payload), payload))
            return
        host, port = target.rsplit(":", 1)
        with socket.create_connection((host, int(port)), timeout=5) as upstream:
            self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            self.wfile.flush()
            _pipe(self.connection, upstream)


def _pipe(one, other):
    sockets = [one, other]
    while True:
        readable, _writable, _failed = select.select(sockets, [], [], 5)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (other if sock is one else one).sendall(data)


class LocalProxy(socketserver.ThreadingTCPServer):
    """A forward proxy on 127.0.0.1: tunnels CONNECT, and answers absolute-form requests itself.

    requests: (request line, headers) of what it received."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.requests = []
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self.shutdown()
        self.server_close()


def unused_port():
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
