#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: dr_report_merge
short_description: Merge the reports of several runs of one runbook into one report (JSON, HTML and JUnit XML)
version_added: 0.1.0
description:
  - Makes one report of the reports (C(report.json)) that several runs of one runbook wrote, each over other apps - the
    slices of an AWX sliced job, or the jobs of a workflow that runs one job per wave or per cluster - and writes it as
    M(kubedr.astra.dr_report) writes a run's report - C(report.json), C(report.html) and C(junit.xml).
  - Every app of the reports is in the merged report once. An app (a name on a cluster) that is in two reports is an
    error that names it and both reports, and nothing is written.
  - The merged run started when the earliest report's run started and finished when the latest one's finished. It
    passes only when every report passed and none is missing - fewer reports than O(expected_reports) make it fail, and
    its run error says how many are missing and which runs stopped before their end.
  - The C(extra) run metadata keeps a key's value when every report has the same, else it holds each report's value
    under the report's run ID (or its path). The merged report lists the reports it was made of under C(merged), and its
    HTML page shows them in a table.
  - The module does not talk to Astra Control and takes no connection options, so it is not in the
    C(kubedr.astra.astra) action group.
author:
  - kubedr.astra developers (@kubedr)
options:
  reports:
    description:
      - The reports to merge - paths of C(report.json) files, or of the report directories that hold them - all of one
        runbook.
      - A path that cannot be read, or that is no report of M(kubedr.astra.dr_report), is an error naming it.
    type: list
    elements: path
    required: true
  expected_reports:
    description:
      - How many reports the whole run has - the slice count of an AWX sliced job, the number of jobs of a workflow.
      - Fewer reports in O(reports) make the merged report fail, saying how many are missing; more are an error.
    type: int
    required: true
  path:
    description:
      - The directory under which the merged report's directory is created (see O(timestamped)).
    type: path
    required: true
  timestamped:
    description:
      - If V(true), the merged report goes into C(<path>/<runbook>-<YYYYmmddTHHMMSSZ>-<run_id>), named after the
        earliest start in UTC, or the next free one (C(-2), C(-3) ...) as M(kubedr.astra.dr_report) does.
      - If V(false), the files go straight into O(path).
    type: bool
    default: true
  run_id:
    description:
      - The run ID of the merged report; it ends its directory's name.
      - Up to 64 letters, digits, C(.), C(_) and C(-), starting with a letter or digit.
    type: str
    default: merged
  title:
    description:
      - The merged report's title.
      - Defaults to the reports' title when they all have the same, else C(kubedr.astra <runbook> report).
    type: str
attributes:
  check_mode:
    description: Reads and merges the reports, writes nothing and returns the paths it would write.
    support: full
  diff_mode:
    description: Reports no diff.
    support: none
notes:
  - Runs on the controller. Every time in the merged report comes from the reports, never from the clock, so the same
    reports always merge into the same files.
  - In AWX, every slice job of a sliced job template has a private data directory of its own; its report reaches the
    merge job through C(<runbook>_report_copy_dir) on storage both mount. C(playbooks/merge_reports.yml) finds the
    reports the slices published; see C(docs/awx/README.md).
seealso:
  - module: kubedr.astra.dr_report
'''

EXAMPLES = r'''
- name: Merge the reports of the two slices of a drill
  kubedr.astra.dr_report_merge:
    reports:
      - /evidence/drill-20250131T060002Z-awx-job-4711/report.json
      - /evidence/drill-20250131T060002Z-awx-job-4712
    expected_reports: 2
    path: /evidence
  register: merged

- name: Show where the merged report is and its verdict
  ansible.builtin.debug:
    msg: "{{ merged.report.html }}: {{ merged.report.app_count }} apps, {{ 'passed' if merged.report.passed else 'failed' }}"

- name: Merge the reports of one drill job per cluster, found on the evidence volume
  kubedr.astra.dr_report_merge:
    reports: "{{ query('ansible.builtin.fileglob', '/evidence/weekly/drill-*-awx-job-*/report.json') }}"
    expected_reports: 3
    path: /evidence/weekly
    title: Weekly DR drill, every cluster
'''

RETURN = r'''
report:
  description: Where the merged report is and its verdict.
  returned: always
  type: dict
  contains:
    directory:
      description: The merged report's directory.
      type: str
      sample: /evidence/drill-20250131T060002Z-merged
    run_id:
      description: The merged report's run ID (O(run_id)).
      type: str
      sample: merged
    json:
      description: The path of C(report.json).
      type: str
      sample: /evidence/drill-20250131T060002Z-merged/report.json
    html:
      description: The path of C(report.html).
      type: str
      sample: /evidence/drill-20250131T060002Z-merged/report.html
    junit:
      description: The path of C(junit.xml).
      type: str
      sample: /evidence/drill-20250131T060002Z-merged/junit.xml
    passed:
      description: Whether the merged run passed - every report passed and none is missing.
      type: bool
      sample: true
    failed_apps:
      description: The names of the apps that failed, in report order.
      type: list
      elements: str
      sample: []
    app_count:
      description: How many apps the merged report holds.
      type: int
      sample: 20
    missing_reports:
      description: How many of the O(expected_reports) were not in O(reports).
      type: int
      sample: 0
    run_error:
      description:
        - Why the merged run did not pass besides its failed apps - how many reports are missing, and each run that
          stopped before its end with its reason - or null.
      type: str
      sample: "1 of the 2 expected reports is missing: the apps of that run are not in this report"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kubedr.astra.plugins.module_utils.dr_report import (
    MERGED_RUN_ID,
    ReportError,
    merge_reports,
    publish_report,
    read_report,
    report_directory,
)


def argument_spec():
    return dict(
        reports=dict(type="list", elements="path", required=True),
        expected_reports=dict(type="int", required=True),
        path=dict(type="path", required=True),
        timestamped=dict(type="bool", default=True),
        run_id=dict(type="str", default=MERGED_RUN_ID),
        title=dict(type="str"),
    )


def run(module):
    params = module.params
    try:
        report = merge_reports([read_report(path) for path in params["reports"]], params["expected_reports"],
                               title=params["title"], run_id=params["run_id"])
        run_data = report["run"]
        directory = report_directory(params["path"], run_data["runbook"], run_data["started"], params["timestamped"],
                                     run_id=run_data["run_id"])
    except ReportError as exc:
        module.fail_json(msg=str(exc))
    try:
        result, changed = publish_report(report, directory, params["timestamped"], check_mode=module.check_mode)
    except (OSError, ReportError) as exc:
        module.fail_json(msg="writing the merged report into %s failed: %s" % (directory, exc))
    result.update(app_count=run_data["app_count"], missing_reports=report["merged"]["missing_reports"],
                  run_error=run_data["error"])
    module.exit_json(changed=changed, report=result)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
