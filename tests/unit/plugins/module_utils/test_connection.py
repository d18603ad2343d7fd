# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.connection import ca_path_problems, check_connection_options

ACCOUNT = "6bd1c1c4-7e2b-4a55-9a43-0c6bfb1e0a6d"
GOOD = dict(api_url="https://astra.example.com", account_id=ACCOUNT, api_token="t0ken", timeout=30, retry_timeout=60)


def problems(**changes):
    return check_connection_options(dict(GOOD, **changes))


@pytest.mark.parametrize("api_url", ["https://astra.example.com", "https://astra.example.com/", "http://127.0.0.1:8443",
                                     "https://[::1]:8443", "https://astra.example.com/astra-control"])
def test_good_base_urls_pass(api_url):
    assert problems(api_url=api_url) == []


def test_an_account_id_with_surrounding_white_space_passes():
    assert problems(account_id=" %s\n" % ACCOUNT) == []


@pytest.mark.parametrize("api_url, rule", [
    ("", "must not be empty"),
    ("astra.example.com", "must be an http:// or https:// URL with a host"),
    ("ftp://astra.example.com", "must be an http:// or https:// URL with a host"),
    ("https://", "must be an http:// or https:// URL with a host"),
    ("https://astra.example.com:99999", "is not a valid URL"),
    ("https://astra.example.com:port", "is not a valid URL"),
    (" https://astra.example.com", "must not contain white space"),
    ("https://astra example.com", "must not contain white space"),
    ("https://astra.example.com/?x=1", "must not contain a query"),
    ("https://astra.example.com/#top", "must not contain a query (?...) or fragment"),
    ("https://user:pw@astra.example.com", "must not contain a user name or password"),
    ("https://astra.example.com/accounts/%s" % ACCOUNT,
     "without /accounts/...; it looks like a full API URL: use https://astra.example.com and set account_id to %s" % ACCOUNT),
    ("https://astra.example.com/accounts/%s/k8s/v2/apps" % ACCOUNT, "use https://astra.example.com and set account_id"),
    ("https://astra.example.com/accounts", "use https://astra.example.com and give the account ID as account_id"),
    ("https://astra.example.com/prefix/accounts/x/", "use https://astra.example.com/prefix and give the account ID"),
])
def test_bad_base_urls_are_refused_naming_the_rule(api_url, rule):
    found = problems(api_url=api_url)
    assert [option for option, _rule in found] == ["api_url"] * len(found) and found
    assert any(rule in text for _option, text in found), found


def test_a_password_in_the_url_is_never_quoted():
    found = problems(api_url="https://admin:s3cret-pw@astra.example.com/accounts/x")
    assert found and all("s3cret-pw" not in text for _option, text in found)


@pytest.mark.parametrize("account_id, rule", [
    ("", "must not be empty"),
    ("   ", "must not be empty"),
    ("%s/../../x" % ACCOUNT, "must be the account's UUID"),
    ("../%s" % ACCOUNT, "must be the account's UUID"),
    ("my-account", "must be the account's UUID"),
    (ACCOUNT + "0", "must be the account's UUID"),
    ("%s?x=1" % ACCOUNT, "must be the account's UUID"),
])
def test_account_ids_that_are_not_uuids_are_refused(account_id, rule):
    assert [option for option, _rule in problems(account_id=account_id)] == ["account_id"]
    assert rule in problems(account_id=account_id)[0][1]


def test_the_account_id_is_not_quoted_it_may_be_a_pasted_token():
    assert "hV2yZ-secret" not in problems(account_id="hV2yZ-secret")[0][1]


def test_all_problems_are_reported_together():
    found = problems(api_url="astra", account_id="x", api_token="", timeout=0, retry_timeout=-5)
    assert [option for option, _rule in found] == ["api_url", "account_id", "api_token", "timeout", "retry_timeout"]


def test_a_ca_path_that_names_nothing_is_refused_while_certificates_are_verified(tmp_path):
    missing = str(tmp_path / "missing.pem")
    assert ca_path_problems({"ca_path": missing, "validate_certs": True}) == [
        ("ca_path", "%s does not exist; give the path of a PEM file with the CA certificates, or leave it unset to use "
                    "the system trust store" % missing)]
    assert ca_path_problems({"ca_path": missing, "validate_certs": False}) == []
    assert ca_path_problems({"ca_path": None, "validate_certs": True}) == []
    (tmp_path / "ca.pem").write_text("x")
    assert ca_path_problems({"ca_path": str(tmp_path / "ca.pem"), "validate_certs": True}) == []
