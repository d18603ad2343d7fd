#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_posture_info
short_description: Judge the protection posture of applications in Astra Control against the estate's policy
version_added: 0.1.0
description:
  - Answers, for each application of the estate, whether it is protected the way the estate says and whether a
    recovery today would meet its RPO target, check by check; and lists what the estate does not cover.
  - "The checks of each app, in order: C(managed) (the app is managed on its cluster); C(protection policy) (its
    protection schedules are those of O(policy), field by field); C(snapshot) and C(backup) (its newest completed
    snapshot and backup are younger than its RPO target); C(backup bucket) (the newest backup is in O(bucket));
    C(mirror) and C(mirror transfer) (its AppMirror to its destination cluster is established, healthy and
    replicates from its cluster, and the last completed transfer is younger than its RPO target); C(hooks) (the newest
    restore point is app-consistent: its hooks succeeded and the app has an enabled pre-hook of its kind)."
  - A check without anything to judge by (no RPO target, no policy) is skipped and says why; it never passes.
  - With O(unprotected=true), also lists the managed apps that no entry covers (the replicas of the entries' apps are
    covered by them) and the user namespaces of managed clusters that no managed app holds.
  - Reads only, one list per kind whatever the number of apps (clusters, apps, app mirrors, buckets, namespaces,
    execution hooks), plus per app of the estate one list each of its snapshots, backups and schedules, which the API
    lists only per app; the API's C(include) parameter keeps the lists small.
  - Execution hooks are read from the account's list; when the account's execution-hooks setting is off (403 problem
    168), no hook runs, and the C(hooks) check fails for the apps that expect hooks, saying so.
author:
  - kubedr.astra developers (@kubedr)
options:
  apps:
    description:
      - The estate, one entry per app, in the shape of the runbooks' app entries. Only these keys are used; others
        (C(namespaces), C(wave), ...) are ignored, so the same entries feed every runbook.
      - C(name) (str, required) and C(cluster) (str, required) - the app and the cluster it runs on.
      - C(destination_cluster) (str) - its DR cluster, where its mirror replicates to (default O(destination_cluster)).
      - C(rpo_target_seconds) (float) - its RPO target (default O(rpo_target_seconds)).
      - C(expect_mirror) (bool) - whether its mirror is checked (default O(expect_mirror)).
      - C(expect_hooks) (bool) - whether its execution hooks are checked (default O(expect_hooks)).
      - When empty, every managed app is judged by the defaults, and no managed app is listed as outside the estate.
    type: list
    elements: dict
    default: []
  destination_cluster:
    description:
      - The DR cluster of the entries that do not name one.
    type: str
  rpo_target_seconds:
    description:
      - The RPO target of the entries that do not have one, in seconds. Without any, the ages are reported, not judged.
    type: float
  expect_mirror:
    description:
      - Whether the entries that do not say and have a destination cluster are expected to be mirrored to it.
    type: bool
    default: true
  expect_hooks:
    description:
      - Whether the entries that do not say are expected to have execution hooks (app-consistent restore points).
    type: bool
    default: false
  policy:
    description:
      - The protection schedules every app should have, in the shape of
        O(kubedr.astra.astra_protection_policy#module:schedules); matched by name (default the granularity) and
        compared field by field. The bucket of a schedule is not compared (see O(bucket)).
      - When omitted, the schedules are not compared.
    type: list
    elements: dict
  bucket:
    description:
      - The name of the bucket the newest backup of every app should be in. When omitted, not checked.
    type: str
  unprotected:
    description:
      - Whether to list the managed apps and the namespaces of managed clusters that no entry covers.
    type: bool
    default: true
  ignored_namespaces:
    description:
      - Namespaces never listed as unprotected, on any cluster.
    type: list
    elements: str
    default: [default]
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_protection_policy
  - module: kubedr.astra.astra_app_mirror_info
notes:
  - Ages are computed from one reading of the controller's clock, so the checks of one run agree with each other.
'''

EXAMPLES = r'''
- name: Manage postgres on prod-east
  kubedr.astra.astra_app:
    name: postgres
    cluster: prod-east

- name: Protect it hourly with snapshots and daily with backups
  kubedr.astra.astra_protection_policy:
    app: postgres
    cluster: prod-east
    schedules:
      - {granularity: hourly, minute: 0, snapshot_retention: 24, backup_retention: 0}
      - {granularity: daily, hour: 2, minute: 30, snapshot_retention: 7, backup_retention: 14}

- name: Take a backup now
  kubedr.astra.astra_app_backup:
    app: postgres
    cluster: prod-east
    name: postgres-now

- name: Judge postgres against the policy, a day's RPO and the bucket, without a mirror
  kubedr.astra.astra_posture_info:
    apps:
      - name: postgres
        cluster: prod-east
        rpo_target_seconds: 86400
    policy:
      - {granularity: hourly, minute: 0, snapshot_retention: 24, backup_retention: 0}
      - {granularity: daily, hour: 2, minute: 30, snapshot_retention: 7, backup_retention: 14}
    bucket: dr-bucket
    unprotected: false
  register: postgres_posture

- name: Show each check
  ansible.builtin.debug:
    msg: "{{ item.name }}: {{ item.status }} - {{ item.message }}"
  loop: "{{ postgres_posture.posture.apps[0].checks }}"
  loop_control:
    label: "{{ item.name }}"

- name: List what no entry covers (every managed app is then judged by the defaults)
  kubedr.astra.astra_posture_info:
    rpo_target_seconds: 90000
  register: estate_posture

- name: Show the unprotected namespaces
  ansible.builtin.debug:
    msg: "{{ estate_posture.posture.unprotected.namespaces }}"
'''

RETURN = r'''
posture:
  description: The estate's posture.
  returned: always
  type: dict
  contains:
    apps:
      description: One entry per app of the estate, in order, with its checks.
      type: list
      elements: dict
      contains:
        key:
          description: C(<name>@<cluster>).
          type: str
        name:
          description: The app's name.
          type: str
        cluster:
          description: Its cluster.
          type: str
        destination_cluster:
          description: Its DR cluster, if any.
          type: str
        status:
          description: V(failed) when a check failed, V(skipped) when every check was skipped, V(passed) otherwise.
          type: str
        checks:
          description:
            - Its checks in order, each with C(name), C(status) (V(passed), V(failed), V(skipped)), C(message) and,
              for the checks of an age, C(age_seconds).
          type: list
          elements: dict
        astra_ids:
          description: C(app_id), the app's ID, when it is managed.
          type: dict
      sample:
        - key: postgres@prod-east
          name: postgres
          cluster: prod-east
          destination_cluster: null
          status: passed
          astra_ids: {app_id: 0d8b1b4e-3f0c-4a51-9c57-5f3c9a0a6b8e}
          checks:
            - {name: managed, status: passed, message: postgres is managed on prod-east (state ready)}
            - {name: backup, status: passed, age_seconds: 61,
               message: the newest completed backup is 1m 01s old (RPO target 24h 00m 00s)}
    unprotected:
      description: What no entry covers, on managed clusters (empty lists with O(unprotected=false)).
      type: dict
      contains:
        apps:
          description: The managed apps outside the estate, as C(<name>@<cluster>).
          type: list
          elements: str
        namespaces:
          description: The user namespaces that no managed app holds, as C(<namespace>@<cluster>).
          type: list
          elements: str
      sample: {apps: [], namespaces: [billing@prod-east]}
    counts:
      description: How many apps passed, failed and were skipped.
      type: dict
      sample: {passed: 3, failed: 1, skipped: 0}
    passed:
      description: Whether no app failed and nothing is unprotected.
      type: bool
    hooks_enabled:
      description: Whether the account's execution-hooks setting is on.
      type: bool
    checked_at:
      description: The moment every age was computed from (UTC, ISO 8601).
      type: str
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, iso_time
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.posture import (
    entry_problems,
    estate_posture,
    normalise_entries,
    now_utc,
    read_posture,
)
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import ProtectionPolicySpec


def policy_definitions(schedules):
    """The policy's schedule definitions (None: not compared) and the violations of the option policy."""
    if schedules is None:
        return None, []
    try:
        spec = validate_input(ProtectionPolicySpec, {"schedules": schedules})
    except AstraValidationError as error:  # the option is policy, the model's field schedules
        return None, [("policy" + (path or "")[len("schedules"):], rule) for path, rule in error.violations]
    return [schedule.definition() for schedule in spec.schedules], []


def run(module):
    params = module.params
    problems = entry_problems(params["apps"])
    if params["rpo_target_seconds"] is not None and params["rpo_target_seconds"] < 0:
        problems.append(("rpo_target_seconds", "must be 0 or more"))
    policy, policy_problems = policy_definitions(params["policy"])
    if problems + policy_problems:
        raise AstraValidationError(violations=problems + policy_problems)
    defaults = dict((name, params[name])
                    for name in ("destination_cluster", "rpo_target_seconds", "expect_mirror", "expect_hooks"))
    keys = set("%s@%s" % (entry["name"], entry["cluster"]) for entry in params["apps"]) or None
    estate = read_posture(module.lookups, keys)
    managed = set(item.get("id") for item in estate["clusters"] if item.get("managedState") == "managed")
    entries = normalise_entries(params["apps"], defaults,
                                apps=[app for app in estate["apps"] if app.get("clusterID") in managed])
    now = now_utc()
    posture = estate_posture(entries, estate, {"policy": policy, "bucket": params["bucket"],
                                               "hooks": params["expect_hooks"]}, now,
                             list_unprotected=params["unprotected"], ignored_namespaces=params["ignored_namespaces"])
    posture["checked_at"] = iso_time(now)
    return dict(changed=False, posture=posture)


def main():
    argument_spec = dict(
        apps=dict(type="list", elements="dict", default=[]),
        destination_cluster=dict(type="str"),
        rpo_target_seconds=dict(type="float"),
        expect_mirror=dict(type="bool", default=True),
        expect_hooks=dict(type="bool", default=False),
        policy=dict(type="list", elements="dict"),
        bucket=dict(type="str"),
        unprotected=dict(type="bool", default=True),
        ignored_namespaces=dict(type="list", elements="str", default=["default"]),
    )
    module = AstraModule(argument_spec=argument_spec)
    module.run(run)


if __name__ == "__main__":
    main()
