"""astra_app and the info modules through ansible-playbook against the simulator."""
from playbook_harness import mutating_requests


def managed_app(sim, name):
    items = sim.api("GET", "k8s/v2/apps", params={"filter": "name eq '%s'" % name}).json()["items"]
    return items[0] if items else None


def test_manage_is_idempotent(sim, run_playbook):
    first = run_playbook("app.yml", extra_vars={"app_name": "wordpress", "expect_changed": True})
    assert first.rc == 0, first
    assert first.recap()["changed"] == 1
    posts = [r for r in sim.requests_log() if r["method"] == "POST"]
    assert [r["path"].rsplit("/", 1)[-1] for r in posts] == ["apps"]
    assert managed_app(sim, "wordpress")["state"] == "ready"

    sim.clear_requests_log()
    second = run_playbook("app.yml", extra_vars={"app_name": "wordpress", "expect_changed": False})
    assert second.rc == 0, second
    assert second.recap()["changed"] == 0
    assert mutating_requests(sim) == []


def test_check_mode_predicts_without_writing(sim, run_playbook):
    run = run_playbook("app.yml", check=True, extra_vars={"app_name": "jenkins", "expect_changed": True})
    assert run.rc == 0, run
    assert mutating_requests(sim) == []
    assert sim.requests_log(), "check mode must still read the current state"
    assert managed_app(sim, "jenkins") is None


def test_diff_shows_before_and_after(sim, run_playbook):
    assert run_playbook("app.yml", extra_vars={"app_name": "shop", "expect_changed": True,
                                               "app_namespaces": [{"name": "shop-frontend"}]}).rc == 0
    narrowed = [{"name": "shop-frontend", "label_selectors": ["app=shop"]}, {"name": "shop-db"}]

    sim.clear_requests_log()
    predicted = run_playbook("app.yml", check=True, diff=True,
                             extra_vars={"app_name": "shop", "expect_changed": True, "app_namespaces": narrowed})
    assert predicted.rc == 0, predicted
    assert mutating_requests(sim) == []
    assert "app=shop" in predicted.stdout and "shop-db" in predicted.stdout

    updated = run_playbook("app.yml", diff=True,
                           extra_vars={"app_name": "shop", "expect_changed": True, "app_namespaces": narrowed})
    assert updated.rc == 0, updated
    assert [r["method"] for r in mutating_requests(sim)] == ["PUT"]
    app = managed_app(sim, "shop")
    assert sorted(r["namespace"] for r in app["namespaceScopedResources"]) == ["shop-db", "shop-frontend"]
    assert sorted(app["namespaces"]) == ["shop-db", "shop-frontend"]

    sim.clear_requests_log()
    again = run_playbook("app.yml", extra_vars={"app_name": "shop", "expect_changed": False, "app_namespaces": narrowed})
    assert again.rc == 0, again
    assert mutating_requests(sim) == []


def test_absent_unmanages_once(sim, run_playbook):
    assert run_playbook("app.yml", extra_vars={"app_name": "postgres", "expect_changed": True}).rc == 0

    sim.clear_requests_log()
    predicted = run_playbook("app.yml", check=True,
                             extra_vars={"app_name": "postgres", "app_state": "absent", "expect_changed": True})
    assert predicted.rc == 0, predicted
    assert mutating_requests(sim) == []

    removed = run_playbook("app.yml", extra_vars={"app_name": "postgres", "app_state": "absent", "expect_changed": True})
    assert removed.rc == 0, removed
    assert [r["method"] for r in mutating_requests(sim)] == ["DELETE"]
    assert managed_app(sim, "postgres") is None

    sim.clear_requests_log()
    again = run_playbook("app.yml", extra_vars={"app_name": "postgres", "app_state": "absent", "expect_changed": False})
    assert again.rc == 0, again
    assert mutating_requests(sim) == []


def test_module_defaults_group_carries_connection(sim, run_playbook):
    connection = {"astra_api_url": sim.url, "astra_account_id": sim.account_id,
                  "astra_api_token": sim.token, "astra_ca_path": sim.ca_path}
    run = run_playbook("module_defaults.yml", extra_vars=connection,
                       unset_env=("ASTRA_API_URL", "ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN", "ASTRA_CA_PATH"))
    assert run.rc == 0, run


def test_info_modules(sim, run_playbook):
    assert run_playbook("app.yml", extra_vars={"app_name": "wordpress", "expect_changed": True}).rc == 0
    sim.clear_requests_log()
    run = run_playbook("info.yml", check=True)
    assert run.rc == 0, run
    assert mutating_requests(sim) == []


def test_bad_input_fails_before_any_request(sim, run_playbook):
    run = run_playbook("bad_input.yml")
    assert run.rc == 0, run
    assert sim.requests_log() == []


def test_unresolvable_names_fail_before_any_change(sim, run_playbook):
    run = run_playbook("unresolved_input.yml")
    assert run.rc == 0, run
    log = sim.requests_log()
    assert log and all(entry["method"] == "GET" for entry in log)


def test_wrong_token_fails_with_the_problem_and_no_token(sim, run_playbook):
    wrong_token = "not-the-right-token-3f9a"
    run = run_playbook("wrong_token.yml", env={"ASTRA_API_TOKEN": wrong_token}, verbosity=4)
    assert run.rc == 0, run
    assert wrong_token not in run.output
    statuses = {entry["status"] for entry in sim.requests_log()}
    assert statuses == {401}
