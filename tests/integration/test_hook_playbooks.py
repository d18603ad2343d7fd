"""Execution hooks through ansible-playbook: one run of playbooks/execution_hooks.yml with --diff.

From hooks disabled (a clear error, an empty info list) through enabling the setting (check mode first), a hook
source (create, rerun, update from a file with --diff) and a hook (check mode, create, rerun, update), to the
refused delete of a source a hook uses, and the deletes in the right order. The API token comes from the group's
module_defaults only, so they reach every module, through the action plugin of astra_hook_source too. Every registered result and the
simulator's request log are checked.
"""
import json
from datetime import datetime

from playbook_harness import MUTATING, results_callback_env

DISABLED = ("execution hooks are disabled in the Astra Control account; enable them with "
            "kubedr.astra.astra_execution_hooks_setting (enabled: true) or in Astra Control (Account > Settings)")


def moment(text):
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


def requests_during(log, result):
    """The log entries that arrived while the task of this registered result ran."""
    started, finished = moment(result["timing"]["started"]), moment(result["timing"]["finished"])
    return [entry for entry in log if started <= moment(entry["time"]) <= finished]


def test_execution_hooks_playbook(sim, run_playbook, tmp_path):
    result_path = tmp_path / "results.json"
    sim.clear_requests_log()
    run = run_playbook("execution_hooks.yml", diff=True, env=results_callback_env(result_path),
                       extra_vars={"hooks_api_token": sim.token}, unset_env=("ASTRA_API_TOKEN",))
    assert run.rc == 0, run
    results = json.loads(result_path.read_text())
    log = sim.requests_log()
    assert sim.token not in json.dumps(results)

    # Disabled: a clear message, nothing sent but the read that the API refused; the info module does not fail.
    disabled = results["source_disabled"]
    assert disabled["failed"] and disabled["msg"].startswith(DISABLED[0].upper() + DISABLED[1:]), disabled
    assert "HTTP 403" in disabled["msg"] and "problem 168" in disabled["msg"], disabled["msg"]
    assert results["info_disabled"]["execution_hooks"] == []
    assert results["info_disabled"]["execution_hooks_enabled"] is False

    # The setting: check mode predicts and only reads; the real run switches it; the rerun changes nothing.
    check = results["enable_check"]
    assert check["changed"] is True and check["execution_hooks_enabled"] is True, check
    assert check["diff"] == {"before": {"enabled": False}, "after": {"enabled": True}}
    during = requests_during(log, check)
    assert during and set(entry["method"] for entry in during) == {"GET"}, during
    assert results["enable"]["changed"] is True and results["enable"]["execution_hooks_enabled"] is True
    assert results["enable"]["setting"]["currentConfig"] == {"isEnabled": "true"}
    assert results["enable_again"]["changed"] is False and "diff" not in results["enable_again"]

    # The hook source: created, unchanged on a rerun, updated from files/ with a diff of the checksum; the script is
    # never echoed.
    created = results["source_create"]
    assert created["changed"] is True and created["hook_source"]["name"] == "quiesce"
    assert "source" not in created["hook_source"] and "source" not in json.dumps(created["diff"])
    assert created["diff"]["after"]["checksum"] == created["hook_source"]["sourceMD5Checksum"]
    assert results["source_again"]["changed"] is False
    update_check, update = results["source_update_check"], results["source_update"]
    assert update_check["changed"] is True and update["changed"] is True
    assert update["diff"]["before"]["checksum"] == created["hook_source"]["sourceMD5Checksum"]
    assert update["diff"]["after"]["checksum"] == update["hook_source"]["sourceMD5Checksum"] \
        == update_check["hook_source"]["sourceMD5Checksum"] != created["hook_source"]["sourceMD5Checksum"]
    assert update["hook_source"]["description"] == "Quiesce the database", "an omitted description is kept"
    assert results["source_update_again"]["changed"] is False

    # The hook: check mode predicts, the real run creates it with the containers it matches, reruns change nothing,
    # an update shows its diff in option shape.
    hook_check, hook = results["hook_check"], results["hook_create"]["execution_hook"]
    assert hook_check["changed"] is True and hook_check["execution_hook"]["id"] == "check-mode-placeholder-id"
    assert hook_check["diff"]["after"]["source"] == "quiesce"
    assert results["hook_create"]["changed"] is True
    assert hook["stage"] == "pre" and hook["action"] == "snapshot" and hook["arguments"] == ["pre", "--fast"]
    assert [(c["namespaceName"], c["containerName"]) for c in hook["matchingContainers"]] == [("postgres", "postgresql")]
    assert hook["matchingImages"] == ["docker.io/bitnami/postgresql:16.2.0"]
    assert results["hook_again"]["changed"] is False, "the order of matching_criteria does not matter"
    for name in ("hook_update_check", "hook_update"):
        assert results[name]["changed"] is True, results[name]
        assert results[name]["diff"] == {"before": {"arguments": ["pre", "--fast"], "enabled": True},
                                         "after": {"arguments": ["--fast", "pre"], "enabled": False}}, results[name]
    assert results["hook_update"]["execution_hook"]["enabled"] == "false"
    listed = results["info_enabled"]
    assert listed["execution_hooks_enabled"] is True
    assert [item["name"] for item in listed["execution_hooks"]] == ["pg-pre-snapshot"]

    # A source in use: refused before any DELETE, naming the hook and its app; then the hook, then the source go.
    refused = results["source_absent_used"]
    assert refused["failed"], refused
    assert "pg-pre-snapshot (app postgres)" in refused["msg"] and "astra_execution_hook" in refused["msg"], refused
    assert not [entry for entry in requests_during(log, refused) if entry["method"] in MUTATING]
    assert results["hook_absent"]["changed"] is True and results["source_absent"]["changed"] is True
    assert results["source_absent_again"]["changed"] is False

    # Every check-mode task only read; the writes are exactly the ones expected, in order.
    for name in ("enable_check", "source_update_check", "hook_check", "hook_update_check"):
        assert not [entry for entry in requests_during(log, results[name]) if entry["method"] in MUTATING], name
    writes = [(entry["method"], entry["path"].split("/")[-2] if entry["method"] != "POST" else entry["path"].split("/")[-1])
              for entry in log if entry["method"] in MUTATING and "apps" not in entry["path"].split("/")[-1:]]
    hook_writes = [write for write in writes if write[1] in ("settings", "hookSources", "executionHooks")]
    assert hook_writes == [("PUT", "settings"), ("POST", "hookSources"), ("PUT", "hookSources"),
                           ("POST", "executionHooks"), ("PUT", "executionHooks"), ("DELETE", "executionHooks"),
                           ("DELETE", "hookSources")], hook_writes
