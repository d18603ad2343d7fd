# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What a runbook concludes from its record: why it stopped, what became of the drill's clones, its last message."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    STOPPED_STEP,
    clone_outcomes,
    describe_clones,
    failure_message,
    format_duration,
    record_stop,
    split_duration,
    verdict_message,
)


def test_one_duration_format_for_report_table_and_progress():
    assert [split_duration(value) for value in (59.5, 3723.4, 7200)] == [(0, 1, 0), (1, 2, 3), (2, 0, 0)]
    assert [format_duration(value) for value in (None, 0, 12.5, 60, 245, 3723)] == [
        "\u2013", "0s", "12.5s", "1m 00s", "4m 05s", "1h 02m 03s"]


def entry(name, wave, steps=(), ids=None, cluster="prod-east"):
    return {"app": {"key": "%s@%s" % (name, cluster), "name": name, "cluster": cluster, "destination_cluster": "dr-west",
                    "wave": wave, "clone_name": name + "-drill"},
            "steps": [dict(step) for step in steps], "astra_ids": dict(ids or {}), "notes": [],
            "rto_seconds": None, "rpo_seconds": None, "skipped": None, "not_measured": None}


def passed(name):
    return {"name": name, "status": "passed"}


def failed(name, message="boom"):
    return {"name": name, "status": "failed", "message": message}


def record(*entries):
    return {item["app"]["key"]: item for item in entries}


@pytest.mark.parametrize("task, result, expected", [
    ({"name": "Verify | check"}, {"msg": "Assertion failed"}, "Verify | check: Assertion failed"),
    # A missing or unloadable included file: Ansible sets neither variable in rescue.
    (None, None, "a task: a task file it includes could not be found or loaded (Ansible passes no details to the "
                 "rescue; the error is in the output above)"),
    ({"name": "Verify | x"}, None, "Verify | x: failed (no message)"),
    ({"name": "Include hooks"}, {"reason": "Could not find or access '/x.yml'"}, "Include hooks: Could not find or access '/x.yml'"),
    ({}, {"msg": ["Pre-flight failed; nothing was created. Problems:", "a", "b"]},
     "a task: Pre-flight failed; nothing was created. Problems: a b"),
    ("not a dict", "not a dict either", "a task: failed (no message)"),
])
def test_failure_message_survives_every_failure_shape(task, result, expected):
    assert failure_message(task, result) == expected


def test_record_stop_fails_the_unfinished_apps_of_the_running_wave_only():
    before = record(entry("done", 1, [passed("clone"), passed("remove clone")]),
                    entry("busy", 2, [passed("clone")]),
                    entry("broken", 2, [failed("clone")]),
                    entry("later", 3))
    after = record_stop(before, "2", "Verify | x: undefined variable")
    assert after["done@prod-east"]["steps"] == before["done@prod-east"]["steps"]
    stopped = after["busy@prod-east"]["steps"][-1]
    assert stopped["name"] == STOPPED_STEP and stopped["status"] == "failed"
    assert stopped["message"] == ("the run stopped during wave 2 before this app's steps were done: "
                                  "Verify | x: undefined variable")
    assert after["broken@prod-east"]["steps"] == before["broken@prod-east"]["steps"]
    assert after["later@prod-east"]["steps"] == []
    assert before["busy@prod-east"]["steps"] == [passed("clone")], "the input record is left alone"


def test_record_stop_outside_a_wave_changes_nothing():
    before = record(entry("a", 1, [passed("pre-flight")]))
    assert record_stop(before, None, "x") == before
    assert record_stop(before, "", "x") == before


def test_clone_outcomes_come_from_the_steps_that_passed_not_from_the_intent():
    run = record(entry("removed", 1, [passed("clone"), passed("verify"), passed("remove clone")]),
                 entry("left", 1, [passed("clone"), failed("remove clone", "cluster dr-west unreachable")]),
                 entry("never-removed", 1, [passed("clone")]),
                 entry("adopted", 1, [failed("clone", "timed out")], ids={"clone_app_id": "c1"}),
                 entry("not-cloned", 1, [failed("clone", "no backup")]))
    outcomes = clone_outcomes(run)
    assert [item["clone"] for item in outcomes["removed"]] == ["removed-drill"]
    assert [item["clone"] for item in outcomes["left"]] == ["left-drill", "never-removed-drill", "adopted-drill"]
    assert outcomes["kept"] == []
    kept = clone_outcomes(run, keep=True)
    assert [item["clone"] for item in kept["kept"]] == ["left-drill", "never-removed-drill", "adopted-drill"]


def test_describe_clones():
    assert describe_clones({"removed": [], "kept": [], "left": []}) == "none created"
    text = describe_clones({"removed": [{"clone": "a-drill", "cluster": "dr-west"}], "kept": [],
                            "left": [{"clone": "b-drill", "cluster": "dr-west"}]})
    assert text.startswith("removed: a-drill on dr-west; LEFT BEHIND")
    assert text.endswith("playbooks/drill_cleanup.yml): b-drill on dr-west")


def test_verdict_message_says_what_happened():
    report = {"failed_apps": ["wordpress", "jenkins"], "html": "/r/report.html"}
    clones = {"removed": [], "kept": [], "left": [{"clone": "wordpress-drill", "cluster": "dr-west"}]}
    message = verdict_message("drill", report, clones=clones)
    assert message.startswith("The drill failed for wordpress, jenkins. Clones: LEFT BEHIND")
    assert "wordpress-drill on dr-west" in message and message.endswith("Report: /r/report.html")
    assert "removed" not in message.split("Clones:")[1].split("LEFT")[0]


def test_verdict_message_of_a_posture_run_names_what_is_out_of_policy():
    report = {"failed_apps": ["postgres", "namespace billing"], "html": "/r/report.html"}
    assert verdict_message("posture", report) == ("Out of policy or unprotected: postgres, namespace billing. "
                                                  "Report: /r/report.html")


def test_verdict_message_of_a_run_that_stopped():
    message = verdict_message("failover", {"failed_apps": [], "html": None}, run_error="Wave 1 | read: HTTP 503")
    assert message == "The failover stopped before its end: Wave 1 | read: HTTP 503. Report: not written"


def test_check_mode_creates_no_clone():
    run = record(entry("a", 1, [passed("clone")], ids={"clone_app_id": "check-mode-placeholder-id"}))
    assert clone_outcomes(run, check_mode=True) == {"removed": [], "kept": [], "left": []}


def test_failure_message_reads_a_task_object_too():
    class Task:
        name = "Verify | ping"
    assert failure_message(Task(), {"msg": "unreachable"}) == "Verify | ping: unreachable"
