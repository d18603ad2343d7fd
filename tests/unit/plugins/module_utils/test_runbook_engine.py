# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The runbook engine: app normalisation, every pre-flight refusal, readiness with RTO and RPO, failback phases, and
what the runbooks record of their steps - the values asserted."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import runbook as runbook_module
from ansible_collections.kubedr.astra.plugins.module_utils.runbook import (
    RunbookError,
    execution_hook_runs,
    hook_event_reads,
    hook_outcomes,
    failback_phases,
    find_apps,
    find_clones,
    find_mirrors,
    hook_runs,
    managed_clusters,
    namespace_mappings,
    new_record,
    normalise_apps,
    passed_values,
    preflight_failure,
    preflight_findings,
    preflight_summary,
    read_clusters,
    record_hook_events,
    record_step,
    record_steps,
    gather_step,
    restore_point_consistency,
    record_ready,
    recovery_clusters,
    record_waited,
    report_apps,
    wave_failures,
    waves,
)

CLUSTERS = {"clusters": [
    {"name": "prod-east", "state": "running", "managedState": "managed"},
    {"name": "dr-west", "state": "running", "managedState": "managed"},
    {"name": "lab-north", "state": "running", "managedState": "unmanaged"},
    {"name": "dr-down", "state": "failed", "managedState": "managed"},
    {"name": "prod-down", "state": "failed", "managedState": "managed"},
]}
UNREACHABLE = {"failed": True, "msg": "401 Unauthorized: the token was refused"}
T0, T1, T2 = "2025-01-31T09:30:00Z", "2025-01-31T09:31:00Z", "2025-01-31T09:34:05.500Z"


def apps(runbook, *entries, **settings):
    return normalise_apps(list(entries), runbook, settings)


def entry(name="postgres", cluster="prod-east", destination="dr-west", **more):
    found = {"name": name, "cluster": cluster}
    if destination is not None:
        found["destination_cluster"] = destination
    found.update(more)
    return found


def problems_of(runbook, normalised, **checks):
    return preflight_findings(normalised, runbook, read_clusters(CLUSTERS), checks)["problems"]


# Normalisation

def test_normalise_takes_defaults_only_for_what_the_entry_does_not_say():
    (drill,) = apps("drill", entry(destination=None, namespaces=[{"name": "pg"}], wave=2, rto_target_seconds=None),
                    destination_cluster="dr-west", source="mirror", namespace_suffix="-drill",
                    storage_class_mapping=[{"source": "*", "destination": "gold"}], rto_target_seconds=300,
                    rpo_target_seconds=900)
    assert drill == {
        "key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west",
        "wave": 2, "namespaces": ["pg"], "source": "mirror", "backup": None, "snapshot": "latest_replicated",
        "clone_name": "postgres-drill", "storage_class_mapping": [{"source": "*", "destination": "gold"}],
        "require_app_consistent": False,
        # an explicit null is "no target"; a missing one takes the runbook's
        "rto_target_seconds": None, "rpo_target_seconds": 900, "label": "postgres (prod-east -> dr-west)"}
    (backup,) = apps("drill", entry(source="backup"), source="snapshot", namespace_suffix="-x")
    assert (backup["backup"], backup["snapshot"], backup["clone_name"], backup["wave"]) == ("latest", None, "postgres-x", 1)


def test_normalise_per_runbook():
    (protect,) = apps("protect", entry(namespaces=[{"name": "pg", "label_selectors": ["app=pg"]}], wave=3))
    assert protect == {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east",
                       "namespaces": [{"name": "pg", "label_selectors": ["app=pg"]}], "wave": 3,
                       "label": "postgres on prod-east", "execution_hooks": []}
    (replicate,) = apps("replicate", entry(storage_class="gold"))
    assert replicate == {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east",
                         "destination_cluster": "dr-west", "wave": 1, "namespace_mapping": None, "storage_class": "gold",
                         "label": "postgres (prod-east -> dr-west)"}
    (failover,) = apps("failover", entry(rpo_target_seconds=60), rto_target_seconds=600)
    assert (failover["rto_target_seconds"], failover["rpo_target_seconds"]) == (600, 60)
    assert "namespaces" not in failover and "storage_class" not in failover
    (posture,) = apps("posture", entry(wave=2, rpo_target_seconds=60))
    assert posture == {"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east",
                       "destination_cluster": "dr-west", "label": "postgres on prod-east"}
    assert waves([posture]) == []  # one reading of the estate judges every app: no waves
    with pytest.raises(RunbookError, match="runbook 'restore' is not one of"):
        normalise_apps([], "restore")
    with pytest.raises(RunbookError, match="every app entry must be a dict"):
        normalise_apps(["postgres"], "failover")


def test_waves_run_in_ascending_order_and_a_wave_fails_for_its_failed_apps():
    normalised = apps("failover", entry(wave=3), entry("shop", wave=1), entry("jenkins", wave=3))
    assert waves(normalised) == [1, 3]
    record = new_record(normalised)
    failed = {"name": "failover", "status": "failed", "started": T0, "finished": T1, "message": "boom"}
    record["postgres@prod-east"]["steps"].append(failed)
    record["shop@prod-east"]["steps"].append(dict(failed))
    assert wave_failures(record, 3) == ["postgres"] and wave_failures(record, "1") == ["shop"]


# Pre-flight

def test_clusters_read_from_astra_control():
    clusters = read_clusters(CLUSTERS)
    assert clusters["error"] is None and clusters["states"]["dr-down"] == "failed"
    assert managed_clusters(clusters) == ["dr-down", "dr-west", "prod-down", "prod-east"]
    assert managed_clusters(clusters, running=True) == ["dr-west", "prod-east"]
    assert read_clusters(UNREACHABLE) == {"error": UNREACHABLE["msg"], "states": {}, "managed_states": {}}
    assert read_clusters({"failed": True})["error"] == "unknown error"


@pytest.mark.parametrize("runbook", ["protect", "replicate", "drill", "failover", "failback"])
def test_an_unreachable_api_is_every_apps_problem(runbook):
    normalised = apps(runbook, entry(), entry("shop"))
    findings = preflight_findings(normalised, runbook, read_clusters(UNREACHABLE), {"phases": failback_phases(
        normalised, read_clusters(UNREACHABLE), []), "confirm_unplanned": "all"})
    expected = "Astra Control cannot be reached or refused the credentials: 401 Unauthorized: the token was refused"
    assert all(found[0] == expected for found in findings["problems"].values())
    assert preflight_failure(findings, runbook)[1:] == [expected]


def test_failover_refusals():
    normalised = apps("failover", entry(), entry(), entry("wordpress", destination="mars-1"),
                      entry("jenkins", destination="lab-north"), entry("shop", destination=None),
                      entry("crm", destination="dr-down"), entry("erp", cluster="prod-down"))
    mirrors = {"postgres@prod-east": {"id": "m1"}, "crm@prod-east": {"id": "m2"}, "erp@prod-down": {"id": "m3"}}
    checks = {"results": [{"item": normalised[0], "failed": True, "msg": "the mirror is transferring"}]}
    planned = problems_of("failover", normalised, planned=True, mirrors=mirrors, checks=checks)
    assert planned["postgres@prod-east"] == ["postgres (prod-east -> dr-west) is listed more than once",
                                             "postgres (prod-east -> dr-west): the mirror is transferring"]
    assert planned["wordpress@prod-east"] == [
        "destination cluster mars-1 of wordpress is not known to Astra Control (known: dr-down, dr-west, lab-north, "
        "prod-down, prod-east)"]
    assert planned["jenkins@prod-east"] == ["destination cluster lab-north of jenkins is not managed by Astra Control"]
    assert planned["shop@prod-east"] == [
        "shop: no destination cluster (set destination_cluster or failover_destination_cluster)"]
    assert planned["crm@prod-east"] == [
        "destination cluster dr-down of crm cannot be reached (state failed); the app cannot come up there"]
    assert planned["erp@prod-down"] == [
        "cluster prod-down of erp cannot be reached (state failed); a planned failover stops the app there first: run an "
        "unplanned failover (failover_mode: unplanned)"]
    unplanned = problems_of("failover", normalised, planned=False, mirrors=mirrors, checks={}, confirm_unplanned="all")
    assert unplanned["erp@prod-down"] == []
    no_mirror = problems_of("failover", apps("failover", entry()), planned=False, mirrors={}, confirm_unplanned="all")
    assert no_mirror["postgres@prod-east"] == [
        "postgres has no AppMirror between prod-east and dr-west: there is nothing to fail over (replicate it first: the "
        "replicate runbook)"]
    ids = preflight_findings(normalised, "failover", read_clusters(CLUSTERS), {"mirrors": mirrors})["ids"]
    assert ids["crm@prod-east"] == {"mirror_id": "m2"}


def test_protect_refusals():
    normalised = apps("protect", entry(), entry(), entry("wordpress", cluster="lab-north"), entry("x", cluster="moon"))
    checks = {"results": [{"item": normalised[0], "failed": True, "msg": "namespace postgres does not exist"}]}
    policy = {"results": [{"item": {"item": normalised[0]}, "failed": True, "msg": "hourly: minute out of range"}]}
    problems = problems_of("protect", normalised, app_checks=checks, policy_checks=policy)
    assert problems["postgres@prod-east"] == [
        "postgres on prod-east is listed more than once", "postgres on prod-east: namespace postgres does not exist",
        "protection policy of postgres on prod-east: hourly: minute out of range"]
    assert problems["wordpress@lab-north"] == ["cluster lab-north is not managed by Astra Control (managedState unmanaged)"]
    assert problems["x@moon"] == [
        "cluster moon is not known to Astra Control (known: dr-down, dr-west, lab-north, prod-down, prod-east)"]


def test_protect_refuses_hooks_while_the_account_has_them_disabled_unless_told_to_enable_them():
    hook = {"name": "pg-quiesce", "action": "snapshot", "stage": "pre", "source": "pg-quiesce"}
    normalised = apps("protect", entry(execution_hooks=[hook]), entry("wordpress"))
    disabled = {"execution_hooks_enabled": False, "execution_hooks": []}
    assert problems_of("protect", normalised, hook_info=disabled) == {"postgres@prod-east": [
        "postgres on prod-east has execution hooks, but execution hooks are disabled in the Astra Control account: set "
        "protect_enable_execution_hooks: true, or enable them in Astra Control (Account > Settings)"],
        "wordpress@prod-east": []}
    # not read (the info call failed) counts as not known to be enabled
    assert len(problems_of("protect", normalised, hook_info=None)["postgres@prod-east"]) == 1
    nothing = {"postgres@prod-east": [], "wordpress@prod-east": []}
    assert problems_of("protect", normalised, hook_info=disabled, enable_hooks=True) == nothing
    assert problems_of("protect", normalised, hook_info=dict(disabled, execution_hooks_enabled=True)) == nothing


def test_each_execution_hook_of_a_managed_app_is_one_loop_item_of_its_app():
    first = {"name": "pg-quiesce", "action": "snapshot", "stage": "pre", "source": "pg"}
    second = {"name": "pg-unquiesce", "action": "snapshot", "stage": "post", "source": "pg"}
    postgres, wordpress, mysql = apps("protect", entry(execution_hooks=[first, second]), entry("wordpress"),
                                      entry("mysql", execution_hooks=[first]))
    runs = execution_hook_runs([postgres, wordpress, mysql], {postgres["key"]: "a1", wordpress["key"]: "a2"})
    assert [(run["key"], run["app_id"], run["execution_hook"]["name"], run["label"]) for run in runs] == [
        ("postgres@prod-east", "a1", "pg-quiesce", "postgres on prod-east: execution hook pg-quiesce"),
        ("postgres@prod-east", "a1", "pg-unquiesce", "postgres on prod-east: execution hook pg-unquiesce")]
    with pytest.raises(RunbookError, match="every hook needs a name"):
        execution_hook_runs(apps("protect", entry(execution_hooks=[{"action": "snapshot"}])), {"postgres@prod-east": "a1"})


def test_replicate_refusals():
    normalised = apps("replicate", entry(), entry("shop"), entry("crm"), entry("erp", destination="prod-east"),
                      entry("hr", destination="dr-down"))
    app_info = {"results": [{"item": "prod-east", "apps": [{"name": "postgres", "state": "ready"},
                                                           {"name": "crm", "state": "provisioning"}]}]}
    source_apps = find_apps(normalised, app_info)
    assert sorted(source_apps) == ["crm@prod-east", "postgres@prod-east"]
    mirror_checks = {"results": [{"item": normalised[0], "failed": True, "msg": "no storage class gold"}]}
    problems = problems_of("replicate", normalised, app_info=app_info, source_apps=source_apps, mirror_checks=mirror_checks)
    assert problems["postgres@prod-east"] == ["mirror of postgres (prod-east -> dr-west): no storage class gold"]
    assert problems["shop@prod-east"] == ["shop is not managed on prod-east (run the protect runbook first)"]
    assert problems["crm@prod-east"] == ["crm on prod-east is not ready (state provisioning)"]
    assert problems["erp@prod-east"][0] == "erp: cluster and destination_cluster are both prod-east"
    assert problems["hr@prod-east"][0] == "destination cluster dr-down of hr is not managed and reachable (state failed)"
    failed_read = problems_of("replicate", normalised[:1], app_info={"results": [
        {"item": "prod-east", "failed": True, "msg": "timed out"}]}, source_apps={})
    assert failed_read["postgres@prod-east"] == ["postgres on prod-east: timed out"]


def test_one_read_of_every_cluster_finds_each_app_on_its_own_cluster():
    """The runbooks read the apps once, by the run's names, for every cluster: each app is matched on its own
    cluster (by name or ID), a same-named app elsewhere (a mirror's destination) is not it, and a cluster the
    runbook does not read is neither searched nor judged."""
    normalised = apps("drill", entry(), entry("shop"), entry("crm", cluster="dr-down"), entry("erp", cluster="lab-north"),
                      namespace_suffix="-drill")
    one_read = {"changed": False, "apps": [
        {"id": "a1", "name": "postgres", "clusterName": "prod-east", "clusterID": "c1"},
        {"id": "a9", "name": "shop", "clusterName": "dr-west", "clusterID": "c2"},
        {"id": "a3", "name": "crm", "clusterName": "other-name", "clusterID": "dr-down"},
        {"id": "a4", "name": "erp", "clusterName": "lab-north", "clusterID": "c4"}]}
    assert find_apps(normalised, one_read) == {"postgres@prod-east": one_read["apps"][0],
                                               "crm@dr-down": one_read["apps"][2], "erp@lab-north": one_read["apps"][3]}
    managed = managed_clusters(read_clusters(CLUSTERS))
    source_apps = find_apps(normalised, one_read, managed)
    assert sorted(source_apps) == ["crm@dr-down", "postgres@prod-east"]
    problems = problems_of("drill", normalised, app_info=one_read, source_apps=source_apps)
    assert problems["postgres@prod-east"] == []
    assert problems["shop@prod-east"] == ["shop is not managed on prod-east (run the protect runbook first)"]
    assert problems["erp@lab-north"] == ["cluster lab-north of erp is not managed by Astra Control"]
    failed = problems_of("drill", normalised[:2], app_info={"failed": True, "msg": "timed out"}, source_apps={})
    assert failed == {"postgres@prod-east": ["postgres on prod-east: timed out"], "shop@prod-east": ["shop on prod-east: timed out"]}
    # A read that did not run (Astra Control could not be read) judges no app.
    skipped = problems_of("drill", normalised[:1], app_info={"skipped": True, "changed": False}, source_apps={})
    assert skipped == {"postgres@prod-east": []}
    assert find_apps(normalised, {"skipped": True}) == {} and find_apps(normalised, {"failed": True, "msg": "x"}) == {}
    # Replicate: only the apps of the managed, reachable clusters are judged by the read.
    replicate = apps("replicate", entry(), entry("crm", cluster="dr-down"))
    assert problems_of("replicate", replicate, app_info=one_read, source_apps=find_apps(
        replicate, one_read, managed_clusters(read_clusters(CLUSTERS), running=True)))["crm@dr-down"] == [
        "cluster dr-down of crm is not managed and reachable (state failed)"]


def test_drill_refusals_and_ids():
    normalised = apps("drill", entry(), entry("shop"), entry("crm", destination="prod-east"),
                      entry("erp", cluster="prod-down", source="snapshot"), entry("hr", destination="dr-down"),
                      entry("kept"), source="backup", namespace_suffix="-drill")
    app_info = {"results": [{"item": "prod-east", "apps": [
        {"id": "a1", "name": "postgres", "namespaceScopedResources": [{"namespace": "pg"}, {"namespace": "pg"},
                                                                      {"namespace": "pg-logs"}]},
        {"id": "a2", "name": "kept"}]}]}
    source_apps = find_apps(normalised, app_info)
    assert namespace_mappings(normalised, source_apps, "-drill")["postgres@prod-east"] == [
        {"source": "pg", "destination": "pg-drill"}, {"source": "pg-logs", "destination": "pg-logs-drill"}]
    clone_checks = {"results": [
        {"item": normalised[0], "app": {"id": "check-mode-placeholder-id"}, "restore_point": {"id": "b1"}},
        {"item": normalised[5], "app": {"id": "c9"}, "restore_point": {"id": "b2"}},
    ]}
    findings = preflight_findings(normalised, "drill", read_clusters(CLUSTERS),
                                  {"app_info": app_info, "source_apps": source_apps, "clone_checks": clone_checks})
    problems = findings["problems"]
    assert problems["postgres@prod-east"] == []
    assert findings["ids"]["postgres@prod-east"] == {"source_app_id": "a1", "backup_id": "b1"}
    assert problems["shop@prod-east"] == ["shop is not managed on prod-east (run the protect runbook first)"]
    assert problems["crm@prod-east"][0] == (
        "crm: the destination cluster is its own cluster prod-east; a drill clones onto the DR cluster and leaves "
        "production alone")
    assert problems["erp@prod-down"] == [
        "erp: its cluster prod-down cannot be reached (state failed) and a drill from a snapshot reads its data there; "
        "drill from a backup instead"]
    assert problems["hr@prod-east"][0] == "destination cluster dr-down of hr cannot be reached (state failed)"
    assert problems["kept@prod-east"] == [
        "app kept-drill already exists on dr-west (a clone kept by an earlier drill?); remove it first (the drill role "
        "with tasks_from: cleanup)"]
    failure = preflight_failure(findings, "drill", ["drill_verify_tasks: the task file v.yml does not exist"])
    assert failure[:2] == ["Pre-flight failed; nothing was created. Problems:",
                           "drill_verify_tasks: the task file v.yml does not exist"]
    assert preflight_failure({"problems": {"a": []}}, "drill") == []


def mirror(state, source="prod-east", destination="dr-west", name="postgres", **more):
    found = {"id": "m-%s" % name, "state": state, "sourceClusterName": source, "destinationClusterName": destination,
             "sourceAppName": name, "destinationAppName": name}
    found.update(more)
    return found


def test_failback_phases_from_each_mirror():
    normalised = apps("failback", entry(), entry("shop"), entry("crm"), entry("erp"), entry("hr"),
                      entry("jenkins", destination="dr-down"))
    mirrors = [mirror("failedOver"), mirror("established", "dr-west", "prod-east", "shop"), mirror("established", name="crm"),
               mirror("deleting", name="hr"), mirror("transferring", name="erp"),
               mirror("failedOver", "prod-east", "dr-down", "jenkins")]
    phases = failback_phases(normalised, read_clusters(CLUSTERS), mirrors)
    assert (phases["resync"], phases["reverse"], phases["home"]) == (
        ["postgres@prod-east", "jenkins@prod-east"], ["shop@prod-east"], ["crm@prod-east"])
    assert phases["problems"]["erp@prod-east"] == [
        "the AppMirror of erp is transferring from prod-east to dr-west; wait until it is failedOver or established and "
        "run again"]
    assert phases["problems"]["hr@prod-east"] == [
        "hr has no AppMirror between prod-east and dr-west: there is nothing to fail back"]
    assert phases["problems"]["jenkins@prod-east"] == [
        "destination cluster dr-down of jenkins is not managed and reachable (state failed); a failback needs both "
        "clusters"]
    checks = {"results": [{"item": normalised[1], "failed": True, "msg": "the mirror is not idle"}]}
    findings = preflight_findings(normalised, "failback", read_clusters(CLUSTERS),
                                  {"phases": phases, "reverse_checks": checks})
    assert findings["problems"]["shop@prod-east"] == ["shop (prod-east -> dr-west): the mirror is not idle"]
    assert findings["ids"]["shop@prod-east"] == {"mirror_id": "m-shop"}
    assert preflight_summary(normalised[:3], "failback", phases=phases) == (
        "Failback of 3 app(s): resync then reverse for postgres@prod-east, jenkins@prod-east; reverse for "
        "shop@prod-east; already home: crm@prod-east.")


def test_mirrors_match_either_direction_and_not_while_deleting():
    normalised = apps("failover", entry())
    assert find_mirrors(normalised, [mirror("deleting"), mirror("established", "dr-west", "prod-east")]) == {
        "postgres@prod-east": mirror("established", "dr-west", "prod-east")}
    assert find_mirrors(normalised, [mirror("established", name="other")]) == {}


class CountedDict(dict):
    """A dict that counts the lookups made in it: in a role, each lookup into a registered result costs Ansible a lazy
    conversion, so a pre-flight that looks every app up in every result is O(apps^2) however small its dicts."""
    lookups = 0

    def __getitem__(self, key):
        CountedDict.lookups += 1
        return super().__getitem__(key)

    def get(self, key, default=None):
        CountedDict.lookups += 1
        return super().get(key, default)


def preflight_lookups(runbook, count):
    """The lookups the runbook's pre-flight findings make for count apps, each with a result of every check."""
    names = ["app-%03d" % index for index in range(count)]
    normalised = [CountedDict(app) for app in apps(runbook, *[entry(name) for name in names])]

    def results(item=lambda app: app):
        return CountedDict(results=[CountedDict(item=item(app), changed=False, msg="") for app in normalised])
    app_info = CountedDict(results=[CountedDict(item="prod-east", apps=[CountedDict(name=name, id=name, state="ready")
                                                                        for name in names])])
    mirrors = [CountedDict(mirror("established", name=name)) for name in names]
    checks = {
        "protect": lambda: {"app_checks": results(), "policy_checks": results(lambda app: {"item": app})},
        "replicate": lambda: {"app_info": app_info, "source_apps": find_apps(normalised, app_info),
                              "mirror_checks": results()},
        "drill": lambda: {"app_info": app_info, "source_apps": find_apps(normalised, app_info), "clone_checks": results()},
        "failover": lambda: {"planned": True, "mirrors": find_mirrors(normalised, mirrors), "checks": results()},
        "failback": lambda: {"phases": failback_phases(normalised, read_clusters(CLUSTERS), mirrors),
                             "resync_checks": results(), "reverse_checks": results()},
    }[runbook]()
    CountedDict.lookups = 0
    findings = preflight_findings(normalised, runbook, read_clusters(CLUSTERS), checks)
    assert sorted(findings["problems"]) == sorted("%s@prod-east" % name for name in names)
    return CountedDict.lookups


@pytest.mark.parametrize("runbook", ["protect", "replicate", "drill", "failover", "failback"])
def test_preflight_findings_grow_linearly_with_the_apps(runbook):
    """Four times the apps, at most about four times the lookups (an app looked up in every result would make it
    sixteen)."""
    small, large = preflight_lookups(runbook, 25), preflight_lookups(runbook, 100)
    assert small > 0 and large <= 4.5 * small, (small, large)


def test_preflight_summaries():
    normalised = apps("failover", entry(), entry("shop", wave=2))
    assert preflight_summary(normalised, "failover", mode="planned") == (
        "Planned failover of 2 app(s) in 2 wave(s): every pre-flight check passed (postgres (prod-east -> dr-west), "
        "shop (prod-east -> dr-west)).")
    assert preflight_summary(normalised[:1], "drill") == (
        "1 app(s) in 1 wave(s) passed the pre-flight checks: postgres (prod-east -> dr-west).")


# Readiness, RTO and RPO

def moved(app, changed=True, started=T0, accepted=None, transfers=None):
    result = {"item": app, "changed": changed, "report_step": {"name": "failover", "status": "passed", "started": started},
              "timing": {"started": started}, "app_mirror": {"id": "m1", "transferStateDetails": transfers or []}}
    if accepted:
        result["timing"]["accepted"] = accepted
    return result


def read_back(cluster, state="ready", finished=T2):
    return {"results": [{"item": cluster, "apps": [{"id": "r1", "name": "postgres", "state": state}],
                         "timing": {"started": "2025-01-31T09:34:05Z", "finished": finished}}]}


def transfer(start, completion="present"):
    details = {"snapshotID": "s1", "startTime": start}
    if completion:
        details["completionTime"] = completion
    return {"transferState": "idle", "additionalDetails": details}


def test_planned_failover_rto_from_its_start_to_the_app_read_ready_and_rpo_zero():
    (app,) = apps("failover", entry(rto_target_seconds=300, rpo_target_seconds=0))
    ready = record_ready(new_record([app]), "failover", [moved(app)], read_back("dr-west"), read_clusters(CLUSTERS), True)
    entry_ = ready["record"][app["key"]]
    assert (entry_["rto_seconds"], entry_["rpo_seconds"], entry_["notes"]) == (245.5, 0, [])
    assert entry_["steps"] == [{"name": "ready", "status": "passed", "started": "2025-01-31T09:34:05Z", "finished": T2,
                                "message": None}]
    assert ready["ready"] == {app["key"]: {"id": "r1", "name": "postgres", "state": "ready"}}
    (judged,) = report_apps(ready["record"])
    assert judged["status"] == "passed" and judged["rto_seconds"] == 245.5


def test_one_read_of_the_moved_apps_by_name_is_matched_on_the_cluster_each_now_runs_on():
    """The roles read a wave's moved apps in one astra_app_info task (names, every cluster): the source cluster's app
    of the same name is not the recovered one."""
    (app,) = apps("failover", entry(rto_target_seconds=300))
    one_read = {"apps": [{"id": "p1", "name": "postgres", "clusterName": "prod-east", "state": "ready"},
                         {"id": "r1", "name": "postgres", "clusterName": "dr-west", "clusterID": "c-dr", "state": "provisioning"}],
                "timing": {"started": "2025-01-31T09:34:05Z", "finished": T2}}
    ready = record_ready(new_record([app]), "failover", [moved(app)], one_read, read_clusters(CLUSTERS), True)
    assert ready["ready"] == {}
    assert ready["record"][app["key"]]["steps"][0]["message"] == "postgres on dr-west is provisioning"
    one_read["apps"][1]["state"] = "ready"
    ready = record_ready(new_record([app]), "failover", [moved(app)], one_read, read_clusters(CLUSTERS), True)
    assert ready["ready"] == {app["key"]: one_read["apps"][1]} and ready["record"][app["key"]]["rto_seconds"] == 245.5
    # a cluster given by ID is matched on the app's clusterID
    (by_id,) = apps("failover", entry(destination_cluster="c-dr"))
    ready = record_ready(new_record([by_id]), "failover", [moved(by_id)], one_read, read_clusters(CLUSTERS), True)
    assert ready["ready"] == {by_id["key"]: one_read["apps"][1]}


def test_unplanned_failover_rpo_from_the_last_completed_transfer_to_when_astra_accepted_the_failover():
    (app,) = apps("failover", entry(rpo_target_seconds=60))
    transfers = [transfer("2025-01-31T09:20:00Z", "2025-01-31T09:20:30Z"), transfer("2025-01-31T09:29:00Z", None)]
    result = moved(app, accepted="2025-01-31T09:30:10Z", transfers=transfers)
    ready = record_ready(new_record([app]), "failover", [result], read_back("dr-west"), read_clusters(CLUSTERS), False)
    entry_ = ready["record"][app["key"]]
    # from 09:20:00 (the last transfer that completed; the 09:29 one did not) to 09:30:10, not to the task's start
    assert entry_["rpo_seconds"] == 610.0 and entry_["rto_seconds"] == 245.5
    assert entry_["notes"] == ["prod-east was reachable: Astra Control does not stop the app there on an unplanned "
                               "failover; stop it so that only one copy serves"]
    (judged,) = report_apps(ready["record"])
    assert judged["status"] == "failed" and "RPO 610.0 s exceeds the target of 60 s" in judged["message"]
    without_accepted = record_ready(new_record([app]), "failover", [moved(app, transfers=transfers)],
                                    read_back("dr-west"), read_clusters(CLUSTERS), False)
    assert without_accepted["record"][app["key"]]["rpo_seconds"] == 600.0


def test_after_a_recovery_the_activity_log_is_read_for_the_apps_whose_post_recovery_hooks_apply():
    (failover,) = apps("failover", entry())
    result = moved(failover)
    result["app_mirror"].update(sourceAppID="a1", destinationAppID="a2")
    record = record_step(new_record([failover]), failover["key"], None, ids={"recovered_app_id": "a2"})
    info = hooks_of(("pg-warm", "a1", "failover", "post"), ("pg-check", "a1", "restore", "post"),
                    ("pg-quiesce", "a1", "snapshot", "pre"), ("other", "a3", "failover", "post"))
    result["app_mirror"]["transferStateDetails"] = [transfer("2025-01-31T09:20:00Z", "2025-01-31T09:20:30Z")]
    (read,) = hook_event_reads([result], record, "failover", info)
    assert (read["key"], read["target_app_id"], read["hooks"], read["since"], read["restore_point"]) == (
        failover["key"], "a2", ["pg-check", "pg-warm"], T0, "s1")
    assert read["event_info_args"] == {"resource_id": "a2", "since": T0}
    recorded = record_hook_events(record, "failover", [{"item": read, "events": [event("pg-check"), event("pg-warm")]}])
    assert recorded[failover["key"]]["notes"] == ["recovered from replication snapshot s1, which is crash-consistent: "
                                                  "replication snapshots run no execution hooks"]
    # The same read through one astra_batch task (the roles' way): its results pair with the reads in order.
    batch = {"changed": False, "results": [{"changed": False, "events": [event("pg-check"), event("pg-warm")]}]}
    assert record_hook_events(record, "failover", batch, reads=[read]) == recorded
    failed = {"failed": True, "msg": "1 of 1 runs of astra_event_info failed: runs[0]: 503",
              "results": [{"failed": True, "msg": "503 Service Unavailable"}]}
    (step,) = record_hook_events(record, "failover", failed, reads=[read])[failover["key"]]["steps"][-1:]
    assert (step["status"], step["message"]) == ("failed", "the activity log could not be read: 503 Service Unavailable")
    # A batch that ran none of the reads (it refused an option, say) fails each with its own message.
    refused = {"failed": True, "msg": "value of module must be one of: astra_app"}
    (step,) = record_hook_events(record, "failover", refused, reads=[read])[failover["key"]]["steps"][-1:]
    assert step["message"] == "the activity log could not be read: value of module must be one of: astra_app"
    # hooks disabled or not read, a failed step, or no hook that applies: nothing to read
    assert hook_event_reads([result], record, "failover", hooks_of(enabled=False)) == []
    assert hook_event_reads([result], record, "failover", None) == []
    assert hook_event_reads([dict(result, report_step={"status": "failed"})], record, "failover", info) == []
    # a drill reads the clone's events for its source app's post-restore hooks
    (drill,) = apps("drill", entry(), source="backup", namespace_suffix="-drill")
    drilled = record_step(new_record([drill]), drill["key"], None, ids={"source_app_id": "a1", "clone_app_id": "c1"})
    (read,) = hook_event_reads([clone_result(drill)], drilled, "drill", info)
    assert (read["target_app_id"], read["hooks"]) == ("c1", ["pg-check"])
    with pytest.raises(RunbookError, match="runbook 'protect' is not one of drill, failback, failover"):
        hook_event_reads([], drilled, "protect", info)


def event(hook, severity="informational", **more):
    return dict({"name": "execution.hook.x", "severity": severity, "data": {"hookName": hook}}, **more)


def test_hook_outcomes_come_from_the_events_that_name_the_hook():
    events = [event("pg-warm"), event("pg-check", "warning"), event("pg-check"),
              {"severity": "critical", "description": "The post-failover hook pg-late failed"}]
    assert hook_outcomes(events, ["pg-warm", "pg-check", "pg-late", "pg-silent"]) == {
        "pg-warm": "succeeded", "pg-check": "failed", "pg-late": "failed", "pg-silent": None}


def test_a_post_recovery_hooks_step_passes_only_when_every_hook_is_seen_succeeding():
    (app,) = apps("failover", entry())
    timing = {"started": T0, "finished": T2}

    def step_for(events, hooks=("pg-check", "pg-warm"), **result):
        item = dict(app, hooks=list(hooks), target_app_id="a2")
        recorded = record_hook_events(new_record([app]), "failover", [
            dict({"item": item, "events": events, "timing": timing}, **result)])
        (step,) = recorded[app["key"]]["steps"]
        return step["name"], step["status"], step["message"]

    assert step_for([event("pg-check"), event("pg-warm")]) == (
        "post-failover hooks", "passed", "pg-check succeeded; pg-warm succeeded")
    assert step_for([event("pg-check"), event("pg-warm", "warning")]) == (
        "post-failover hooks", "failed", "pg-check succeeded; pg-warm failed")
    assert step_for([event("pg-check")]) == (
        "post-failover hooks", "skipped", "pg-check succeeded; pg-warm left no event in the activity log")
    assert step_for([], failed=True, msg="403 Forbidden") == (
        "post-failover hooks", "failed", "the activity log could not be read: 403 Forbidden")
    drilled = record_hook_events(new_record([app]), "drill", [{"item": dict(app, hooks=["x"]), "events": []}])
    assert drilled[app["key"]]["steps"][0]["name"] == "post-restore hooks"


def test_unplanned_failover_without_a_completed_transfer_has_no_rpo_and_says_so():
    (app,) = apps("failover", entry(cluster="prod-down", rpo_target_seconds=60))
    ready = record_ready(new_record([app]), "failover", [moved(app)], read_back("dr-west"), read_clusters(CLUSTERS), False)
    entry_ = ready["record"][app["key"]]
    assert entry_["rpo_seconds"] is None and entry_["notes"] == ["RPO unknown: the mirror reports no completed transfer"]
    (judged,) = report_apps(ready["record"])
    assert judged["status"] == "failed"
    assert judged["message"].startswith("RPO was not measured, so the target of 60 s is not shown to be met")


def test_an_app_that_is_not_ready_fails_and_is_not_measured():
    (app,) = apps("failover", entry())
    ready = record_ready(new_record([app]), "failover", [moved(app)], read_back("dr-west", "provisioning"),
                         read_clusters(CLUSTERS), True)
    entry_ = ready["record"][app["key"]]
    assert ready["ready"] == {} and entry_["rto_seconds"] is None and entry_["rpo_seconds"] is None
    assert entry_["steps"][0]["status"] == "failed"
    assert entry_["steps"][0]["message"] == "postgres on dr-west is provisioning"
    with pytest.raises(RunbookError, match="the apps of dr-west were not read"):
        record_ready(new_record([app]), "failover", [moved(app)], {"results": []}, read_clusters(CLUSTERS), True)


def test_check_mode_measures_nothing():
    (app,) = apps("failover", entry(rto_target_seconds=1))
    ready = record_ready(new_record([app]), "failover", [moved(app)], {"results": [{"skipped": True}]},
                         read_clusters(CLUSTERS), True, check_mode=True)
    entry_ = ready["record"][app["key"]]
    assert entry_["steps"] == [{"name": "ready", "status": "skipped", "message": "check mode: nothing failed over to check"}]
    assert (entry_["rto_seconds"], ready["ready"]) == (None, {})
    assert report_apps(ready["record"], targets=False)[0]["status"] == "skipped"


def test_an_app_already_failed_over_or_already_home_is_not_measured():
    (app,) = apps("failover", entry(rto_target_seconds=1, rpo_target_seconds=1))
    ready = record_ready(new_record([app]), "failover", [moved(app, changed=False)], read_back("dr-west"),
                         read_clusters(CLUSTERS), True)
    entry_ = ready["record"][app["key"]]
    assert entry_["not_measured"] == "already failed over to dr-west: nothing to measure"
    assert entry_["rto_seconds"] is None
    (judged,) = report_apps(ready["record"])
    assert judged["status"] == "passed" and judged["message"] == "already failed over to dr-west: nothing to measure"
    home = record_ready(new_record([app]), "failback", [moved(app, changed=False)], read_back("prod-east"))
    assert home["record"][app["key"]]["not_measured"] == "already at home and replicating to dr-west: nothing to measure"


def test_moved_apps_are_read_back_where_they_now_run():
    normalised = apps("failover", entry(), entry("shop"), entry("crm", destination="dr-south"))
    results = [moved(app) for app in normalised]
    assert recovery_clusters(results, "failover") == ["dr-west", "dr-south"]
    assert recovery_clusters(results, "failback") == ["prod-east"]


def test_failback_rto_from_the_reverse_to_the_app_read_ready_at_home_and_rpo_zero():
    (app,) = apps("failback", entry(rto_target_seconds=200))
    ready = record_ready(new_record([app]), "failback", [moved(app, started=T1)], read_back("prod-east"))
    entry_ = ready["record"][app["key"]]
    assert (entry_["rto_seconds"], entry_["rpo_seconds"]) == (185.5, 0)
    assert report_apps(ready["record"])[0]["status"] == "passed"
    checked = record_ready(new_record([app]), "failback", [moved(app)], None, check_mode=True)
    assert checked["record"][app["key"]]["steps"][0]["message"] == "check mode: nothing moved to check"
    with pytest.raises(RunbookError, match="runbook 'drill' is not failover or failback"):
        record_ready(new_record([app]), "drill", [], None)


def clone_result(app, status="passed", started=T0, finished=T2, point=None, created="2025-01-31T09:34:00Z"):
    return {"item": app, "changed": True, "app": {"id": "c1", "metadata": {"creationTimestamp": created}},
            "restore_point": point, "report_step": {"name": "clone", "status": status, "started": started,
                                                    "finished": finished}}


def test_drill_clone_rto_is_the_clone_and_rpo_the_age_of_its_restore_point():
    (backup,) = apps("drill", entry(), source="backup", namespace_suffix="-drill")
    (snapshot,) = apps("drill", entry(source="snapshot"), namespace_suffix="-drill")
    from_backup = record_waited(new_record([backup]), "clone", [clone_result(backup, point={
        "id": "b1", "metadata": {"creationTimestamp": "2025-01-31T09:00:00Z"}})], keep_clones=True)
    entry_ = from_backup[backup["key"]]
    assert (entry_["rto_seconds"], entry_["rpo_seconds"]) == (245.5, 2040.0)
    assert entry_["astra_ids"] == {"clone_app_id": "c1", "backup_id": "b1"}
    assert entry_["notes"] == ["clone postgres-drill kept on dr-west"]
    from_snapshot = record_waited(new_record([snapshot]), "clone", [clone_result(snapshot, point={
        "id": "s1", "snapshotCreationTimestamp": "2025-01-31T09:33:00Z", "metadata": {"creationTimestamp": T0}})])
    assert from_snapshot[snapshot["key"]]["rpo_seconds"] == 60.0
    assert from_snapshot[snapshot["key"]]["astra_ids"] == {"clone_app_id": "c1", "snapshot_id": "s1"}
    predicted = record_waited(new_record([backup]), "clone", [clone_result(backup)], check_mode=True)
    assert predicted[backup["key"]]["rto_seconds"] is None and predicted[backup["key"]]["notes"] == []


def hooks_of(*hooks, enabled=True):
    """What astra_execution_hook_info returns: (name, app ID, action, stage[, enabled]) per hook."""
    return {"execution_hooks_enabled": enabled,
            "execution_hooks": [{"name": hook[0], "appID": hook[1], "action": hook[2], "stage": hook[3],
                                 "enabled": hook[4] if len(hook) > 4 else "true"} for hook in hooks]}


@pytest.mark.parametrize("point, kind, info, replicated, expected", [
    ({"name": "b1", "hookState": "success"}, "backup", hooks_of(("quiesce", "a1", "backup", "pre")), False,
     (True, "restore point backup b1 is app-consistent: its execution hooks succeeded (pre-backup: quiesce)")),
    # success with no pre hook of that action: no hook applied, so the point is only crash-consistent
    ({"name": "b1", "hookState": "success"}, "backup", hooks_of(("quiesce", "a1", "snapshot", "pre")), False,
     (False, "restore point backup b1 is crash-consistent: the app has no enabled pre-backup execution hook")),
    ({"name": "s1", "hookState": "success"}, "snapshot", hooks_of(("quiesce", "a1", "snapshot", "pre", "false")), False,
     (False, "restore point snapshot s1 is crash-consistent: the app has no enabled pre-snapshot execution hook")),
    ({"name": "s1", "hookState": "success"}, "snapshot", hooks_of(("quiesce", "other", "snapshot", "pre")), False,
     (False, "restore point snapshot s1 is crash-consistent: the app has no enabled pre-snapshot execution hook")),
    ({"name": "s1", "hookState": "success"}, "snapshot", hooks_of(enabled=False), False,
     (False, "restore point snapshot s1 is crash-consistent: execution hooks are disabled in the Astra Control account")),
    ({"name": "s1", "hookState": "failed", "hookStateDetails": [{"title": "Execution hook failed", "detail": "quiesce "
                                                                 "failed on 1 container"}]},
     "snapshot", hooks_of(("quiesce", "a1", "snapshot", "pre")), False,
     (False, "restore point snapshot s1 is not app-consistent: its execution hooks failed (quiesce failed on 1 container)")),
    ({"name": "s1", "hookState": "success"}, "snapshot", hooks_of(("quiesce", "a1", "snapshot", "pre")), True,
     (False, "restore point snapshot s1 is crash-consistent: replication snapshots run no execution hooks")),
    ({"name": "s1", "hookState": "success"}, "snapshot", None, False,
     (None, "restore point snapshot s1: execution hooks success (the app's hooks were not read)")),
    ({"name": "s1"}, "snapshot", hooks_of(("quiesce", "a1", "snapshot", "pre")), False,
     (None, "restore point snapshot s1 reports no execution hook state")),
    ({"name": "replication-1", "hookState": "success", "metadata": {"labels": [
        {"name": "astra.netapp.io/labels/read-only/triggerType", "value": "replication"}]}},
     "snapshot", hooks_of(("quiesce", "a1", "snapshot", "pre")), False,
     (False, "restore point snapshot replication-1 is crash-consistent: replication snapshots run no execution hooks")),
    ({}, "snapshot", hooks_of(), False, (None, None)),
])
def test_a_restore_point_is_app_consistent_only_when_its_pre_hooks_exist_and_succeeded(point, kind, info, replicated,
                                                                                       expected):
    assert restore_point_consistency(point, kind, "a1", info, replicated=replicated) == expected


def test_drill_clones_note_their_restore_point_hooks_and_the_target_judges_them():
    (strict,) = apps("drill", entry(require_app_consistent=True), source="backup", namespace_suffix="-drill")
    (lenient,) = apps("drill", entry(name="mysql"), source="backup", namespace_suffix="-drill",
                      require_app_consistent=False)
    assert strict["require_app_consistent"] is True and lenient["require_app_consistent"] is False
    info = hooks_of(("quiesce", "a1", "backup", "pre"), ("warm-cache", "a1", "restore", "post"))
    record = new_record([strict, lenient])
    for app in (strict, lenient):
        record = record_step(record, app["key"], None, ids={"source_app_id": "a1"})
    point = {"id": "b1", "name": "nightly", "hookState": "failed", "metadata": {"creationTimestamp": T0}}
    record = record_waited(record, "clone", [clone_result(strict, point=point), clone_result(lenient, point=point)],
                           hook_info=info)
    assert record[strict["key"]]["app_consistent"] is False
    assert record[lenient["key"]]["notes"] == [
        "restore point backup nightly is not app-consistent: its execution hooks failed"]
    by_name = dict((app["name"], app) for app in report_apps(record))
    assert by_name["postgres"]["status"] == "failed"
    assert by_name["postgres"]["message"].startswith(
        "the restore point is not app-consistent (require_app_consistent); restore point backup nightly")
    assert by_name["mysql"]["status"] == "passed"
    consistent = record_waited(new_record([strict]), "clone", [clone_result(strict, point=dict(point, hookState="success"))],
                               hook_info=hooks_of(("quiesce", None, "backup", "pre")))
    assert consistent[strict["key"]]["app_consistent"] is True and report_apps(consistent)[0]["status"] == "passed"
    # an app without hooks that need not be app-consistent gets no note (though it is not app-consistent)
    quiet = record_waited(new_record([lenient]), "clone", [clone_result(lenient, point=dict(point, hookState="success"))],
                          hook_info=hooks_of(enabled=False))
    assert quiet[lenient["key"]]["notes"] == [] and quiet[lenient["key"]]["app_consistent"] is False
    # in check mode nothing is cloned, so nothing is judged
    predicted = record_waited(new_record([strict]), "clone", [clone_result(strict, point=point)], check_mode=True,
                              hook_info=info)
    assert predicted[strict["key"]]["app_consistent"] is None and report_apps(predicted, targets=False)[0]["status"] == "passed"
    # a clone that never became ready leaves the target unshown, which fails it
    unknown = record_waited(new_record([strict]), "clone", [clone_result(strict, point=None)], hook_info=info)
    assert "app consistency was not established" in report_apps(unknown)[0]["message"]


def test_other_steps_record_their_ids_and_in_check_mode_the_step_that_would_follow():
    (app,) = apps("failback", entry())
    result = {"item": app, "app_mirror": {"id": "m1"}, "report_step": {"name": "resync", "status": "passed"}}
    record = record_waited(new_record([app]), "resync", [result], ids={"mirror_id": "app_mirror.id"}, check_mode=True,
                           followed_by={"name": "reverse", "message": "check mode: the reverse follows the resync"})
    assert record[app["key"]]["astra_ids"] == {"mirror_id": "m1"}
    assert [(step["name"], step["status"]) for step in record[app["key"]]["steps"]] == [
        ("resync", "passed"), ("reverse", "skipped")]
    assert passed_values([result], "app_mirror.id") == {app["key"]: "m1"}


def test_user_task_files_get_each_entry_with_its_app_and_drill_clones_are_found():
    normalised = apps("drill", entry(), entry("shop"), namespace_suffix="-drill")
    assert hook_runs(normalised[:1], {"postgres@prod-east": {"id": "c1"}}) == [
        {"entry": normalised[0], "app": {"id": "c1"}}]
    app_info = {"results": [{"item": "dr-west", "apps": [{"name": "postgres-drill", "sourceAppID": "a1"},
                                                         {"name": "shop-drill"}]}]}
    assert find_clones(normalised, app_info) == {"postgres@prod-east": {"name": "postgres-drill", "sourceAppID": "a1"}}


def test_drill_clones_this_run_made_are_taken_as_returned_and_only_the_others_are_looked_up():
    normalised = apps("drill", entry(), entry("shop"), namespace_suffix="-drill")
    made = {"postgres@prod-east": {"name": "postgres-drill", "id": "c1", "namespaces": ["postgres-drill"]}}
    # The read covered no cluster (every other clone is unknown): the made clone is found all the same.
    assert find_clones(normalised, {"results": []}, made) == made
    app_info = {"results": [{"item": "dr-west", "apps": [{"name": "postgres-drill", "sourceAppID": "a1"},
                                                         {"name": "shop-drill", "sourceAppID": "a2"}]}]}
    # What the run made wins over what a read says; the other app's clone comes from the read.
    assert find_clones(normalised, app_info, made) == {
        "postgres@prod-east": made["postgres@prod-east"], "shop@prod-east": {"name": "shop-drill", "sourceAppID": "a2"}}


def test_the_steps_a_loop_gathered_are_recorded_in_order_and_the_input_is_left_alone():
    normalised = apps("drill", entry(), entry("shop"))
    record = record_step(new_record(normalised), normalised[0]["key"], {"name": "clone", "status": "passed"})
    steps = [{"key": normalised[1]["key"], "step": {"name": "verify", "status": "failed", "message": "no"}},
             {"key": normalised[0]["key"], "step": {"name": "verify", "status": "passed"}},
             {"key": normalised[0]["key"], "step": {"name": "cleanup", "status": "passed"}}]
    result = record_steps(record, steps)
    assert [step["name"] for step in result[normalised[0]["key"]]["steps"]] == ["clone", "verify", "cleanup"]
    assert result[normalised[1]["key"]]["steps"] == [{"name": "verify", "status": "failed", "message": "no"}]
    assert [step["name"] for step in record[normalised[0]["key"]]["steps"]] == ["clone"]
    assert record_steps(record, []) == record
    with pytest.raises(RunbookError, match="is not in the run record"):
        record_steps(record, [{"key": "nope@x", "step": {"name": "verify"}}])
    with pytest.raises(RunbookError, match="each item must be"):
        record_steps(record, [{"key": normalised[0]["key"]}])
    # Gathered one run at a time (the runs of a user's task file), the same steps record the same way.
    gathered = ""
    for item in steps:
        gathered = gather_step(gathered, item["key"], item["step"])
    assert isinstance(gathered, str) and record_steps(record, gathered) == result
    assert record_steps(record, "") == record
    with pytest.raises(RunbookError, match="is not what gather_step gathers"):
        gather_step("postgres", normalised[0]["key"], {"name": "verify"})
    with pytest.raises(RunbookError, match="needs the app's key and its step"):
        gather_step(gathered, normalised[0]["key"], "passed")


def test_gathering_a_step_costs_the_same_however_many_were_gathered_before(monkeypatch):
    """Each run of a user's task file gathers its step into what the runs before it gathered: a list would be walked
    by Ansible element by element on every run (O(runs^2) for a wave); the gathered steps are one string, and
    gathering one more encodes only that step."""
    encoded = []
    original = runbook_module.json.dumps
    monkeypatch.setattr(runbook_module.json, "dumps", lambda value, **kwargs: encoded.append(value) or original(value, **kwargs))
    gathered = ""
    for index in range(200):
        gathered = gather_step(gathered, "app-%03d@prod-east" % index, {"name": "verify", "status": "passed"})
    assert len(encoded) == 200 and all(value["step"] == {"name": "verify", "status": "passed"} for value in encoded)
    assert isinstance(gathered, str) and gathered.count("\n") == 200


def test_clone_runs_are_the_drill_s_module_arguments_for_each_app():
    from ansible_collections.kubedr.astra.plugins.module_utils.runbook import clone_runs, normalise_apps
    apps = normalise_apps([{"name": "shop", "cluster": "prod-east"},
                           {"name": "pay", "cluster": "prod-east", "source": "mirror",
                            "storage_class_mapping": [{"source": "*", "destination": "ontap-san"}]}],
                          "drill", {"destination_cluster": "dr-west", "source": "backup", "namespace_suffix": "-drill"})
    mappings = {"shop@prod-east": [{"source": "shop", "destination": "shop-drill"}],
                "pay@prod-east": [{"source": "pay", "destination": "pay-drill"}]}
    runs = clone_runs(apps, mappings, 900)["results"]
    assert [run["item"] for run in runs] == apps
    assert set(run["module"] for run in runs) == {"kubedr.astra.astra_app_clone"}
    assert runs[0]["module_args"] == {
        "name": "shop-drill", "source_app": "shop", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "namespace_mapping": mappings["shop@prod-east"], "backup": "latest", "wait": True, "wait_timeout": 900}
    assert runs[1]["module_args"] == {
        "name": "pay-drill", "source_app": "pay", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "namespace_mapping": mappings["pay@prod-east"], "snapshot": "latest_replicated",
        "storage_class_mapping": [{"source": "*", "destination": "ontap-san"}], "wait": True, "wait_timeout": 900}
    # the pre-flight's check does not wait; a removal needs no mapping
    assert "wait" not in clone_runs(apps, mappings)["results"][0]["module_args"]
    assert clone_runs(apps[:1], wait_timeout=60, remove=True)["results"][0]["module_args"] == {
        "name": "shop-drill", "source_app": "shop", "source_cluster": "prod-east", "destination_cluster": "dr-west",
        "state": "absent", "wait": True, "wait_timeout": 60}
    with pytest.raises(RunbookError, match="no namespace mapping for app 'shop@prod-east'"):
        clone_runs(apps, {})


@pytest.mark.parametrize("planned, source, destination, state", [
    (False, "prod-east", "dr-west", "failed_over"), ("False", "prod-east", "dr-west", "failed_over"),
    (True, "dr-west", "prod-east", "established"), ("true", "dr-west", "prod-east", "established")])
def test_failover_runs_fail_the_mirror_over_or_reverse_it(planned, source, destination, state):
    from ansible_collections.kubedr.astra.plugins.module_utils.runbook import failover_runs, normalise_apps
    apps = normalise_apps([{"name": "shop", "cluster": "prod-east"}], "failover", {"destination_cluster": "dr-west"})
    run = failover_runs(apps, planned, 5, 600)["results"][0]
    assert run["item"] == apps[0] and run["module"] == "kubedr.astra.astra_app_mirror"
    assert run["module_args"] == {"source_app": "shop", "source_cluster": source, "destination_cluster": destination,
                                  "replication_interval": 5, "state": state, "wait": True, "wait_timeout": 600}
    assert "wait" not in failover_runs(apps, planned, 5)["results"][0]["module_args"]


def test_mirror_runs_establish_each_mirror_from_home_or_back_from_the_dr_cluster():
    from ansible_collections.kubedr.astra.plugins.module_utils.runbook import mirror_runs, normalise_apps
    replicate = normalise_apps([{"name": "shop", "cluster": "prod-east", "storage_class": "gold",
                                 "namespace_mapping": [{"source": "shop", "destination": "shop-dr"}]},
                                {"name": "pay", "cluster": "prod-east"}], "replicate", {"destination_cluster": "dr-west"})
    runs = mirror_runs(replicate, 10, wait_timeout=900)["results"]
    assert [run["item"] for run in runs] == replicate
    assert set(run["module"] for run in runs) == {"kubedr.astra.astra_app_mirror"}
    assert runs[0]["module_args"] == {
        "source_app": "shop", "source_cluster": "prod-east", "destination_cluster": "dr-west", "replication_interval": 10,
        "state": "established", "storage_class": "gold", "namespace_mapping": [{"source": "shop", "destination": "shop-dr"}],
        "wait": True, "wait_timeout": 900}
    assert runs[1]["module_args"] == {"source_app": "pay", "source_cluster": "prod-east", "destination_cluster": "dr-west",
                                      "replication_interval": 10, "state": "established", "wait": True, "wait_timeout": 900}
    # the failback's resync: from the DR cluster back home, nothing of the entry's replication set-up; the check waits not
    failback = normalise_apps([{"name": "shop", "cluster": "prod-east"}], "failback", {"destination_cluster": "dr-west"})
    for reverse in (True, "true"):
        assert mirror_runs(failback, 5, reverse)["results"][0]["module_args"] == {
            "source_app": "shop", "source_cluster": "dr-west", "destination_cluster": "prod-east",
            "replication_interval": 5, "state": "established"}
    assert mirror_runs(failback, 5, "false")["results"][0]["module_args"]["source_cluster"] == "prod-east"
    # the failback's reverse keeps the mirror as it is: the replicate entry's set-up does not reach it
    shared_entry = normalise_apps([{"name": "shop", "cluster": "prod-east", "storage_class": "gold"}], "failback",
                                  {"destination_cluster": "dr-west"})
    assert "storage_class" not in mirror_runs(shared_entry, 5)["results"][0]["module_args"]


def test_mirrors_are_found_in_what_the_read_returned_and_a_failed_read_is_no_answer():
    normalised = apps("failover", entry())
    read = {"changed": False, "app_mirrors": [mirror("established")]}
    assert find_mirrors(normalised, read) == {"postgres@prod-east": mirror("established")}
    with pytest.raises(RunbookError, match="the replication relationships could not be read: 503 Service Unavailable"):
        find_mirrors(normalised, {"failed": True, "msg": "503 Service Unavailable"})
    with pytest.raises(RunbookError, match="could not be read"):
        failback_phases(apps("failback", entry()), read_clusters(CLUSTERS), {"failed": True, "msg": "x"})
    # with Astra Control unreachable the pre-flight says so for every app; the mirror read is not judged
    assert failback_phases(apps("failback", entry()), read_clusters(UNREACHABLE), {"failed": True, "msg": "x"})["mirrors"] == {}
