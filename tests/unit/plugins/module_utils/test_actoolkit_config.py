# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""actoolkit's config.yaml as a connection source: where it is searched, what each field gives, precedence, bad files.

actoolkit's own behaviour is from NetApp/netapp-astra-toolkits, astraSDK/common.py, getConfig.__init__ (see the
docstring of plugins/module_utils/actoolkit_config.py).
"""

import os

import pytest
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.testing import patch_module_args

from ansible_collections.kubedr.astra.plugins.module_utils import actoolkit_config, astra_module
from ansible_collections.kubedr.astra.plugins.module_utils.actoolkit_config import (
    locate,
    name_sources,
    resolve_connection,
    search_places,
)
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
from ansible_collections.kubedr.astra.plugins.modules import astra_bucket_info
from ansible_collections.kubedr.astra.tests.unit import fakes
from ansible_collections.kubedr.astra.tests.unit.fakes import ACCOUNT_ID, API_URL, TOKEN

UNSET = dict(api_url=None, account_id=None, api_token=None, validate_certs=None, ca_path=None, timeout=30,
             retry_timeout=60)


def config_text(project="astra.example.com", uid=ACCOUNT_ID, authorization="Bearer %s" % TOKEN, verify="true"):
    lines = ["headers:", "  Authorization: %s" % authorization, "uid: %s" % uid, "astra_project: %s" % project]
    if verify is not None:
        lines.append("verifySSL: %s" % verify)
    return "\n".join(lines) + "\n"


def write(directory, text=None, name="config.yaml"):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(config_text() if text is None else text)
    return path


def resolve(setting, **options):
    return resolve_connection(dict(UNSET, actoolkit_config=str(setting), **options))


def refusal(setting, **options):
    with pytest.raises(AstraValidationError) as caught:
        resolve(setting, **options)
    assert caught.value.options and set(caught.value.options) == {"actoolkit_config"}
    return str(caught.value)


# ---------------------------------------------------------------------- where actoolkit looks, in its order

@pytest.fixture
def places(tmp_path, monkeypatch):
    """actoolkit's four directories under tmp_path: the working directory, the home, /etc, ASTRATOOLKITS_CONF."""
    dirs = {"cwd": tmp_path / "work", "home": tmp_path / "home" / ".config" / "astra-toolkits",
            "etc": tmp_path / "etc-astra-toolkits", "env": tmp_path / "from-env"}
    for directory in dirs.values():
        directory.mkdir(parents=True)
    monkeypatch.chdir(dirs["cwd"])
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(actoolkit_config, "SYSTEM_DIRECTORY", str(dirs["etc"]))
    monkeypatch.setenv("ASTRATOOLKITS_CONF", str(dirs["env"]))
    return dirs


def test_the_places_are_actoolkits_in_its_order(places):
    assert search_places() == [str(places[name] / "config.yaml") for name in ("cwd", "home", "etc", "env")]


def test_the_real_places_without_astratoolkits_conf():
    assert search_places(environ={}, cwd="/w", home="/h") == [
        "/w/config.yaml", "/h/.config/astra-toolkits/config.yaml", "/etc/astra-toolkits/config.yaml"]


@pytest.mark.parametrize("place", ["cwd", "home", "etc", "env"])
def test_search_finds_the_file_in_each_place(places, place):
    path = write(places[place])
    connection, sources, warnings = resolve("search")
    assert (connection["api_url"], connection["account_id"], connection["api_token"]) == (API_URL, ACCOUNT_ID, TOKEN)
    assert sources["api_url"] == "astra_project in %s" % path and warnings == []


@pytest.mark.parametrize("present, chosen", [
    (("cwd", "home", "etc", "env"), "cwd"), (("home", "etc", "env"), "home"), (("etc", "env"), "etc")])
def test_search_takes_the_first_place_that_has_a_file(places, present, chosen):
    for name in present:
        write(places[name], config_text(project="%s.example.com" % name))
    connection, _sources, _warnings = resolve("search")
    assert connection["api_url"] == "https://%s.example.com" % chosen


def test_search_passes_over_a_directory_an_unreadable_file_and_bad_yaml_as_actoolkit_does(places):
    (places["cwd"] / "config.yaml").mkdir()                        # not a file: passed over silently
    (places["home"] / "config.yaml").write_bytes(b"headers: \xff\xfe\n")   # cannot be read as text
    write(places["etc"], "headers: [unclosed\n")                    # not valid YAML
    write(places["env"])
    connection, sources, warnings = resolve("search")
    assert connection["api_token"] == TOKEN and str(places["env"]) in sources["api_token"]
    assert len(warnings) == 2
    assert "passed over %s" % (places["home"] / "config.yaml") in warnings[0] and "cannot be read" in warnings[0]
    assert "passed over %s" % (places["etc"] / "config.yaml") in warnings[1] and "not valid YAML" in warnings[1]


def test_search_that_finds_nothing_names_every_place_in_order(places):
    write(places["etc"], "headers: [unclosed\n")
    message = refusal("search")
    expected = [str(places[name] / "config.yaml") for name in ("cwd", "home", "etc", "env")]
    assert "search found no readable actoolkit config.yaml" in message
    assert [message.index(path) for path in expected] == sorted(message.index(path) for path in expected)
    assert "not valid YAML" in message


# ---------------------------------------------------------------------- a file or directory named explicitly

def test_a_file_a_directory_and_a_home_relative_path_are_read(tmp_path, monkeypatch):
    path = write(tmp_path / "conf")
    monkeypatch.setenv("HOME", str(tmp_path))
    for setting in (path, tmp_path / "conf", "~/conf/config.yaml", " %s " % path):
        assert locate(str(setting))[0] == str(path)


def test_a_path_that_names_nothing_is_refused(tmp_path):
    message = refusal(tmp_path / "nothing.yaml")
    assert "nothing.yaml does not exist" in message and "or search to look where actoolkit looks" in message
    assert "config.yaml does not exist" in refusal(tmp_path)    # a directory without config.yaml


def test_a_named_file_that_is_not_valid_yaml_is_refused_with_the_place_but_not_the_text(tmp_path):
    path = write(tmp_path, "uid: x\nheaders:\n  Authorization: Bearer %s\n\tastra_project: x\n" % TOKEN)
    message = refusal(path)
    assert "%s is not valid YAML" % path in message and "line 4" in message
    assert TOKEN not in message


def test_an_unclosed_quote_around_the_token_does_not_show_the_token(tmp_path):
    path = write(tmp_path, 'headers:\n  Authorization: "Bearer %s\n' % TOKEN)
    message = refusal(path)
    assert "not valid YAML" in message and TOKEN not in message


def test_a_named_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\xff\xfe\x00")
    assert "cannot be read (it is not UTF-8 text)" in refusal(path)


@pytest.mark.parametrize("text, rule", [
    ("", "is empty"),
    ("- headers\n- uid\n", "must hold a YAML mapping with headers, uid and astra_project"),
    ("just text\n", "must hold a YAML mapping"),
])
def test_a_file_without_a_mapping_is_refused(tmp_path, text, rule):
    assert rule in refusal(write(tmp_path, text))


def test_empty_or_blank_settings_mean_no_file():
    for setting in (None, "", "  "):
        connection, sources, warnings = resolve_connection(dict(UNSET, actoolkit_config=setting, api_url=API_URL))
        assert connection["api_url"] == API_URL and sources == {} and warnings == []
        assert "actoolkit_config" not in connection


# ---------------------------------------------------------------------- the fields

@pytest.mark.parametrize("project, api_url", [
    ("astra.example.com", "https://astra.example.com"),
    ("mycompany", "https://mycompany.astra.netapp.io"),      # actoolkit appends the Astra Control Service domain
    ("127.0.0.1:8443", "https://127.0.0.1:8443"),
    ("astra.example.com:443", "https://astra.example.com:443"),
])
def test_astra_project_becomes_an_https_base_url_as_in_actoolkit(tmp_path, project, api_url):
    connection, _sources, _warnings = resolve(write(tmp_path, config_text(project=project)))
    assert connection["api_url"] == api_url


@pytest.mark.parametrize("project", ["https://astra.example.com", "astra.example.com/path", "'astra example.com'",
                                     "''", "42", "[a, b]"])
def test_an_astra_project_that_is_not_a_host_is_refused_without_quoting_it(tmp_path, project):
    message = refusal(write(tmp_path, config_text(project=project)))
    assert "astra_project in" in message and "must be the host name of Astra Control" in message
    shown = project.strip("'")
    assert len(shown) < 3 or shown not in message


@pytest.mark.parametrize("authorization", ["Bearer %s" % TOKEN, "bearer %s" % TOKEN, "Bearer   %s  " % TOKEN,
                                           "'Bearer %s'" % TOKEN])
def test_the_token_is_what_follows_bearer(tmp_path, authorization):
    connection, _sources, _warnings = resolve(write(tmp_path, config_text(authorization=authorization)))
    assert connection["api_token"] == TOKEN


def test_the_header_name_is_matched_without_regard_to_case_as_requests_does(tmp_path):
    path = write(tmp_path, config_text().replace("Authorization:", "authorization:"))
    assert resolve(path)[0]["api_token"] == TOKEN


@pytest.mark.parametrize("authorization", ["Basic %s" % TOKEN, TOKEN, "Bearer", "Bearer %s extra" % TOKEN, "42"])
def test_an_authorization_that_is_not_bearer_token_is_refused_without_quoting_it(tmp_path, authorization):
    message = refusal(write(tmp_path, config_text(authorization=authorization)))
    assert "headers.Authorization in" in message and "must be 'Bearer <token>'" in message
    assert TOKEN not in message


def test_headers_that_are_not_a_mapping_are_refused(tmp_path):
    message = refusal(write(tmp_path, "headers: Bearer %s\nuid: %s\nastra_project: a.b\n" % (TOKEN, ACCOUNT_ID)))
    assert "headers in" in message and "must be a mapping" in message and TOKEN not in message


def test_a_uid_that_is_not_a_scalar_is_refused(tmp_path):
    assert "uid in" in refusal(write(tmp_path, config_text(uid="[1, 2]")))


@pytest.mark.parametrize("verify, validate_certs, warned", [
    (None, True, False),        # absent: actoolkit verifies
    ("true", True, False),
    ("True", True, False),
    ("false", False, False),
    ("False", False, False),
    ("no", False, False),        # YAML 1.1 booleans, as PyYAML (which actoolkit uses) reads them
    ("off", False, False),
    ("'False'", True, True),     # a string is not False: actoolkit verifies
    ("0", True, True),
    ("null", True, False),
])
def test_verify_ssl_turns_verification_off_only_when_it_is_the_boolean_false(tmp_path, verify, validate_certs, warned):
    connection, sources, warnings = resolve(write(tmp_path, config_text(verify=verify)))
    assert connection["validate_certs"] is validate_certs
    assert ("validate_certs" in sources) == (verify is not None)
    assert bool(warnings) == warned
    if warned:
        assert "certificates are verified" in warnings[0]


# ---------------------------------------------------------------------- precedence

def test_options_that_are_set_win_over_the_file(tmp_path):
    path = write(tmp_path, config_text(project="from-file.example.com", verify="false"))
    connection, sources, _warnings = resolve(path, api_url="https://given.example.com", api_token="given-token",
                                             validate_certs=True)
    assert connection["api_url"] == "https://given.example.com" and connection["api_token"] == "given-token"
    assert connection["validate_certs"] is True and connection["account_id"] == ACCOUNT_ID
    assert sorted(sources) == ["account_id"]


def test_empty_text_counts_as_not_given(tmp_path):
    connection, sources, _warnings = resolve(write(tmp_path), api_token="", api_url="  ")
    assert (connection["api_token"], connection["api_url"]) == (TOKEN, API_URL)
    assert sorted(sources) == ["account_id", "api_token", "api_url", "validate_certs"]


def test_a_missing_field_is_an_error_only_when_nothing_else_gives_the_option(tmp_path):
    path = write(tmp_path, "uid: %s\nastra_project: astra.example.com\n" % ACCOUNT_ID)
    message = refusal(path)
    assert "%s has no headers.Authorization, and neither api_token nor ASTRA_API_TOKEN is set" % path in message
    connection, _sources, _warnings = resolve(path, api_token="from-env")
    assert connection["api_token"] == "from-env" and connection["validate_certs"] is True


def test_every_problem_of_a_file_is_reported_together(tmp_path):
    path = write(tmp_path, "headers:\n  Authorization: Basic x\nastra_project: https://x\n")
    with pytest.raises(AstraValidationError) as caught:
        resolve(path)
    assert len(caught.value.violations) == 3, caught.value.violations   # astra_project, uid missing, Authorization


def test_without_a_file_validate_certs_defaults_to_true():
    assert resolve_connection(dict(UNSET))[0]["validate_certs"] is True
    assert resolve_connection(dict(UNSET, validate_certs=False))[0]["validate_certs"] is False


def test_options_from_the_file_are_named_with_their_field_in_messages():
    violations = [("account_id", "must be the account's UUID"), ("timeout", "must be at least 1")]
    assert name_sources(violations, {"account_id": "uid in /c/config.yaml"}) == [
        ("account_id (uid in /c/config.yaml)", "must be the account's UUID"), ("timeout", "must be at least 1")]


# ---------------------------------------------------------------------- through a module

@pytest.fixture
def no_connection(monkeypatch):
    """The module runner without its connection options, and no ASTRA_* variable."""
    for key in list(fakes.CONNECTION):
        monkeypatch.delitem(fakes.CONNECTION, key)
    for key in [key for key in os.environ if key.startswith("ASTRA")]:
        monkeypatch.delenv(key)


def test_a_module_connects_with_the_file_alone(fake_api, run_module, no_connection, tmp_path):
    result, failed = run_module(astra_bucket_info, {"actoolkit_config": str(write(tmp_path))})
    assert not failed, result
    assert fake_api.requests and fake_api.requests[0][3].headers["Authorization"] == "Bearer %s" % TOKEN
    assert fake_api.requests[0][3].verified is True


def test_a_module_reads_the_file_named_by_the_environment_and_the_environment_wins(
        fake_api, run_module, no_connection, tmp_path, monkeypatch):
    monkeypatch.setenv("ASTRA_ACTOOLKIT_CONFIG", str(write(tmp_path, config_text(authorization="Bearer wrong-token"))))
    monkeypatch.setenv("ASTRA_API_TOKEN", TOKEN)
    monkeypatch.setenv("ASTRA_VALIDATE_CERTS", "false")
    result, failed = run_module(astra_bucket_info, {})
    assert not failed, result
    assert fake_api.requests[0][3].headers["Authorization"] == "Bearer %s" % TOKEN
    assert fake_api.requests[0][3].verified is False


def test_a_module_option_wins_over_the_environment_and_the_file(fake_api, run_module, no_connection, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("ASTRA_API_TOKEN", "env-token")
    result, failed = run_module(astra_bucket_info, {"actoolkit_config": str(write(tmp_path, config_text(
        authorization="Bearer file-token"))), "api_token": TOKEN})
    assert not failed, result
    assert fake_api.requests[0][3].headers["Authorization"] == "Bearer %s" % TOKEN


def test_verify_ssl_false_in_the_file_turns_verification_off_with_the_warning(fake_api, run_module, no_connection,
                                                                              tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(astra_module.AstraModule, "warn", lambda self, message: warnings.append(message))
    result, failed = run_module(astra_bucket_info, {"actoolkit_config": str(write(tmp_path, config_text(verify="False")))})
    assert not failed, result
    assert fake_api.requests[0][3].verified is False
    assert len(warnings) == 1 and "validate_certs is false" in warnings[0]


def test_a_bad_value_from_the_file_fails_naming_option_and_field_before_any_request(
        fake_api, run_module, no_connection, tmp_path):
    path = write(tmp_path, config_text(uid="my-account"))
    result, failed = run_module(astra_bucket_info, {"actoolkit_config": str(path)})
    assert failed and "account_id (uid in %s): must be the account's UUID" % path in result["msg"]
    assert fake_api.requests == []


def test_a_bad_file_fails_the_module_naming_actoolkit_config(fake_api, run_module, no_connection, tmp_path):
    result, failed = run_module(astra_bucket_info, {"actoolkit_config": str(tmp_path / "missing.yaml")})
    assert failed and result["msg"].startswith("Invalid input: actoolkit_config: ") and "does not exist" in result["msg"]
    assert result["invalid_options"][0]["option"] == "actoolkit_config" and fake_api.requests == []


def test_without_any_source_the_required_options_are_named(fake_api, run_module, no_connection):
    result, failed = run_module(astra_bucket_info, {})
    assert failed and fake_api.requests == []
    for option, variable in (("api_url", "ASTRA_API_URL"), ("account_id", "ASTRA_ACCOUNT_ID"),
                             ("api_token", "ASTRA_API_TOKEN")):
        assert "%s: is required: set the option, the environment variable %s, or actoolkit_config" % (
            option, variable) in result["msg"]


def test_the_token_from_the_file_is_masked_in_everything_the_module_returns(fake_time, no_connection, tmp_path):
    with patch_module_args({"actoolkit_config": str(write(tmp_path))}):
        module = AstraModule(argument_spec={})
    assert module.params["api_token"] == TOKEN and TOKEN in module.no_log_values
    returned = remove_values({"invocation": {"module_args": dict(module.params)}, "msg": "token %s" % TOKEN},
                             module.no_log_values)
    assert TOKEN not in repr(returned)
