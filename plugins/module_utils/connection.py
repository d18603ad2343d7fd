# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Local checks of the connection options, made before any request.

The bearer token must only ever go to <api_url>/accounts/<account_id>/...: an account ID such as
'<uuid>/../../x' or an api_url that already holds a path under /accounts would send it elsewhere.
"""

import os
import re
from urllib.parse import urlsplit

UUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ACCOUNTS_IN_PATH = re.compile(r"(^|/)accounts(/|$)")
API_URL_EXAMPLE = "https://astra.example.com"


def _api_url_problems(api_url):
    """The rules api_url breaks (never quoting it: it may hold a password)."""
    if not api_url or not api_url.strip():
        return ["must not be empty; give the base URL of Astra Control, such as %s" % API_URL_EXAMPLE]
    if api_url != api_url.strip() or any(character.isspace() for character in api_url):
        return ["must not contain white space"]
    try:
        url = urlsplit(api_url)
        url.port  # pylint: disable=pointless-statement  # raises ValueError on a bad port
    except ValueError as exc:
        return ["is not a valid URL (%s); give the base URL of Astra Control, such as %s" % (exc, API_URL_EXAMPLE)]
    if url.scheme not in ("http", "https") or not url.hostname:
        return ["must be an http:// or https:// URL with a host, such as %s" % API_URL_EXAMPLE]
    problems = []
    if url.username is not None or url.password is not None:
        problems.append("must not contain a user name or password (user:password@); the API token authenticates")
    if url.query or url.fragment or api_url.rstrip().endswith(("?", "#")):
        problems.append("must not contain a query (?...) or fragment (#...)")
    match = ACCOUNTS_IN_PATH.search(url.path)
    if match:
        rest = url.path[match.end():].split("/", 1)[0]
        hint = " and set account_id to %s" % rest if UUID_PATTERN.match(rest or "") else " and give the account ID as account_id"
        problems.append("must be the base URL of Astra Control without /accounts/...; it looks like a full API URL: use "
                        "%s://%s%s%s" % (url.scheme, url.netloc.rsplit("@", 1)[-1], url.path[:match.start()].rstrip("/"), hint))
    return problems


REQUIRED_FROM = {"api_url": "ASTRA_API_URL", "account_id": "ASTRA_ACCOUNT_ID", "api_token": "ASTRA_API_TOKEN"}


def _missing(option):
    return (option, "is required: set the option, the environment variable %s, or actoolkit_config (the config.yaml "
                    "of NetApp's actoolkit)" % REQUIRED_FROM[option])


def check_connection_options(params):
    """[(option, rule)] for every connection option that breaks a rule; [] when they are fine.

    api_url, account_id and api_token are not required by the argument spec (actoolkit_config may give them);
    None here means nobody gave one.
    """
    if params.get("api_url") is None:
        violations = [_missing("api_url")]
    else:
        violations = [("api_url", problem) for problem in _api_url_problems(params.get("api_url"))]
    account_id = (params.get("account_id") or "").strip()
    if params.get("account_id") is None:
        violations.append(_missing("account_id"))
    elif not account_id:
        violations.append(("account_id", "must not be empty; give the account's UUID (Astra Control shows it under "
                                         "API access)"))
    elif not UUID_PATTERN.match(account_id):
        violations.append(("account_id", "must be the account's UUID, such as 6bd1c1c4-7e2b-4a55-9a43-0c6bfb1e0a6d (Astra "
                                         "Control shows it under API access); got %d characters that are not a UUID"
                                         % len(account_id)))
    if params.get("api_token") is None:
        violations.append(_missing("api_token"))
    elif not params.get("api_token"):
        violations.append(("api_token", "must not be empty"))
    if params.get("timeout") is not None and params["timeout"] < 1:
        violations.append(("timeout", "must be at least 1 (seconds per request)"))
    if params.get("retry_timeout") is not None and params["retry_timeout"] < 0:
        violations.append(("retry_timeout", "must be 0 (no retries) or more seconds"))
    return violations


VALIDATE_CERTS_OFF_WARNING = ("validate_certs is false: the identity of the Astra Control API server is not checked, so "
                              "the API token can be sent to an impostor. Set ca_path to the PEM file of its CA instead.")


def ca_path_problems(params):
    """[(option, rule)] when ca_path names nothing while certificates are verified; [] otherwise."""
    ca_path = params.get("ca_path")
    if ca_path and params.get("validate_certs", True) and not os.path.exists(ca_path):
        return [("ca_path", "%s does not exist; give the path of a PEM file with the CA certificates, or leave it unset "
                            "to use the system trust store" % ca_path)]
    return []
