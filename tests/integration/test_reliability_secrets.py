"""Secrets: the API token never appears in any output, log, report or record, at -vvvv, with failures forced.

Every playbook under playbooks/ runs at -vvvv with a failure injected; the token is also passed as a module option
(from an extra var), through module_defaults and through the environment. Scanned: ansible-playbook's output, its
log file (ANSIBLE_LOG_PATH), every report file (JSON, HTML, JUnit), the simulator's request log and its console, and
the bytecode cache make venv keeps for module payloads.
"""
import json
import sys
import zipimport
from pathlib import Path

from playbook_harness import ROOT
from reliability import full, record_figures

PLAYBOOKS = ROOT / "playbooks"
ONE_APP = [{"name": "postgres", "cluster": "prod-east", "destination_cluster": "dr-west", "wave": 1,
            "namespaces": [{"name": "postgres"}]}]
# How each runbook playbook is made to fail quickly: the operation that ends failed, or nothing prepared for it.
FORCED = {
    "demo.yml": {"fail_next": {"app": 1}},
    "protect.yml": {"fail_next": {"app": 1}},
    "replicate.yml": {},       # nothing is managed yet: the pre-flight refuses every app
    "drill.yml": {},           # no backup yet: the pre-flight refuses
    "drill_cleanup.yml": {},   # nothing to remove: it passes, and is scanned all the same
    "failover.yml": {},        # no mirror: the pre-flight refuses
    "failback.yml": {},
    "drill_from_inventory.yml": {},  # no astra inventory source: no app is selected; scanned all the same
    "posture.yml": {},         # nothing is managed: every entry is out of policy
    "merge_reports.yml": {},   # no merge_expected_reports: refused before any report is read (it sends no request)
}


def scan(sim, texts):
    """Where the token occurs: the names of the texts that hold it."""
    return [name for name, text in texts.items() if sim.token in text]


def bytecode_cache_texts():
    """What make venv's bytecode cache for module payloads holds (scripts/zipimport_bytecode_cache.py), when this
    Python has it: the modules' compiled code, which must never carry a module's arguments."""
    enabled = getattr(zipimport._compile_source, "original", None) is not None  # pylint: disable=protected-access
    cache = Path(sys.prefix) / "zipimport-bytecode"
    if not enabled:
        return {}
    entries = [path for path in cache.rglob("*") if path.is_file()]
    assert entries, "the bytecode cache is enabled but holds nothing after the playbooks ran"
    return dict(("bytecode cache %s" % path.name, path.read_bytes().decode("latin-1")) for path in entries)


def test_no_playbook_leaks_the_token_at_vvvv_with_failures_forced(sim, run_playbook, tmp_path):
    """Full: every playbook. The core: one that fails in a module (protect), one that fails its pre-flight (failover)."""
    assert sorted(FORCED) == sorted(path.name for path in PLAYBOOKS.glob("*.yml")), "a playbook is not covered"
    reports = tmp_path / "reports"
    texts = {}
    playbooks = FORCED if full() else {name: FORCED[name] for name in ("protect.yml", "failover.yml")}
    for name, faults in playbooks.items():
        sim.reset()
        if faults:
            sim.control("PUT", "faults", json=faults)
        log = tmp_path / ("%s.log" % name)
        run = run_playbook(str(PLAYBOOKS / name), verbosity=4, env={"ANSIBLE_LOG_PATH": str(log)},
                           extra_vars={"dr_report_path": str(reports), "dr_apps": ONE_APP})
        assert (run.rc == 0) == (name in ("drill_cleanup.yml", "drill_from_inventory.yml")), (name, run)
        texts["%s output" % name] = run.output
        texts["%s log" % name] = log.read_text()
        texts["%s request log" % name] = json.dumps(sim.requests_log())
    report_files = [path for path in Path(reports).rglob("*") if path.is_file()]
    assert {path.name for path in report_files} >= {"report.json", "report.html", "junit.xml"}
    texts.update(("report %s" % path.relative_to(reports), path.read_text()) for path in report_files)
    texts["simulator console"] = Path(sim.log_path).read_text()
    texts.update(bytecode_cache_texts())
    assert scan(sim, texts) == []
    record_figures("secrets", playbooks=len(playbooks), texts_scanned=len(texts),
                   bytes_scanned=sum(len(text) for text in texts.values()), token_found=0)


def test_the_token_stays_secret_as_an_option_in_module_defaults_and_in_the_environment(sim, run_playbook, tmp_path):
    """The token comes from a vars file (as from a vault or AWX's extra-vars file): on the command line (-e token=...)
    ansible-playbook -vvvv itself prints it with its other arguments, which no collection can prevent (docs say so)."""
    log = tmp_path / "ansible.log"
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(json.dumps({"token": sim.token}))
    failing = {"name": "nobody", "cluster": "prod-east", "namespaces": [{"name": "no-such-namespace"}]}
    plays = []
    for how in ("option", "module_defaults", "environment"):
        connection = {"api_url": sim.url, "account_id": sim.account_id, "ca_path": sim.ca_path, "api_token": "{{ token }}"}
        tasks = [{"name": "Read clusters (%s)" % how, "kubedr.astra.astra_cluster_info": {}},
                 {"name": "Fail (%s)" % how, "kubedr.astra.astra_app": dict(failing), "ignore_errors": True},
                 {"name": "Fail in a wait (%s)" % how, "kubedr.astra.astra_app_snapshot": {"app": "ghost", "name": "x"},
                  "ignore_errors": True}]
        play = {"name": "Token as %s" % how, "hosts": "localhost", "connection": "local", "gather_facts": False,
                "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"}, "vars_files": [str(secrets)],
                "tasks": tasks}
        if how == "option":
            for task in tasks:
                module = next(key for key in task if key.startswith("kubedr.astra."))
                task[module] = dict(task[module], **connection)
        elif how == "module_defaults":
            play["module_defaults"] = {"group/kubedr.astra.astra": connection}
        plays.append(play)
    playbook = tmp_path / "token.yml"
    playbook.write_text(json.dumps(plays))
    run = run_playbook(str(playbook), verbosity=4, env={"ANSIBLE_LOG_PATH": str(log)})
    assert run.rc == 0, run
    assert run.output.count("failed: [localhost]") + run.output.count("fatal: [localhost]") >= 6, run
    assert scan(sim, {"output": run.output, "log": log.read_text(), "request log": json.dumps(sim.requests_log()),
                      "simulator console": Path(sim.log_path).read_text()}) == []


def test_a_runbook_takes_its_connection_from_module_defaults_alone_and_never_shows_the_token(sim, run_playbook, tmp_path):
    """The runbooks' steps run their modules through kubedr.astra.wave_step, which applies the play's module_defaults
    for each module as ansible does on the module's own task: with no ASTRA_* variable, protect still manages the app
    and applies its policy, and at -vvvv the token is in no output, log or report."""
    log = tmp_path / "ansible.log"
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(json.dumps({"token": sim.token}))
    reports = tmp_path / "reports"
    play = {"name": "Protect with the connection in module_defaults only", "hosts": "localhost", "connection": "local",
            "gather_facts": False, "vars_files": [str(secrets)],
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}",
                     "protect_apps": [{"name": "postgres", "cluster": "prod-east"}],
                     "protect_snapshot_now": False, "protect_backup_now": False, "protect_report_path": str(reports)},
            "module_defaults": {"group/kubedr.astra.astra": {"api_url": sim.url, "account_id": sim.account_id,
                                                             "ca_path": sim.ca_path, "api_token": "{{ token }}"}},
            "roles": [{"role": "kubedr.astra.protect"}]}
    playbook = tmp_path / "protect.yml"
    playbook.write_text(json.dumps([play]))
    run = run_playbook(str(playbook), verbosity=4, env={"ANSIBLE_LOG_PATH": str(log)},
                       unset_env=("ASTRA_API_URL", "ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN", "ASTRA_CA_PATH"))
    assert run.rc == 0, run
    assert "protect wave 1 manage app: running for 1 app(s): postgres" in run.output, run
    writes = [(entry["method"], entry["path"].rsplit("/", 1)[-1]) for entry in sim.requests_log()
              if entry["method"] in ("POST", "PUT")]
    assert ("POST", "apps") in writes and ("POST", "schedules") in writes, writes
    report_texts = {str(path): path.read_text() for path in reports.rglob("*") if path.is_file()}
    assert report_texts, "no report written"
    assert scan(sim, dict({"output": run.output, "log": log.read_text(),
                           "request log": json.dumps(sim.requests_log())}, **report_texts)) == []
