"""The bad input catalogue: every invalid input in bad_input_catalogue.yml fails, naming the option and the rule.

The catalogue (tests/integration/bad_input_catalogue.yml) is a YAML list with one flow mapping per line, one line
per case. Adding a case is adding one line::

    - {id: app-name-not-dns1123, category: name, module: astra_app, args: {name: Web_1, cluster: prod-east}, option: name, rule: DNS-1123, requests: none}

Fields:

id
    unique, lower-case letters, digits and '-'; failures name it.
category
    what kind of invalid input it is, one of CATEGORIES below.
module + args
    a kubedr.astra module (name without the prefix) and its options. Jinja is allowed; the plays define
    ``astra_api_url`` and ``astra_account_id`` (the simulator's), e.g. ``api_url: "{{ astra_api_url }}/accounts/x"``.
role + vars (+ tasks_from)
    a kubedr.astra role run with include_role and these role variables; ``<role>_report_path`` defaults to a
    directory of the test. Roles report pre-flight problems per app, so for those ``option`` may be the key or the
    app the problem names.
option
    what the failure message must name (an option path such as ``namespaces[0].label_selectors[0]``); case-sensitive.
rule
    a piece of the rule's text the message must contain; case-insensitive.
requests
    ``none``: the check is local, the simulator must receive no request at all while these cases run.
    ``reads``: the check needs lookups; GETs are allowed, POST/PUT/PATCH/DELETE are not.
env (optional)
    connection options given through ASTRA_* environment variables (the rest come from the simulator's).
unset (optional)
    ASTRA_* variables to remove (for missing connection options).
not_in_msg (optional)
    strings that must not appear anywhere in the case's result (such as a password in a URL).

One playbook sets up what the `reads` cases refer to (playbooks/bad_input_catalogue_setup.yml); then, per `requests`
group, the cases run in few ansible-playbook processes, spread over a few local "hosts" run in parallel (strategy
free). A module case is a task with ignore_errors; a role case is an include_role in a block whose rescue keeps the
message. Each host writes its results to a JSON file at the end. ansible-playbook runs without any ASTRA_* variable;
each case gets the connection through its task's `environment`, so env and unset apply to that case alone.

`make reliability` (KUBEDR_RELIABILITY=full) runs every case that way. `make test` runs the role cases and the first
case of each module through ansible-playbook, and the other module cases in this process: the module's own main()
with the same (templated) options and environment, its JSON answer read from stdout as ansible would. What is checked
is the module's validation and message, which is the same code either way; a module task through ansible-playbook
costs about a second of CPU, most of it starting processes.
"""
import contextlib
import importlib
import io
import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import yaml
from ansible.module_utils.testing import patch_module_args
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from playbook_harness import MUTATING
from reliability import full

CATALOGUE = Path(__file__).resolve().parent / "bad_input_catalogue.yml"
SETUP_PLAYBOOK = "bad_input_catalogue_setup.yml"
MINIMUM_CASES = 80
WORKERS = 2

MODULES = ("astra_app", "astra_app_info", "astra_cluster_info", "astra_bucket_info", "astra_app_snapshot",
           "astra_app_snapshot_info", "astra_app_backup", "astra_app_backup_info", "astra_protection_policy",
           "astra_app_clone", "astra_app_restore", "astra_app_mirror", "astra_app_mirror_info", "astra_posture_info",
           "dr_report", "astra_execution_hooks_setting", "astra_hook_source", "astra_execution_hook",
           "astra_execution_hook_info", "astra_event_info")
ROLES = ("protect", "replicate", "drill", "failover", "failback", "posture")
CONNECTION_ENV = ("ASTRA_API_URL", "ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN", "ASTRA_VALIDATE_CERTS", "ASTRA_CA_PATH",
                  "ASTRA_TIMEOUT", "ASTRA_RETRY_TIMEOUT", "ASTRA_ACTOOLKIT_CONFIG")
CATEGORIES = {
    "connection": "a connection option: a malformed URL or one with /accounts/<id>, an account ID that is not a UUID, "
                  "a missing option, a bad timeout or CA path, an actoolkit config.yaml that is not there",
    "name": "a name that breaks the naming rules",
    "selector": "a label selector that is not one",
    "mapping": "a namespace or storage class mapping that cannot work",
    "conflict": "options that contradict each other",
    "unknown": "an unknown cluster, app, namespace, snapshot, backup, bucket, storage class or kind",
    "transition": "a change the current state does not allow",
    "type": "a wrong type, a missing required option, a value outside the choices, an unknown option",
    "value": "a value outside its range or form (times, intervals, schedules, report data)",
}
REQUIRED = ("id", "category", "option", "rule", "requests")
OPTIONAL = ("module", "args", "role", "vars", "tasks_from", "env", "unset", "not_in_msg")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def load_catalogue():
    with open(CATALOGUE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def case_problems(case):
    """What is wrong with one catalogue entry (a list of strings, empty when it is fine)."""
    if not isinstance(case, dict):
        return ["%r is not a mapping" % (case,)]
    problems = ["missing field %s" % field for field in REQUIRED if field not in case]
    problems += ["unknown field %s" % field for field in case if field not in REQUIRED + OPTIONAL]
    if not ID_PATTERN.match(str(case.get("id", ""))):
        problems.append("id must be lower-case letters, digits and '-'")
    if case.get("category") not in CATEGORIES:
        problems.append("category must be one of %s" % ", ".join(CATEGORIES))
    if case.get("requests") not in ("none", "reads"):
        problems.append("requests must be none or reads")
    if ("module" in case) == ("role" in case):
        problems.append("give either module (with args) or role (with vars)")
    if "module" in case and (case["module"] not in MODULES or "vars" in case or "tasks_from" in case):
        problems.append("module must be one of %s, with args (not vars)" % ", ".join(MODULES))
    if "role" in case and (case["role"] not in ROLES or "args" in case):
        problems.append("role must be one of %s, with vars (not args)" % ", ".join(ROLES))
    for field in ("args", "vars", "env"):
        if not isinstance(case.get(field, {}), dict):
            problems.append("%s must be a mapping" % field)
    for field in ("unset", "not_in_msg"):
        if not isinstance(case.get(field, []), list):
            problems.append("%s must be a list" % field)
    unknown_env = set(case.get("env") or {}) | set(case.get("unset") or [])
    unknown_env -= set(CONNECTION_ENV)
    if unknown_env:
        problems.append("env and unset take only %s, not %s" % (", ".join(CONNECTION_ENV), ", ".join(sorted(unknown_env))))
    for field in ("option", "rule"):
        if not isinstance(case.get(field), str) or not case.get(field):
            problems.append("%s must be a non-empty string" % field)
    return problems


def test_catalogue_is_well_formed():
    cases = load_catalogue()
    assert isinstance(cases, list), "the catalogue must be a YAML list"
    problems = ["%s: %s" % (case.get("id", index) if isinstance(case, dict) else index, problem)
                for index, case in enumerate(cases) for problem in case_problems(case)]
    ids = [case.get("id") for case in cases if isinstance(case, dict)]
    problems += ["id %s is used %d times" % (case_id, ids.count(case_id)) for case_id in sorted(set(ids))
                 if ids.count(case_id) > 1]
    assert not problems, "\n".join(problems)
    assert len(cases) >= MINIMUM_CASES
    covered = set(case.get("module") or case.get("role") for case in cases)
    assert not set(MODULES + ROLES) - covered, "no case for %s" % ", ".join(sorted(set(MODULES + ROLES) - covered))
    categories = set(case["category"] for case in cases)
    assert categories == set(CATEGORIES), "no case of category %s" % ", ".join(sorted(set(CATEGORIES) - categories))
    # Each line of the file is one case: adding a case is adding a line.
    lines = [line for line in CATALOGUE.read_text(encoding="utf-8").splitlines() if line.startswith("- {")]
    assert len(lines) == len(cases), "write each case as a flow mapping on one line starting with '- {'"


# ---------------------------------------------------------------------- the playbooks

def case_env(case, base_env):
    env = {key: value for key, value in base_env.items() if key not in (case.get("unset") or [])}
    env.update({key: "" if value is None else str(value) for key, value in (case.get("env") or {}).items()})
    return env


def case_tasks(case, variable, base_env, report_dir):
    """The tasks of one case; its result (failed, msg, ...) ends up in `variable`."""
    env = case_env(case, base_env)
    if "module" in case:
        return [{"name": case["id"], "kubedr.astra." + case["module"]: case.get("args") or {}, "environment": env,
                 "register": variable, "ignore_errors": True}]
    role_vars = {"%s_report_path" % case["role"]: str(report_dir / case["id"])}
    role_vars.update(case.get("vars") or {})
    include = {"name": "kubedr.astra." + case["role"]}
    if case.get("tasks_from"):
        include["tasks_from"] = case["tasks_from"]
    return [{"name": case["id"], "environment": env, "block": [
        {"name": "%s | run the role" % case["id"], "ansible.builtin.include_role": include, "vars": role_vars},
        {"name": "%s | the role did not fail" % case["id"],
         "ansible.builtin.set_fact": {variable: {"failed": False, "msg": "the role did not fail"}}},
    ], "rescue": [
        {"name": "%s | keep the message" % case["id"], "ansible.builtin.set_fact": {variable: {
            "failed": True, "msg": "{{ (ansible_failed_result | default({})).msg | default('(the failure had no msg)') }}"}}},
    ]}]


def write_playbook(directory, name, cases, sim, report_dir):
    """A playbook running `cases` over WORKERS local hosts in parallel; returns (playbook, result files)."""
    directory.mkdir(parents=True, exist_ok=True)
    base_env = sim.env()
    workers = ["%s-worker%d" % (name, number) for number in range(min(WORKERS, len(cases)))]
    result_files = []
    for number, worker in enumerate(workers):
        mine = cases[number::len(workers)]
        variables = {case["id"]: "catalogue_case_%d" % index for index, case in enumerate(mine)}
        tasks = [task for case in mine for task in case_tasks(case, variables[case["id"]], base_env, report_dir)]
        result_file = directory / ("%s.json" % worker)
        collected = ", ".join("'%s': %s" % (case_id, variable) for case_id, variable in variables.items())
        tasks.append({"name": "Save the results", "ansible.builtin.copy": {
            "content": "{{ {%s} | to_json }}" % collected, "dest": str(result_file), "mode": "0600"}})
        (directory / ("%s.yml" % worker)).write_text(json.dumps(tasks, indent=1))
        result_files.append(result_file)
    playbook = directory / ("%s.yml" % name)
    playbook.write_text(json.dumps([
        {"name": "Start the catalogue workers", "hosts": "localhost", "gather_facts": False, "tasks": [
            {"name": "Add a worker", "ansible.builtin.add_host": {
                "name": "{{ item }}", "groups": "catalogue_workers", "ansible_connection": "local",
                "ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "loop": workers}]},
        {"name": "Bad input: %s" % name, "hosts": "catalogue_workers", "gather_facts": False, "strategy": "free",
         "vars": {"astra_api_url": sim.url, "astra_account_id": sim.account_id},
         "tasks": [{"name": "Run the cases of this worker",
                    "ansible.builtin.include_tasks": str(directory) + "/{{ inventory_hostname }}.yml"}]},
    ], indent=1))
    return playbook, result_files


def through_ansible(cases):
    """The ids of the cases to run through ansible-playbook: all in full mode; else the role cases and the first case
    of each module."""
    if full():
        return {case["id"] for case in cases}
    firsts = {}
    for case in cases:
        if "module" in case:
            firsts.setdefault(case["module"], case["id"])
    return {case["id"] for case in cases if "role" in case} | set(firsts.values())


@contextlib.contextmanager
def environment(env):
    """os.environ with no ASTRA_* variable but those in env, for the duration."""
    saved = dict(os.environ)
    try:
        for key in [key for key in os.environ if key.startswith("ASTRA_")]:
            del os.environ[key]
        os.environ.update(env)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_in_process(case, sim):
    """One module case in this process: its main() with the case's options and environment; returns the result
    ansible would register (the JSON the module prints, with failed set)."""
    templar = Templar(loader=DataLoader(), variables={"astra_api_url": sim.url, "astra_account_id": sim.account_id})
    args = templar.template(_trusted(case.get("args") or {}))
    module = importlib.import_module("ansible_collections.kubedr.astra.plugins.modules." + case["module"])
    stdout = io.StringIO()
    with environment(case_env(case, sim.env())), patch_module_args(args), contextlib.redirect_stdout(stdout), \
            mock.patch("sys.exit", side_effect=SystemExit):
        try:
            module.main()
        except SystemExit:
            pass
    try:
        result = json.loads(stdout.getvalue())
    except ValueError:
        return {"failed": True, "msg": "the module printed no JSON result: %r" % stdout.getvalue()[:500]}
    result.pop("invocation", None)
    result["failed"] = bool(result.get("failed"))
    return result


def _trusted(value):
    """value with every string trusted as a template, as task arguments written in a playbook are."""
    if isinstance(value, dict):
        return {key: _trusted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_trusted(item) for item in value]
    if isinstance(value, str):
        return trust_as_template(value)
    return value


def parse_time(text):
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(timezone.utc)


def suspects(entry, results):
    """The cases whose module ran while the simulator received `entry` (from each module's returned timing)."""
    try:
        moment = parse_time(entry["time"])
    except (KeyError, TypeError, ValueError):
        return []
    found = []
    for case_id, result in results.items():
        timing = result.get("timing") if isinstance(result, dict) else None
        if timing and timing.get("started") and timing.get("finished"):
            if parse_time(timing["started"]) <= moment <= parse_time(timing["finished"]):
                found.append(case_id)
    return found


def message_of(result):
    message = result.get("msg", "")
    if isinstance(message, list):
        message = " ".join(str(part) for part in message)
    return str(message)


def case_failures(case, result):
    """Why a case's result does not meet the catalogue entry (empty when it does)."""
    if result is None:
        return ["%s: no result (the case did not run)" % case["id"]]
    message = message_of(result)
    problems = []
    if not result.get("failed"):
        problems.append("it did not fail")
    if case["option"] not in message:
        problems.append("the message does not name %r" % case["option"])
    if case["rule"].lower() not in message.lower():
        problems.append("the message does not contain the rule %r" % case["rule"])
    dumped = json.dumps(result)
    problems += ["the result contains %r" % secret for secret in case.get("not_in_msg") or [] if str(secret) in dumped]
    if not problems:
        return []
    kind = "module" if "module" in case else "role"
    return ["%s (%s %s): %s; the message: %s" % (case["id"], kind, case.get("module") or case.get("role"),
                                                 "; ".join(problems), message)]


def test_every_bad_input_fails_naming_the_option_and_the_rule(sim, run_playbook, tmp_path):
    cases = load_catalogue()
    assert not [problem for case in cases for problem in case_problems(case)], "run test_catalogue_is_well_formed"

    setup = run_playbook(SETUP_PLAYBOOK)
    assert setup.rc == 0, setup

    results, failures = {}, []
    by_ansible = through_ansible(cases)
    for group in ("none", "reads"):
        group_cases = [case for case in cases if case["requests"] == group]
        sim.clear_requests_log()
        group_results = {}
        ansible_cases = [case for case in group_cases if case["id"] in by_ansible]
        if ansible_cases:
            playbook, result_files = write_playbook(tmp_path / group, group, ansible_cases, sim, tmp_path / "reports")
            run = run_playbook(str(playbook), unset_env=CONNECTION_ENV)
            assert run.rc == 0, run
            for result_file in result_files:
                group_results.update(json.loads(result_file.read_text()))
        for case in group_cases:
            if case["id"] not in by_ansible:
                group_results[case["id"]] = run_in_process(case, sim)
        assert sim.token not in json.dumps(group_results), "the API token appears in the results of the %s cases" % group
        results.update(group_results)
        log = sim.requests_log()
        unexpected = log if group == "none" else [entry for entry in log if entry["method"] in MUTATING]
        failures += ["a %s case sent %s %s%s (the cases running then: %s)"
                     % (group, entry["method"], entry["path"], "?" + entry["query"] if entry.get("query") else "",
                        ", ".join(suspects(entry, group_results)) or "unknown") for entry in unexpected]
    for path in sorted((tmp_path / "reports").rglob("*")):
        if path.is_file() and sim.token in path.read_text(errors="replace"):
            failures.append("the API token appears in the role report %s" % path)
    for case in cases:
        failures += case_failures(case, results.get(case["id"]))
    assert not failures, "%d problem(s):\n%s" % (len(failures), "\n".join(failures))
