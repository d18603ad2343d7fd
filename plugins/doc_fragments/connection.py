# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    """Connection options shared by every kubedr.astra module (argspec: astra_module.astra_argument_spec).

    PLUGIN_ENVIRONMENT: what a plugin (the kubedr.astra.astra inventory) adds to these options.
    """

    DOCUMENTATION = r'''
options:
  api_url:
    description:
      - Base URL of the Astra Control API, without the C(/accounts/...) part, for example V(https://astra.example.com).
      - Checked before any request is sent; a URL that already holds C(/accounts/<id>) is refused with the base URL to use.
      - If not set, the value of the E(ASTRA_API_URL) environment variable is used, else the one O(actoolkit_config)
        gives. One of the three is required.
    type: str
  account_id:
    description:
      - ID of the Astra Control account (a UUID, shown in the UI under I(API access)).
      - Must be a UUID; anything else is refused before any request, so the API token only ever goes to
        C(<api_url>/accounts/<account_id>/).
      - If not set, the value of the E(ASTRA_ACCOUNT_ID) environment variable is used, else the one O(actoolkit_config)
        gives. One of the three is required.
    type: str
  api_token:
    description:
      - "API token sent as C(Authorization: Bearer <token>) on every request."
      - If not set, the value of the E(ASTRA_API_TOKEN) environment variable is used, else the one O(actoolkit_config)
        gives. One of the three is required.
      - The token never appears in results, warnings or error messages.
    type: str
  actoolkit_config:
    description:
      - For users coming from NetApp's actoolkit (the Astra Control Python SDK and toolkit) - read the connection from
        its C(config.yaml).
      - The path of that file or of the directory that holds it; or V(search) to read the first C(config.yaml) found
        where actoolkit looks, in its order - the current working directory, C(~/.config/astra-toolkits/),
        C(/etc/astra-toolkits/), then the directory named by the environment variable E(ASTRATOOLKITS_CONF). As
        actoolkit does, the search passes over a file that cannot be read or is not valid YAML (with a warning here).
      - "From the file: O(api_url) is C(https://<astra_project>), where a name without a dot gets C(.astra.netapp.io)
        appended, as actoolkit does; O(account_id) is C(uid); O(api_token) is the token of C(headers.Authorization)
        (C(Bearer <token>)); O(validate_certs) is V(false) only when C(verifySSL) is the YAML boolean false - absent,
        true or any other value (such as the string C(\"False\")) verifies certificates, as in actoolkit."
      - Precedence, for each option - the value given to the task (or through C(module_defaults)) wins, then its
        C(ASTRA_*) environment variable, then the file. Empty text counts as not given. So the file may give only
        what nothing else sets, for example everything but the token, kept in E(ASTRA_API_TOKEN).
      - A file that is missing, unreadable or not valid YAML, a field in the wrong form, or a missing field an unset
        option needs fails the task before any request, naming the file and the field; values from the file are
        never quoted, and the token read from it never appears in results, warnings or error messages.
      - The file has no CA setting; for a private certificate authority set O(ca_path) rather than turning
        C(verifySSL) off.
      - If not set, the value of the E(ASTRA_ACTOOLKIT_CONFIG) environment variable is used.
    type: path
  validate_certs:
    description:
      - Whether to verify the TLS certificate of the API server.
      - Set to V(false) only for throw-away test setups (every task then warns); prefer O(ca_path) for private certificate authorities.
      - If not set, the value of the E(ASTRA_VALIDATE_CERTS) environment variable is used, else C(verifySSL) of the
        file O(actoolkit_config) names; if none of them sets it, V(true).
    type: bool
  ca_path:
    description:
      - Path of a PEM file (or an OpenSSL hashed directory) with the certificate authorities that verify the API
        server's certificate. Only these CAs are trusted then.
      - If unset, empty, or naming a file that is empty or holds only white space (what an AWX credential writes
        for a blank CA field), the system trust store is used, as OpenSSL on the controller or in the execution
        environment finds it - E(SSL_CERT_FILE) and E(SSL_CERT_DIR) when set, otherwise OpenSSL's default CA file
        and directory (C(/etc/ssl/certs) on Debian and Ubuntu, C(/etc/pki/tls/certs/ca-bundle.crt) on RHEL and UBI),
        where C(update-ca-certificates) and C(update-ca-trust) install a corporate CA. The bundle of the Python
        package C(certifi), when installed, is used only on a machine whose OpenSSL knows no CA at all.
      - Environment variables such as E(REQUESTS_CA_BUNDLE) and E(CURL_CA_BUNDLE) do not override this option or O(validate_certs).
      - If not set, the value of the E(ASTRA_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for a connection and for each response of one HTTP request; not for a whole operation (modules that wait have C(wait_timeout) for that).
      - If not set, the value of the E(ASTRA_TIMEOUT) environment variable is used.
    type: int
    default: 30
  retry_timeout:
    description:
      - For how many seconds, from its first attempt, one request is repeated after a connection error, a timeout or
        HTTP 429, 502, 503 or 504 (a GET also after 500), with capped exponential backoff and jitter (0.25 s growing
        to at most 10 s between attempts) that honours C(Retry-After). The request fails once the next attempt would
        start later than that, with the API's last answer and the number of attempts.
      - A flaky network converges; an API that stays down fails the task after about this long, so a runbook can stop.
      - GET, PUT and DELETE are repeated. A create (POST) whose answer was lost is never repeated blindly;
        the module first looks for the resource it may have created and adopts it.
      - V(0) turns retries off.
      - If not set, the value of the E(ASTRA_RETRY_TIMEOUT) environment variable is used.
    type: int
    default: 60
notes:
  - The modules run on the Ansible controller (or in the execution environment) and need no Python library beyond ansible-core
    (HTTP and TLS are Python's standard library); set C(ansible_python_interpreter) to C({{ ansible_playbook_python }}) so they run in the
    Python that runs Ansible.
  - "Proxies are taken from the environment: E(HTTPS_PROXY) for an C(https://) O(api_url) (E(HTTP_PROXY) for C(http://)), else E(ALL_PROXY);
    the lowercase names win. Only C(http://) proxy URLs are supported (C(http://user:password@proxy:3128) sends C(Proxy-Authorization));
    HTTPS goes through the proxy as a C(CONNECT) tunnel, so the proxy never sees the API token.
    E(NO_PROXY) (comma-separated) lists the hosts reached directly: C(*), domains (C(example.com) and C(.example.com) also match
    their subdomains), C(host:port), IP addresses and networks (C(10.0.0.0/8))."
'''

    # Listed before kubedr.astra.connection by a plugin: an option's keys here are merged onto its definition above
    # (and win over it): each option's ASTRA_* variable for the plugin config system (modules read them through their
    # argspec fallbacks), and ca_path and actoolkit_config typed str (the config system turns an empty path into the
    # working directory, and 'search' into a path under it).
    PLUGIN_ENVIRONMENT = r'''
options:
  api_url:
    env:
      - name: ASTRA_API_URL
  account_id:
    env:
      - name: ASTRA_ACCOUNT_ID
  api_token:
    env:
      - name: ASTRA_API_TOKEN
  actoolkit_config:
    type: str
    env:
      - name: ASTRA_ACTOOLKIT_CONFIG
  validate_certs:
    env:
      - name: ASTRA_VALIDATE_CERTS
  ca_path:
    type: str
    env:
      - name: ASTRA_CA_PATH
  timeout:
    env:
      - name: ASTRA_TIMEOUT
  retry_timeout:
    env:
      - name: ASTRA_RETRY_TIMEOUT
'''
