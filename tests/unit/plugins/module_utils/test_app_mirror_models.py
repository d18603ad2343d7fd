# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Models and helpers of issue 4: app mirrors, the replication schedule, wait errors with health details."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import AppMirror
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError, AstraWaitError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import (
    AppMirrorSpec,
    namespace_mapping_with_violations,
    validate_input,
)
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import (
    replication_interval,
    replication_rule,
    replication_schedule_definition,
    replication_schedule_fields,
)
from ansible_collections.kubedr.astra.plugins.module_utils.waiter import Waiter
from ansible_collections.kubedr.astra.tests.unit.fakes import FakeTime


def test_state_allowed_falls_back_to_the_api_table():
    assert AppMirror.parse({"state": "established"}).allowed == ["failedOver", "deleted"]
    assert AppMirror.parse({"state": "establishing", "stateAllowed": ["established"]}).allowed == ["established"]
    assert AppMirror.parse({"state": "deleting"}).is_deleting
    assert AppMirror.parse({"state": "established", "stateDesired": "deleted"}).is_deleting
    mirror = AppMirror.parse({"sourceAppID": "a", "destinationAppID": "b", "sourceClusterID": "c1",
                              "destinationClusterID": "c2", "unknownField": 1})
    assert mirror.app_ids == {"a", "b"} and mirror.cluster_ids == {"c1", "c2"}


@pytest.mark.parametrize("rule, granularity, minutes", [
    (replication_rule(5), "custom", 5),
    ("DTSTART:20220101T000500Z\nRRULE:FREQ=MINUTELY;INTERVAL=10", "custom", 10),
    ("DTSTART:20220101T000500Z\nRRULE:FREQ=HOURLY;INTERVAL=2", "custom", 120),
    ("DTSTART:20220101T000500Z\nRRULE:FREQ=DAILY;INTERVAL=2", "custom", None),
    (None, "hourly", None),
])
def test_replication_interval_in_minutes(rule, granularity, minutes):
    assert replication_interval({"granularity": granularity, "recurrenceRule": rule}) == minutes


def test_replication_schedule_round_trip():
    fields = replication_schedule_fields({"name": "kubedr-replication", "interval": 7, "enabled": True})
    assert fields == {"name": "kubedr-replication", "granularity": "custom", "recurrenceRule": replication_rule(7),
                      "snapshotRetention": "0", "backupRetention": "0", "enabled": "true", "replicate": "true"}
    assert replication_schedule_definition(fields) == {"name": "kubedr-replication", "interval": 7, "enabled": True}


def test_app_mirror_spec_rules():
    with pytest.raises(AstraValidationError) as raised:
        validate_input(AppMirrorSpec, {"replication_interval": 0, "storage_class": " ",
                                       "namespace_mapping": [{"source": "a", "destination": "x"},
                                                             {"source": "b", "destination": "x"}]})
    assert raised.value.options == ["namespace_mapping", "storage_class", "replication_interval"]
    spec = validate_input(AppMirrorSpec, {"replication_interval": 5})
    assert spec.namespace_mapping_api() is None


def test_namespace_mapping_against_the_app():
    mapping, paths, violations = namespace_mapping_with_violations(None, ["a", "b"], "shop", "omitted")
    assert mapping == [{"source": "a", "destination": "a"}, {"source": "b", "destination": "b"}]
    assert paths == ["omitted", "omitted"] and violations == []
    _mapping, paths, violations = namespace_mapping_with_violations([{"source": "c", "destination": "x"}], ["a"], "shop",
                                                                    "omitted")
    assert paths == ["namespace_mapping[0].destination"]
    assert [option for option, _message in violations] == ["namespace_mapping[0].source", "namespace_mapping"]


def test_a_wait_that_fails_on_health_reports_it():
    mirror = {"id": "m1", "state": "established", "stateDetails": [], "healthState": "critical",
              "healthStateDetails": [{"title": "SnapMirror transfer failed", "detail": "timeout"}],
              "transferState": "idle", "transferStateDetails": [{"title": "Snapshot replication failed"}]}

    class Client:
        def get(self, path, operation=None):
            return dict(mirror)

    clock = FakeTime()
    with pytest.raises(AstraWaitError) as raised:
        Waiter(Client(), clock=clock.monotonic, sleep=clock.sleep).until(
            "k8s/v1/appMirrors/m1", lambda item: False, lambda item: item["healthState"] == "critical" and "health critical",
            timeout=30, description="app mirror", target="established")
    error = raised.value
    assert str(error).startswith("app mirror failed after 0.0 s while waiting for established: health critical")
    assert "healthState: critical (SnapMirror transfer failed: timeout)" in str(error)
    assert "transferState: idle (Snapshot replication failed)" in str(error)
    kwargs = error.fail_kwargs()
    assert kwargs["health_state"] == "critical" and kwargs["transfer_state_details"] == mirror["transferStateDetails"]


def test_resources_without_health_report_as_before():
    error = AstraWaitError("app 'x'", "ready", "failed", {"state": "failed"}, 1.0, 60)
    assert "healthState" not in str(error) and "health_state" not in error.fail_kwargs()


def test_an_established_wait_ends_when_another_operator_turned_the_mirror_the_other_way():
    """Two operators resync one mirror in opposite directions: the loser's wait must fail at once, not time out."""
    from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import mirror_predicates

    done, failed = mirror_predicates("established", source_app_id="app-on-dr")
    theirs = {"state": "established", "stateDesired": "established", "sourceAppID": "app-on-prod",
              "sourceClusterID": "prod", "transferState": "idle", "healthState": "normal"}
    assert not done(theirs)
    assert "another request changed its direction: it now replicates from app app-on-prod" in failed(theirs)
    ours = dict(theirs, sourceAppID="app-on-dr", state="establishing")
    assert not done(ours) and failed(ours) is None
    assert done(dict(ours, state="established"))
