# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input rules that need no lookup are checked before any request (found by the bad input catalogue)."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils.lookups import restore_point_ref_problem
from ansible_collections.kubedr.astra.plugins.modules import astra_app_clone, astra_app_mirror, astra_app_restore
from ansible_collections.kubedr.astra.tests.unit.fakes import PROD_EAST


def test_a_mirror_from_a_cluster_to_itself_fails_before_any_request(fake_api, run_module):
    result, failed = run_module(astra_app_mirror, {"source_app": "postgres", "source_cluster": "prod-east",
                                                   "destination_cluster": "prod-east"})
    assert failed
    assert result["msg"] == ("Invalid input: destination_cluster: is cluster 'prod-east', like source_cluster; this module "
                             "replicates between two clusters only")
    assert fake_api.requests == []


def test_a_mirror_between_a_cluster_name_and_its_id_is_still_refused_after_the_lookup(fake_api, run_module):
    fake_api.add_app("postgres")
    result, failed = run_module(astra_app_mirror, {"source_app": "postgres", "source_cluster": "prod-east",
                                                   "destination_cluster": PROD_EAST})
    assert failed and "destination_cluster: is cluster 'prod-east', like source_cluster" in result["msg"]
    assert fake_api.writes() == []


@pytest.mark.parametrize("module, args", [
    (astra_app_clone, {"name": "postgres-copy", "source_app": "postgres", "destination_cluster": "dr-west"}),
    (astra_app_restore, {"app": "postgres"}),
])
def test_latest_replicated_as_a_backup_fails_before_any_request(fake_api, run_module, module, args):
    fake_api.add_app("postgres")
    result, failed = run_module(module, dict(args, backup="latest_replicated"))
    assert failed
    assert result["msg"] == ("Invalid input: backup: 'latest_replicated' names a snapshot (the one the app's mirror "
                             "replicated last), not a backup")
    assert fake_api.requests == []


@pytest.mark.parametrize("kind, ref, problem", [
    ("backup", "latest_replicated", "'latest_replicated' names a snapshot (the one the app's mirror replicated last), "
                                    "not a backup"),
    ("snapshot", "latest_replicated", None),
    ("backup", "latest", None),
    ("backup", "nightly", None),
    ("backup", None, None),
])
def test_restore_point_ref_problem(kind, ref, problem):
    assert restore_point_ref_problem(kind, ref) == problem
