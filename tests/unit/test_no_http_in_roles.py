"""No HTTP outside the client: the roles and playbooks the collection ships call modules, never uri or get_url."""
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
HTTP_MODULES = {"uri", "ansible.builtin.uri", "ansible.legacy.uri", "get_url", "ansible.builtin.get_url"}


def tasks_in(node):
    if isinstance(node, list):
        for item in node:
            yield from tasks_in(item)
    elif isinstance(node, dict):
        yield node
        for key in ("tasks", "block", "rescue", "always", "pre_tasks", "post_tasks", "handlers"):
            yield from tasks_in(node.get(key))


def test_no_role_or_playbook_task_calls_uri():
    files = sorted(path for folder in ("roles", "playbooks") for path in (ROOT / folder).rglob("*.yml")
                   if "meta" not in path.parts and "defaults" not in path.parts and "vars" not in path.parts)
    assert any(path.name == "simulator_delete_namespaces.yml" for path in files)
    offenders = ["%s: %s" % (path.relative_to(ROOT), task.get("name")) for path in files
                 for task in tasks_in(yaml.safe_load(path.read_text())) if HTTP_MODULES & set(task)]
    assert offenders == []
