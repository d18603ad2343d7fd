# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The connection from NetApp actoolkit's config.yaml, for users coming from actoolkit.

What actoolkit does, from its source: NetApp/netapp-astra-toolkits, astraSDK/common.py, class getConfig, __init__
(read at commit 5d552eae, May 2024; the README's "Authentication" section says the same):

- It looks for a file named config.yaml in four directories, in this order, and reads the first one that is a file
  (os.path.isfile): the current working directory (os.getcwd()); ~/.config/astra-toolkits; /etc/astra-toolkits; the
  directory in the environment variable ASTRATOOLKITS_CONF, when that is set. A file that cannot be opened (IOError)
  is passed over; a file that is not valid YAML is passed over with a message; an empty file ends the search with
  "config.yaml not found."
- astra_project, uid and headers are required (not None).
- astra_project with a '.' is the host as given; without one it gets '.astra.netapp.io' appended. The base URL is
  https://<host>/accounts/<uid>/ (always https).
- headers becomes the session's headers: headers.Authorization is 'Bearer <token>'.
- verifySSL: only a value that `is False` (the YAML booleans false/no/off) turns certificate verification off;
  absent, true or any other value (the string "False", 0) leaves it on.

Here: explicit options and their ASTRA_* environment variables win, the file fills only what is still unset; a file
that breaks a rule fails before any request, naming the file and the field but never quoting a value (the token, or a
token pasted into the wrong field, must not reach a message); a file passed over while searching is a warning.
"""

import os
import re

from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError

OPTION = "actoolkit_config"
ENV_VAR = "ASTRA_ACTOOLKIT_CONFIG"
SEARCH = "search"
FILE_NAME = "config.yaml"
DIRECTORY_ENV_VAR = "ASTRATOOLKITS_CONF"
SYSTEM_DIRECTORY = "/etc/astra-toolkits"
SAAS_DOMAIN = "astra.netapp.io"
# The connection options a file can give, and the field of the file each comes from.
FIELDS = (("api_url", "astra_project"), ("account_id", "uid"), ("api_token", "headers.Authorization"),
          ("validate_certs", "verifySSL"))
ENV_OF = {"api_url": "ASTRA_API_URL", "account_id": "ASTRA_ACCOUNT_ID", "api_token": "ASTRA_API_TOKEN"}
BEARER = re.compile(r"^\s*bearer\s+(\S+)\s*$", re.IGNORECASE)
HOST = re.compile(r"^[A-Za-z0-9._-]+(:[0-9]{1,5})?$")
LONG_QUOTE = re.compile(r"'[^']{8,}'|\"[^\"]{8,}\"")


def search_places(environ=None, cwd=None, home=None):
    """The config.yaml files actoolkit tries, in its order (astraSDK/common.py, getConfig.__init__)."""
    environ = os.environ if environ is None else environ
    cwd = os.getcwd() if cwd is None else cwd
    home = os.path.expanduser("~") if home is None else home
    directories = (cwd, os.path.join(home, ".config", "astra-toolkits"), SYSTEM_DIRECTORY, environ.get(DIRECTORY_ENV_VAR))
    return [os.path.join(directory, FILE_NAME) for directory in directories if directory]


def _yaml_problem(exc):
    """What is wrong with the YAML, and where; never the text around it (PyYAML's snippet could show the token)."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or type(exc).__name__
    problem = LONG_QUOTE.sub("'...'", str(problem))
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is not None:
        return "%s (line %d, column %d)" % (problem, mark.line + 1, mark.column + 1)
    return problem


class _Unusable(Exception):
    """A config.yaml that cannot be read or is not YAML; its text says which, safe to show."""


def _load(path):
    """The parsed content of path; _Unusable when it cannot be read or is not valid YAML."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise _Unusable("cannot be read (it is not UTF-8 text)") from None
    except OSError as exc:
        raise _Unusable("cannot be read (%s)" % (exc.strerror or type(exc).__name__)) from None
    yaml = _yaml()
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _Unusable("is not valid YAML: %s" % _yaml_problem(exc)) from None


def _yaml():
    """PyYAML (it comes with ansible-core), imported only when a config file is read: importing it costs every module
    task about 20 ms of CPU, and most tasks read no file. None when it is missing."""
    try:
        import yaml  # pylint: disable=import-outside-toplevel
    except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
        return None
    return yaml


def locate(setting, environ=None, cwd=None, home=None):
    """(path, content, warnings) of the config.yaml that setting names.

    setting: a file, a directory holding config.yaml, or 'search' (actoolkit's places and order). While searching, a
    file that cannot be read or is not valid YAML is passed over with a warning, as actoolkit does; a file named
    explicitly must be readable and valid.
    """
    setting = setting.strip()
    if setting == SEARCH:
        places = search_places(environ, cwd, home)
        warnings = []
        for path in places:
            if not os.path.isfile(path):
                continue
            try:
                return path, _load(path), warnings
            except _Unusable as exc:
                warnings.append("%s: passed over %s, which %s" % (OPTION, path, exc))
        raise AstraValidationError(OPTION, "search found no readable actoolkit %s; looked, in actoolkit's order, at %s%s"
                                   % (FILE_NAME, ", ".join(places),
                                      "".join("; %s" % warning.split(": ", 1)[1] for warning in warnings)))
    path = os.path.expanduser(os.path.expandvars(setting))
    if os.path.isdir(path):
        path = os.path.join(path, FILE_NAME)
    if not os.path.isfile(path):
        raise AstraValidationError(OPTION, "%s does not exist (or is not a file); give the path of actoolkit's %s or of "
                                           "its directory, or %s to look where actoolkit looks" % (path, FILE_NAME, SEARCH))
    try:
        return path, _load(path), []
    except _Unusable as exc:
        raise AstraValidationError(OPTION, "%s %s" % (path, exc)) from None


def _header(headers, name):
    """headers[name], matched without regard to case as HTTP (and requests, which actoolkit uses) does."""
    for key, value in headers.items():
        if str(key).lower() == name.lower():
            return value
    return None


def read_fields(path, content):
    """({option: value}, [(field, problem)], warnings) of the fields the file holds, each checked; never quoting a
    value."""
    if content is None:
        return {}, [("", "%s is empty; it must hold headers, uid and astra_project as actoolkit's README shows" % path)], []
    if not isinstance(content, dict):
        return {}, [("", "%s must hold a YAML mapping with headers, uid and astra_project" % path)], []
    values, problems, warnings = {}, [], []

    project = content.get("astra_project")
    if project is not None:
        if not isinstance(project, str) or not HOST.match(project.strip()):
            problems.append(("astra_project", "astra_project in %s must be the host name of Astra Control, without "
                             "https:// or a path (actoolkit makes https://<astra_project>/ of it, adding .%s to a name "
                             "without a dot)" % (path, SAAS_DOMAIN)))
        else:
            host = project.strip()
            values["api_url"] = "https://%s" % (host if "." in host else "%s.%s" % (host, SAAS_DOMAIN))

    uid = content.get("uid")
    if uid is not None:
        if isinstance(uid, (dict, list, bool)):
            problems.append(("uid", "uid in %s must be the account ID (a UUID)" % path))
        else:
            values["account_id"] = str(uid).strip()

    headers = content.get("headers")
    if headers is not None:
        authorization = _header(headers, "Authorization") if isinstance(headers, dict) else None
        if not isinstance(headers, dict):
            problems.append(("headers.Authorization", "headers in %s must be a mapping with Authorization: Bearer "
                                                      "<token>" % path))
        elif authorization is not None:
            match = BEARER.match(authorization) if isinstance(authorization, str) else None
            if match:
                values["api_token"] = match.group(1)
            else:
                problems.append(("headers.Authorization", "headers.Authorization in %s must be 'Bearer <token>' (the "
                                 "API token of Astra Control's API access page after the word Bearer)" % path))

    if "verifySSL" in content:
        verify = content["verifySSL"]
        values["validate_certs"] = verify is not False
        if verify is not None and not isinstance(verify, bool):
            warnings.append("verifySSL in %s is a %s, not true or false; certificates are verified (actoolkit turns "
                            "verification off only for the YAML boolean false)" % (path, type(verify).__name__))
    return values, problems, warnings


def is_set(value):
    """Whether an option holds a value; empty text (what an AWX credential injects for a blank field) does not."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def resolve_connection(params, environ=None, cwd=None, home=None):
    """The connection options after the actoolkit file (when params[actoolkit_config] names one) filled the gaps.

    params: the connection options as the task and the ASTRA_* variables give them (None when unset); both win over
    the file. Returns (connection, sources, warnings): a new dict with every option of params but actoolkit_config
    (validate_certs True when nothing set it); sources maps each option taken from the file to where it came from,
    e.g. 'astra_project in /home/me/config.yaml', for messages; warnings to show. Raises AstraValidationError naming
    actoolkit_config when the file is missing, unreadable or breaks a rule, or lacks a field an unset option needs.
    """
    connection = dict(params)
    setting = connection.pop(OPTION, None)
    sources, warnings = {}, []
    if is_set(setting):
        if _yaml() is None:
            raise AstraValidationError(OPTION, "reading actoolkit's %s needs the Python library PyYAML" % FILE_NAME)
        path, content, warnings = locate(str(setting), environ, cwd, home)
        values, problems, more_warnings = read_fields(path, content)
        warnings.extend(more_warnings)
        broken = set(field for field, _problem in problems)
        for option, field in FIELDS:
            if is_set(connection.get(option)):
                continue
            if option in values:
                connection[option] = values[option]
                sources[option] = "%s in %s" % (field, path)
            elif option in ENV_OF and field not in broken and "" not in broken:
                problems.append((field, "%s has no %s, and neither %s nor %s is set" % (path, field, option, ENV_OF[option])))
        if problems:
            raise AstraValidationError(violations=[(OPTION, problem) for _field, problem in problems])
    if connection.get("validate_certs") is None:
        connection["validate_certs"] = True
    return connection, sources, warnings


def name_sources(violations, sources):
    """The violations with each option that came from the file named with its field: 'api_url (astra_project in F)'."""
    return [("%s (%s)" % (option, sources[option]) if option in sources else option, rule) for option, rule in violations]
