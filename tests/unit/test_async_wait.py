"""The async_wait action plugin's reading of job files on the controller."""
import json
import os

from ansible_collections.kubedr.astra.plugins.action.async_wait import ActionModule


def write_job(directory, jid, data, mtime_ns):
    path = directory / jid
    path.write_text(json.dumps(data))
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_a_running_job_file_is_not_parsed_again_until_it_changes(tmp_path, monkeypatch):
    seen = {}
    write_job(tmp_path, "1.1", {"started": 1, "finished": 0, "ansible_job_id": "1.1"}, 10**18)
    assert ActionModule._local_status("1.1", str(tmp_path), "status", seen) == {
        "started": True, "finished": False, "ansible_job_id": "1.1"}
    parsed = []
    original = json.loads
    monkeypatch.setattr(json, "loads", lambda text: parsed.append(text) or original(text))
    assert ActionModule._local_status("1.1", str(tmp_path), "status", seen)["finished"] is False
    assert parsed == [], "an unchanged running job's file is only stat'ed"

    write_job(tmp_path, "1.1", {"changed": True, "rc": 0}, 10**18 + 5)
    finished = ActionModule._local_status("1.1", str(tmp_path), "status", seen)
    assert finished == {"changed": True, "rc": 0, "finished": True, "ansible_job_id": "1.1"} and len(parsed) == 1


def test_a_missing_job_file_fails_and_cleanup_removes_the_file(tmp_path):
    assert ActionModule._local_status("2.2", str(tmp_path), "status", {})["msg"] == "could not find job"
    path = write_job(tmp_path, "2.2", {"rc": 0}, 10**18)
    assert ActionModule._local_status("2.2", str(tmp_path), "cleanup")["erased"] == str(path)
    assert not path.exists()

