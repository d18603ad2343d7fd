"""The order `make test` hands tests to its workers: the longest first, so none starts late and runs alone at the end.

With `--dist load --maxschedchunk 1`, pytest-xdist gives the workers the tests in collection order, one or two
at a time, as they become free (without the chunk limit it hands the first quarter out in large consecutive
chunks, which would put every long test on one worker); sorting the longest to the front is the classic
longest-first schedule. The costs are rough seconds of one test (with its parameters where they
differ, else without) on a loaded 2-core machine (`--durations` of `make test`); anything not listed keeps its place after them.
"""

COSTS = {
    "test_runbook_playbooks.py::test_full_failover_and_failback_of_the_demo_apps_through_the_playbooks": 318,
    "test_molecule.py::test_molecule_scenario[protect]": 294,
    "test_molecule.py::test_molecule_scenario[failback]": 234,
    "test_runbook_playbooks.py::test_drill_measures_every_app_and_touches_nothing_in_production": 226,
    "test_molecule.py::test_molecule_scenario[failover]": 178,
    "test_runbook_hooks.py::test_protect_puts_hooks_in_place_and_the_drill_judges_app_consistency": 165,
    "test_molecule.py::test_molecule_scenario[replicate]": 158,
    "test_molecule.py::test_molecule_scenario[posture]": 129,
    "test_bad_input_catalogue.py::test_every_bad_input_fails_naming_the_option_and_the_rule": 126,
    "test_reliability_faults.py::test_every_module_converges_on_a_flaky_network_and_a_rerun_changes_nothing": 120,
    "test_reliability_permanent.py::test_a_cluster_outage_in_the_middle_of_a_wave_stops_the_run_and_a_rerun_finishes_it": 117,
    "test_awx_slices.py::test_two_slices_at_once_cover_the_estate_once_and_their_reports_merge_into_one": 87,
    "test_runbook_evidence.py::test_failover_and_failback_verification_hooks_broken_in_two_ways": 80,
    "test_runbook_playbooks.py::test_drill_can_keep_its_clones_until_the_cleanup_playbook_removes_them": 61,
    "test_runbook_evidence.py::test_hooks_that_fail_while_they_run_are_recorded_and_the_report_matches_the_simulator": 58,
    "test_protection_playbooks.py::test_protection_policy_schedules_snapshots": 57,
    "test_reliability_crash.py::test_a_restart_within_the_retry_budget_is_ridden_out": 50,
    "test_reliability_crash.py::test_a_restart_after_the_retry_budget_fails_clearly_and_a_rerun_converges": 49,
    "test_mirror_playbooks.py::test_failover_and_failback_of_postgres": 49,
    "test_protection_playbooks.py::test_snapshot_and_backup_lifecycle": 46,
    "test_protection_playbooks.py::test_deleting_a_snapshot_a_running_backup_uses_fails_with_the_api_reason": 44,
    "test_reliability_faults.py::test_lost_answers_to_processed_creates_are_adopted_never_posted_twice": 40,
    "test_reliability_permanent.py::test_a_backup_that_ends_failed_stops_the_wave_and_a_rerun_takes_only_that_backup_again": 39,
    "test_protection_playbooks.py::test_restore_validates_in_check_mode": 37,
    "test_mirror_playbooks.py::test_mirror_refusals": 37,
    "test_reliability_secrets.py::test_no_playbook_leaks_the_token_at_vvvv_with_failures_forced": 36,
    "test_protection_playbooks.py::test_in_place_restore_and_selective_restore": 36,
    "test_reliability_concurrency.py::test_eight_operators_on_eight_apps_at_once": 33,
    "test_hook_playbooks.py::test_execution_hooks_playbook": 33,
    "test_awx_job.py::test_a_drill_job_as_awx_runs_it_keeps_its_evidence_and_never_shows_the_token": 32,
    "test_runbook_evidence.py::test_a_clone_left_behind_is_named_in_the_closing_message_and_the_report": 31,
    "test_protection_playbooks.py::test_clone_refuses_live_clone_of_a_nas_economy_app_and_a_foreign_snapshot": 29,
    "test_inventory_plugin.py::test_drill_from_inventory_touches_only_the_limited_group": 28,
    "test_reliability_faults.py::test_the_runbooks_converge_on_a_flaky_network": 25,
    "test_reliability_tls.py::test_tls_cases_fail_with_what_to_fix_and_good_setups_work": 24,
    "test_protection_playbooks.py::test_cross_cluster_clone_from_the_latest_backup": 24,
    "test_mirror_playbooks.py::test_forbidden_transition_is_refused_before_any_write": 22,
    "test_runbook_evidence.py::test_hook_files_that_do_not_exist_or_do_not_load_stop_the_drill_before_anything_is_created": 22,
    "test_reliability_concurrency.py::test_two_operators_on_one_mirror_at_once": 21,
    "test_protection_playbooks.py::test_live_clone_on_the_same_cluster": 20,
    "test_reliability_permanent.py::test_an_api_that_answers_500_fails_each_task_within_its_retry_timeout_naming_the_resource": 20,
    "test_app_playbooks.py::test_info_modules": 15,
    "test_app_playbooks.py::test_diff_shows_before_and_after": 15,
    "test_module_examples.py::test_examples_run_against_the_demo_scenario": 15,
    "test_runbook_playbooks.py::test_drill_preflight_reports_every_problem_before_anything_is_created": 14,
    "test_app_playbooks.py::test_absent_unmanages_once": 14,
    "test_mirror_playbooks.py::test_info_lists_the_relationship_in_check_mode": 10,
}


def longest_first(items):
    """The items with the costly test files first, most costly first; a stable sort keeps the rest as collected."""
    def cost(item):
        name = item.nodeid.rsplit("/", 1)[-1]
        return COSTS.get(name, COSTS.get(name.split("[", 1)[0], 0))
    return sorted(items, key=cost, reverse=True)
