# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
name: astra
short_description: The applications Astra Control manages, as an inventory
version_added: 0.1.0
description:
  - One host per application Astra Control manages, named C(<app>@<cluster>) (or as O(hostnames) chooses), with its
    identity, its protection and its replication as host variables, and built-in groups by cluster, protection and
    mirror state.
  - "Host variables: C(astra_app) (C(id), C(name), C(cluster), C(cluster_id), C(namespaces), C(labels), C(state),
    C(created)); C(astra_protection) (C(state): V(protected), V(partial) or V(none); C(schedules) and
    C(replication_schedules) in the shape of M(kubedr.astra.astra_protection_policy); the newest completed
    C(snapshot) and C(backup) as C(id), C(name), C(created) and C(age_seconds), or null; C(snapshot_count),
    C(backup_count)); C(astra_replication) (C(mirrored); for a mirrored app also C(id), C(state), C(state_desired),
    C(health), C(transfer_state), C(role) V(source) or V(destination), C(direction), C(source_cluster),
    C(destination_cluster), C(peer_cluster), C(peer_app), C(peer_app_id), C(last_transfer_snapshot_id),
    C(last_transfer_time) and C(last_transfer_age_seconds)); C(astra_app_entry), the app as an entry of the runbooks'
    app lists (C(name), C(cluster), C(namespaces) with their label selectors, and C(destination_cluster) when the app
    is the source of a mirror)."
  - Every age is computed from one reading of the clock per run, also when the estate comes from the cache.
  - "Built-in groups: C(astra_apps) (every host of the source); C(cluster_<cluster>) (non-alphanumeric characters
    become C(_): C(cluster_prod_east)); C(protected) (an enabled protection schedule and a completed backup),
    C(partially_protected) (one of them, or only a snapshot) or C(unprotected); C(mirror_<state>)
    (C(mirror_established), C(mirror_failed_over), ...) with C(mirror_source) or C(mirror_destination), or
    C(not_replicated)."
  - "Requests: one list each of clusters, apps and app mirrors, then for each selected app one list each of its
    snapshots, backups and schedules (reduced to the fields used with the API's C(include) parameter)."
  - The inventory source is a YAML file whose name ends in C(astra.yml) or C(astra.yaml).
  - The API token never appears in host or group variables, in the cache, or in error messages.
author:
  - kubedr.astra developers (@kubedr)
options:
  plugin:
    description: The name of this plugin; it makes the file an inventory source of this plugin.
    type: str
    required: true
    choices:
      - kubedr.astra.astra
  clusters:
    description:
      - Only the applications on these clusters (names).
      - A name Astra Control does not know is an error that lists the known clusters, so a typo does not look like
        an empty estate.
    type: list
    elements: str
  labels:
    description:
      - Only the applications whose labels (C(metadata.labels)) match at least one of these Kubernetes label
        selectors, for example V(tier=gold) or V(env in (prod,staging\),!legacy); the requirements of one selector
        must all hold.
      - Each selector is checked before any request.
    type: list
    elements: str
  hostnames:
    description:
      - Jinja2 expressions that make the host name of an application from its host variables, tried in order; the
        first one that gives a non-empty string is used, else the default C(<app>@<cluster>).
      - Two applications given the same host name are an error naming both.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - kubedr.astra.connection.plugin_environment
  - kubedr.astra.connection
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
seealso:
  - module: kubedr.astra.astra_app_info
  - module: kubedr.astra.astra_app_mirror_info
  - ref: inventory_plugins
    description: How inventory plugins and their C(compose), C(groups) and C(keyed_groups) work.
'''

EXAMPLES = r'''
# prod.astra.yml - every managed app; connection from ASTRA_API_URL, ASTRA_ACCOUNT_ID, ASTRA_API_TOKEN and
# ASTRA_CA_PATH (what the AWX credential type in docs/awx/credential-type.yml injects).
plugin: kubedr.astra.astra

---
# dr.astra.yml - only prod-east's gold apps, grouped by their 'tier' label, with a cache of one hour.
plugin: kubedr.astra.astra
clusters:
  - prod-east
labels:
  - tier=gold
keyed_groups:
  - key: astra_app.labels.tier | default('none')
    prefix: tier
groups:
  stale_backups: astra_protection.backup is none or astra_protection.backup.age_seconds > 86400
compose:
  rpo_seconds: astra_replication.last_transfer_age_seconds | default(None)
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/kubedr-astra-inventory
cache_timeout: 3600

---
# Host names without the cluster, and the connection given in the file (the token still from ASTRA_API_TOKEN).
plugin: kubedr.astra.astra
api_url: https://astra.example.com
account_id: 6bd1c1c4-7e2b-4a55-9a43-0c6bfb1e0a6d
ca_path: /etc/pki/astra-ca.pem
hostnames:
  - astra_app.name

---
# The connection from NetApp actoolkit's config.yaml, found where actoolkit looks for it (or set
# ASTRA_ACTOOLKIT_CONFIG=search, or a path); ASTRA_* variables still win over the file.
plugin: kubedr.astra.astra
actoolkit_config: search

# Use it:
#   ansible-inventory -i prod.astra.yml --graph
#   ansible-playbook -i prod.astra.yml playbooks/drill_from_inventory.yml --limit cluster_prod_east
'''

import datetime
import hashlib
import json
import os

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.kubedr.astra.plugins.module_utils.actoolkit_config import name_sources, resolve_connection
from ansible_collections.kubedr.astra.plugins.module_utils.astra_client import AstraClient
from ansible_collections.kubedr.astra.plugins.module_utils.connection import (
    VALIDATE_CERTS_OFF_WARNING,
    ca_path_problems,
    check_connection_options,
)
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraError, redact
from ansible_collections.kubedr.astra.plugins.module_utils.inventory import (
    build_hosts,
    duplicate_host_problems,
    filter_problems,
    read_estate,
)
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

CONNECTION_OPTIONS = ("api_url", "account_id", "api_token", "validate_certs", "ca_path", "timeout", "retry_timeout")


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per managed Astra Control application."""

    NAME = "kubedr.astra.astra"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("astra.yml", "astra.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        connection = {name: self.get_option(name) for name in CONNECTION_OPTIONS}
        # Empty (what an AWX credential injects for a blank field) means unset, as for the modules.
        ca_path = (connection["ca_path"] or "").strip()
        connection["ca_path"] = os.path.abspath(os.path.expanduser(os.path.expandvars(ca_path))) if ca_path else None
        token = connection["api_token"]
        try:
            # Options in the source file and ASTRA_* variables win over actoolkit's config.yaml, as for the modules.
            connection["actoolkit_config"] = self.get_option("actoolkit_config")
            connection, sources, warnings = resolve_connection(connection)
            token = connection["api_token"]
            for warning in warnings:
                self.display.warning(warning)
            self._parse(path, connection, sources, cache)
        except AstraError as exc:
            raise AnsibleParserError("%s: %s" % (self.NAME, redact(str(exc), [token]))) from None

    def _parse(self, path, connection, sources, cache):
        clusters = self.get_option("clusters")
        labels = self.get_option("labels")
        violations = (filter_problems(clusters, labels) + name_sources(check_connection_options(connection), sources)
                      + ca_path_problems(connection))
        if violations:
            raise AnsibleParserError("%s: invalid options in %s: %s" % (
                self.NAME, path, "; ".join("%s %s" % (option, rule) if option else rule for option, rule in violations)))

        cache_key = "%s_%s" % (self.get_cache_key(path), self._source_digest(connection, clusters, labels))
        use_cache = self.get_option("cache") and cache
        update_cache = self.get_option("cache") and not cache
        estate = None
        if use_cache:
            try:
                estate = self._cache[cache_key]
            except KeyError:
                update_cache = True
        if estate is None:
            if not connection["validate_certs"]:
                self.display.warning(VALIDATE_CERTS_OFF_WARNING)
            estate = self._read(connection, clusters, labels)
        if update_cache:
            self._cache[cache_key] = estate

        now = datetime.datetime.now(datetime.timezone.utc)
        self._populate(build_hosts(estate, now, clusters, labels))

    @staticmethod
    def _source_digest(connection, clusters, labels):
        """What the cached estate depends on besides the source file (never the token)."""
        text = json.dumps([connection["api_url"], connection["account_id"], clusters, labels], sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def _read(self, connection, clusters, labels):
        where = "%s (account %s)" % (connection["api_url"], connection["account_id"])
        try:
            client = AstraClient(warn=self.display.warning, **connection)
            return read_estate(Lookups(client), clusters, labels)
        except AstraError as exc:
            raise AstraError("reading the estate from %s failed: %s" % (where, exc)) from None

    def _host_name(self, record, strict):
        for template in self.get_option("hostnames") or []:
            try:
                name = self._compose(template, record["vars"])
            except AnsibleError as exc:
                if strict:
                    raise AnsibleParserError("%s: hostnames entry %r failed for app %s: %s"
                                             % (self.NAME, template, record["name"], exc)) from None
                continue
            if name not in (None, "") and str(name).strip():
                return str(name).strip()
        return record["name"]

    def _populate(self, records):
        strict = self.get_option("strict")
        named = [(self._host_name(record, strict), record) for record in records]
        problems = duplicate_host_problems([(name, record["name"]) for name, record in named])
        if problems:
            raise AnsibleParserError("%s: %s" % (self.NAME, "; ".join(problems)))
        for name, record in named:
            host = self.inventory.add_host(name)
            for key, value in record["vars"].items():
                self.inventory.set_variable(host, key, value)
            for group in record["groups"]:
                self.inventory.add_child(self.inventory.add_group(group), host)
            host_vars = self.inventory.get_host(host).get_vars()
            self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)
