# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from ansible_collections.kubedr.astra.plugins.module_utils.errors import (
    AstraApiError,
    AstraConnectionError,
    AstraValidationError,
    redact,
    sanitize_url,
)


def test_api_error_reads_the_problem_number_and_string_status():
    error = AstraApiError("Read app", "GET", "https://astra/accounts/x/k8s/v2/apps/1", "404",
                          {"type": "https://astra.netapp.io/problems/2", "title": "Collection not found",
                           "detail": "no app", "status": "404"})
    assert error.status == 404 and error.problem == 2
    assert str(error) == ("Read app failed: Collection not found - no app "
                          "(HTTP 404, problem 2; GET https://astra/accounts/x/k8s/v2/apps/1)")


def test_api_error_without_problem_body():
    error = AstraApiError("List apps", "GET", "https://astra/a", 502, body_text="<html>Bad Gateway</html>")
    assert str(error) == "List apps failed: <html>Bad Gateway</html> (HTTP 502; GET https://astra/a)"
    assert error.problem is None


def test_invalid_params_are_listed():
    error = AstraApiError("List", "GET", "https://astra/a", 400, {
        "type": "https://astra.netapp.io/problems/6", "title": "Query parameters not supported", "detail": "d",
        "invalidParams": [{"name": "filter", "reason": "not supported"}]})
    assert str(error).endswith("invalid parameters: filter (not supported)")
    assert error.fail_kwargs()["problem"]["invalidParams"] == [{"name": "filter", "reason": "not supported"}]


def test_connection_error_names_the_request():
    error = AstraConnectionError("Read app", "GET", "https://user:pw@astra/a", "ConnectTimeout: timed out")
    assert str(error) == "Read app failed: cannot reach the Astra Control API (ConnectTimeout: timed out; GET https://astra/a)"
    assert error.fail_kwargs()["request"] == {"method": "GET", "url": "https://astra/a"}


def test_validation_error_carries_every_violation():
    error = AstraValidationError(violations=[("name", "bad"), ("namespaces[1].name", "missing")])
    assert error.options == ["name", "namespaces[1].name"]
    assert str(error) == "Invalid input (2 problems): name: bad; namespaces[1].name: missing"
    assert error.fail_kwargs()["invalid_options"][1] == {"option": "namespaces[1].name", "message": "missing"}
    single = AstraValidationError("cluster", "unknown")
    assert str(single) == "Invalid input: cluster: unknown"


def test_sanitize_and_redact():
    assert sanitize_url("https://u:p@host:8443/x?y=1") == "https://host:8443/x?y=1"
    assert sanitize_url("https://host/x") == "https://host/x"
    assert redact("a secret b secret", ["secret"]) == "a ******** b ********"
    assert redact("text", [None, ""]) == "text"
