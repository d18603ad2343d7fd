# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraConnectionError, AstraWaitError
from ansible_collections.kubedr.astra.plugins.module_utils.waiter import Waiter
from ansible_collections.kubedr.astra.tests.unit.fakes import FakeTime

PATH = "k8s/v2/apps/a1"


class ScriptedClient:
    """get() answers from a script: dicts are returned, exceptions raised; the last entry repeats."""

    def __init__(self, *script):
        self.script = list(script)
        self.gets = 0

    def get(self, path, operation=None):
        self.gets += 1
        answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)


def app(state, **fields):
    return dict(id="a1", name="wordpress", state=state, **fields)


def not_found():
    return AstraApiError("Read", "GET", "https://astra/x", 404, {"type": "https://astra.netapp.io/problems/2", "title": "Not found"})


def unavailable():
    return AstraApiError("Read", "GET", "https://astra/x", 503, {"title": "Service unavailable"})


@pytest.fixture
def clock():
    return FakeTime()


def waiter_for(client, clock, **kwargs):
    return Waiter(client, clock=clock.monotonic, sleep=clock.sleep, **kwargs)


def test_returns_the_resource_once_ready(clock):
    client = ScriptedClient(app("discovering"), app("discovering"), app("ready", namespaces=["wordpress"]))
    resource, elapsed = waiter_for(client, clock).until_state(PATH, ["ready"], timeout=60)
    assert resource["state"] == "ready" and resource["namespaces"] == ["wordpress"]
    assert client.gets == 3
    assert clock.sleeps == [0.25, 0.375]
    assert elapsed == pytest.approx(0.625)


def test_failure_state_ends_the_wait_with_its_details(clock):
    details = [{"type": "https://astra.netapp.io/stateDetails/9", "title": "Discovery failed", "detail": "namespace gone"}]
    client = ScriptedClient(app("discovering"), app("failed", stateDetails=details))
    with pytest.raises(AstraWaitError) as raised:
        waiter_for(client, clock).until_state(PATH, ["ready"], ["failed"], timeout=60, description="app 'wordpress'")
    error = raised.value
    assert error.reason == "failed"
    assert "app 'wordpress' ended in state failed" in str(error)
    assert "Discovery failed: namespace gone" in str(error)
    kwargs = error.fail_kwargs()
    assert kwargs["state_details"] == details and kwargs["state"] == "failed"
    assert error.resource["state"] == "failed"


def test_timeout_reports_the_last_state_and_never_sleeps_past_the_deadline(clock):
    unready = ["Waiting for the volume snapshot"]
    client = ScriptedClient(app("discovering", stateUnready=unready))
    with pytest.raises(AstraWaitError) as raised:
        waiter_for(client, clock).until_state(PATH, ["ready"], timeout=30, description="app 'wordpress'")
    error = raised.value
    assert error.reason == "timeout"
    assert sum(clock.sleeps) == pytest.approx(30)
    assert "Timed out after 30.0 s (wait_timeout 30) waiting for app 'wordpress' to become ready" in str(error)
    assert "last state: discovering" in str(error) and "stateUnready: Waiting for the volume snapshot" in str(error)
    assert error.fail_kwargs()["state_unready"] == unready
    assert error.resource["state"] == "discovering"


def test_poll_delay_grows_from_a_short_first_poll_to_a_cap(clock):
    client = ScriptedClient(app("discovering"))
    with pytest.raises(AstraWaitError):
        waiter_for(client, clock).until_state(PATH, ["ready"], timeout=120)
    assert clock.sleeps[0] == 0.25
    assert clock.sleeps[1] == pytest.approx(0.375)
    full_sleeps = clock.sleeps[:-1]
    assert all(later >= earlier for earlier, later in zip(full_sleeps, full_sleeps[1:]))
    assert max(clock.sleeps) == 10.0
    assert full_sleeps.count(10.0) > 3


def test_until_gone_returns_once_the_api_answers_404(clock):
    client = ScriptedClient(app("deleting"), app("deleting"), not_found())
    resource, elapsed = waiter_for(client, clock).until_gone(PATH, timeout=60)
    assert resource is None and client.gets == 3
    assert elapsed == pytest.approx(0.625)


def test_until_gone_times_out_with_the_last_state(clock):
    client = ScriptedClient(app("deleting"))
    with pytest.raises(AstraWaitError) as raised:
        waiter_for(client, clock).until_gone(PATH, timeout=5, description="app 'wordpress'")
    assert "to become deleted" in str(raised.value) and "last state: deleting" in str(raised.value)


def test_by_default_a_poll_the_client_could_not_retry_into_success_ends_the_wait(clock):
    """The client already retried that GET for its whole retry_timeout: the API has been down that long."""
    reset = AstraConnectionError("Read", "GET", "https://astra/x", "ConnectionError: reset")
    client = ScriptedClient(app("discovering"), reset, app("ready"))
    with pytest.raises(AstraConnectionError):
        waiter_for(client, clock).until_state(PATH, ["ready"], timeout=60)
    assert client.gets == 2


def test_up_to_max_errors_consecutive_transient_errors_are_tolerated(clock):
    reset = AstraConnectionError("Read", "GET", "https://astra/x", "ConnectionError: reset")
    client = ScriptedClient(reset, unavailable(), reset, app("ready"))
    resource, _elapsed = waiter_for(client, clock, max_errors=3).until_state(PATH, ["ready"], timeout=60)
    assert resource["state"] == "ready" and client.gets == 4


def test_one_more_consecutive_transient_error_is_raised(clock):
    client = ScriptedClient(unavailable(), unavailable(), unavailable(), unavailable(), app("ready"))
    with pytest.raises(AstraApiError):
        waiter_for(client, clock, max_errors=3).until_state(PATH, ["ready"], timeout=60)
    assert client.gets == 4


def test_errors_are_counted_consecutively_only(clock):
    client = ScriptedClient(unavailable(), unavailable(), unavailable(), app("discovering"),
                            unavailable(), unavailable(), unavailable(), app("ready"))
    resource, _elapsed = waiter_for(client, clock, max_errors=3).until_state(PATH, ["ready"], timeout=60)
    assert resource["state"] == "ready"


def test_other_api_errors_end_the_wait_at_once(clock):
    client = ScriptedClient(AstraApiError("Read", "GET", "https://astra/x", 403, {"title": "Operation not permitted"}))
    with pytest.raises(AstraApiError):
        waiter_for(client, clock).until_state(PATH, ["ready"], timeout=60)
    assert client.gets == 1


def test_a_resource_that_disappears_while_waiting_for_ready_fails(clock):
    client = ScriptedClient(app("discovering"), not_found())
    with pytest.raises(AstraWaitError) as raised:
        waiter_for(client, clock).until_state(PATH, ["ready"], timeout=60, description="app 'wordpress'")
    assert raised.value.reason == "gone" and "disappeared" in str(raised.value)


def test_custom_condition(clock):
    mirror = dict(id="m1", state="establishing", stateDesired="established")
    client = ScriptedClient(mirror, dict(mirror, state="established"))
    resource, _elapsed = waiter_for(client, clock).until(
        "k8s/v1/appMirrors/m1", done=lambda item: item["state"] == item["stateDesired"], timeout=60, target="established")
    assert resource["state"] == "established"
