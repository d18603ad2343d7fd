# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.dr_report: options, files written, check mode, idempotence, errors."""

import json
import os
import xml.etree.ElementTree as ET

import pytest


from ansible_collections.kubedr.astra.plugins.modules import dr_report

STARTED = "2025-01-31T09:30:00Z"
FINISHED = "2025-01-31T09:41:12Z"


@pytest.fixture
def run(run_offline_module):
    """run(args, check=False) -> (result, failed)."""
    def runner(args, check=False):
        result, failed = run_offline_module(dr_report, args, check=check)
        result.pop("failed", None)
        return result, failed
    return runner


def args(path, **overrides):
    base = {
        "path": str(path),
        "runbook": "drill",
        "started": STARTED,
        "finished": FINISHED,
        "extra": {"api_url": "sim", "api_token": "tok-123"},
        "apps": [
            {"name": "wordpress", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1, "status": "passed",
             "rto_seconds": 412, "rto_target_seconds": 900, "astra_ids": {"clone_app_id": "0f9e"},
             "steps": [{"name": "clone", "started": "2025-01-31T09:31:41Z", "finished": "2025-01-31T09:36:54Z",
                        "status": "passed"}]},
            {"name": "shop", "status": "failed", "message": "clone timed out",
             "steps": [{"name": "clone", "started": "2025-01-31T09:38:02Z", "finished": "2025-01-31T09:41:10Z",
                        "status": "failed"}]},
        ],
    }
    base.update(overrides)
    return base


def test_writes_the_three_files_into_a_timestamped_directory(run, tmp_path):
    result, failed = run(args(tmp_path))
    assert not failed and result["changed"] is True
    directory = str(tmp_path / "drill-20250131T093000Z")
    assert result["report"] == {
        "directory": directory,
        "run_id": None,
        "json": os.path.join(directory, "report.json"),
        "html": os.path.join(directory, "report.html"),
        "junit": os.path.join(directory, "junit.xml"),
        "passed": False,
        "failed_apps": ["shop"],
    }
    data = json.loads((tmp_path / "drill-20250131T093000Z" / "report.json").read_text())
    assert data["run"]["failed_count"] == 1 and data["apps"][0]["rto_seconds"] == 412
    assert data["apps"][0]["rto_passed"] is True and data["apps"][1]["wave"] is None
    assert ET.parse(result["report"]["junit"]).getroot().find("testsuite").get("name") == "kubedr.astra.drill"
    for path in (result["report"]["json"], result["report"]["html"], result["report"]["junit"]):
        with open(path, encoding="utf-8") as handle:
            assert "tok-123" not in handle.read()


def test_not_timestamped_writes_into_path_and_is_idempotent(run, tmp_path):
    first, _failed = run(args(tmp_path, timestamped=False))
    assert first["changed"] is True and first["report"]["directory"] == str(tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["junit.xml", "report.html", "report.json"]
    again, _failed = run(args(tmp_path, timestamped=False))
    assert again["changed"] is False
    changed, _failed = run(args(tmp_path, timestamped=False, title="Another title"))
    assert changed["changed"] is True


def test_check_mode_writes_nothing(run, tmp_path):
    result, failed = run(args(tmp_path / "reports"), check=True)
    assert not failed and result["changed"] is True
    assert result["report"]["html"] == str(tmp_path / "reports" / "drill-20250131T093000Z" / "report.html")
    assert result["report"]["passed"] is False
    assert not (tmp_path / "reports").exists()


def test_passed_run(run, tmp_path):
    result, _failed = run(args(tmp_path, runbook="protect", apps=[{"name": "a", "status": "passed"}]))
    assert result["report"]["passed"] is True and result["report"]["failed_apps"] == []
    assert result["report"]["directory"].endswith("/protect-20250131T093000Z")


@pytest.mark.parametrize("overrides, expected", [
    ({"started": "not a time"}, "started: 'not a time' is not an ISO 8601 timestamp"),
    ({"finished": "2025-01-31T09:00:00Z"}, "finished: 2025-01-31T09:00:00Z is before started"),
    ({"apps": [{"name": "a", "status": "passed", "steps": [
        {"name": "s", "status": "passed", "started": FINISHED, "finished": STARTED}]}]},
     "apps[0].steps[0].finished: 2025-01-31T09:30:00Z is before apps[0].steps[0].started"),
])
def test_validation_errors_name_the_option(run, tmp_path, overrides, expected):
    result, failed = run(args(tmp_path, **overrides))
    assert failed and result["msg"].startswith(expected)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("overrides, expected", [
    ({"apps": [{"name": "a", "status": "ok"}]}, "apps[0].status: 'ok' is not one of passed, failed, skipped"),
    ({"apps": [{"name": "a", "status": "passed"}, {"name": "b", "status": "passed", "steps": [{"name": "s"}]}]},
     "apps[1].steps[0].status: a status is required (passed, failed, skipped)"),
    ({"apps": [{"name": "a", "status": "passed", "rto": 3}]}, "apps[0]: unknown key(s) rto; the keys are name, cluster"),
    ({"apps": [{"name": "a", "status": "passed", "steps": "clone"}]}, "apps[0].steps: expected a list"),
    ({"apps": [{"name": "a", "status": "passed", "wave": "first"}]}, "apps[0].wave: expected an integer"),
])
def test_app_entries_are_checked_with_their_path(run, tmp_path, overrides, expected):
    result, failed = run(args(tmp_path, **overrides))
    assert failed and result["msg"].startswith(expected)


def test_runbook_choices_are_enforced(run, tmp_path):
    result, failed = run(args(tmp_path, runbook="test"))
    assert failed and "runbook" in result["msg"]


def test_write_errors_are_reported(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    result, failed = run(args(blocker))
    assert failed and result["msg"].startswith("writing the report into %s" % os.path.join(str(blocker), "drill-"))


def test_a_run_id_ends_the_directory_name_and_is_in_the_report(run, tmp_path):
    result, failed = run(args(tmp_path, run_id="awx-job-4711"))
    assert not failed and result["report"]["run_id"] == "awx-job-4711"
    assert result["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z-awx-job-4711")
    data = json.loads((tmp_path / "drill-20250131T093000Z-awx-job-4711" / "report.json").read_text())
    assert data["run"]["run_id"] == "awx-job-4711"


def test_a_rerun_of_the_same_run_writes_into_its_directory_and_changes_nothing(run, tmp_path):
    first, _failed = run(args(tmp_path))
    again, _failed = run(args(tmp_path))
    assert again["report"]["directory"] == first["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z")
    assert (first["changed"], again["changed"]) == (True, False)
    assert sorted(os.listdir(tmp_path)) == ["drill-20250131T093000Z"]


def test_runs_started_in_the_same_second_never_share_a_directory(run, tmp_path):
    # Two runs of the drill whose start is the same second (two slices of an AWX job launched together), with no run
    # ID or one run ID: each gets its own directory, and neither report is overwritten.
    first, _failed = run(args(tmp_path, started="2025-01-31T09:30:00.120Z"))
    second, _failed = run(args(tmp_path, started="2025-01-31T09:30:00.480Z",
                               apps=[{"name": "jenkins", "status": "passed"}]))
    predicted, _failed = run(args(tmp_path, started="2025-01-31T09:30:00.900Z"), check=True)
    assert first["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z")
    assert second["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z-2")
    assert predicted["report"]["directory"] == str(tmp_path / "drill-20250131T093000Z-3")
    assert sorted(os.listdir(tmp_path)) == ["drill-20250131T093000Z", "drill-20250131T093000Z-2"]
    names = [[app["name"] for app in json.loads((tmp_path / name / "report.json").read_text())["apps"]]
             for name in ("drill-20250131T093000Z", "drill-20250131T093000Z-2")]
    assert names == [["wordpress", "shop"], ["jenkins"]]
    # the first run again: its own directory, unchanged
    again, _failed = run(args(tmp_path, started="2025-01-31T09:30:00.120Z"))
    assert (again["report"]["directory"], again["changed"]) == (first["report"]["directory"], False)


@pytest.mark.parametrize("run_id", ["slice 1", "../up", "-x", "a" * 65])
def test_a_run_id_that_cannot_name_a_directory_is_refused(run, tmp_path, run_id):
    result, failed = run(args(tmp_path, run_id=run_id))
    assert failed and result["msg"].startswith("run_id: %r is not a run ID: up to 64 letters, digits" % run_id)
    assert os.listdir(tmp_path) == []
