# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import json

import pytest
import requests
import responses
from responses import matchers

from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient, compute_verify
from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraApiError,
    AstraConnectionError,
    AstraError,
    AstraReadOnlyError,
)

from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, BASE, TOKEN, problem

APPS = BASE + "k8s/v2/apps"
APP = APPS + "/a1"


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


class Recorder:
    def __init__(self):
        self.sleeps = []
        self.warnings = []


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def make_client(recorder):
    def make(**kwargs):
        options = dict(api_url=API_URL, account_id=ACCOUNT_ID, api_token=TOKEN, retries=4,
                       sleep=recorder.sleeps.append, warn=recorder.warnings.append)
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
    (True, "/etc/astra/ca.pem", "/etc/astra/ca.pem"),
    (True, "", True),
    (True, None, True),
])
def test_verify_and_timeout_are_passed_on_every_request(mock, make_client, monkeypatch, validate_certs, ca_path, expected):
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

    assert len(mock.calls) == 4
    for call in mock.calls:
        assert call.request.req_kwargs["verify"] == expected
        assert call.request.req_kwargs["timeout"] == (17, 17)


def test_compute_verify():
    assert compute_verify(False, "/ca.pem") is False
    assert compute_verify(True, "/ca.pem") == "/ca.pem"
    assert compute_verify(True, "") is True
    assert compute_verify(True, None) is True


def test_list_follows_continue_tokens(mock, make_client):
    mock.get(APPS, match=[matchers.query_param_matcher({"filter": "name eq 'x'"})],
             json={"items": [{"id": "1"}], "metadata": {"continue": "page-2"}})
    mock.get(APPS, match=[matchers.query_param_matcher({"filter": "name eq 'x'", "continue": "page-2"})],
             json={"items": [{"id": "2"}], "metadata": {"continue": "page-3"}})
    mock.get(APPS, match=[matchers.query_param_matcher({"filter": "name eq 'x'", "continue": "page-3"})],
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
    assert [client._backoff_delay(attempt) for attempt in range(8)] == [0.5, 1, 2, 4, 8, 16, 30, 30]


def test_429_honours_retry_after(mock, make_client, recorder):
    mock.get(APP, status=429, headers={"Retry-After": "7"}, json={})
    mock.get(APP, status=429, headers={"Retry-After": "3600"}, json={})
    mock.get(APP, json={"id": "a1"})

    make_client().get("k8s/v2/apps/a1")

    assert recorder.sleeps == [7.0, 60.0]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_connection_reset_is_retried(mock, make_client, recorder, method):
    mock.add(method, APP, body=requests.ConnectionError("Connection reset by peer"))
    mock.add(method, APP, body=requests.ReadTimeout("read timed out"))
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


def test_retries_are_bounded(mock, make_client, recorder):
    mock.get(APP, **problem_response(502, 40, "Communication failed"))
    with pytest.raises(AstraApiError) as raised:
        make_client(retries=2).get("k8s/v2/apps/a1")
    assert raised.value.status == 502
    assert len(mock.calls) == 3
    assert len(recorder.sleeps) == 2


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
    dict(body=requests.ConnectionError("Connection reset by peer")),
    dict(body=requests.ReadTimeout("read timed out")),
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


def test_repeated_posts_are_bounded_by_retries(mock, make_client):
    mock.post(APPS, **problem_response(503, 24, "Service unavailable"))
    with pytest.raises(AstraApiError):
        make_client(retries=2).post("k8s/v2/apps", {"name": "wordpress"}, "app", find_existing=lambda: None)
    assert len(mock.calls) == 3


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
        make_client(retries=0).get("k8s/v2/apps/a1")
    assert "HTTP 500" in str(raised.value)
    assert TOKEN not in everything_said(raised.value)


def test_transport_error_text_never_carries_the_token(mock, make_client):
    leaky = requests.ConnectionError("HTTPSConnectionPool(host='astra.example.com', port=443): Max retries exceeded "
                                     "with url: /accounts/%s/k8s/v2/apps?token=%s (Caused by reset)" % (ACCOUNT_ID, TOKEN))
    mock.get(APP, body=leaky)
    with pytest.raises(AstraConnectionError) as raised:
        make_client(retries=1).get("k8s/v2/apps/a1")
    assert "ConnectionError" in str(raised.value) and APP in str(raised.value)
    assert TOKEN not in everything_said(raised.value)


def test_retry_warnings_never_carry_the_token(mock, make_client, recorder):
    mock.get(APP, body=requests.ConnectionError("reset while sending Bearer %s" % TOKEN))
    mock.get(APP, json={})
    make_client().get("k8s/v2/apps/a1")
    assert recorder.warnings and all(TOKEN not in warning for warning in recorder.warnings)


def test_userinfo_in_api_url_is_never_reported(mock):
    url_with_secret = "https://admin:%s@astra.example.com" % TOKEN
    mock.get(APP, **problem_response(404, 2, "Resource not found"))
    client = AstraClient(url_with_secret, ACCOUNT_ID, TOKEN, retries=0)
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


def test_tls_verification_failures_are_not_retried(mock, make_client, recorder):
    mock.get(APP, body=requests.exceptions.SSLError("certificate verify failed: self-signed certificate"))
    with pytest.raises(AstraConnectionError) as raised:
        make_client().get("k8s/v2/apps/a1")
    assert "check ca_path and validate_certs" in str(raised.value)
    assert len(mock.calls) == 1 and recorder.sleeps == []


def test_redirects_are_reported_not_followed(mock, make_client):
    mock.get(APP, status=301, headers={"Location": "https://other.example.com/accounts/x/k8s/v2/apps/a1"})
    with pytest.raises(AstraError) as raised:
        make_client().get("k8s/v2/apps/a1")
    assert "HTTP 301, a redirect to https://other.example.com/" in str(raised.value)
    assert len(mock.calls) == 1


def test_adoption_warning_names_the_reason_once(mock, make_client, recorder):
    mock.post(APPS, body=requests.ConnectionError("Connection reset by peer"))
    make_client().post("k8s/v2/apps", {}, "app", find_existing=lambda: {"id": "a1"}, operation="Create app 'wp'")
    assert recorder.warnings == ["Create app 'wp': outcome unknown (ConnectionError: Connection reset by peer); "
                                 "adopted the app that the request created (id a1) instead of posting again"]
