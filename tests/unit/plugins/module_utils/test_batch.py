# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The batch runner of kubedr.astra.astra_batch: real forked children running stand-in main() functions."""

import json
import os
import sys
import time

import pytest

from ansible.module_utils import basic

from ansible_collections.kubedr.astra.plugins.module_utils import batch

SEEN = []


def document(**module_args):
    return {"ANSIBLE_MODULE_ARGS": module_args}


def own_arguments():
    return json.loads(basic._ANSIBLE_ARGS)["ANSIBLE_MODULE_ARGS"]  # pylint: disable=protected-access


def answering_main():
    """Writes its arguments, process and what it saw of the parent's state, as a module writes its result."""
    SEEN.append(1)
    arguments = own_arguments()
    print("\n" + json.dumps({"changed": True, "name": arguments["name"], "arguments": arguments, "pid": os.getpid(),
                             "seen": len(SEEN)}))
    sys.exit(0)


def test_each_run_gets_the_shared_arguments_under_its_own_and_is_named_as_the_module():
    sent = dict(document(module="astra_app", runs=[{"name": "a", "timeout": 5}, {"name": "b"}], max_parallel=0,
                         api_url="https://astra", _ansible_check_mode=True, _ansible_module_name="kubedr.astra.astra_batch",
                         timeout=30), _ansible_profile="legacy")
    documents = batch.run_documents(sent, "runs", ("module", "runs", "max_parallel"), "astra_app")
    assert documents == [
        dict(document(name="a", timeout=5, api_url="https://astra", _ansible_check_mode=True,
                      _ansible_module_name="kubedr.astra.astra_app"), _ansible_profile="legacy"),
        dict(document(name="b", timeout=30, api_url="https://astra", _ansible_check_mode=True,
                      _ansible_module_name="kubedr.astra.astra_app"), _ansible_profile="legacy"),
    ]


def test_every_run_is_its_own_process_and_results_keep_the_order_of_the_runs():
    names = ["postgres", "wordpress", "jenkins", "shop"]
    results = batch.run_all(answering_main, [document(name=name) for name in names])
    assert [result["name"] for result in results] == names
    assert [result["arguments"] for result in results] == [{"name": name} for name in names]
    pids = set(result["pid"] for result in results)
    assert len(pids) == 4 and os.getpid() not in pids
    # nothing one run does reaches another (each starts from the parent's state) or the parent
    assert [result["seen"] for result in results] == [1, 1, 1, 1] and SEEN == []


def test_max_parallel_bounds_the_runs_going_at_once(tmp_path):
    def main():
        name = own_arguments()["name"]
        begun = time.monotonic()
        time.sleep(0.3)
        (tmp_path / name).write_text(json.dumps([begun, time.monotonic()]))
        print(json.dumps({"changed": False}))

    results = batch.run_all(main, [document(name=str(number)) for number in range(5)], max_parallel=2)
    assert results == [{"changed": False}] * 5
    spans = [json.loads((tmp_path / str(number)).read_text()) for number in range(5)]
    most = max(sum(1 for begun, ended in spans if begun <= moment < ended) for moment, _end in spans)
    assert most == 2


def test_a_run_that_writes_no_result_fails_alone_with_what_it_wrote():
    def main():
        name = own_arguments()["name"]
        if name == "crash":
            print("partial output")
            raise ValueError("something broke")
        if name == "exit":
            sys.exit(3)
        print(json.dumps({"changed": False, "name": name}))

    crashed, exited, fine = batch.run_all(main, [document(name="crash"), document(name="exit"), document(name="ok")])
    assert crashed["failed"] and crashed["msg"] == batch.MODULE_FAILURE and crashed["rc"] == 1
    assert crashed["module_stdout"].strip() == "partial output"
    assert "ValueError: something broke" in crashed["module_stderr"]
    assert exited["failed"] and exited["rc"] == 3 and exited["module_stdout"] == ""
    assert fine == {"changed": False, "name": "ok"}


def test_runs_still_going_at_the_timeout_are_left_and_those_not_started_are_not_started(tmp_path):
    def main():
        name = own_arguments()["name"]
        (tmp_path / name).write_text(str(os.getpid()))
        if name == "slow":
            time.sleep(3)
        print(json.dumps({"changed": True}))

    begun = time.monotonic()
    results = batch.run_all(main, [document(name="fast"), document(name="slow"), document(name="later")],
                            max_parallel=1, timeout=1.0)
    try:
        assert time.monotonic() - begun < 2.5
        assert results[0] == {"changed": True}
        assert results[1] is None
        assert results[2] == batch.NOT_STARTED and not (tmp_path / "later").exists()
    finally:
        os.waitpid(int((tmp_path / "slow").read_text()), 0)


class FileLoggedApi:
    """An API in which every app is provisioning until ready_at (a monotonic instant), then ready; each request is a
    line of a log file that every forked run appends to."""

    def __init__(self, log, ids, ready_at):
        self.log = log
        self.ids = ids
        self.ready_at = ready_at

    def _state(self):
        return "ready" if time.monotonic() >= self.ready_at else "provisioning"

    def _write(self, line):
        with open(self.log, "a") as handle:
            handle.write(line + "\n")

    def get(self, path, operation=None):
        self._write("GET " + path)
        return {"id": path.rpartition("/")[2], "name": "clone", "state": self._state()}

    def list(self, path, params=None, operation=None):
        self._write("LIST %s?include=%s" % (path, params["include"]))
        return [[item_id, self._state()] for item_id in self.ids]


def test_the_waits_of_the_runs_share_one_list_per_poll_and_each_returns_its_own_read(tmp_path):
    from ansible_collections.kubedr.astra.plugins.module_utils.waiter import Waiter

    ids = ["a%d" % number for number in range(6)]
    log = tmp_path / "requests.log"
    api = FileLoggedApi(str(log), ids, time.monotonic() + 2.0)
    shared = tmp_path / "shared"
    shared.mkdir()

    def main():
        item_id = own_arguments()["id"]
        resource, _elapsed = Waiter(api).until_state("k8s/v2/apps/" + item_id, ["ready"], ["failed"], timeout=60)
        print(json.dumps({"changed": True, "app": resource}))

    results = batch.run_all(main, [document(id=item_id) for item_id in ids], shared_directory=str(shared))
    assert [result["app"] for result in results] == [{"id": item_id, "name": "clone", "state": "ready"} for item_id in ids]
    requests = log.read_text().splitlines()
    gets = [line for line in requests if line.startswith("GET ")]
    lists = [line for line in requests if line.startswith("LIST ")]
    # Alone, each wait polls its app about eight times in two seconds (48 GETs): here one GET each at the end (and one
    # at the start for a run whose wait began before any other's), the polls between them are lists for all.
    assert len(gets) <= 2 * len(ids), requests
    assert 1 <= len(lists) <= 12 and set(lists) == {"LIST k8s/v2/apps?include=id,state"}, requests
    assert sorted(set(line.rpartition("/")[2] for line in gets)) == ids
    # the parent left nothing behind for the next batch: no wait is counted as waiting any more
    assert not [name for name in os.listdir(str(shared)) if name.endswith(".waiting")]


class ClusterListApi:
    """Every list of the clusters is a line of a log file that every forked run appends to."""

    def __init__(self, log):
        self.log = log

    def list(self, path, params=None, operation=None):
        with open(self.log, "a") as handle:
            handle.write("LIST %s\n" % path)
        return [{"id": "c1", "name": "prod-east", "managedState": "managed"}]


@pytest.mark.parametrize("check_mode, most_lists", [(True, 1), (False, 6)])
def test_runs_one_at_a_time_share_a_list_only_when_they_change_nothing(tmp_path, check_mode, most_lists):
    """A run uses a list another read since it started; in check mode (shared_since: the batch's start) any list read
    since the batch began serves it, so runs that start one after another (the pre-flight, 16 at a time) read once."""
    from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

    log = tmp_path / "requests.log"
    api = ClusterListApi(str(log))
    shared = tmp_path / "shared"
    shared.mkdir()

    def main():
        cluster = Lookups(api).cluster("prod-east")
        print(json.dumps({"changed": False, "cluster": cluster["id"]}))

    results = batch.run_all(main, [document(name=str(number)) for number in range(6)], max_parallel=1,
                            shared_directory=str(shared), shared_since=time.monotonic() if check_mode else None)
    assert [result["cluster"] for result in results] == ["c1"] * 6
    lists = log.read_text().splitlines()
    assert set(lists) == {"LIST topology/v1/clusters"} and len(lists) == most_lists
