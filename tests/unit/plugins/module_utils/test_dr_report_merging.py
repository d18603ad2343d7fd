# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Merging the reports of several runs of one runbook (the slices of an AWX sliced job, one job per wave or cluster):
every app once, the span of the runs, a verdict that passes only when every run passed and none is missing, the
extra metadata, the list of runs - the values asserted; and the report directory a run claims."""

import json
import os

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import dr_report
from ansible_collections.kubedr.astra.plugins.module_utils.dr_report import ReportError, build_report, merge_reports


def app(name, cluster, started, finished, status="passed", rto=None, message=None):
    return {"name": name, "cluster": cluster, "destination_cluster": cluster.replace("prod", "dr"), "wave": 1,
            "status": status, "message": message, "rto_seconds": rto, "rto_target_seconds": 900,
            "astra_ids": {"clone_app_id": "clone-" + name},
            "steps": [{"name": "clone", "started": started, "finished": finished, "status": status,
                       "warnings": ["retried once"] if name == "app-003" else []}]}


def document(report):
    """A report as it is read back from its report.json."""
    return json.loads(dr_report.render_json(report))


def slice_one(**overrides):
    options = dict(title="DR drill", run_id="awx-job-101", extra={
        "source": "backup", "clones": "removed: app-001-drill on dr-01, app-003-drill on dr-01", "check_mode": False})
    options.update(overrides)
    return document(build_report("drill", "2025-01-31T06:00:02.250Z", "2025-01-31T06:04:10Z", [
        app("app-001", "prod-01", "2025-01-31T06:00:30Z", "2025-01-31T06:01:30Z", rto=60),
        app("app-003", "prod-01", "2025-01-31T06:00:31Z", "2025-01-31T06:02:01.500Z", rto=90.5),
    ], **options))


def slice_two(apps=None, **overrides):
    options = dict(title="DR drill", run_id="awx-job-102", extra={
        "source": "backup", "clones": "removed: app-002-drill on dr-02", "check_mode": False})
    options.update(overrides)
    return document(build_report("drill", "2025-01-31T06:00:02.900Z", "2025-01-31T06:03:55Z", apps or [
        app("app-002", "prod-02", "2025-01-31T06:00:33Z", "2025-01-31T06:01:13Z", rto=40),
    ], **options))


SLICES = [("/evidence/drill-20250131T060002Z-awx-job-102/report.json", None),
          ("/evidence/drill-20250131T060002Z-awx-job-101/report.json", None)]


def both(first=None, second=None):
    # given in the order the files were found: the later slice first
    return [(SLICES[0][0], second or slice_two()), (SLICES[1][0], first or slice_one())]


def test_two_slices_merge_into_one_report_with_every_app_once():
    merged = merge_reports(both(), 2)
    run = merged["run"]
    assert run == {
        "runbook": "drill", "run_id": "merged", "title": "DR drill",
        "started": "2025-01-31T06:00:02.250Z", "finished": "2025-01-31T06:04:10Z", "duration_seconds": 247.75,
        "passed": True, "error": None, "app_count": 3, "failed_count": 0, "skipped_count": 0, "targets_missed": 0,
        "failed_apps": []}
    # the reports in the order their runs started, each one's apps in its own order; nothing of an app is lost
    assert [(item["name"], item["cluster"]) for item in merged["apps"]] == [
        ("app-001", "prod-01"), ("app-003", "prod-01"), ("app-002", "prod-02")]
    originals = slice_one()["apps"] + slice_two()["apps"]
    assert merged["apps"] == originals
    assert merged["apps"][1]["steps"][0]["warnings"] == ["retried once"]
    assert merged["apps"][1]["rto_seconds"] == 90.5 and merged["apps"][1]["duration_seconds"] == 90.5


def test_the_merged_report_lists_its_reports_and_merges_their_extra():
    merged = merge_reports(both(), 2)
    assert merged["merged"] == {"expected_reports": 2, "missing_reports": 0, "reports": [
        {"source": SLICES[1][0], "run_id": "awx-job-101", "title": "DR drill", "started": "2025-01-31T06:00:02.250Z",
         "finished": "2025-01-31T06:04:10Z", "passed": True, "app_count": 2, "failed_apps": [], "error": None},
        {"source": SLICES[0][0], "run_id": "awx-job-102", "title": "DR drill", "started": "2025-01-31T06:00:02.900Z",
         "finished": "2025-01-31T06:03:55Z", "passed": True, "app_count": 1, "failed_apps": [], "error": None}]}
    # the same value in every report once; a value that differs under each report's run ID
    assert merged["extra"] == {
        "source": "backup",
        "clones": {"awx-job-101": "removed: app-001-drill on dr-01, app-003-drill on dr-01",
                   "awx-job-102": "removed: app-002-drill on dr-02"},
        "check_mode": False}


def test_a_key_only_some_reports_have_is_given_per_report():
    merged = merge_reports(both(second=slice_two(extra={"source": "backup", "verification": "none"})), 2)
    assert merged["extra"]["verification"] == {"awx-job-102": "none"}
    assert merged["extra"]["clones"] == {"awx-job-101": "removed: app-001-drill on dr-01, app-003-drill on dr-01"}


def test_reports_without_run_ids_are_labelled_by_their_path():
    merged = merge_reports(both(slice_one(run_id=None), slice_two(run_id=None)), 2)
    assert sorted(merged["extra"]["clones"]) == sorted(path for path, _document in SLICES)
    assert [item["run_id"] for item in merged["merged"]["reports"]] == [None, None]


def test_an_app_in_two_reports_is_an_error_naming_it_and_both_reports():
    twice = slice_two(apps=[app("app-002", "prod-02", "2025-01-31T06:00:33Z", "2025-01-31T06:01:13Z"),
                            app("app-003", "prod-01", "2025-01-31T06:00:40Z", "2025-01-31T06:01:50Z")])
    with pytest.raises(ReportError) as error:
        merge_reports(both(second=twice), 2)
    assert str(error.value) == "app app-003 on prod-01 is in two reports: %s and %s" % (SLICES[1][0], SLICES[0][0])


def test_one_name_on_two_clusters_is_two_apps():
    other = slice_two(apps=[app("app-001", "prod-02", "2025-01-31T06:00:33Z", "2025-01-31T06:01:13Z")])
    merged = merge_reports(both(second=other), 2)
    assert [(item["name"], item["cluster"]) for item in merged["apps"]] == [
        ("app-001", "prod-01"), ("app-003", "prod-01"), ("app-001", "prod-02")]


def test_a_slice_that_failed_fails_the_merged_report():
    failed = slice_two(apps=[app("app-002", "prod-02", "2025-01-31T06:00:33Z", "2025-01-31T06:01:13Z",
                                 status="failed", message="clone did not become ready")])
    merged = merge_reports(both(second=failed), 2)
    run = merged["run"]
    assert (run["passed"], run["failed_apps"], run["failed_count"], run["error"]) == (False, ["app-002"], 1, None)
    assert [item["passed"] for item in merged["merged"]["reports"]] == [True, False]
    assert merged["merged"]["reports"][1]["failed_apps"] == ["app-002"]


def test_a_slice_that_stopped_early_fails_the_merged_report_with_its_reason():
    stopped = slice_two(run_error="Pre-flight | read the clusters: HTTP 503")
    merged = merge_reports(both(second=stopped), 2)
    assert merged["run"]["passed"] is False and merged["run"]["failed_apps"] == []
    assert merged["run"]["error"] == "awx-job-102: Pre-flight | read the clusters: HTTP 503"


def test_a_missing_slice_fails_the_merged_report_though_every_report_passed():
    merged = merge_reports([(SLICES[1][0], slice_one())], 2)
    run = merged["run"]
    assert (run["passed"], run["app_count"], run["failed_apps"]) == (False, 2, [])
    assert run["error"] == "1 of the 2 expected reports is missing: the apps of that run are not in this report"
    assert (merged["merged"]["expected_reports"], merged["merged"]["missing_reports"]) == (2, 1)
    # and a missing one with one that stopped: both said
    merged = merge_reports([(SLICES[0][0], slice_two(run_error="interrupted"))], 3)
    assert merged["run"]["error"] == ("2 of the 3 expected reports are missing: the apps of those runs are not in "
                                      "this report; awx-job-102: interrupted")


def test_a_report_that_did_not_pass_without_saying_why_still_fails_the_merge():
    odd = slice_two()
    odd["run"]["passed"] = False
    merged = merge_reports(both(second=odd), 2)
    assert merged["run"]["passed"] is False and merged["run"]["error"] == "awx-job-102: did not pass"


def test_a_title_of_its_own_and_another_run_id():
    merged = merge_reports(both(second=slice_two(title="Drill of prod-02")), 2, title="Weekly drill, all clusters",
                           run_id="week-05")
    assert (merged["run"]["title"], merged["run"]["run_id"]) == ("Weekly drill, all clusters", "week-05")
    assert merge_reports(both(second=slice_two(title="Drill of prod-02")), 2)["run"]["title"] == "kubedr.astra drill report"


@pytest.mark.parametrize("reports, expected, message", [
    ([], 2, "reports: no report to merge (2 expected)"),
    (None, 1, "reports: 2 reports, but expected_reports is 1"),
    (None, 0, "expected_reports: expected a whole number of at least 1, got 0"),
    (None, True, "expected_reports: expected a whole number of at least 1, got True"),
])
def test_the_number_of_reports_is_checked(reports, expected, message):
    with pytest.raises(ReportError) as error:
        merge_reports(both() if reports is None else reports, expected)
    assert str(error.value) == message


def test_reports_of_two_runbooks_or_no_report_at_all_are_refused():
    protect = document(build_report("protect", "2025-01-31T06:00:00Z", "2025-01-31T06:01:00Z",
                                    [{"name": "app-009", "status": "passed"}]))
    with pytest.raises(ReportError) as error:
        merge_reports([("a/report.json", slice_one()), ("b/report.json", protect)], 2)
    assert str(error.value) == ("b/report.json: a protect report, but a/report.json is a drill report; merge the reports "
                                "of one runbook")
    for bad, message in (({"run": {}}, "c.json: is not a report of kubedr.astra.dr_report"),
                         (dict(slice_one(), schema_version=2), "c.json: report schema version 2, expected 1"),
                         (dict(slice_one(), apps=None), "c.json: apps: expected a list")):
        with pytest.raises(ReportError) as error:
            merge_reports([("c.json", bad)], 1)
        assert str(error.value) == message


def test_a_merged_report_renders_its_reports_in_html_and_its_error_in_junit():
    merged = merge_reports([(SLICES[1][0], slice_one())], 2)
    page = dr_report.render_html(merged)
    assert "merged from 1 of 2 reports" in page and "<h2>Merged from 1 of 2 reports</h2>" in page
    assert 'class="merged-report passed"><td>awx-job-101</td>' in page
    assert "MISSING</span> 1 of the 2 expected reports" in page
    assert "Not every run merged here reported in full:</strong> 1 of the 2 expected reports is missing" in page
    junit = dr_report.render_junit(merged)
    assert 'name="run_id" value="merged"' in junit and '<error message="1 of the 2 expected reports' in junit


def test_a_single_run_shows_its_run_id():
    page = dr_report.render_html(build_report("drill", "2025-01-31T06:00:00Z", "2025-01-31T06:01:00Z", [],
                                              run_id="awx-job-101"))
    assert "Disaster-recovery drill run awx-job-101, 2025-01-31T06:00:00Z to 2025-01-31T06:01:00Z (UTC)" in page
    assert "Merged from" not in page


def test_read_report_takes_a_file_or_its_directory(tmp_path):
    directory = tmp_path / "drill-20250131T060002Z-awx-job-101"
    directory.mkdir()
    (directory / "report.json").write_text(dr_report.render_json(slice_one()))
    assert dr_report.read_report(str(directory)) == (str(directory / "report.json"), slice_one())
    assert dr_report.read_report(str(directory / "report.json"))[0] == str(directory / "report.json")
    with pytest.raises(ReportError, match=r"^%s: cannot be read: No such file or directory$" % (tmp_path / "gone.json")):
        dr_report.read_report(str(tmp_path / "gone.json"))
    (tmp_path / "junit.xml").write_text("<testsuites/>")
    with pytest.raises(ReportError, match=r"junit.xml: is not JSON: "):
        dr_report.read_report(str(tmp_path / "junit.xml"))


# ---------------------------------------------------------------------- the directory a run claims

def test_report_directory_with_a_run_id():
    assert dr_report.report_directory("/r", "drill", "2025-01-31T06:00:02.9Z", run_id="awx-job-102") == (
        "/r/drill-20250131T060002Z-awx-job-102")
    assert dr_report.report_directory("/r", "drill", "2025-01-31T06:00:02.9Z", run_id="") == "/r/drill-20250131T060002Z"
    assert dr_report.report_directory("/r", "drill", "2025-01-31T06:00:02.9Z", timestamped=False, run_id="x") == "/r"


def test_claim_takes_the_next_name_when_another_run_has_it(tmp_path):
    target = str(tmp_path / "reports" / "drill-20250131T060002Z")
    first, second = slice_one(run_id=None), slice_two(run_id=None)
    assert dr_report.claim_report_directory(target, first) == target
    # the directory is claimed before anything is written into it: another run takes the next name
    assert dr_report.claim_report_directory(target, second) == target + "-2"
    dr_report.write_report(target, dr_report.render_all(first))
    dr_report.write_report(target + "-2", dr_report.render_all(second))
    # each run finds its own again; in check mode nothing is created
    assert dr_report.claim_report_directory(target, first) == target
    assert dr_report.claim_report_directory(target, second) == target + "-2"
    assert dr_report.claim_report_directory(target, slice_one(run_id="x"), create=False) == target + "-3"
    assert sorted(os.listdir(tmp_path / "reports")) == ["drill-20250131T060002Z", "drill-20250131T060002Z-2"]


def test_claim_gives_up_after_its_attempts(tmp_path, monkeypatch):
    monkeypatch.setattr(dr_report, "CLAIM_ATTEMPTS", 3)
    target = str(tmp_path / "drill-20250131T060002Z")
    for suffix in ("", "-2", "-3"):
        os.mkdir(target + suffix)
    with pytest.raises(ReportError) as error:
        dr_report.claim_report_directory(target, slice_one())
    assert str(error.value) == "%s: this name and the next 2 are all taken by other runs' reports" % target


def test_each_app_is_kept_as_its_report_has_it():
    # the run measured 0.7354 s from microsecond times; its report shows the times to the millisecond
    precise = slice_two(apps=[app("app-002", "prod-02", "2025-01-31T06:00:30.000600Z", "2025-01-31T06:00:30.736Z")])
    assert precise["apps"][0]["steps"][0]["started"] == "2025-01-31T06:00:30.000Z"
    assert precise["apps"][0]["steps"][0]["duration_seconds"] == 0.735
    merged = merge_reports(both(second=precise), 2)
    assert merged["apps"][2] == precise["apps"][0]
