# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""kubedr.astra.async_wait: wait for the async jobs of one runbook step, all at once, and say how they are doing.

The runbooks launch one async job per app (async + poll: 0) and then wait here: the jobs not yet finished are read
(every LOCAL_POLL_INTERVAL seconds from the files on the controller, every poll_interval seconds with async_status on
a remote host), a line is printed for each job that ends, and every progress_interval seconds a line names the jobs
still running and for how long, so a long wave is never silent.
Each finished job's result comes back in the order of the jobs, with a report_step for the run's report.
"""

import json
import os
import time

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.kubedr.astra.plugins.module_utils.runbook import format_duration

display = Display()

# Reading a job file on the controller costs a stat: checking often ends each step as soon as its last job does
# (a 2 s poll added a second on average to every wait of every wave).
LOCAL_POLL_INTERVAL = 0.1

# The options of one runbook step's wait, shared with kubedr.astra.wave_step.
STEP_OPTIONS = dict(
    step=dict(type="str", required=True),
    title=dict(type="str"),
    labels=dict(type="list", elements="str"),
    wait_timeout=dict(type="float", default=3600.0),
    progress_interval=dict(type="float", default=30.0),
    fail_on_job_failure=dict(type="bool", default=True),
)
ARGUMENT_SPEC = dict(
    STEP_OPTIONS,
    jobs=dict(type="list", elements="dict", required=True),
    poll_interval=dict(type="float", default=2.0),
)


def job_label(job, index, labels):
    if labels and index < len(labels):
        return labels[index]
    item = job.get("item")
    if isinstance(item, dict) and item.get("name"):
        return str(item["name"])
    if item is not None:
        return str(item)
    return job.get("ansible_job_id") or "job %d" % (index + 1)


def report_step(step, result):
    """The step as the run's report records it: status, the module's own start and end times, a message."""
    timing = result.get("timing") if isinstance(result.get("timing"), dict) else {}
    if result.get("skipped"):
        status, message = "skipped", result.get("skip_reason") or result.get("msg") or "skipped"
    elif result.get("failed"):
        status, message = "failed", result.get("msg") or "failed"
    else:
        status, message = "passed", None if result.get("changed") else "already done: nothing changed"
    return {"name": step, "status": status, "started": timing.get("started"), "finished": timing.get("finished"),
            "message": message, "warnings": job_warnings(result)}


def job_warnings(result):
    """The warnings a job's module returned (retries, adopted resources, ...), as strings."""
    warnings = result.get("warnings") or []
    if isinstance(warnings, str):
        warnings = [warnings]
    return [str(warning) for warning in warnings if warning]


def finish(step, final, job, label):
    """A job's (or run's) final result with its label, loop item and report step, in the order the runbooks read."""
    final["label"] = label
    if "item" in job:
        final["item"] = job["item"]
    if "ansible_loop_var" in job:
        final["ansible_loop_var"] = job["ansible_loop_var"]
    final["report_step"] = report_step(step, final)
    return final


def summarize(result, results, started, title, fail_on_failure, noun):
    """The task's result over every job's (async_wait) or run's (wave_step): changed, results, failures, warnings."""
    failed = [entry for entry in results if entry.get("failed")]
    # The jobs' own warnings would otherwise vanish: their results are read, not displayed.
    warnings = ["%s: %s" % (entry["label"], warning) for entry in results for warning in job_warnings(entry)]
    if warnings:
        result["warnings"] = warnings
    result.update(
        changed=any(entry.get("changed") for entry in results),
        results=results,
        elapsed=round(time.monotonic() - started, 1),
        failed_jobs=len(failed),
    )
    if failed and fail_on_failure:
        result["failed"] = True
        result["msg"] = "%d of %d %s of %s failed: %s" % (
            len(failed), len(results), noun, title, "; ".join("%s: %s" % (entry["label"], entry.get("msg")) for entry in failed))
    return result


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _supports_check_mode = True

    def _async_dir(self):
        return self._remote_expand_user(self.get_shell_option("async_dir", default="~/.ansible_async"))

    def _is_local(self):
        return self._connection.transport in ("local", "ansible.builtin.local") and not self._play_context.become

    def _status(self, jid, async_dir, task_vars, mode="status"):
        if self._is_local():
            return self._local_status(jid, async_dir, mode, self._seen)
        return self._execute_module(module_name="ansible.legacy.async_status", task_vars=task_vars,
                                    module_args={"jid": jid, "mode": mode, "_async_dir": async_dir})

    @staticmethod
    def _local_status(jid, async_dir, mode, seen=None):
        """What ansible.builtin.async_status answers, read straight from the job file on the controller.

        The runbooks run on the controller (connection local), and running the async_status module once per job
        and poll costs a Python start each time; async_wrapper replaces the file atomically, so reading it is safe.
        A file whose size and modification time have not changed since it was last read as running is not read again.
        """
        path = os.path.join(os.path.expanduser(async_dir), jid)
        if mode == "status" and seen is not None:
            try:
                stat = os.stat(path)
            except OSError:
                stat = None
            if stat is not None:
                signature = (stat.st_mtime_ns, stat.st_size)
                if seen.get(jid) == signature:
                    return {"ansible_job_id": jid, "started": True, "finished": False}
                status = ActionModule._local_status(jid, async_dir, mode)
                if not status.get("finished") and not status.get("failed"):
                    seen[jid] = signature
                return status
        if mode == "cleanup":
            try:
                os.unlink(path)
            except OSError:
                pass
            return {"ansible_job_id": jid, "erased": path}
        try:
            with open(path) as handle:
                text = handle.read()
        except OSError:
            return {"ansible_job_id": jid, "failed": True, "started": True, "finished": True, "msg": "could not find job"}
        try:
            data = json.loads(text)
        except ValueError:
            if not text.strip():
                return {"ansible_job_id": jid, "started": True, "finished": False}
            return {"ansible_job_id": jid, "failed": True, "started": True, "finished": True,
                    "msg": "Could not parse job output: %s" % text[:500]}
        if "started" not in data:
            data["finished"] = True
            data["ansible_job_id"] = jid
        elif "finished" not in data:
            data["finished"] = False
        for flag in ("started", "finished"):
            if flag in data:
                data[flag] = bool(data[flag])
        return data

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        _validation, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        for option in ("wait_timeout", "poll_interval", "progress_interval"):
            if args[option] <= 0:
                raise AnsibleError("async_wait: %s must be greater than 0, got %s" % (option, args[option]))
        step, jobs, labels = args["step"], args["jobs"], args["labels"]
        title = args["title"] or step
        async_dir = self._async_dir()

        self._seen = {}
        interval = min(args["poll_interval"], LOCAL_POLL_INTERVAL) if self._is_local() else args["poll_interval"]
        results = [None] * len(jobs)
        running = {}
        for index, job in enumerate(jobs):
            label = job_label(job, index, labels)
            jid = job.get("ansible_job_id")
            if job.get("skipped") or jid is None:
                # Skipped by `when`, or failed before it could start: its launch result is all there is.
                final = dict(job)
                if not job.get("skipped") and not job.get("failed"):
                    final.update(failed=True, msg="the job did not start: no ansible_job_id in %r" % sorted(job))
                results[index] = self._finish(step, final, job, label)
            else:
                running[index] = (jid, label)

        started = time.monotonic()
        if running:
            display.display("%s: waiting for %d job(s): %s" % (title, len(running), ", ".join(label for _jid, label in running.values())))
        last_progress = started
        while running:
            for index in sorted(running):
                jid, label = running[index]
                status = self._status(jid, async_dir, task_vars)
                if not status.get("finished") and not status.get("failed"):
                    continue
                del running[index]
                final = dict(status)
                final.pop("results_file", None)
                if status.get("finished"):
                    self._status(jid, async_dir, task_vars, mode="cleanup")
                results[index] = self._finish(step, final, jobs[index], label)
                outcome = "failed" if final.get("failed") else ("changed" if final.get("changed") else "ok")
                line = "%s: %s %s after %s" % (title, label, outcome, format_duration(time.monotonic() - started))
                if final.get("failed"):
                    line += ": %s" % final.get("msg")
                display.display(line)
            if not running:
                break
            now = time.monotonic()
            if now - started >= args["wait_timeout"]:
                for index, (jid, label) in sorted(running.items()):
                    final = {"ansible_job_id": jid, "failed": True, "finished": False,
                             "msg": "the job had not finished after %s (async_wait wait_timeout); it may still be running"
                                    % format_duration(args["wait_timeout"])}
                    results[index] = self._finish(step, final, jobs[index], label)
                    display.display("%s: %s did not finish within %s" % (title, label, format_duration(args["wait_timeout"])))
                break
            if now - last_progress >= args["progress_interval"]:
                last_progress = now
                display.display("%s: %d still running after %s: %s" % (
                    title, len(running), format_duration(now - started), ", ".join(label for _jid, label in running.values())))
            time.sleep(min(interval, max(args["wait_timeout"] - (now - started), 0.01)))

        return summarize(result, results, started, title, args["fail_on_job_failure"], "job(s)")

    @staticmethod
    def _finish(step, final, job, label):
        return finish(step, final, job, label)
