# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pieces of kubedr.astra.async_wait that need no running play (tests/integration/test_async_wait.py runs it)."""

import json
import os

from ansible_collections.kubedr.astra.plugins.action.async_wait import ActionModule, format_duration, job_label, report_step


def test_report_step_takes_the_modules_own_timing():
    result = {"changed": True, "timing": {"started": "2025-01-31T09:30:00.100Z", "finished": "2025-01-31T09:31:00.200Z"}}
    assert report_step("clone", result) == {"name": "clone", "status": "passed", "started": "2025-01-31T09:30:00.100Z",
                                            "finished": "2025-01-31T09:31:00.200Z", "message": None, "warnings": []}
    unchanged = report_step("clone", {"changed": False})
    assert unchanged["message"] == "already done: nothing changed" and unchanged["started"] is None
    assert report_step("clone", {"failed": True, "msg": "boom"})["status"] == "failed"
    assert report_step("clone", {"failed": True, "msg": "boom"})["message"] == "boom"
    assert report_step("clone", {"skipped": True, "skip_reason": "Conditional result was False"}) == {
        "name": "clone", "status": "skipped", "started": None, "finished": None, "message": "Conditional result was False",
        "warnings": []}


def test_the_jobs_warnings_reach_the_report_step():
    result = {"changed": True, "warnings": ["GET https://astra/x failed (HTTP 503); retry 1 in 0.4 s",
                                            "Create snapshot 'daily': outcome unknown (HTTP 502); adopted the appSnap"]}
    assert report_step("snapshot", result)["warnings"] == result["warnings"]
    assert report_step("snapshot", {"failed": True, "msg": "x", "warnings": "one"})["warnings"] == ["one"]


def test_labels_default_to_the_loop_items_name():
    assert job_label({"item": {"name": "postgres"}}, 0, None) == "postgres"
    assert job_label({"item": "wordpress"}, 0, None) == "wordpress"
    assert job_label({"ansible_job_id": "j1"}, 0, None) == "j1"
    assert job_label({"item": {"name": "postgres"}}, 0, ["postgres (prod-east -> dr-west)"]) == "postgres (prod-east -> dr-west)"


def test_durations_read_like_a_clock():
    assert [format_duration(value) for value in (4.4, 12, 65, 3723)] == ["4.4s", "12s", "1m 05s", "1h 02m 03s"]


def test_local_status_reads_the_job_file_as_async_status_does(tmp_path):
    jobs = tmp_path / "async"
    jobs.mkdir()
    (jobs / "j1").write_text(json.dumps({"started": 1, "finished": 0, "ansible_job_id": "j1"}))
    assert ActionModule._local_status("j1", str(jobs), "status")["finished"] is False
    (jobs / "j2").write_text(json.dumps({"changed": True, "app": {"id": "a1"}}))
    done = ActionModule._local_status("j2", str(jobs), "status")
    assert done["finished"] is True and done["ansible_job_id"] == "j2" and done["app"] == {"id": "a1"}
    (jobs / "j3").write_text("")
    assert ActionModule._local_status("j3", str(jobs), "status") == {"ansible_job_id": "j3", "started": True,
                                                                     "finished": False}
    (jobs / "j4").write_text("Traceback: not json")
    broken = ActionModule._local_status("j4", str(jobs), "status")
    assert broken["failed"] and broken["finished"] and "Could not parse job output" in broken["msg"]
    missing = ActionModule._local_status("j5", str(jobs), "status")
    assert missing["failed"] and missing["msg"] == "could not find job"
    ActionModule._local_status("j2", str(jobs), "cleanup")
    assert not (jobs / "j2").exists()


def write_job(directory, jid, data, mtime_ns):
    path = directory / jid
    path.write_text(json.dumps(data))
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_a_running_job_file_is_not_parsed_again_until_it_changes(tmp_path, monkeypatch):
    seen = {}
    write_job(tmp_path, "1.1", {"started": 1, "finished": 0, "ansible_job_id": "1.1"}, 10**18)
    assert ActionModule._local_status("1.1", str(tmp_path), "status", seen) == {
        "started": True, "finished": False, "ansible_job_id": "1.1"}
    parsed = []
    original = json.loads
    monkeypatch.setattr(json, "loads", lambda text: parsed.append(text) or original(text))
    assert ActionModule._local_status("1.1", str(tmp_path), "status", seen)["finished"] is False
    assert parsed == [], "an unchanged running job's file is only stat'ed"

    write_job(tmp_path, "1.1", {"changed": True, "rc": 0}, 10**18 + 5)
    finished = ActionModule._local_status("1.1", str(tmp_path), "status", seen)
    assert finished == {"changed": True, "rc": 0, "finished": True, "ansible_job_id": "1.1"} and len(parsed) == 1


def test_a_missing_job_file_fails_and_cleanup_removes_the_file(tmp_path):
    assert ActionModule._local_status("2.2", str(tmp_path), "status", {})["msg"] == "could not find job"
    path = write_job(tmp_path, "2.2", {"rc": 0}, 10**18)
    assert ActionModule._local_status("2.2", str(tmp_path), "cleanup")["erased"] == str(path)
    assert not path.exists()
