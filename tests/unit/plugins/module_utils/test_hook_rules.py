# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The shared rules of the hook modules: RE2 checks, scripts, input models, the option shape and the API's problems."""

import base64
import hashlib

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraValidationError
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    HOOKS_DISABLED,
    SCRIPT_MAX_BYTES,
    ExecutionHookSpec,
    HookProblem,
    HookSourceSpec,
    criteria_options,
    encode_script,
    hook_definition,
    hook_diff_shape,
    re2_problem,
    read_script_file,
    script_problem,
    setting_enabled,
    setting_will_be,
    source_checksum,
    translate_hook_errors,
    without_script,
)
from ansible_collections.kubedr.astra.plugins.module_utils.input_specs import validate_input


@pytest.mark.parametrize("pattern", ["^postgres", "app=(web|db)$", r"\d+\.\d+", "[+*]+", "[]a]+", "(?i)MariaDB",
                                     r"\(?=literal\)", "(?P<name>x)", "(?:ab)+", "a}+", "x{2,3}"])
def test_re2_patterns_are_accepted(pattern):
    assert re2_problem(pattern) is None


@pytest.mark.parametrize("pattern, construct", [
    ("a(?=b)", "lookarounds"), ("a(?!b)", "lookarounds"), ("(?<=a)b", "lookarounds"), ("(?<!a)b", "lookarounds"),
    (r"(a)\1", "backreferences"), (r"(?P<n>a)\k<n>", "backreferences"), ("(?P<n>a)(?P=n)", "backreferences"),
    ("(?>ab)", "atomic groups"), ("a++", "possessive"), ("a*+", "possessive"), ("a?+", "possessive"),
    ("a{2}+", "possessive"), ("(a)?(?(1)b|c)", "conditionals"),
])
def test_constructs_re2_does_not_have_are_refused(pattern, construct):
    problem = re2_problem(pattern)
    assert problem and "is not an RE2 regular expression" in problem and construct in problem, problem


def test_regexes_that_do_not_compile_or_are_empty_are_refused():
    assert "is not a valid regular expression" in re2_problem("(postgres")
    assert re2_problem("") == "must not be empty"


def test_lookaround_text_inside_a_character_class_is_no_lookaround():
    assert re2_problem("[(?=]x") is None


def test_scripts_must_be_utf8_text_without_cr_or_control_characters():
    assert script_problem("#!/bin/sh\n\techo 'héllo'\n") is None
    assert "carriage-return" in script_problem("#!/bin/sh\r\necho\r\n") and "line 1" in script_problem("a\r\n")
    assert "U+0001 on line 2" in script_problem("#!/bin/sh\n\x01")
    assert "U+007F" in script_problem("x\x7f")
    assert "not binary data" in script_problem(b"\xff\xfe\x00")
    assert "must not be empty" in script_problem("  \n")
    assert script_problem("x" * SCRIPT_MAX_BYTES) is None
    assert "at most 96 KiB" in script_problem("x" * (SCRIPT_MAX_BYTES + 1))
    assert "at most 96 KiB" in script_problem("é" * (SCRIPT_MAX_BYTES // 2 + 1)), "the limit counts UTF-8 bytes"


def test_the_checksum_is_the_md5_of_the_base64_text():
    encoded = encode_script("#!/bin/sh\necho hi\n")
    assert base64.b64decode(encoded).decode() == "#!/bin/sh\necho hi\n"
    assert source_checksum(encoded) == hashlib.md5(encoded.encode()).hexdigest()
    assert len(encode_script("x" * SCRIPT_MAX_BYTES)) == 131072, "96 KiB of script is the API's 131072 characters"


def test_script_files_are_read_and_checked(tmp_path):
    good = tmp_path / "good.sh"
    good.write_text("#!/bin/sh\necho ok\n")
    assert read_script_file(str(good)) == ("#!/bin/sh\necho ok\n", None)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\x7fELF\x02\x01\x01\x00\xff")
    text, problem = read_script_file(str(binary))
    assert text is None and str(binary) in problem and "not binary data" in problem
    big = tmp_path / "big.sh"
    big.write_text("é" * SCRIPT_MAX_BYTES)
    assert "at most 96 KiB" in read_script_file(str(big))[1]
    assert "cannot read the script file" in read_script_file(str(tmp_path / "missing.sh"))[1]


def test_source_input_names_the_option():
    with pytest.raises(AstraValidationError) as caught:
        validate_input(HookSourceSpec, {"name": "q" * 64, "content": "a\r\n", "description": "d" * 512})
    assert set(caught.value.options) == {"name", "content", "description"}


def hook(**options):
    base = {"name": "pg-snap", "action": "snapshot", "stage": "pre"}
    base.update(options)
    return validate_input(ExecutionHookSpec, base)


@pytest.mark.parametrize("action", ["restore", "failover"])
def test_restore_and_failover_hooks_are_post_only(action):
    with pytest.raises(AstraValidationError) as caught:
        hook(action=action, stage="pre")
    assert "stage: %s hooks run after the operation only; use stage: post" % action in str(caught.value)
    assert hook(action=action, stage="post").stage == "post"


def test_arguments_and_criteria_limits():
    assert hook(arguments=[str(n) for n in range(16)]).arguments[-1] == "15"
    for arguments, rule in (([str(n) for n in range(17)], "at most 16 arguments"), (["a", "a"], "'a' is listed twice"),
                            (["x" * 128], "arguments[0] must be at most 127 characters")):
        with pytest.raises(AstraValidationError) as caught:
            hook(arguments=arguments)
        assert caught.value.options == ["arguments"] and rule in str(caught.value)
    criteria = [{"type": "pod_name", "value": "p%d" % n} for n in range(11)]
    with pytest.raises(AstraValidationError, match="at most 10 criteria"):
        hook(matching_criteria=criteria)
    with pytest.raises(AstraValidationError, match="listed twice"):
        hook(matching_criteria=[criteria[0], criteria[0]])
    with pytest.raises(AstraValidationError) as caught:
        hook(matching_criteria=[criteria[0], {"type": "pod_label", "value": "(?!x)"}])
    assert caught.value.options == ["matching_criteria[1].value"]


def test_definition_maps_options_to_the_api_and_back():
    spec = hook(arguments=["pre"], matching_criteria=[{"type": "container_image", "value": "^pg"},
                                                      {"type": "pod_label", "value": "app=pg"}], enabled=False)
    desired = spec.definition("src-1")
    assert desired == {"action": "snapshot", "stage": "pre", "hookSourceID": "src-1", "arguments": ["pre"],
                       "matchingCriteria": [{"type": "containerImage", "value": "^pg"},
                                            {"type": "podLabel", "value": "app=pg"}],
                       "enabled": "false", "description": None}
    api = dict(desired, id="h1", name="pg-snap", description="", matchingImages=["x"], matchingContainers=[])
    assert hook_definition(api) == dict(desired, description="")
    assert hook().definition("s")["arguments"] is None and hook().definition("s")["matchingCriteria"] is None


def test_diff_shape_uses_option_names_and_source_names():
    shape = hook_diff_shape({"src-1": "quiesce"})
    assert shape({"name": "h", "hookSourceID": "src-1", "enabled": "false", "stage": "pre",
                  "matchingCriteria": [{"type": "podName", "value": "b"}, {"type": "containerImage", "value": "a"}],
                  "matchingImages": ["ignored"]}) == {
        "name": "h", "stage": "pre", "source": "quiesce", "enabled": False,
        "matching_criteria": [{"type": "container_image", "value": "a"}, {"type": "pod_name", "value": "b"}]}
    assert shape({"hookSourceID": "unknown-id"}) == {"source": "unknown-id"}
    assert criteria_options(None) == []


def test_setting_state():
    assert setting_enabled(None) is True
    off = {"currentConfig": {"isEnabled": "false"}, "state": "valid"}
    assert setting_enabled(off) is False and setting_will_be(off, False) and not setting_will_be(off, True)
    pending = dict(off, desiredConfig={"isEnabled": "true"}, state="pending")
    assert setting_will_be(pending, True)


def test_source_objects_lose_their_script():
    assert without_script({"id": "s", "source": "IyEvYmluL3No", "sourceMD5Checksum": "c"}) == {"id": "s", "sourceMD5Checksum": "c"}
    assert without_script({}) == {}


def api_error(status, problem):
    return AstraApiError("Create execution hook 'h'", "POST", "https://astra/accounts/a/core/v1/x", status,
                         {"type": "https://astra.netapp.io/problems/%d" % problem, "title": "Refused", "detail": "no"})


@pytest.mark.parametrize("status, problem, words", [
    (403, 168, HOOKS_DISABLED[1:]), (403, 71, "NetApp-provided hook sources cannot be changed"),
    (403, 72, "still used by an execution hook"), (403, 73, "NetApp-provided hooks cannot be created, changed or deleted"),
    (409, 162, "destination of an app mirror"),
])
def test_hook_problems_become_clear_messages(status, problem, words):
    @translate_hook_errors
    def run():
        raise api_error(status, problem)

    with pytest.raises(HookProblem) as caught:
        run()
    assert words in caught.value.message and "problem %d" % problem in caught.value.message
    kwargs = caught.value.fail_kwargs()
    assert kwargs["status"] == status and kwargs["problem"]["number"] == problem and kwargs["msg"] == caught.value.message


def test_other_api_errors_pass_through():
    @translate_hook_errors
    def run():
        raise api_error(409, 10)

    with pytest.raises(AstraApiError) as caught:
        run()
    assert not isinstance(caught.value, HookProblem)
