"""Every module's EXAMPLES run as written against the simulator's demo scenario.

Each module's examples become one playbook. Modules whose examples act on
managed apps first get the demo apps of playbooks/vars/demo.yml managed.
"""
import ast

import pytest
import yaml

from playbook_harness import ROOT

MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("astra_*.py"))
# Modules whose examples start from an estate where the demo apps are already managed.
NEEDS_MANAGED_APPS = {"astra_app_info"}


def module_examples(module):
    tree = ast.parse((ROOT / "plugins" / "modules" / (module + ".py")).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "EXAMPLES" for t in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no EXAMPLES" % module)


@pytest.mark.parametrize("module", MODULES)
def test_examples_run_against_the_demo_scenario(module, sim, run_playbook, tmp_path):
    tasks = module_examples(module)
    assert tasks, "%s has empty EXAMPLES" % module
    if module in NEEDS_MANAGED_APPS:
        setup_playbook = tmp_path / "manage_demo_apps.yml"
        setup_playbook.write_text(yaml.safe_dump([{
            "name": "Manage the demo apps", "hosts": "localhost", "connection": "local", "gather_facts": False,
            "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "vars_files": [str(ROOT / "playbooks" / "vars" / "demo.yml")],
            "tasks": [{"name": "Manage each demo app", "kubedr.astra.astra_app": {
                "name": "{{ item.name }}", "cluster": "{{ item.cluster }}", "namespaces": "{{ item.namespaces }}"},
                "loop": "{{ dr_apps }}", "loop_control": {"label": "{{ item.name }}"}}],
        }], sort_keys=False))
        setup = run_playbook(str(setup_playbook))
        assert setup.rc == 0, setup
    playbook = tmp_path / ("examples_%s.yml" % module)
    playbook.write_text(yaml.safe_dump([{
        "name": "EXAMPLES of " + module,
        "hosts": "localhost",
        "connection": "local",
        "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": tasks,
    }], sort_keys=False))
    run = run_playbook(str(playbook))
    assert run.rc == 0, run
    assert run.recap()["failed"] == 0
