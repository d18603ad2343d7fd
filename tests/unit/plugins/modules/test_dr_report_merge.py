# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.dr_report_merge: reads report files or directories, writes the merged report, check mode, rerun,
errors (an app in two reports, an unreadable report) with nothing written."""

import json
import os

import pytest


from ansible_collections.kubedr.astra.plugins.module_utils import dr_report as report_utils
from ansible_collections.kubedr.astra.plugins.modules import dr_report_merge


@pytest.fixture
def run(run_offline_module):
    """run(args, check=False) -> (result, failed)."""
    def runner(args, check=False):
        result, failed = run_offline_module(dr_report_merge, args, check=check)
        result.pop("failed", None)
        return result, failed
    return runner


def write_slice(directory, run_id, started, apps):
    report = report_utils.build_report("drill", started, "2025-01-31T06:05:00Z", apps, title="DR drill", run_id=run_id,
                                       extra={"api_token": "tok-123"})
    path = directory / ("drill-20250131T060002Z-%s" % run_id)
    report_utils.write_report(str(path), report_utils.render_all(report))
    return path


@pytest.fixture
def slices(tmp_path):
    evidence = tmp_path / "evidence"
    first = write_slice(evidence, "awx-job-101", "2025-01-31T06:00:02Z", [
        {"name": "app-001", "cluster": "prod-01", "status": "passed"},
        {"name": "app-003", "cluster": "prod-01", "status": "passed"}])
    second = write_slice(evidence, "awx-job-102", "2025-01-31T06:00:02.500Z", [
        {"name": "app-002", "cluster": "prod-02", "status": "passed"}])
    return evidence, first, second


def test_merges_two_slices_into_a_directory_of_its_own(run, slices):
    evidence, first, second = slices
    result, failed = run({"reports": [str(second), str(first / "report.json")], "expected_reports": 2,
                          "path": str(evidence)})
    assert not failed and result["changed"] is True
    directory = str(evidence / "drill-20250131T060002Z-merged")
    assert result["report"] == {
        "directory": directory, "run_id": "merged", "json": os.path.join(directory, "report.json"),
        "html": os.path.join(directory, "report.html"), "junit": os.path.join(directory, "junit.xml"),
        "passed": True, "failed_apps": [], "app_count": 3, "missing_reports": 0, "run_error": None}
    data = json.loads((evidence / "drill-20250131T060002Z-merged" / "report.json").read_text())
    assert [app["name"] for app in data["apps"]] == ["app-001", "app-003", "app-002"]
    assert [part["run_id"] for part in data["merged"]["reports"]] == ["awx-job-101", "awx-job-102"]
    assert data["extra"] == {"api_token": "VALUE_REDACTED"}
    for name in ("report.json", "report.html", "junit.xml"):
        assert "tok-123" not in (evidence / "drill-20250131T060002Z-merged" / name).read_text()
    # a rerun finds its directory and changes nothing
    again, _failed = run({"reports": [str(first), str(second)], "expected_reports": 2, "path": str(evidence)})
    assert (again["changed"], again["report"]["directory"]) == (False, directory)


def test_a_missing_slice_is_written_as_failed(run, slices):
    evidence, first, _second = slices
    result, failed = run({"reports": [str(first)], "expected_reports": 2, "path": str(evidence), "timestamped": False})
    assert not failed
    assert (result["report"]["passed"], result["report"]["missing_reports"], result["report"]["app_count"]) == (False, 1, 2)
    assert result["report"]["directory"] == str(evidence)
    data = json.loads((evidence / "report.json").read_text())
    assert data["run"]["error"] == result["report"]["run_error"] == (
        "1 of the 2 expected reports is missing: the apps of that run are not in this report")


def test_check_mode_writes_nothing(run, slices):
    evidence, first, second = slices
    result, failed = run({"reports": [str(first), str(second)], "expected_reports": 2, "path": str(evidence / "merged")},
                         check=True)
    assert not failed and result["changed"] is True
    assert result["report"]["html"] == str(evidence / "merged" / "drill-20250131T060002Z-merged" / "report.html")
    assert not (evidence / "merged").exists()


def test_an_app_in_two_slices_fails_naming_it_and_writes_nothing(run, slices):
    evidence, first, second = slices
    third = write_slice(evidence, "awx-job-103", "2025-01-31T06:00:03Z", [
        {"name": "app-003", "cluster": "prod-01", "status": "passed"}])
    result, failed = run({"reports": [str(first), str(second), str(third)], "expected_reports": 3, "path": str(evidence)})
    assert failed
    assert result["msg"] == "app app-003 on prod-01 is in two reports: %s and %s" % (
        first / "report.json", third / "report.json")
    assert sorted(os.listdir(evidence)) == sorted([first.name, second.name, third.name])


def test_an_unreadable_report_is_named(run, slices):
    evidence, first, _second = slices
    result, failed = run({"reports": [str(first), str(evidence / "drill-gone")], "expected_reports": 2,
                          "path": str(evidence)})
    assert failed and result["msg"] == "%s: cannot be read: No such file or directory" % (evidence / "drill-gone")


def test_another_merge_from_the_same_start_gets_a_directory_of_its_own(run, slices):
    # the merge of the first slice alone starts when the merge of both does: it must not overwrite it
    evidence, first, second = slices
    both, _failed = run({"reports": [str(first), str(second)], "expected_reports": 2, "path": str(evidence)})
    alone, _failed = run({"reports": [str(first)], "expected_reports": 2, "path": str(evidence)})
    assert alone["report"]["directory"] == both["report"]["directory"] + "-2"
    assert (both["report"]["passed"], alone["report"]["passed"]) == (True, False)
    assert json.loads((evidence / "drill-20250131T060002Z-merged" / "report.json").read_text())["run"]["app_count"] == 3
