# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import http.client
import json
import ssl

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient, compute_verify
from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraApiError,
    AstraConnectionError,
    AstraError,
    AstraReadOnlyError,
)

from ansible_collections.kubedr.astra.tests.unit.fake_transport import FakeResponses, query_param_matcher
from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, BASE, TOKEN, problem

APPS = BASE + "k8s/v2/apps"
APP = APPS + "/a1"


@pytest.fixture
def mock(monkeypatch):
    return FakeResponses().install(monkeypatch)


class Recorder:
    """Records sleeps and warnings; its clock advances by every sleep, so retry budgets run on simulated time."""

    def __init__(self):
        self.sleeps = []
        self.warnings = []
        self.now = 1000.0

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def make_client(recorder):
    def make(**kwargs):
        options = dict(api_url=API_URL, account_id=ACCOUNT_ID, api_token=TOKEN, retry_timeout=60,
                       sleep=recorder.sleep, clock=recorder.clock, warn=recorder.warnings.append)
        options.update(kwargs)
        return AstraClient(**options)
    return make


def problem_response(status, number=34, title="Internal server error", detail="try later"):
    return dict(status=status, json=problem(status, number, title, detail), content_type="application/problem+json")


def everything_said(exc):
    """All text a failure can surface: the message, repr and the fail_json keywords."""
    return " ".join([str(exc), repr(exc), json.dumps(exc.fail_kwargs(), default=str)])


# ---------------------------------------------------------------------- requests as sent

def test_base_url_headers_and_media_types(mock, make_client):
    mock.get(APPS, json={"items": [], "metadata": {}})
    mock.post(APPS, status=201, json={"id": "a1", "name": "wordpress"})
    mock.put(APP, status=204)
    mock.delete(APP, status=204)
    client = make_client()

    client.list("k8s/v2/apps")
    client.post("k8s/v2/apps", {"name": "wordpress"}, "app")
    client.put("k8s/v2/apps/a1", {"name": "wordpress"}, "app")
    client.delete("k8s/v2/apps/a1")

    get, post, put, delete = (call.request for call in mock.calls)
    assert get.url == APPS and get.headers["Accept"] == "*/*"
    assert get.headers["Authorization"] == "Bearer " + TOKEN
    for write in (post, put):
        assert write.headers["Content-Type"] == "application/astra-app+json"
        assert write.headers["Accept"] == "application/astra-app+json"
        assert json.loads(write.body) == {"name": "wordpress"}
    assert delete.headers["Accept"] == "*/*"


@pytest.mark.parametrize("validate_certs, ca_path, expected", [
    (False, None, False),
    (False, "/etc/astra/ca.pem", False),
    (True, "CA", "CA"),
    (True, "", True),
    (True, None, True),
    (True, "EMPTY", True),
    (True, "BLANK", True),
])
def test_verify_and_timeout_are_passed_on_every_request(mock, make_client, monkeypatch, tmp_path, validate_certs, ca_path,
                                                        expected):
    if ca_path == "CA":
        ca_path = expected = _self_signed_ca(tmp_path, "astra-ca")
    if ca_path in ("EMPTY", "BLANK"):
        # What an AWX credential writes for a blank optional CA field: "no CA given", not "trust nothing".
        ca_file = tmp_path / "ca.pem"
        ca_file.write_text("" if ca_path == "EMPTY" else " \n\t\n")
        ca_path = str(ca_file)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/somewhere/else.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/somewhere/else.pem")
    mock.get(APP, json={"id": "a1"})
    mock.post(APPS, status=201, json={"id": "a1"})
    mock.put(APP, status=204)
    mock.delete(APP, status=204)
    client = make_client(validate_certs=validate_certs, ca_path=ca_path, timeout=17)

    client.get("k8s/v2/apps/a1")
    client.post("k8s/v2/apps", {}, "app")
    client.put("k8s/v2/apps/a1", {}, "app")
    client.delete("k8s/v2/apps/a1")

    assert client.verify == expected
    assert len(mock.calls) == 4
    for call in mock.calls:
        context = call.request.ssl_context
        assert call.request.timeout == 17
        if expected is False:
            assert context.verify_mode == ssl.CERT_NONE and not context.check_hostname
        else:
            assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        if expected not in (True, False):
            assert _trusted_names(context) == ["astra-ca"], "only ca_path; REQUESTS_CA_BUNDLE plays no part"


def test_compute_verify(tmp_path):
    assert compute_verify(False, "/ca.pem") is False
    assert compute_verify(True, "/ca.pem") == "/ca.pem"
    assert compute_verify(True, "") is True
    assert compute_verify(True, None) is True
    blank = tmp_path / "blank.pem"
    blank.write_text("\n   \n")
    assert compute_verify(True, str(blank)) is True
    real = tmp_path / "real.pem"
    real.write_text("-----BEGIN CERTIFICATE-----\n")
    assert compute_verify(True, str(real)) == str(real)


def test_list_follows_continue_tokens(mock, make_client):
    mock.get(APPS, match=[query_param_matcher({"filter": "name eq 'x'"})],
             json={"items": [{"id": "1"}], "metadata": {"continue": "page-2"}})
    mock.get(APPS, match=[query_param_matcher({"filter": "name eq 'x'", "continue": "page-2"})],
             json={"items": [{"id": "2"}], "metadata": {"continue": "page-3"}})
    mock.get(APPS, match=[query_param_matcher({"filter": "name eq 'x'", "continue": "page-3"})],
             json={"items": [{"id": "3"}], "metadata": {}})

    items = make_client().list("k8s/v2/apps", params={"filter": "name eq 'x'"})

    assert [item["id"] for item in items] == ["1", "2", "3"]
    assert len(mock.calls) == 3
    assert "continue" not in mock.calls[0].request.params


def test_list_without_params_sends_no_query(mock, make_client):
    mock.get(BASE + "topology/v1/buckets", json={"items": [{"name": "b"}], "metadata": {}})
    make_client().list("topology/v1/buckets")
    assert mock.calls[0].request.url == BASE + "topology/v1/buckets"


# ---------------------------------------------------------------------- retries

def test_the_client_remembers_when_the_api_last_accepted_a_write(mock, make_client):
    mock.get(APP, json={"id": "a1"})
    mock.put(APP, **problem_response(409, 48, "Conflict"))
    client = make_client()
    client.get("k8s/v2/apps/a1")
    with pytest.raises(AstraApiError):
        client.put("k8s/v2/apps/a1", {}, "app")
    assert client.last_write_accepted is None, "neither a read nor a refused write counts"
    mock.replace("PUT", APP, status=204)
    client.put("k8s/v2/apps/a1", {}, "app")
    first = client.last_write_accepted
    assert first is not None and first.tzinfo is not None
    mock.delete(APP, status=204)
    client.delete("k8s/v2/apps/a1")
    assert client.last_write_accepted >= first


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_idempotent_methods_retry_on_503_with_growing_backoff(mock, make_client, recorder, method):
    for _attempt in range(4):
        mock.add(method, APP, **problem_response(503, 24, "Service unavailable"))
    mock.add(method, APP, status=200, json={"id": "a1"})
    client = make_client()

    if method == "GET":
        assert client.get("k8s/v2/apps/a1") == {"id": "a1"}
    elif method == "PUT":
        client.put("k8s/v2/apps/a1", {}, "app")
    else:
        client.delete("k8s/v2/apps/a1")

    assert len(mock.calls) == 5
    assert len(recorder.sleeps) == 4
    assert all(later >= earlier for earlier, later in zip(recorder.sleeps, recorder.sleeps[1:]))
    assert recorder.sleeps[-1] > recorder.sleeps[0]
    assert len(recorder.warnings) == 4 and "HTTP 503" in recorder.warnings[0]


def test_backoff_without_jitter_doubles_until_capped(make_client):
    client = make_client(jitter=lambda low, high: high)
    assert [client._backoff_delay(attempt) for attempt in range(8)] == [0.5, 1, 2, 4, 8, 10, 10, 10]


def test_429_honours_retry_after(mock, make_client, recorder):
    mock.get(APP, status=429, headers={"Retry-After": "7"}, json={})
    mock.get(APP, status=503, headers={"Retry-After": "2"}, json={})
    mock.get(APP, json={"id": "a1"})

    make_client().get("k8s/v2/apps/a1")

    assert recorder.sleeps == [7.0, 2.0]


def test_retry_after_beyond_the_budget_fails_at_once_and_says_so(mock, make_client, recorder):
    mock.get(APP, status=503, headers={"Retry-After": "3600"}, json={})
    with pytest.raises(AstraApiError) as raised:
        make_client(retry_timeout=30).get("k8s/v2/apps/a1")
    assert recorder.sleeps == []
    assert "1 attempt(s) within retry_timeout 30 s; the API asked to retry after 60 s" in str(raised.value)


def test_a_flaky_api_converges_within_the_budget(mock, make_client, recorder):
    """Resets and 503s in a row, more than the old fixed count of four retries allowed: still within 60 s."""
    for _attempt in range(3):
        mock.get(APP, body=ConnectionResetError(104, "Connection reset by peer"))
        mock.get(APP, **problem_response(503, 24, "Service unavailable"))
    mock.get(APP, json={"id": "a1"})
    assert make_client().get("k8s/v2/apps/a1") == {"id": "a1"}
    assert len(mock.calls) == 7
    assert recorder.now - 1000.0 < 60


def test_a_dead_api_fails_once_the_budget_is_spent(mock, make_client, recorder):
    mock.get(APP, body=ConnectionRefusedError(111, "Connection refused"))
    with pytest.raises(AstraConnectionError) as raised:
        make_client(retry_timeout=60).get("k8s/v2/apps/a1")
    spent = recorder.now - 1000.0
    assert 30 <= spent <= 60, spent
    assert max(recorder.sleeps) <= 10
    attempts = len(mock.calls)
    assert "%d attempt(s) within retry_timeout 60 s" % attempts in str(raised.value)


def test_get_retries_500_but_put_and_delete_do_not(mock, make_client, recorder):
    mock.get(APP, **problem_response(500, 34, "Internal server error"))
    mock.get(APP, json={"id": "a1"})
    mock.put(APP, **problem_response(500, 34, "Internal server error"))
    mock.delete(APP, **problem_response(500, 34, "Internal server error"))
    client = make_client()
    assert client.get("k8s/v2/apps/a1") == {"id": "a1"}
    with pytest.raises(AstraApiError):
        client.put("k8s/v2/apps/a1", {}, "app")
    with pytest.raises(AstraApiError):
        client.delete("k8s/v2/apps/a1")
    assert [call.request.method for call in mock.calls] == ["GET", "GET", "PUT", "DELETE"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_connection_reset_is_retried(mock, make_client, recorder, method):
    mock.add(method, APP, body=ConnectionResetError(104, "Connection reset by peer"))
    mock.add(method, APP, body=TimeoutError("timed out"))
    mock.add(method, APP, status=204)
    client = make_client()

    if method == "GET":
        client.get("k8s/v2/apps/a1")
    elif method == "PUT":
        client.put("k8s/v2/apps/a1", {}, "app")
    else:
        client.delete("k8s/v2/apps/a1")

    assert len(mock.calls) == 3
    assert len(recorder.sleeps) == 2


def test_retries_are_bounded_by_the_budget(mock, make_client, recorder):
    mock.get(APP, **problem_response(502, 40, "Communication failed"))
    with pytest.raises(AstraApiError) as raised:
        make_client(retry_timeout=2, jitter=lambda low, high: high).get("k8s/v2/apps/a1")
    assert raised.value.status == 502
    # 0.5 + 1 s of sleep fit in 2 s; the next 2 s would not.
    assert recorder.sleeps == [0.5, 1]
    assert len(mock.calls) == 3


def test_no_retries_with_a_zero_budget(mock, make_client, recorder):
    mock.get(APP, **problem_response(503, 24, "Service unavailable"))
    with pytest.raises(AstraApiError):
        make_client(retry_timeout=0).get("k8s/v2/apps/a1")
    assert len(mock.calls) == 1 and recorder.sleeps == []


@pytest.mark.parametrize("status, number", [(400, 5), (401, 4), (403, 11), (404, 2), (409, 10)])
def test_client_errors_are_not_retried(mock, make_client, recorder, status, number):
    mock.get(APP, **problem_response(status, number, "Some problem"))
    mock.put(APP, **problem_response(status, number, "Some problem"))
    client = make_client()
    with pytest.raises(AstraApiError):
        client.get("k8s/v2/apps/a1")
    with pytest.raises(AstraApiError):
        client.put("k8s/v2/apps/a1", {}, "app")
    assert len(mock.calls) == 2
    assert recorder.sleeps == []


# ---------------------------------------------------------------------- POST is never repeated blindly

LOST_ANSWERS = [
    dict(body=ConnectionResetError(104, "Connection reset by peer")),
    dict(body=TimeoutError("timed out")),
    problem_response(502, 40, "Communication failed"),
]


@pytest.mark.parametrize("lost", LOST_ANSWERS, ids=["reset", "timeout", "502"])
def test_lost_post_adopts_the_existing_resource(mock, make_client, recorder, lost):
    mock.post(APPS, **lost)
    lookups = []

    def find_existing():
        lookups.append(True)
        return {"id": "a1", "name": "wordpress"}

    created = make_client().post("k8s/v2/apps", {"name": "wordpress"}, "app", find_existing=find_existing)

    assert created == {"id": "a1", "name": "wordpress"}
    assert len(mock.calls) == 1
    assert lookups == [True]
    assert any("adopted" in warning for warning in recorder.warnings)


@pytest.mark.parametrize("lost", LOST_ANSWERS, ids=["reset", "timeout", "502"])
def test_lost_post_is_repeated_once_when_nothing_was_created(mock, make_client, lost):
    mock.post(APPS, **lost)
    mock.post(APPS, status=201, json={"id": "a2", "name": "wordpress"})

    created = make_client().post("k8s/v2/apps", {"name": "wordpress"}, "app", find_existing=lambda: None)

    assert created["id"] == "a2"
    assert len(mock.calls) == 2


@pytest.mark.parametrize("lost, error", [
    (LOST_ANSWERS[0], AstraConnectionError),
    (LOST_ANSWERS[1], AstraConnectionError),
    (LOST_ANSWERS[2], AstraApiError),
], ids=["reset", "timeout", "502"])
def test_lost_post_without_lookup_is_raised(mock, make_client, lost, error):
    mock.post(APPS, **lost)
    with pytest.raises(error):
        make_client().post("k8s/v2/apps", {"name": "wordpress"}, "app")
    assert len(mock.calls) == 1


def test_repeated_posts_are_bounded_by_the_budget(mock, make_client):
    mock.post(APPS, **problem_response(503, 24, "Service unavailable"))
    with pytest.raises(AstraApiError) as raised:
        make_client(retry_timeout=2, jitter=lambda low, high: high).post("k8s/v2/apps", {"name": "wordpress"}, "app",
                                                                         find_existing=lambda: None)
    assert len(mock.calls) == 3
    assert "no app was created" in str(raised.value)


def test_lost_post_whose_lookup_fails_too_says_the_outcome_is_unknown(mock, make_client):
    mock.post(APPS, body=ConnectionResetError(104, "Connection reset by peer"))

    def find_existing():
        raise AstraConnectionError("Look up app wordpress", "GET", APPS, "ConnectionError: Connection refused")

    with pytest.raises(AstraError) as raised:
        make_client().post("k8s/v2/apps", {"name": "wordpress"}, "app", find_existing=find_existing,
                           operation="Create app 'wordpress'")
    message = str(raised.value)
    assert message.startswith("Create app 'wordpress': outcome unknown (ConnectionResetError: [Errno 104] Connection reset by peer)")
    assert "Connection refused" in message and "Run the task again" in message
    assert len(mock.calls) == 1


def test_post_client_error_is_not_retried_nor_looked_up(mock, make_client):
    mock.post(APPS, **problem_response(409, 121, "Application already exists"))
    lookups = []
    with pytest.raises(AstraApiError) as raised:
        make_client().post("k8s/v2/apps", {}, "app", find_existing=lambda: lookups.append(1))
    assert raised.value.problem == 121
    assert lookups == [] and len(mock.calls) == 1


def test_post_without_body_follows_location(mock, make_client):
    mock.post(APPS, status=201, headers={"Location": APP})
    mock.get(APP, json={"id": "a1", "state": "discovering"})
    assert make_client().post("k8s/v2/apps", {}, "app") == {"id": "a1", "state": "discovering"}


# ---------------------------------------------------------------------- errors and secrets

def test_problem_body_becomes_a_complete_message(mock, make_client):
    body = problem(409, 112, "Application not ready", "The application is busy.")
    body["invalidFields"] = [{"name": "clusterID", "reason": "immutable"}]
    mock.delete(APP, status=409, json=body, content_type="application/problem+json")

    with pytest.raises(AstraApiError) as raised:
        make_client().delete("k8s/v2/apps/a1", operation="Delete app 'wordpress'")

    error = raised.value
    assert (error.status, error.problem, error.title, error.correlation_id) == (409, 112, "Application not ready", "corr-112")
    assert str(error) == ("Delete app 'wordpress' failed: Application not ready - The application is busy. "
                          "(HTTP 409, problem 112, correlationID corr-112; DELETE %s); invalid fields: clusterID (immutable)"
                          % APP)
    kwargs = error.fail_kwargs()
    assert kwargs["status"] == 409 and kwargs["problem"]["number"] == 112
    assert kwargs["request"] == {"method": "DELETE", "url": APP}
    assert TOKEN not in everything_said(error)


def test_non_problem_error_body_is_reported_without_the_token(mock, make_client):
    mock.get(APP, status=500, body="upstream said: Bearer %s is wrong" % TOKEN, content_type="text/plain")
    with pytest.raises(AstraApiError) as raised:
        make_client(retry_timeout=0).get("k8s/v2/apps/a1")
    assert "HTTP 500" in str(raised.value)
    assert TOKEN not in everything_said(raised.value)


def test_transport_error_text_never_carries_the_token(mock, make_client):
    leaky = OSError("Tunnel connection failed: 502 upstream refused /accounts/%s/k8s/v2/apps?token=%s" % (ACCOUNT_ID, TOKEN))
    mock.get(APP, body=leaky)
    with pytest.raises(AstraConnectionError) as raised:
        make_client(retry_timeout=1).get("k8s/v2/apps/a1")
    assert "OSError: Tunnel connection failed" in str(raised.value) and APP in str(raised.value)
    assert TOKEN not in everything_said(raised.value)


def test_retry_warnings_never_carry_the_token(mock, make_client, recorder):
    mock.get(APP, body=ConnectionResetError("reset while sending Bearer %s" % TOKEN))
    mock.get(APP, json={})
    make_client().get("k8s/v2/apps/a1")
    assert recorder.warnings and all(TOKEN not in warning for warning in recorder.warnings)


def test_userinfo_in_api_url_is_never_reported(mock):
    url_with_secret = "https://admin:%s@astra.example.com" % TOKEN
    mock.get(APP, **problem_response(404, 2, "Resource not found"))
    client = AstraClient(url_with_secret, ACCOUNT_ID, TOKEN, retry_timeout=0)
    with pytest.raises(AstraApiError) as raised:
        client.get("k8s/v2/apps/a1")
    assert TOKEN not in everything_said(raised.value)
    assert "https://astra.example.com/accounts/" in str(raised.value)


def test_get_or_none_and_missing_ok_delete(mock, make_client):
    mock.get(APP, **problem_response(404, 2, "Resource not found"))
    mock.delete(APP, **problem_response(404, 1, "Resource not found"))
    client = make_client()
    assert client.get_or_none("k8s/v2/apps/a1") is None
    assert client.delete("k8s/v2/apps/a1") is False
    with pytest.raises(AstraApiError):
        client.delete("k8s/v2/apps/a1", missing_ok=False)


# ---------------------------------------------------------------------- check mode safety net

def test_read_only_client_refuses_every_write(mock, make_client):
    mock.get(APP, json={"id": "a1"})
    client = make_client(read_only=True)
    assert client.get("k8s/v2/apps/a1") == {"id": "a1"}
    for write in (lambda: client.post("k8s/v2/apps", {}, "app"),
                  lambda: client.put("k8s/v2/apps/a1", {}, "app"),
                  lambda: client.delete("k8s/v2/apps/a1")):
        with pytest.raises(AstraReadOnlyError):
            write()
    assert [call.request.method for call in mock.calls] == ["GET"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_tls_verification_failures_are_not_retried(mock, make_client, recorder, method):
    failure = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed "
                                              "certificate (_ssl.c:1006)")
    mock.add(method, APP if method == "GET" else APPS, body=failure)
    lookups = []
    with pytest.raises(AstraConnectionError) as raised:
        if method == "GET":
            make_client().get("k8s/v2/apps/a1")
        else:
            make_client().post("k8s/v2/apps", {}, "app", find_existing=lambda: lookups.append(1))
    assert str(raised.value).startswith("Create app failed: " if method == "POST" else "Read k8s/v2/apps/a1 failed: ")
    assert ("SSLCertVerificationError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed "
            "certificate (_ssl.c:1006); the server's certificate is not signed by a CA in the system trust store") in str(raised.value)
    assert "set ca_path to the PEM file of the CA that signed the Astra Control certificate" in str(raised.value)
    assert len(mock.calls) == 1 and recorder.sleeps == [] and lookups == []


def test_redirects_are_reported_not_followed(mock, make_client):
    mock.get(APP, status=301, headers={"Location": "https://other.example.com/accounts/x/k8s/v2/apps/a1"})
    with pytest.raises(AstraError) as raised:
        make_client().get("k8s/v2/apps/a1")
    assert "HTTP 301, a redirect to https://other.example.com/" in str(raised.value)
    assert len(mock.calls) == 1


def test_adoption_warning_names_the_reason_once(mock, make_client, recorder):
    mock.post(APPS, body=ConnectionResetError(104, "Connection reset by peer"))
    make_client().post("k8s/v2/apps", {}, "app", find_existing=lambda: {"id": "a1"}, operation="Create app 'wp'")
    assert recorder.warnings == ["Create app 'wp': outcome unknown (ConnectionResetError: [Errno 104] Connection reset by peer); "
                                 "adopted the app that the request created (id a1) instead of posting again"]


# ---------------------------------------------------------------------- trust store, TLS advice, paths

def _self_signed_ca(tmp_path, name):
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    path = tmp_path / ("%s.pem" % name)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def _trusted_names(context):
    return sorted(dict(entry[0] for entry in cert["subject"])["commonName"] for cert in context.get_ca_certs())


def test_no_ca_means_the_system_trust_store_which_ssl_cert_file_can_name(tmp_path, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils import astra_client

    corporate = _self_signed_ca(tmp_path, "corporate-root")
    monkeypatch.setenv("SSL_CERT_FILE", corporate)
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "no-such-dir"))
    assert astra_client.system_trust_store() == (corporate, None)
    assert _trusted_names(astra_client.tls_context(True)) == ["corporate-root"]
    assert astra_client.describe_trust(True) == "the system trust store (%s)" % corporate


def test_ca_path_replaces_the_trust_store(tmp_path, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils import astra_client

    monkeypatch.setenv("SSL_CERT_FILE", _self_signed_ca(tmp_path, "corporate-root"))
    own = _self_signed_ca(tmp_path, "astra-ca")
    assert _trusted_names(astra_client.tls_context(own)) == ["astra-ca"]


def test_https_requests_are_verified_against_the_trust_store_and_never_certifi(tmp_path, monkeypatch, make_client):
    monkeypatch.setenv("SSL_CERT_FILE", _self_signed_ca(tmp_path, "corporate-root"))
    context = make_client()._transport.ssl_context
    assert _trusted_names(context) == ["corporate-root"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    unverified = make_client(validate_certs=False)._transport.ssl_context
    assert unverified.verify_mode == ssl.CERT_NONE and not unverified.check_hostname
    assert make_client(api_url=API_URL.replace("https://", "http://"))._transport.ssl_context is None


@pytest.mark.parametrize("text, advice", [
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
     "is not signed by a CA in the CA file /ca.pem (ca_path): set ca_path to the PEM file of the CA"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain",
     "is not signed by a CA in the CA file /ca.pem (ca_path)"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired",
     "the server's certificate has expired or is not yet valid: renew the Astra Control certificate"),
    ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for "
     "'astra.example.com'", "is not valid for astra.example.com: put a host name the certificate was issued for in api_url"),
    ("[SSL: WRONG_VERSION_NUMBER] wrong version number", "if it serves plain HTTP, use an http:// api_url"),
])
def test_tls_failures_say_what_to_fix(text, advice):
    from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import tls_failure_advice

    assert advice in tls_failure_advice(text, "/ca.pem", "astra.example.com")


@pytest.mark.parametrize("path", ["../x", "k8s/../../x", "k8s/%2e%2e/x", "k8s/%252e%252e/x", "//evil.example.com/x",
                                  "https://evil.example.com/x", "k8s/./apps"])
def test_paths_that_could_leave_the_account_are_refused(mock, make_client, path):
    with pytest.raises(AstraError, match="not a path below the account"):
        make_client().get(path)
    assert len(mock.calls) == 0


def test_extra_problem_members_are_part_of_the_message(mock, make_client):
    body = problem(409, 123, "Namespace unavailable", "The namespace is currently unavailable.")
    body["reason"] = "namespace wordpress on cluster dr-west belongs to app wordpress"
    mock.post(APPS, status=409, json=body, content_type="application/problem+json")
    with pytest.raises(AstraApiError) as raised:
        make_client().post("k8s/v2/apps", {}, "app")
    assert ("Namespace unavailable - The namespace is currently unavailable. (namespace wordpress on cluster dr-west "
            "belongs to app wordpress) (HTTP 409, problem 123") in str(raised.value)


def test_http_url_to_an_https_server_says_use_https(mock, make_client, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils import astra_client

    probes = []
    monkeypatch.setattr(astra_client, "speaks_tls", lambda host, port, timeout=3.0: probes.append((host, port)) or True)
    http_app = APP.replace("https://", "http://")
    mock.get(http_app, body=http.client.RemoteDisconnected("Remote end closed connection without response"))
    client = make_client(api_url=API_URL.replace("https://", "http://"))
    with pytest.raises(AstraConnectionError) as raised:
        client.get("k8s/v2/apps/a1")
    assert ("RemoteDisconnected: Remote end closed connection without response; the server at astra.example.com "
            "answers HTTPS: use an https:// api_url") in str(raised.value)
    assert probes == [("astra.example.com", 80)] and len(mock.calls) == 1


@pytest.mark.parametrize("failure", [http.client.BadStatusLine("\x15\x03\x01\x00\x02\x02\n"),
                                     ConnectionResetError(104, "Connection reset by peer")])
def test_http_url_to_an_https_server_that_answers_garbage_or_resets(mock, make_client, monkeypatch, failure):
    from ansible_collections.kubedr.astra.plugins.module_utils import astra_client

    monkeypatch.setattr(astra_client, "speaks_tls", lambda host, port, timeout=3.0: True)
    mock.get(APP.replace("https://", "http://"), body=failure)
    with pytest.raises(AstraConnectionError) as raised:
        make_client(api_url=API_URL.replace("https://", "http://")).get("k8s/v2/apps/a1")
    assert "answers HTTPS: use an https:// api_url" in str(raised.value)
    if isinstance(failure, http.client.BadStatusLine):
        assert "BadStatusLine: the answer is not HTTP: '\\x15\\x03" in str(raised.value)


@pytest.mark.parametrize("failure", [TimeoutError("timed out"), ConnectionRefusedError(111, "Connection refused")])
def test_a_timeout_or_refusal_at_an_http_url_is_no_sign_of_https(mock, make_client, monkeypatch, failure):
    from ansible_collections.kubedr.astra.plugins.module_utils import astra_client

    probes = []
    monkeypatch.setattr(astra_client, "speaks_tls", lambda host, port, timeout=3.0: probes.append(host) or True)
    mock.get(APP.replace("https://", "http://"), body=failure)
    with pytest.raises(AstraConnectionError) as raised:
        make_client(api_url=API_URL.replace("https://", "http://"), retry_timeout=0).get("k8s/v2/apps/a1")
    assert "use an https:// api_url" not in str(raised.value) and probes == []
    assert "%s: %s" % (type(failure).__name__, failure) in str(raised.value)


def test_a_ca_file_that_holds_no_certificate_is_named(tmp_path):
    garbage = tmp_path / "ca.pem"
    garbage.write_text("this is not a certificate\n")
    with pytest.raises(AstraError) as raised:
        AstraClient(API_URL, ACCOUNT_ID, TOKEN, ca_path=str(garbage))
    assert str(raised.value).startswith("Invalid input: ca_path: cannot load the CA certificates of the CA file %s" % garbage)
