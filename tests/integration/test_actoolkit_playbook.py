"""Users coming from NetApp's actoolkit: a module connects with nothing but actoolkit's config.yaml.

The file is written as actoolkit's README shows it (headers.Authorization, uid, astra_project, verifySSL) from the
simulator's URL, account and token, and found the way actoolkit finds it (here through ASTRATOOLKITS_CONF, the last of
its four places, from a working directory and a home without one). The simulator's CA comes from ASTRA_CA_PATH: the
file has no CA setting. One ansible-playbook run at -vvvv, which prints each task's arguments and result: the token
read from the file must not appear.
"""
import json
import subprocess

from playbook_harness import BIN, playbook_env, results_callback_env


def test_a_module_connects_with_actoolkits_config_yaml_found_where_actoolkit_looks(sim, tmp_path):
    conf, work, home = tmp_path / "astra-toolkits", tmp_path / "work", tmp_path / "home"
    for directory in (conf, work, home):
        directory.mkdir()
    (conf / "config.yaml").write_text(
        "headers:\n  Authorization: Bearer %s\nuid: %s\nastra_project: %s\nverifySSL: True\n"
        % (sim.token, sim.account_id, sim.url.split("://", 1)[1]))
    playbook = tmp_path / "actoolkit.yml"
    playbook.write_text(json.dumps([{
        "name": "Connect as actoolkit does", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
        "tasks": [{"name": "Read the clusters", "kubedr.astra.astra_cluster_info": {"actoolkit_config": "search"},
                   "register": "clusters"}]}]))
    results = tmp_path / "results.json"
    env = playbook_env(sim, dict(results_callback_env(results), HOME=str(home), ASTRATOOLKITS_CONF=str(conf)))
    for key in ("ASTRA_API_URL", "ASTRA_ACCOUNT_ID", "ASTRA_API_TOKEN"):
        del env[key]
    run = subprocess.run([str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local", "-vvvv"],
                         cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert sim.token not in output, "the token from config.yaml leaked into the output"
    result = json.loads(results.read_text())["clusters"]
    assert {cluster["name"] for cluster in result["clusters"]} >= {"prod-east", "dr-west"}
    # -vvvv prints the module's arguments as it used them: the connection from the file, the token masked.
    for shown in ('"actoolkit_config": "search"', '"api_url": "%s"' % sim.url, '"account_id": "%s"' % sim.account_id,
                  '"api_token": "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"', '"validate_certs": true'):
        assert shown in output, (shown, output)
    assert not any("passed over" in warning for warning in result.get("warnings", []))
    assert {entry["method"] for entry in sim.requests_log()} == {"GET"}
