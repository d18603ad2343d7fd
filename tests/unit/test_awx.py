# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""AWX / AAP as code (docs/awx): the configuration playbook gives every runbook a job template whose survey sets real
role options, the workflow approves before it fails over; the credential type injects what the modules read; the
execution environment definition builds a context with ansible-builder; the drill cleanup's dependencies stay
optional."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import astra_argument_spec

ROOT = Path(__file__).resolve().parents[2]
AWX = ROOT / "docs" / "awx"
RUNBOOK_PLAYBOOKS = {"protect": "protect", "replicate": "replicate", "drill": "drill", "drill cleanup": "drill_cleanup",
                     "failover": "failover", "failback": "failback", "posture": "posture"}


def load(name):
    return yaml.safe_load((AWX / name).read_text())


@pytest.fixture(scope="module")
def configure():
    (play,) = load("configure.yml")
    tasks = {}
    for task in play["tasks"]:
        (module,) = [key for key in task if key.startswith("awx.awx.")]
        tasks.setdefault(module, []).append(task)
    return play, tasks


def role_options(role, entry="main"):
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return specs[entry]["options"]


def named(tasks, module, name):
    """The task of module whose name option is name (a kubedr_awx_names entry)."""
    (task,) = [task for task in tasks[module] if task[module]["name"] == name]
    return task[module]


def test_every_runbook_has_a_job_template_with_its_playbook_and_a_survey(configure):
    play, tasks = configure
    (job_templates,) = [task for task in tasks["awx.awx.job_template"] if "loop" in task]
    assert job_templates["loop"] == "{{ kubedr_awx_job_templates }}"
    assert job_templates["awx.awx.job_template"]["survey_enabled"] is True
    assert job_templates["awx.awx.job_template"]["credentials"] == ["{{ kubedr_awx_names.credential }}"]
    templates = dict((template["name"], template) for template in play["vars"]["kubedr_awx_job_templates"])
    assert sorted(templates) == sorted("kubedr.astra " + name for name in RUNBOOK_PLAYBOOKS)
    for name, playbook in RUNBOOK_PLAYBOOKS.items():
        template = templates["kubedr.astra " + name]
        assert template["playbook"] == "playbooks/%s.yml" % playbook
        assert (ROOT / template["playbook"]).is_file()
        # AWX's job type is the check mode: every runbook that changes something can be launched as a Check job.
        assert template["ask_job_type"] is (name != "posture")
        estate = template["survey"][0]
        assert (estate["variable"], estate["type"], estate["required"]) == ("vars_file", "text", True)


def test_every_survey_question_sets_an_option_of_its_runbook(configure):
    play, _tasks = configure
    for template in play["vars"]["kubedr_awx_job_templates"]:
        name = template["name"].split(" ", 1)[1]
        role, entry = ("drill", "cleanup") if name == "drill cleanup" else (name, "main")
        options = role_options(role, entry)
        variables = [question["variable"] for question in template["survey"]]
        assert len(set(variables)) == len(variables)
        for question in template["survey"][1:]:
            assert question["variable"] in options, "%s: %s is no option of %s" % (name, question["variable"], role)
            assert question["question_name"] and question["question_description"]
        # the app subset, wherever the runbook has one (posture judges the estate as a whole)
        assert ("%s_only_apps" % role in variables) is (role != "posture")


def test_the_failover_survey_asks_the_mode_and_the_unplanned_confirmation(configure):
    play, _tasks = configure
    (failover,) = [template for template in play["vars"]["kubedr_awx_job_templates"]
                   if template["name"] == "kubedr.astra failover"]
    questions = dict((question["variable"], question) for question in failover["survey"])
    mode = questions["failover_mode"]
    assert (mode["type"], mode["choices"], mode["default"]) == ("multiplechoice", ["planned", "unplanned"], "planned")
    assert mode["choices"] == role_options("failover")["failover_mode"]["choices"]
    confirm = questions["failover_confirm_unplanned"]
    assert (confirm["type"], confirm["required"], confirm["default"]) == ("text", False, "")


def test_the_workflow_runs_protect_replicate_drill_then_an_approval_before_the_failover(configure):
    play, tasks = configure
    workflow = named(tasks, "awx.awx.workflow_job_template", "{{ kubedr_awx_names.workflow }}")
    nodes = dict((node["identifier"], node) for node in workflow["workflow_nodes"])
    successors = dict((name, [child["identifier"] for child in node.get("related", {}).get("success_nodes", [])])
                      for name, node in nodes.items())
    assert all(not set(node.get("related", {})) - {"success_nodes"} for node in nodes.values())
    roots = [name for name in nodes if not any(name in children for children in successors.values())]
    assert roots == ["protect"]
    chain, name = [], "protect"
    while name:
        chain.append(name)
        (name,) = successors[name] or [None]
    assert chain == ["protect", "replicate", "drill", "approve failover", "failover"]
    kinds = dict((name, node["unified_job_template"]["type"]) for name, node in nodes.items())
    assert kinds == {"protect": "job_template", "replicate": "job_template", "drill": "job_template",
                     "approve failover": "workflow_approval", "failover": "job_template"}
    # the only way to the failover is through the approval
    assert [name for name, children in successors.items() if "failover" in children] == ["approve failover"]
    assert nodes["failover"]["unified_job_template"]["name"] == "kubedr.astra failover"
    assert int(play["vars"]["kubedr_awx_approval_timeout"]) > 0
    survey = workflow["survey_spec"]["spec"]
    assert [question["variable"] for question in survey] == ["vars_file", "failover_mode", "failover_confirm_unplanned"]


def test_the_drill_is_scheduled_weekly(configure):
    play, tasks = configure
    (schedule,) = tasks["awx.awx.schedule"]
    options = schedule["awx.awx.schedule"]
    assert options["unified_job_template"] == "kubedr.astra drill"
    assert "FREQ=WEEKLY" in play["vars"]["kubedr_awx_drill_rrule"] and options["enabled"] is True
    assert options["extra_data"]["vars_file"]


def test_the_credential_type_injects_what_the_modules_read_and_keeps_the_token_secret(configure):
    credential_type = load("credential-type.yml")
    module_env = set(name for option in astra_argument_spec().values() for name in option["fallback"][1])
    injected = credential_type["injectors"]["env"]
    assert set(injected) <= module_env
    assert {"ASTRA_API_URL", "ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN", "ASTRA_CA_PATH"} <= set(injected)
    assert injected["ASTRA_CA_PATH"] == "{{ tower.filename.ca_cert }}"
    assert credential_type["injectors"]["file"] == {"template.ca_cert": "{{ astra_ca_cert }}"}
    fields = dict((field["id"], field) for field in credential_type["inputs"]["fields"])
    assert fields["astra_api_token"]["secret"] is True
    # the configuration playbook creates the type from this file, and stores the token without printing it
    _play, tasks = configure
    (created,) = tasks["awx.awx.credential_type"]
    assert "lookup('ansible.builtin.file', 'credential-type.yml')" in created["vars"]["credential_type"]
    (credential,) = tasks["awx.awx.credential"]
    assert credential["no_log"] is True
    assert set(credential["awx.awx.credential"]["inputs"]) == set(fields)


def test_the_execution_environment_builds_a_context_with_the_collection_and_its_python_deps(tmp_path):
    context = tmp_path / "context"
    subprocess.run([str(Path(sys.executable).parent / "ansible-builder"), "create", "-f",
                    str(AWX / "execution-environment.yml"), "-c", str(context), "--output-filename", "Containerfile"],
                   check=True, capture_output=True, text=True, timeout=120)
    containerfile = (context / "Containerfile").read_text()
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ARG ANSIBLE_INSTALL_REFS="ansible-core>=2.19,<2.20 ansible-runner>=2.4,<3"' in containerfile
    assert "ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml" in containerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    collections = [collection["name"] for collection in galaxy["collections"]]
    assert collections[:2] == ["kubedr.astra", "kubernetes.core"]
    python = (context / "_build" / "requirements.txt").read_text()
    for package in ("kubernetes",):
        assert any(line.startswith(package) for line in python.splitlines()), package
    for package in ("pydantic", "requests"):
        assert not any(line.startswith(package) for line in python.splitlines()), "the modules do not need %s" % package


def test_the_drill_cleanup_dependencies_are_optional_requirements_not_collection_dependencies():
    galaxy = yaml.safe_load((ROOT / "galaxy.yml").read_text())
    assert "kubernetes.core" not in (galaxy.get("dependencies") or {})
    assert "amazon.aws" not in (galaxy.get("dependencies") or {})
    requirements = (AWX / "requirements.yml").read_text()
    assert "- name: kubernetes.core" in requirements and "Optional" in requirements
    for readme in (AWX / "README.md", ROOT / "roles" / "drill" / "README.md"):
        text = readme.read_text()
        for needed in ("kubernetes.core", "`kubernetes`", "named like the"):
            assert needed in text, "%s does not name %s" % (readme, needed)


def test_a_large_estate_is_drilled_in_slices_of_the_estate_inventory_then_merged(configure):
    play, tasks = configure
    names, settings = play["vars"]["kubedr_awx_names"], play["vars"]
    source = named(tasks, "awx.awx.inventory_source", "{{ kubedr_awx_names.estate_source }}")
    # the estate inventory is synced from the project's kubedr.astra.astra source with the Astra Control credential
    assert (source["source"], source["source_path"], source["credential"]) == (
        "scm", "{{ kubedr_awx_estate_source_path }}", "{{ kubedr_awx_names.credential }}")
    assert settings["kubedr_awx_estate_source_path"].endswith("astra.yml")
    assert yaml.safe_load((AWX / "estate.astra.yml").read_text())["plugin"] == "kubedr.astra.astra"
    # the sliced drill: the inventory plugin's hosts, in kubedr_awx_drill_slices jobs, each copying its report
    sliced = named(tasks, "awx.awx.job_template", "{{ kubedr_awx_names.sliced_drill }}")
    assert int(settings["kubedr_awx_drill_slices"]) >= 2
    assert (sliced["job_slice_count"], sliced["inventory"], sliced["playbook"]) == (
        "{{ kubedr_awx_drill_slices }}", "{{ kubedr_awx_names.estate_inventory }}", "playbooks/drill_from_inventory.yml")
    assert (ROOT / sliced["playbook"]).is_file() and "limit" not in sliced
    assert sliced["extra_vars"]["drill_report_copy_dir"] == "{{ kubedr_awx_evidence_dir }}"
    questions = [question["variable"] for question in sliced["survey_spec"]["spec"]]
    assert questions == ["vars_file", "drill_hosts"]
    assert "drill_hosts | default('astra_apps')" in (ROOT / "playbooks" / "drill_from_inventory.yml").read_text()
    # the merge reads the reports of that many slices where they copied them
    merge = named(tasks, "awx.awx.job_template", "{{ kubedr_awx_names.merge_drill_reports }}")
    assert merge["playbook"] == "playbooks/merge_reports.yml" and (ROOT / merge["playbook"]).is_file()
    assert merge["extra_vars"] == {"merge_runbook": "drill", "merge_expected_reports": "{{ kubedr_awx_drill_slices }}",
                                   "merge_report_path": "{{ kubedr_awx_evidence_dir }}"}
    # sync -> sliced drill -> merge, the merge always (a failed slice is merged, and fails the merged report)
    workflow = named(tasks, "awx.awx.workflow_job_template", "{{ kubedr_awx_names.sliced_workflow }}")
    nodes = dict((node["identifier"], node) for node in workflow["workflow_nodes"])
    edges = sorted((name, kind, child["identifier"]) for name, node in nodes.items()
                   for kind, children in node.get("related", {}).items() for child in children)
    assert edges == [("sliced drill", "always_nodes", "merge reports"), ("sync estate", "success_nodes", "sliced drill")]
    templates = dict((name, (node["unified_job_template"]["type"], node["unified_job_template"]["name"]))
                     for name, node in nodes.items())
    assert templates == {"sync estate": ("inventory_source", "{{ kubedr_awx_names.estate_source }}"),
                         "sliced drill": ("job_template", "{{ kubedr_awx_names.sliced_drill }}"),
                         "merge reports": ("job_template", "{{ kubedr_awx_names.merge_drill_reports }}")}
    assert set(nodes["sliced drill"]["extra_data"]) <= set(questions)
    assert len(set(names.values())) == len(names)
