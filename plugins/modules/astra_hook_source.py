#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_hook_source
short_description: Create, update or delete an execution hook source (a script) in Astra Control
version_added: 0.1.0
description:
  - Makes a hook source, the script an execution hook runs in the matching containers, hold the given script and
    description. The module encodes the script in base64 for the API.
  - An existing source of that name is compared by the MD5 checksum Astra Control keeps of the encoded script
    (C(sourceMD5Checksum)) and by its description, and updated in place (PUT) when they differ.
  - With O(state=absent), deletes the source; a source that execution hooks still use is refused before the delete,
    naming those hooks and their applications.
  - Execution hooks must be enabled in the account (M(kubedr.astra.astra_execution_hooks_setting)); otherwise the
    module fails saying so.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Name of the hook source (1 to 63 characters), unique among the account's hook sources.
    type: str
    required: true
  content:
    description:
      - The script's text (for example a shell script starting with C(#!/bin/sh)).
      - UTF-8 text with Unix line endings; no carriage returns and no control characters other than tab and newline;
        at most 96 KiB.
      - Mutually exclusive with O(src); one of them is required when O(state=present).
    type: str
  src:
    description:
      - Path of a file holding the script, with the same rules as O(content).
      - The action plugin reads it on the controller, searching a relative path like M(ansible.builtin.copy) does
        (the role's C(files/) directory, then the playbook's), and sends its text as O(content).
      - Run without the action plugin (for example with C(ansible -m) on another host), the module reads it on the
        host it runs on.
    type: path
  description:
    description:
      - Description of the hook source (at most 511 characters).
      - When omitted, the description of an existing source is not compared.
    type: str
  state:
    description:
      - V(present) creates or updates the source; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes
  - kubedr.astra.attributes.action_group
notes:
  - The script is checked before any request. Astra Control refuses binary data and carriage returns in scripts.
  - NetApp-provided (preloaded) hook sources cannot be changed or deleted; the module fails saying so.
  - Neither the return value nor the diff holds the script or its base64 text; they show the checksum
    (C(sourceMD5Checksum), the MD5 of the base64 text) instead.
  - The diff (C(--diff)) shows O(name), O(description) and the checksum.
  - In check mode a new source is predicted with the ID V(check-mode-placeholder-id).
seealso:
  - module: kubedr.astra.astra_execution_hooks_setting
  - module: kubedr.astra.astra_execution_hook
'''

EXAMPLES = r'''
- name: Enable execution hooks in the account (they are off in a new account)
  kubedr.astra.astra_execution_hooks_setting:
    enabled: true

- name: A script that quiesces the database before a snapshot
  kubedr.astra.astra_hook_source:
    name: quiesce-db
    description: Flush and lock the tables (pre) or unlock them (post)
    content: |
      #!/bin/sh
      # Called with "pre" or "post" as its first argument.
      case "$1" in
        pre) echo "flushing tables" ;;
        post) echo "unlocking tables" ;;
      esac
  register: quiesce

- name: Show the checksum Astra Control keeps of the script
  ansible.builtin.debug:
    msg: "{{ quiesce.hook_source.name }}: {{ quiesce.hook_source.sourceMD5Checksum }}"

- name: Delete the hook source
  kubedr.astra.astra_hook_source:
    name: quiesce-db
    state: absent
'''

RETURN = r'''
hook_source:
  description:
    - The hook source as the Astra Control API returns it (camelCase keys), without its base64 C(source).
    - In check mode, the predicted source; a new one has RV(hook_source.id=check-mode-placeholder-id).
    - V({}) when O(state=absent).
  returned: always
  type: dict
  contains:
    id:
      description: Hook source ID.
      type: str
      sample: 9d3c8f2a-6b1e-4f7a-8c2d-0e5f4a3b2c1d
    name:
      description: Hook source name.
      type: str
      sample: quiesce-db
    sourceMD5Checksum:
      description: MD5 of the base64 text of the script.
      type: str
      sample: 0b9a4a9d1f7c2e8b6a5d4c3b2a190817
    preloaded:
      description: V("true") for a NetApp-provided source.
      type: str
      sample: "false"
  sample:
    id: 9d3c8f2a-6b1e-4f7a-8c2d-0e5f4a3b2c1d
    type: application/astra-hookSource
    version: "1.0"
    name: quiesce-db
    sourceType: script
    description: Flush and lock the tables (pre) or unlock them (post)
    sourceMD5Checksum: 0b9a4a9d1f7c2e8b6a5d4c3b2a190817
    preloaded: "false"
    private: "false"
    metadata: {"creationTimestamp": "2025-01-10T08:00:00Z", "labels": []}
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write.
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule, compare, option_shape
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    HOOK_PROBLEMS,
    HOOK_SOURCES,
    HookSourceSpec,
    encode_script,
    hook_source_definition,
    hooks_using,
    is_preloaded,
    read_script_file,
    source_checksum,
    translate_hook_errors,
    without_script,
)
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import validate_input
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import HOOK_SOURCE

DIFF_OPTIONS = (("name", "name"), ("description", "description"), ("sourceMD5Checksum", "checksum"))


def diff_shape(fields):
    return option_shape(fields, DIFF_OPTIONS)


def _refuse_preloaded(source, doing):
    raise AstraError("cannot %s hook source %r: %s" % (doing, source.get("name"), HOOK_PROBLEMS[(403, 71)]),
                     resource=without_script(source))


@translate_hook_errors
def run(module):
    params = module.params
    content = params["content"]
    if params["src"] is not None:
        content, problem = read_script_file(params["src"])
        if problem:
            raise AstraValidationError("src", problem)
    spec = validate_input(HookSourceSpec, {"name": params["name"], "content": content, "description": params["description"]})
    current = module.lookups.find_one(HOOK_SOURCES, spec.name, "hook source", "name")
    if params["state"] == "absent":
        return _absent(module, current)

    encoded = encode_script(spec.content)
    desired = {"sourceMD5Checksum": source_checksum(encoded), "description": spec.description}
    if current is not None and is_preloaded(current) and any(compare(desired, hook_source_definition(current))):
        _refuse_preloaded(current, "change")
    create_fields = {"name": spec.name, "sourceType": "script", "source": encoded}
    if spec.description is not None:
        create_fields["description"] = spec.description

    def update_fields(existing):
        description = spec.description if spec.description is not None else existing.get("description", "")
        return {"name": existing.get("name"), "sourceType": "script", "source": encoded, "description": description}

    def find_existing():
        return module.lookups.find_one(HOOK_SOURCES, spec.name, "hook source", "name")

    result = module.ensure_present(HOOK_SOURCE, current, desired, create_fields, find_existing=find_existing,
                                   update_fields=update_fields,
                                   predicted_fields={"sourceMD5Checksum": desired["sourceMD5Checksum"],
                                                     "preloaded": "false", "private": "false"})
    return _without_scripts(result)


def _absent(module, current):
    if current is not None:
        if is_preloaded(current):
            _refuse_preloaded(current, "delete")
        users = hooks_using(module.lookups, current)
        if users:
            raise AstraError("hook source %r is used by the execution hooks %s; delete them "
                             "(kubedr.astra.astra_execution_hook, state: absent) or point them at another source first"
                             % (current.get("name"), ", ".join(users)), resource=without_script(current))
    return _without_scripts(module.ensure_absent(HOOK_SOURCE, current))


def _without_scripts(result):
    for key in ("resource", "before", "after"):
        if result.get(key):
            result[key] = without_script(result[key])
    result.pop("elapsed", None)
    return result


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        content=dict(type="str"),
        src=dict(type="path"),
        description=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "absent"]),
    )
    module = AstraModule(argument_spec=argument_spec, resource_key="hook_source", diff_shape=diff_shape,
                         mutually_exclusive=[("content", "src")],
                         required_if=[("state", "present", ("content", "src"), True)])
    module.run(run)


if __name__ == "__main__":
    main()
