# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The run record the runbooks keep, and the verdicts that go into their reports."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    REPORT_APP_FIELDS,
    RunbookError,
    new_record,
    record_preflight,
    record_results,
    record_step,
    report_apps,
    report_summary,
    seconds_between,
)

POSTGRES = {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
            "wave": 1, "rto_target_seconds": 300, "rpo_target_seconds": 600, "clone_name": "postgres-drill"}
SHOP = {"key": "shop@prod-east", "name": "shop", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 2}


def step(name, status="passed", started="2025-01-31T09:30:00Z", finished="2025-01-31T09:31:00Z", message=None):
    return {"name": name, "status": status, "started": started, "finished": finished, "message": message}


def test_seconds_between_iso_timestamps_in_any_offset():
    assert seconds_between("2025-01-31T09:30:00Z", "2025-01-31T09:31:02.500Z") == 62.5
    assert seconds_between("2025-01-31T10:30:00+01:00", "2025-01-31T09:30:01") == 1.0
    assert seconds_between(None, "2025-01-31T09:30:00Z") is None
    with pytest.raises(RunbookError, match="not an ISO 8601 timestamp"):
        seconds_between("yesterday", "2025-01-31T09:30:00Z")


def test_new_record_needs_unique_keys():
    record = new_record([POSTGRES, SHOP])
    assert set(record) == {POSTGRES["key"], SHOP["key"]}
    assert record[POSTGRES["key"]]["steps"] == [] and record[POSTGRES["key"]]["app"] == POSTGRES
    with pytest.raises(RunbookError, match="listed twice"):
        new_record([POSTGRES, POSTGRES])
    with pytest.raises(RunbookError, match="needs a key"):
        new_record([{"name": "x"}])


def test_record_step_adds_steps_ids_notes_and_measures_without_touching_its_input():
    record = new_record([POSTGRES])
    updated = record_step(record, POSTGRES["key"], step("clone"), ids={"clone_app_id": "c1", "backup_id": None},
                          notes=["kept"], rto_seconds=42.5, rpo_seconds=None)
    entry = updated[POSTGRES["key"]]
    assert entry["steps"] == [step("clone")] and entry["astra_ids"] == {"clone_app_id": "c1"}
    assert entry["notes"] == ["kept"] and entry["rto_seconds"] == 42.5 and entry["rpo_seconds"] is None
    assert record[POSTGRES["key"]]["steps"] == []
    with pytest.raises(RunbookError, match="unknown measure"):
        record_step(record, POSTGRES["key"], None, rtt_seconds=1)
    with pytest.raises(RunbookError, match="not in the run record"):
        record_step(record, "nope@nowhere", step("clone"))


def test_record_results_takes_the_report_step_of_each_async_wait_result():
    results = [{"item": POSTGRES, "report_step": step("clone"), "app": {"id": "c1"}},
               {"item": SHOP, "report_step": step("clone", "failed", message="boom"), "app": {}}]
    record = record_results(new_record([POSTGRES, SHOP]), results, ids={"clone_app_id": "app.id"})
    assert record[POSTGRES["key"]]["astra_ids"] == {"clone_app_id": "c1"}
    assert record[SHOP["key"]]["astra_ids"] == {}
    assert record[SHOP["key"]]["steps"][0]["status"] == "failed"
    with pytest.raises(RunbookError, match="needs the app it ran for"):
        record_results(record, [{"item": "postgres", "report_step": step("clone")}])


def test_preflight_problems_fail_their_app_and_hold_back_the_others():
    record = record_preflight(new_record([POSTGRES, SHOP]), {SHOP["key"]: ["no backup"]}, "2025-01-31T09:30:00Z",
                              finished="2025-01-31T09:30:05Z", ids={POSTGRES["key"]: {"source_app_id": "a1"}})
    apps = {app["name"]: app for app in report_apps(record)}
    assert apps["shop"]["status"] == "failed" and apps["shop"]["message"] == "pre-flight: no backup"
    assert apps["postgres"]["status"] == "skipped"
    assert apps["postgres"]["message"] == "not run: the pre-flight checks found problems with other apps"
    assert apps["postgres"]["astra_ids"] == {"source_app_id": "a1"}
    passed = record_preflight(new_record([POSTGRES]), {}, "2025-01-31T09:30:00Z")
    assert passed[POSTGRES["key"]]["steps"][0]["status"] == "passed"


def test_verdicts_judge_steps_then_targets():
    record = new_record([POSTGRES, SHOP])
    record = record_step(record, POSTGRES["key"], step("clone"), rto_seconds=301, rpo_seconds=10)
    record = record_step(record, SHOP["key"], step("clone"))
    apps = {app["name"]: app for app in report_apps(record)}
    assert apps["postgres"]["status"] == "failed"
    assert apps["postgres"]["message"] == "RTO 301 s exceeds the target of 300 s"
    assert apps["postgres"]["rto_seconds"] == 301 and apps["postgres"]["rpo_seconds"] == 10
    assert apps["shop"]["status"] == "passed" and apps["shop"]["message"] is None
    assert set(apps["postgres"]) <= set(REPORT_APP_FIELDS) | {"status", "steps", "astra_ids", "message",
                                                              "rto_seconds", "rpo_seconds"}
    # check mode measures nothing, so only the steps count
    unmeasured = record_step(new_record([POSTGRES]), POSTGRES["key"], step("clone"))
    assert report_apps(unmeasured)[0]["message"].startswith("RTO was not measured")
    assert report_apps(unmeasured, targets=False)[0]["status"] == "passed"


def test_a_failed_step_is_the_verdict_and_targets_are_not_judged_after_it():
    record = record_step(new_record([POSTGRES]), POSTGRES["key"], step("clone", "failed", message="timed out"))
    (app,) = report_apps(record)
    assert app["status"] == "failed" and app["message"] == "clone: timed out"


def test_an_app_with_nothing_to_recover_is_not_judged_against_its_targets():
    record = record_step(new_record([POSTGRES]), POSTGRES["key"], step("failover", message="already done"),
                         not_measured="already failed over to dr-west: nothing to measure")
    (app,) = report_apps(record)
    assert app["status"] == "passed" and app["message"] == "already failed over to dr-west: nothing to measure"


def test_apps_the_run_never_reached_are_skipped():
    record = record_preflight(new_record([POSTGRES, SHOP]), {}, "2025-01-31T09:30:00Z")
    record = record_step(record, POSTGRES["key"], step("failover", "failed", message="refused"))
    apps = {app["name"]: app for app in report_apps(record)}
    assert apps["postgres"]["status"] == "failed"
    assert apps["shop"]["status"] == "skipped" and apps["shop"]["message"] == "not run: the run stopped before this app's wave"


def test_report_apps_come_in_wave_order():
    late = dict(SHOP, key="late@prod-east", name="late", wave=3)
    record = new_record([late, SHOP, POSTGRES])
    assert [app["name"] for app in report_apps(record)] == ["postgres", "shop", "late"]


def test_summary_table_shows_measures_only_when_there_are_some():
    record = record_step(new_record([POSTGRES]), POSTGRES["key"], step("clone"), rto_seconds=75, rpo_seconds=3700)
    lines = report_summary(report_apps(record), "DR drill", {"passed": False, "html": "/r/report.html"})
    assert lines[0] == "DR drill"
    assert lines[1].split() == ["APP", "CLUSTER", "WAVE", "STATUS", "RTO", "TARGET", "RPO", "TARGET", "MESSAGE"]
    # Durations as the report writes them (one formatter): 1m 15s, not 1m15s.
    assert lines[2] == ("postgres  prod-east -> dr-west  1     failed  1m 15s  5m 00s  1h 01m 40s  10m 00s  "
                        "RPO 3700 s exceeds the target of 600 s")
    assert lines[-1] == "FAILED: report /r/report.html"
    plain = report_summary([{"name": "shop", "cluster": "prod-east", "wave": 2, "status": "passed"}], "Protection run",
                           check_mode=True)
    assert plain[0] == "Protection run (check mode: predicted, nothing written)"
    posture = report_summary([], "Protection posture", None, True, "posture")
    assert posture[0] == "Protection posture (check mode: the same read-only checks, no report written)"
    assert "RTO" not in plain[1] and plain[-1] == "PASSED: report not written in check mode"


def test_common_preflight_problems_stop_every_app():
    problem = "drill_verify_tasks: the task file verfy.yml does not exist"
    record = record_preflight(new_record([POSTGRES, SHOP]), {SHOP["key"]: ["no backup"]}, "2025-01-31T09:30:00Z",
                              common=[problem])
    apps = {app["name"]: app for app in report_apps(record)}
    assert apps["postgres"]["status"] == "failed" and problem in apps["postgres"]["message"]
    assert apps["shop"]["steps"][0]["message"] == problem + "; no backup"


@pytest.mark.parametrize("target, value", [("rto_target_seconds", -5), ("rpo_target_seconds", "soon"),
                                           ("rto_target_seconds", True)])
def test_targets_must_be_seconds_zero_or_more(target, value):
    with pytest.raises(RunbookError, match="%s of app postgres@prod-east must be a number of seconds, 0 or more" % target):
        new_record([dict(POSTGRES, **{target: value})])
    assert new_record([dict(POSTGRES, **{target: 0})])


def test_recording_a_step_for_every_app_copies_the_record_once_not_once_per_app(monkeypatch):
    """Each recording filter copies its input record once: a copy per app would make a wave's recording cost
    apps x estate, O(apps^2) for a run of one wave (the engine works on plain copies; the roles' record is not
    touched)."""
    from ansible_collections.kubedr.astra.plugins.module_utils import runbook
    apps = [dict(POSTGRES, key="app-%02d@prod-east" % number, name="app-%02d" % number) for number in range(30)]
    results = [{"item": app, "changed": True, "report_step": step("failover"), "app": {"id": "c-%s" % app["name"]},
                "timing": {"started": "2025-01-31T09:31:00Z", "finished": "2025-01-31T09:32:00Z"}, "events": []}
               for app in apps]
    app_info = {"results": [{"item": "dr-west", "apps": [{"name": app["name"], "state": "ready"} for app in apps],
                             "timing": {"started": "2025-01-31T09:32:00Z", "finished": "2025-01-31T09:32:30Z"}}]}
    record = runbook.new_record(apps)
    copies = []
    original = runbook.plain_copy
    # A copy of a whole record (the input or one made from it), not of the values within.
    monkeypatch.setattr(runbook, "plain_copy", lambda value: copies.append(
        isinstance(value, dict) and set(value) == set(record)) or original(value))
    recordings = {
        "record_results": lambda: runbook.record_results(record, results),
        "record_preflight": lambda: runbook.record_preflight(record, {}, "2025-01-31T09:30:00Z"),
        "record_skipped_steps": lambda: runbook.record_skipped_steps(record, results, "verify", "check mode"),
        "record_ready": lambda: runbook.record_ready(record, "failover", results, app_info)["record"],
        "record_clones": lambda: runbook.record_clones(record, results),
        "record_kept_clones": lambda: runbook.record_kept_clones(record, [dict(result, item=dict(
            result["item"], clone_name="clone")) for result in results]),
        "record_hook_events": lambda: runbook.record_hook_events(record, "failover", results),
    }
    for name, recording in recordings.items():
        del copies[:]
        recorded = recording()
        assert copies.count(True) == 1, name
        assert all(len(recorded[app["key"]]["steps"]) + len(recorded[app["key"]]["notes"]) >= 1 for app in apps), name
        assert all(entry["steps"] == [] for entry in record.values()), name
