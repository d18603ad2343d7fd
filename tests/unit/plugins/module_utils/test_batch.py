# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The batch runner of kubedr.astra.astra_batch: real forked children running stand-in main() functions."""

import json
import os
import sys
import time

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
