#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: dr_report
short_description: Write the report of a disaster-recovery run (JSON, HTML and JUnit XML)
version_added: 0.1.0
description:
  - Writes the evidence of one run of a runbook (drill, failover, failback, protect, replicate or posture) into a report directory
    on the controller. The roles call it at the end of each run; playbooks can call it too.
  - C(report.json) is machine-readable (schema version 1) and holds the run, every app with its steps, times,
    RTO and RPO against their targets, the pass or fail verdicts and the Astra Control IDs.
  - C(report.html) is one self-contained page (inline CSS and SVG, no script, no external reference of any kind)
    with a summary, a table with one row per app and a timeline chart of every app's steps. It prints on A4 landscape.
  - C(junit.xml) holds one testsuite C(kubedr.astra.<runbook>) with one testcase per app, for AWX and CI dashboards.
    For the posture runbook, whose steps are checks, one testcase per app and check (named after the check, its class
    C(kubedr.astra.posture.<cluster>.<app>)).
  - Before anything is rendered, every value under a key whose name contains C(token), C(password), C(secret) or
    C(authorization) (case-insensitive), in O(apps) and O(extra) alike, becomes C(VALUE_REDACTED), and bearer tokens
    in strings are masked. No option of this module is meant to carry a secret.
  - Files are written atomically (a temporary file renamed into place) with mode 0644; the directory is created if missing.
    A file whose content would not change is left alone, so re-running with O(timestamped=false) and the same data
    reports no change.
  - The module does not talk to Astra Control and takes no connection options, so it is not in the
    C(kubedr.astra.astra) action group.
author:
  - kubedr.astra developers (@kubedr)
options:
  path:
    description:
      - The directory under which the report directory is created (see O(timestamped)).
    type: path
    required: true
  runbook:
    description:
      - The runbook this run executed.
    type: str
    required: true
    choices: [drill, failover, failback, protect, replicate, posture]
  title:
    description:
      - The report's title.
      - Defaults to C(kubedr.astra <runbook> report).
    type: str
  started:
    description:
      - When the run started, as an ISO 8601 timestamp such as C(2025-01-31T09:30:00Z).
      - A timestamp without an offset is taken as UTC. All times in the report are shown in UTC.
    type: str
    required: true
  finished:
    description:
      - When the run finished, as an ISO 8601 timestamp; not before O(started).
    type: str
    required: true
  timestamped:
    description:
      - If V(true), the report goes into C(<path>/<runbook>-<YYYYmmddTHHMMSSZ>), named after O(started) in UTC
        (C(<path>/<runbook>-<YYYYmmddTHHMMSSZ>-<run_id>) with O(run_id)), so every run keeps its own directory.
        When that directory already holds the report of another run, C(-2), C(-3) ... is appended; the directory is
        created exclusively, so two runs started in the same second never write into one directory. A directory that
        holds this run's report (same runbook, O(started), O(run_id) and apps) is written again.
      - If V(false), the files go straight into O(path).
    type: bool
    default: true
  run_id:
    description:
      - What tells this run apart from other runs of the runbook that may start in the same second, such as the AWX job
        (C(awx-job-4711)) or the slice; it ends the report directory's name and is in the report.
      - Up to 64 letters, digits, C(.), C(_) and C(-), starting with a letter or digit.
      - Runs that copy their report directories into one directory (C(<runbook>_report_copy_dir)) from report paths
        of their own (as AWX jobs do) need run IDs of their own; the runbooks set C(awx-job-<awx_job_id>) in AWX.
    type: str
  apps:
    description:
      - One entry per app the run handled, in the order to show them. Each entry is a dict with these keys
        (the module checks them and names the entry, for example C(apps[1].steps[0].finished), in its error messages);
        any other key is an error.
      - C(name) (str, required) - the app's name.
      - C(status) (str, required) - the app's verdict, V(passed), V(failed) or V(skipped). The run passes when no app
        failed and there is no O(run_error).
      - C(cluster) (str) - the cluster the app runs on (the source).
      - C(destination_cluster) (str) - the cluster the app was cloned, restored, replicated or failed over to.
      - C(wave) (int) - the wave the app ran in.
      - C(message) (str) - a one-line explanation, shown in the table and as the JUnit failure message.
      - C(rto_seconds), C(rpo_seconds) (float) - the recovery time and the recovery point (age of the data recovered)
        achieved, in seconds.
      - C(rto_target_seconds), C(rpo_target_seconds) (float) - the objectives, in seconds; with the achieved values
        they give the RTO and RPO verdicts (met when achieved <= target).
      - C(astra_ids) (dict of str) - the Astra Control IDs involved, by role, for example C(source_app_id),
        C(clone_app_id), C(backup_id) or C(mirror_id).
      - C(steps) (list of dicts) - the app's steps in order, each with C(name) (str, required; steps with the same name
        share a colour in the timeline), C(status) (str, required; V(passed), V(failed) or V(skipped)),
        C(started) and C(finished) (ISO 8601; C(finished) not before C(started)), C(message) (str) and C(warnings)
        (list of str; what the step's module warned about, such as retries or an adopted resource).
        Each step with both times is one bar in the timeline.
    type: list
    elements: dict
    default: []
  run_error:
    description:
      - Why the run stopped before its end (a task outside the app steps failed, a user task file failed, the run was
        interrupted), when it did. A report with a run error never passes, whatever its apps say; the HTML shows the
        error at the top and the JUnit file adds a test case C(run) in error.
    type: str
  extra:
    description:
      - Free-form run metadata shown in the report, such as the targets or the API URL.
      - Secret-looking keys are scrubbed (see the description), but do not pass secrets here.
    type: dict
attributes:
  check_mode:
    description: Renders the report, writes nothing and returns the paths it would write.
    support: full
  diff_mode:
    description: Reports no diff.
    support: none
notes:
  - Runs on the controller. Times are computed from O(started), O(finished) and the step times, never from the clock,
    so the same input always renders the same files.
  - Where the task runs on the controller itself (a local connection that does not become another user), its action
    writes the files in the task's own worker, with this module's options and code, rather than starting a module
    process (about half a second less). Elsewhere the module runs.
seealso:
  - module: kubedr.astra.astra_app_clone
  - module: kubedr.astra.astra_app_mirror
'''

EXAMPLES = r'''
- name: Write the report of a drill
  kubedr.astra.dr_report:
    path: /var/tmp/kubedr-reports
    runbook: drill
    title: Quarterly DR drill, prod-east to dr-west
    started: "2025-01-31T09:30:00Z"
    finished: "2025-01-31T09:41:12Z"
    extra:
      requested_by: change CHG-1234
    apps:
      - name: wordpress
        cluster: prod-east
        destination_cluster: dr-west
        wave: 1
        status: passed
        rto_seconds: 412
        rto_target_seconds: 900
        rpo_seconds: 1800
        rpo_target_seconds: 3600
        astra_ids:
          source_app_id: 6a1b9c4e-2f3d-4e5f-8a7b-9c0d1e2f3a4b
          clone_app_id: 0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f
        steps:
          - {name: snapshot, started: "2025-01-31T09:30:02Z", finished: "2025-01-31T09:31:40Z", status: passed}
          - {name: clone, started: "2025-01-31T09:31:41Z", finished: "2025-01-31T09:36:54Z", status: passed}
          - {name: verify, started: "2025-01-31T09:36:55Z", finished: "2025-01-31T09:37:14Z", status: passed}
      - name: shop
        cluster: prod-east
        destination_cluster: dr-west
        wave: 2
        status: failed
        message: clone did not become ready within 600 s
        steps:
          - {name: snapshot, started: "2025-01-31T09:37:20Z", finished: "2025-01-31T09:38:01Z", status: passed}
          - name: clone
            started: "2025-01-31T09:38:02Z"
            finished: "2025-01-31T09:41:10Z"
            status: failed
            message: timed out
  register: drill_report

- name: Show where the report is
  ansible.builtin.debug:
    msg: "{{ drill_report.report.html }} ({{ 'passed' if drill_report.report.passed else 'failed' }})"

- name: Keep only the latest report of the nightly protection run
  kubedr.astra.dr_report:
    path: /var/tmp/kubedr-reports/protect-latest
    timestamped: false
    runbook: protect
    started: "2025-01-31T01:00:00Z"
    finished: "2025-01-31T01:04:30Z"
    apps:
      - {name: wordpress, cluster: prod-east, status: passed}
'''

RETURN = r'''
report:
  description: Where the report is and its verdict.
  returned: always
  type: dict
  contains:
    directory:
      description: The report directory.
      type: str
      sample: /var/tmp/kubedr-reports/drill-20250131T093000Z
    run_id:
      description: The O(run_id) of the run, or null.
      type: str
      sample: awx-job-4711
    json:
      description: The path of C(report.json).
      type: str
      sample: /var/tmp/kubedr-reports/drill-20250131T093000Z/report.json
    html:
      description: The path of C(report.html).
      type: str
      sample: /var/tmp/kubedr-reports/drill-20250131T093000Z/report.html
    junit:
      description: The path of C(junit.xml).
      type: str
      sample: /var/tmp/kubedr-reports/drill-20250131T093000Z/junit.xml
    passed:
      description: Whether the run passed, that is no app failed and the run did not stop early (O(run_error)).
      type: bool
      sample: false
    failed_apps:
      description: The names of the apps that failed, in report order.
      type: list
      elements: str
      sample: [shop]
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kubedr.astra.plugins.module_utils.dr_report import ReportError, argument_spec, report_task


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    try:
        result, changed = report_task(module.params, check_mode=module.check_mode)
    except ReportError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=changed, report=result)


if __name__ == "__main__":
    main()
