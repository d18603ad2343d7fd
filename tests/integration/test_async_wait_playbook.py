"""kubedr.astra.async_wait in a real play: jobs waited for together, results in job order, progress while they run.

Plain commands stand in for the modules, so no simulator is needed.
"""
import json
import os
import subprocess
import sys

from playbook_harness import BIN, COLLECTIONS_PATH

PLAYBOOK = """
- hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Start the jobs
      ansible.builtin.command: "sleep {{ item.seconds }}"
      loop:
        - {name: slow, seconds: "{{ slow_seconds }}"}
        - {name: quick, seconds: 0}
        - {name: never, seconds: 0, skip: true}
      when: not item.skip | default(false)
      async: 60
      poll: 0
      changed_when: false
      register: jobs

    - name: Start a job that fails
      ansible.builtin.command: "false"
      async: 60
      poll: 0
      register: bad

    - name: Wait for them
      kubedr.astra.async_wait:
        jobs: "{{ jobs.results + [bad] }}"
        step: sleep
        title: test wave 1 sleep
        poll_interval: 0.2
        progress_interval: 1
        fail_on_job_failure: "{{ fail_on_job_failure }}"
        wait_timeout: "{{ wait_timeout }}"
      register: waited
      ignore_errors: true

    - name: Save the result
      ansible.builtin.copy:
        content: "{{ waited | to_json }}"
        dest: "{{ result_path }}"
        mode: "0600"
"""


def run(tmp_path, fail_on_job_failure=False, wait_timeout=60, slow_seconds=3):
    playbook = tmp_path / "wait.yml"
    playbook.write_text(PLAYBOOK)
    result_path = tmp_path / "result.json"
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS_PATH), ANSIBLE_NOCOLOR="1",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, ANSIBLE_LOCALHOST_WARNING="false",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    extra = {"result_path": str(result_path), "fail_on_job_failure": fail_on_job_failure, "wait_timeout": wait_timeout,
             "slow_seconds": slow_seconds}
    completed = subprocess.run([str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-e", json.dumps(extra)],
                               env=env, capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads(result_path.read_text()), completed.stdout


def test_jobs_are_waited_for_together_with_progress(tmp_path):
    # The slow job outlasts the others by seconds even on a loaded machine, where starting each job takes a while.
    waited, output = run(tmp_path, slow_seconds=8)
    assert waited.get("failed") is not True and waited["failed_jobs"] == 1
    assert [entry["label"] for entry in waited["results"]][:3] == ["slow", "quick", "never"]
    slow, quick, never, bad = waited["results"]
    assert slow["report_step"]["status"] == "passed" and slow["cmd"] == ["sleep", "8"] and slow["item"]["name"] == "slow"
    assert quick["report_step"]["status"] == "passed"
    assert never["report_step"]["status"] == "skipped" and never["skipped"]
    assert bad["report_step"]["status"] == "failed" and bad["report_step"]["message"] == "non-zero return code"
    # progress: the start, each job as it ends (the quick one first), and the slow one still running in between
    lines = [line for line in output.splitlines() if line.startswith("test wave 1 sleep: ")]
    assert lines[0] == "test wave 1 sleep: waiting for 3 job(s): slow, quick, %s" % bad["ansible_job_id"]
    assert any(line.startswith("test wave 1 sleep: 1 still running after") and line.endswith(": slow") for line in lines)
    ended = [line.split(": ", 1)[1].split(" ")[0] for line in lines if " after " in line and "still running" not in line]
    assert ended[-1] == "slow" and set(ended) == {"slow", "quick", bad["ansible_job_id"]}
    assert waited["elapsed"] > 0 and slow["delta"].startswith("0:00:08")


def test_a_failed_job_fails_the_task_once_all_ended(tmp_path):
    waited, _output = run(tmp_path, fail_on_job_failure=True)
    assert waited["failed"] is True
    assert waited["msg"].startswith("1 of 4 job(s) of test wave 1 sleep failed: ")
    assert waited["results"][0]["report_step"]["status"] == "passed"


def test_jobs_still_running_at_the_timeout_are_reported(tmp_path):
    waited, output = run(tmp_path, wait_timeout=1, slow_seconds=20)
    slow = waited["results"][0]
    assert slow["failed"] and "had not finished after 1s" in slow["msg"]
    assert "test wave 1 sleep: slow did not finish within 1s" in output
