"""`make bench`: what a task and a runbook cost on this machine, written into docs/performance.md.

    python scripts/bench.py [--quick] [--repeat 5] [--runbook-repeat 1] [--sizes 20,50,200] [--output docs/performance.md]
                            [--json tests/output/bench.json]

Everything runs through ansible-playbook against the local simulator (HTTPS, its own CA):

1. The wall time of a no-change task of astra_app_info, astra_app and astra_app_snapshot against an
   ansible.builtin.uri task sending the same single GET, in the same run: playbooks of ten looped tasks minus an empty
   playbook, median of --repeat runs each, run in turn so that a busy moment hits all alike. Also what importing each
   module costs in a fresh interpreter.
2. The requests of a no-change task of every module that talks to the API, on the demo estate and on a 250-app
   estate (the scale scenario), from the simulator's request log (astra_simulator_namespace talks to the simulator's
   control API, which the log leaves out, and async_wait, wave_step, step_arguments, check_task_files and dr_report send none).
3. The drill and the unplanned failover of one app in one wave (what a run costs whatever its apps: its own tasks),
   then of 20, 50 and 200 apps, in one wave and in five, on the scale scenario
   (250 apps over two cluster pairs): wall time; the time the run waited on Astra Control operations (the union of
   the intervals of the report's operation steps, which start at the request and end when the wait saw the end);
   the time in the user's task files (the union of the report's verify and cleanup steps: playbooks/vars/demo.yml's
   drill_verify_tasks and drill_cleanup_tasks, one run per app); orchestration overhead (wall time minus both), per
   wave, and the same with the task files counted in; polling requests per waited operation; peak memory of the
   controller's process tree (the sum of the processes' proportional set sizes, so the pages forked
   children share count once); the CPU seconds of the controller (ansible-playbook and every process it started) and
   of the simulator during the run: the two share this machine's cores, so a run's wall time cannot be less than
   their sum divided by the cores.
   Each size runs once, or --runbook-repeat times, the table then showing the run of median wall time.
4. The posture runbook on 200 apps: requests and wall time.

Figures between the BENCH markers of the output file are replaced; the rest of the file (the history of changes and
their before/after figures) is kept. --quick runs sizes 4 and 8 with two repeats (a smoke test of the script).
"""

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import namedtuple
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from with_simulator import Simulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = Path(sys.executable).parent
COLLECTIONS = ROOT / ".venv" / "collections"  # --collections replaces it (to measure another checkout the same way)
BEGIN, END = "<!-- BENCH:BEGIN (scripts/bench.py writes this part) -->", "<!-- BENCH:END -->"
LOOPED = 10
DEFAULT_SIZES = (20, 50, 200)
TIME_SCALE = 0.02
# Steps of the runbooks' reports that are an Astra Control operation being waited on.
OPERATION_STEPS = {"drill": ("clone", "remove clone"), "failover": ("failover", "ready")}
# Steps that are the user's task files (drill_verify_tasks, drill_cleanup_tasks, failover_verify_tasks): the runbook runs
# them once per app, and what they cost is the user's work, not the runbook's.
TASK_FILE_STEPS = ("verify", "cleanup")
# The run's start and pre-flight: every app's pre-flight step runs from the run's start to the end of the checks.
PREFLIGHT_STEPS = ("pre-flight",)
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}


# ---------------------------------------------------------------------------------------------------------- plumbing

def environment(sim, extra=None):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ASTRA_", "ANSIBLE_"))}
    env.update(sim.env())
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS), "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "false",
                "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false", "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "PATH": str(BIN) + os.pathsep + os.environ.get("PATH", ""),
                # Figures as a controller without make venv's bytecode cache for module payloads sees them.
                "KUBEDR_ZIPIMPORT_CACHE": "off"})
    env.update(extra or {})
    return env


def runbook_plan(sizes):
    """The (apps, waves) of the runs of each runbook: one app in one wave first (the run's own cost, whatever its
    apps), then each size in one wave and in five."""
    return [(1, 1)] + [(count, waves) for count in sizes for waves in (1, 5)]


def process_memory(pid):
    """A process's proportional set size in bytes (its share of the pages it shares with others: a runbook step's
    children are forked and share most of their pages, which resident sizes would count once per child); its resident
    size where the kernel has no smaps_rollup."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open("/proc/%d/statm" % pid) as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def tree_memory(pid):
    """Memory (bytes, proportional set size) of a process and all its descendants, from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children.setdefault(int(fields[1]), []).append(int(entry))
            except OSError:
                continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += process_memory(current)
        todo.extend(children.get(current, ()))
    return total


# One ansible-playbook run: wall seconds, peak memory of its process tree (bytes), the completed process, and the CPU
# seconds of the controller (the run's whole process tree) and of the simulator (None where /proc cannot say).
PlaybookRun = namedtuple("PlaybookRun", "seconds peak completed controller_cpu simulator_cpu")


def process_cpu_seconds(pid):
    """The CPU seconds (user and system) a running process has used so far, from /proc; None where it cannot be read."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, TypeError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds():
    """The CPU seconds of this process's finished children and of their waited-for descendants (getrusage)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_playbook(sim, playbook, extra_vars=None, check=False):
    """One ansible-playbook run against the simulator, as a PlaybookRun."""
    command = [str(BIN / "ansible-playbook"), str(playbook), "-i", "localhost,", "-c", "local"]
    if check:
        command.append("--check")
    if extra_vars:
        command += ["-e", "@" + str(extra_vars)]
    peak = [0]
    simulator_pid = sim.process.pid if getattr(sim, "process", None) is not None else None
    simulator_before = process_cpu_seconds(simulator_pid)
    controller_before = children_cpu_seconds()
    started = time.monotonic()
    process = subprocess.Popen(command, env=environment(sim), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            peak[0] = max(peak[0], tree_memory(process.pid))
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = process.communicate(timeout=3600)[0]
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    simulator_after = process_cpu_seconds(simulator_pid)
    return PlaybookRun(seconds, peak[0], subprocess.CompletedProcess(command, process.returncode, output, ""),
                       children_cpu_seconds() - controller_before,
                       None if simulator_before is None or simulator_after is None else simulator_after - simulator_before)


def write_playbook(directory, name, tasks):
    path = Path(directory) / ("%s.yml" % name)
    path.write_text(json.dumps([{"name": name, "hosts": "localhost", "connection": "local", "gather_facts": False,
                                 "vars": {"ansible_python_interpreter": "{{ ansible_playbook_python }}"},
                                 "tasks": tasks}]))
    return path


def must(completed, what):
    if completed.returncode != 0:
        raise SystemExit("%s failed (rc %d):\n%s" % (what, completed.returncode, completed.stdout[-4000:]))


def module_task(module, args, loop=False):
    task = {"name": module, "kubedr.astra." + module: args}
    if loop:
        task["loop"] = "{{ range(%d) | list }}" % LOOPED
    return task


# ------------------------------------------------------------------------------------------- 1. no-change task cost

def import_ms(module):
    """Milliseconds to import a module (and what it imports) in a fresh interpreter: median of five."""
    code = "import time; t = time.perf_counter(); import %s; print((time.perf_counter() - t) * 1000)" % module
    env = dict(os.environ, PYTHONPATH=str(COLLECTIONS))
    samples = [float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout) for _attempt in range(5)]
    return statistics.median(samples)


def task_costs(sim, workdir, repeat):
    setup = write_playbook(workdir, "cost-setup", [
        module_task("astra_app", {"name": "postgres", "cluster": "prod-east", "namespaces": [{"name": "postgres"}]}),
        module_task("astra_app_snapshot", {"app": "postgres", "cluster": "prod-east", "name": "bench-snapshot"}),
    ])
    must(run_playbook(sim, setup).completed, "cost setup")
    app_id = next(app["id"] for app in sim.api("GET", "k8s/v2/apps").json()["items"] if app["name"] == "postgres")
    uri = {"name": "uri", "ansible.builtin.uri": {
        "url": "{{ lookup('env', 'ASTRA_API_URL') }}/accounts/{{ lookup('env', 'ASTRA_ACCOUNT_ID') }}/k8s/v2/apps/%s" % app_id,
        "headers": {"Authorization": "Bearer {{ lookup('env', 'ASTRA_API_TOKEN') }}"},
        "ca_path": "{{ lookup('env', 'ASTRA_CA_PATH') }}", "return_content": True},
        "no_log": True, "loop": "{{ range(%d) | list }}" % LOOPED}
    playbooks = {
        "empty": write_playbook(workdir, "cost-empty", []),
        "uri": write_playbook(workdir, "cost-uri", [uri]),
        "astra_app_info": write_playbook(workdir, "cost-app-info", [
            module_task("astra_app_info", {"name": "postgres", "cluster": "prod-east"}, loop=True)]),
        "astra_app": write_playbook(workdir, "cost-app", [
            module_task("astra_app", {"name": "postgres", "cluster": "prod-east", "namespaces": [{"name": "postgres"}]},
                        loop=True)]),
        "astra_app_snapshot": write_playbook(workdir, "cost-app-snapshot", [
            module_task("astra_app_snapshot", {"app": "postgres", "cluster": "prod-east", "name": "bench-snapshot"},
                        loop=True)]),
    }
    samples = {name: [] for name in playbooks}
    for _round in range(repeat):
        for name, playbook in playbooks.items():
            run = run_playbook(sim, playbook)
            seconds, completed = run.seconds, run.completed
            must(completed, "the %s playbook" % name)
            if name.startswith("astra_") and "changed=0" not in completed.stdout:
                raise SystemExit("the %s tasks changed something: not a no-change task\n%s" % (name, completed.stdout))
            samples[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    per_task = {name: (medians[name] - medians["empty"]) / LOOPED for name in playbooks if name != "empty"}
    return {
        "repeat": repeat, "empty_playbook_seconds": medians["empty"], "per_task_seconds": per_task,
        "ratio_to_uri": {name: per_task[name] / per_task["uri"] for name in per_task if name != "uri"},
        "import_ms": {name: import_ms("ansible_collections.kubedr.astra.plugins.modules.%s" % name)
                      for name in ("astra_app_info", "astra_app", "astra_app_snapshot")},
        "uri_import_ms": import_ms("ansible.modules.uri"),
    }


# --------------------------------------------------------------------------------------- 2. requests per no-change task

def no_change_tasks(app, cluster, destination, namespaces):
    """module -> args of a task that changes nothing on an estate where `app` is managed, protected and mirrored."""
    seed = "%s-seed" % app
    return {
        "astra_app": {"name": app, "cluster": cluster, "namespaces": [{"name": name} for name in namespaces]},
        "astra_app_info": {"name": app, "cluster": cluster},
        "astra_app_snapshot": {"app": app, "cluster": cluster, "name": seed},
        "astra_app_snapshot_info": {"app": app, "cluster": cluster},
        "astra_app_backup": {"app": app, "cluster": cluster, "name": seed},
        "astra_app_backup_info": {"app": app, "cluster": cluster},
        "astra_app_clone": {"name": "%s-never" % app, "source_app": app, "source_cluster": cluster,
                            "destination_cluster": destination, "state": "absent"},
        "astra_app_mirror": {"source_app": app, "source_cluster": cluster, "destination_cluster": destination,
                             "replication_interval": 1440},
        "astra_app_mirror_info": {"app": app, "cluster": cluster},
        "astra_cluster_info": {},
        "astra_bucket_info": {},
        "astra_event_info": {},
        "astra_execution_hook": {"app": app, "cluster": cluster, "name": "bench-none", "state": "absent"},
        "astra_execution_hook_info": {},
        "astra_execution_hooks_setting": {"enabled": True},
        "astra_hook_source": {"name": "bench-none", "state": "absent"},
        "astra_posture_info": {"apps": [{"name": app, "cluster": cluster, "destination_cluster": destination}]},
        "astra_protection_policy": {"app": app, "cluster": cluster, "state": "absent"},
    }


def requests_per_task(sim, workdir, label, app, cluster, destination, namespaces):
    # Execution hooks are disabled in a new account; the hook modules need them enabled.
    must(run_playbook(sim, write_playbook(workdir, "hooks-on-%s" % label, [
        module_task("astra_execution_hooks_setting", {"enabled": True})])).completed, "enabling execution hooks")
    counts = {}
    for module, args in no_change_tasks(app, cluster, destination, namespaces).items():
        playbook = write_playbook(workdir, "requests-%s-%s" % (label, module), [module_task(module, args)])
        sim.clear_requests_log()
        completed = run_playbook(sim, playbook).completed
        must(completed, "the no-change %s task on the %s estate" % (module, label))
        if "changed=0" not in completed.stdout:
            raise SystemExit("the %s task changed the %s estate: not a no-change task\n%s" % (module, label, completed.stdout))
        log = sim.requests_log()
        counts[module] = {"requests": len(log), "writes": sum(entry["method"] in MUTATING for entry in log)}
    return counts


def seed_demo(sim, workdir):
    """The demo estate with postgres as the scale scenario has each of its apps: managed, a snapshot and a backup
    named postgres-seed, replicated to dr-west every 10 minutes."""
    playbook = write_playbook(workdir, "seed-demo", [
        module_task("astra_app", {"name": "postgres", "cluster": "prod-east", "namespaces": [{"name": "postgres"}]}),
        module_task("astra_app_snapshot", {"app": "postgres", "cluster": "prod-east", "name": "postgres-seed"}),
        module_task("astra_app_backup", {"app": "postgres", "cluster": "prod-east", "name": "postgres-seed",
                                         "snapshot": "postgres-seed"}),
        module_task("astra_app_mirror", {"source_app": "postgres", "source_cluster": "prod-east",
                                         "destination_cluster": "dr-west", "replication_interval": 1440}),
    ])
    must(run_playbook(sim, playbook).completed, "seeding the demo estate")


# ------------------------------------------------------------------------------------------------- 3. runbooks at size

def estate_vars(path, runbook, apps, waves, report_path):
    """A vars file for `runbook` over app numbers `apps` of the scale scenario, dealt into `waves` waves."""
    sys.path.insert(0, str(ROOT / "simulator"))
    from astra_simulator import scale  # pylint: disable=import-outside-toplevel
    entries = []
    for index, number in enumerate(apps):
        production, dr = scale.cluster_pair(number, 2)
        entries.append({"name": scale.app_name(number), "cluster": production, "destination_cluster": dr,
                        "namespaces": [{"name": name} for name in scale.app_namespaces(number)],
                        "wave": index * waves // len(apps) + 1})
    content = {"dr_apps": entries, "dr_report_path": str(report_path)}
    if runbook == "drill":
        content.update({"drill_apps": entries, "drill_source": "backup", "drill_report_path": str(report_path),
                        "drill_cleanup_tasks": str(ROOT / "playbooks" / "tasks" / "simulator_delete_namespaces.yml")})
    elif runbook == "failover":
        content.update({"failover_apps": entries, "failover_mode": "unplanned", "failover_confirm_unplanned": "all",
                        "failover_report_path": str(report_path)})
    else:
        content.update({"posture_apps": entries, "posture_bucket": "dr-bucket", "posture_report_path": str(report_path)})
    Path(path).write_text(json.dumps(content))
    return path


def union_seconds(intervals):
    total, end = 0.0, None
    for start, finish in sorted(intervals):
        if end is None or start > end:
            total += finish - start
            end = finish
        elif finish > end:
            total += finish - end
            end = finish
    return total


def parse_time(text):
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z" if "." in text
                             else "%Y-%m-%dT%H:%M:%S%z").timestamp()


def step_intervals(report, names):
    """(start, end) in seconds of every step of the report named in `names` that has both times."""
    return [(parse_time(step["started"]), parse_time(step["finished"])) for app in report["apps"]
            for step in app["steps"] if step["name"] in names and step.get("started") and step.get("finished")]


def report_of(report_path, runbook):
    directories = sorted(Path(report_path).glob("%s-*" % runbook))
    return json.loads((directories[-1] / "report.json").read_text())


def poll_requests(log):
    """(GETs of one app or mirror by ID, lists of apps or mirrors that waits shared) of a simulator request log.

    A shared list (plugins/module_utils/shared_lists.py) asks include=id first, without a filter; nothing else in the
    runbooks lists apps or mirrors so.
    """
    gets_of_items = [entry for entry in log if entry["method"] == "GET" and re.search(
        r"/(apps|appMirrors)/[0-9a-f-]{36}$", entry["path"])]
    shared_lists = [entry for entry in log if entry["method"] == "GET" and re.search(r"/(k8s/v2/apps|appMirrors)$", entry["path"])
                    and re.match(r"include=id(%2C|,|&|$)", entry["query"] or "") and "filter=" not in (entry["query"] or "")]
    return gets_of_items, shared_lists


def runbook_at_size(sim, workdir, runbook, count, waves, eligible):
    apps = eligible[:count]
    reports = Path(workdir) / ("reports-%s-%d-%d" % (runbook, count, waves))
    variables = estate_vars(Path(workdir) / ("vars-%s-%d-%d.json" % (runbook, count, waves)), runbook, apps, waves, reports)
    sim.reset()
    sim.clear_requests_log()
    run = run_playbook(sim, ROOT / "playbooks" / ("%s.yml" % runbook), variables)
    seconds, peak, completed = run.seconds, run.peak, run.completed
    must(completed, "the %s of %d apps in %d wave(s)" % (runbook, count, waves))
    report = report_of(reports, runbook)
    intervals = step_intervals(report, OPERATION_STEPS.get(runbook, ()))
    waited = union_seconds(intervals)
    in_task_files = union_seconds(step_intervals(report, TASK_FILE_STEPS))
    overhead = seconds - waited - in_task_files
    preflight = union_seconds(step_intervals(report, PREFLIGHT_STEPS))
    log = sim.requests_log()
    operations = len(intervals)
    gets_of_items, shared_lists = poll_requests(log)
    return {"runbook": runbook, "apps": count, "waves": waves, "wall_seconds": seconds, "waited_seconds": waited,
            "task_files_seconds": in_task_files, "overhead_seconds": overhead, "overhead_per_wave_seconds": overhead / waves,
            "preflight_seconds": preflight, "wave_overhead_seconds": (overhead - preflight) / waves,
            "overhead_with_task_files_per_wave_seconds": (seconds - waited) / waves,
            "requests": len(log), "writes": sum(entry["method"] in MUTATING for entry in log),
            "operations": operations, "item_polls_per_operation": len(gets_of_items) / operations if operations else None,
            "shared_lists": len(shared_lists),
            "polls_per_operation": (len(gets_of_items) + len(shared_lists)) / operations if operations else None,
            "peak_memory_mib": peak / 2 ** 20, "controller_cpu_seconds": run.controller_cpu,
            "simulator_cpu_seconds": run.simulator_cpu, "verdict": "passed" if report["run"]["passed"] else "failed"}


def polls_cell(run):
    """The waits' requests per operation, and how many of the wave-wide lists are in it."""
    if run.get("polls_per_operation") is None:
        return "-"
    return "%.2f (%d lists)" % (run["polls_per_operation"], run.get("shared_lists", 0))


def seconds_cell(value):
    """A figure in seconds, or "-" where it was not measured (a CPU figure /proc could not give)."""
    return "-" if value is None else "%.1f s" % value


def median_run(runs):
    """Of repeated runs of one runbook size, the run of median wall time (the lower middle of an even count), with
    the wall times of all of them: one row's figures stay those of one run."""
    ordered = sorted(runs, key=lambda run: run["wall_seconds"])
    chosen = dict(ordered[(len(ordered) - 1) // 2])
    chosen["wall_seconds_of_runs"] = [run["wall_seconds"] for run in runs]
    return chosen


def posture_at_size(sim, workdir, count):
    sys.path.insert(0, str(ROOT / "simulator"))
    reports = Path(workdir) / "reports-posture"
    variables = estate_vars(Path(workdir) / "vars-posture.json", "posture", list(range(1, count + 1)), 1, reports)
    sim.reset()
    sim.clear_requests_log()
    run = run_playbook(sim, ROOT / "playbooks" / "posture.yml", variables)
    seconds, peak, completed = run.seconds, run.peak, run.completed
    report = report_of(reports, "posture")
    # The scale scenario leaves each 10th app unprotected and each 5th unreplicated: the posture run must say so.
    if completed.returncode == 0:
        raise SystemExit("the posture run found nothing wrong on an estate with unprotected apps:\n" + completed.stdout[-3000:])
    log = sim.requests_log()
    return {"apps": count, "wall_seconds": seconds, "requests": len(log),
            "writes": sum(entry["method"] in MUTATING for entry in log), "peak_memory_mib": peak / 2 ** 20,
            "controller_cpu_seconds": run.controller_cpu, "simulator_cpu_seconds": run.simulator_cpu,
            "apps_reported": len(report["apps"])}


# ---------------------------------------------------------------------------------------------------------- output

def machine():
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    core = subprocess.run([str(BIN / "ansible"), "--version"], capture_output=True, text=True, check=False).stdout
    return {"cores": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "ansible_core": core.splitlines()[0] if core else "?", "date": datetime.now(timezone.utc).strftime("%Y-%m-%d")}


def run_kind(results):
    """How the bench was run, as the header says: quick, full, or the sizes it was limited to."""
    if results["quick"]:
        return "quick"
    sizes = results.get("sizes")
    if sizes and sizes != list(DEFAULT_SIZES):
        return "--sizes %s, %d repeats" % (",".join(str(size) for size in sizes), results["task_costs"]["repeat"])
    return "full"


def runbook_runs_note(repeat):
    if repeat == 1:
        return "One run of each size (this machine's pace varies: a rerun can differ by a third)."
    return "Each row is the run of median wall time of %d runs of that size." % repeat


def render(results):
    out = []
    m = results["machine"]
    out.append("Measured on %s: %d cores (%s), Python %s, %s; simulator time scale %s; `make bench` (%s)."
               % (m["date"], m["cores"], m["cpu"] or "unknown CPU", m["python"], m["ansible_core"], TIME_SCALE,
                  run_kind(results)))
    costs = results["task_costs"]
    out += ["", "### A no-change task against `ansible.builtin.uri` (same GET)", "",
            "Median of %d runs of %d looped tasks minus an empty playbook (%.2f s)." % (
                costs["repeat"], LOOPED, costs["empty_playbook_seconds"]), "",
            "| Task | Wall time per task | Ratio to uri | Import in a fresh interpreter |", "|---|---|---|---|"]
    out.append("| `ansible.builtin.uri` | %.3f s | 1.00 | %.0f ms |" % (costs["per_task_seconds"]["uri"], costs["uri_import_ms"]))
    for name, ratio in costs["ratio_to_uri"].items():
        out.append("| `%s` | %.3f s | %.2f | %.0f ms |" % (name, costs["per_task_seconds"][name], ratio, costs["import_ms"][name]))
    out += ["", "### Requests of a no-change task", "",
            "One task per module on an app that is managed, protected and replicated (the demo estate: postgres; the "
            "scale estate of %d apps: app-001); every task changed nothing (`changed=0`) and sent no write." % results["scale_apps"], "",
            "| Module | Demo estate | %d-app estate |" % results["scale_apps"], "|---|---|---|"]
    for module in results["requests_demo"]:
        out.append("| `%s` | %d | %d |" % (
            module, results["requests_demo"][module]["requests"], results["requests_scale"][module]["requests"]))
    out += ["", "### Drill and unplanned failover at size", "",
            "On the scale scenario (%d apps over two cluster pairs). *Waited*: the union of the intervals of the report's "
            "operation steps (drill: clone and remove clone; failover: failover and ready), each from the request to the "
            "moment the wait saw the end. *Task files*: the union of the report's verify and cleanup steps, the user's "
            "task files the drill runs once per app (playbooks/vars/demo.yml's: an assert and a module call each). "
            "*Overhead*: wall time minus waited minus task files; *with task files*: wall time minus waited. "
            "*Pre-flight*: from the run's start to the end of its checks (every app's, once per run); *a wave's own*: the "
            "overhead without it, per wave (what one more wave adds; the report's writing is in it). "
            "*Polls per operation*: the waits' requests (GETs of one app or mirror by ID, and the lists of apps or mirrors "
            "the waits of a wave share, in brackets), divided by the operations. The run of one app in one wave is what "
            "a run costs whatever its apps: its own tasks (reads, checks, steps, read-backs, the report). *CPU*: the "
            "CPU seconds of the controller (ansible-playbook and every process it started) and of the simulator during "
            "the run; the two share the machine's %d cores, so the wall time is at least their sum divided by %d. %s" % (
                results["scale_apps"], results["machine"]["cores"], results["machine"]["cores"],
                runbook_runs_note(results.get("runbook_repeat", 1))), "",
            "| Runbook | Apps | Waves | Wall | Waited | Task files | Overhead | Overhead per wave | Per wave with task files "
            "| Pre-flight | A wave's own | Requests | Polls per operation | Peak memory | Controller CPU | Simulator CPU "
            "| Verdict |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in results["runbooks"]:
        row = ("| %s | %d | %d | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s | %.1f s | %d | %s | %.0f MiB "
               "| %s | %s | %s |")
        out.append(row % (
            run["runbook"], run["apps"], run["waves"], run["wall_seconds"], run["waited_seconds"],
            run["task_files_seconds"], run["overhead_seconds"], run["overhead_per_wave_seconds"],
            run["overhead_with_task_files_per_wave_seconds"], run["preflight_seconds"], run["wave_overhead_seconds"],
            run["requests"],
            polls_cell(run),
            run["peak_memory_mib"], seconds_cell(run.get("controller_cpu_seconds")),
            seconds_cell(run.get("simulator_cpu_seconds")), run["verdict"]))
    posture = results["posture"]
    out += ["", "### Posture", "",
            "The posture runbook on %d apps: %.1f s, %d requests (%d writes), %d report entries, peak memory %.0f MiB, "
            "CPU %s in the controller and %s in the simulator." % (
                posture["apps"], posture["wall_seconds"], posture["requests"], posture["writes"], posture["apps_reported"],
                posture["peak_memory_mib"], seconds_cell(posture.get("controller_cpu_seconds")),
                seconds_cell(posture.get("simulator_cpu_seconds")))]
    return "\n".join(out) + "\n"


def write_output(path, text):
    path = Path(path)
    current = path.read_text() if path.exists() else "# Performance\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in current or END not in current:
        raise SystemExit("%s has no %s ... %s section to replace" % (path, BEGIN, END))
    head, rest = current.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + text + END + tail)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, two repeats: checks the script, not the figures")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runbook-repeat", type=int, default=1,
                        help="runs of each drill and failover size; the table shows the run of median wall time")
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES),
                        help="how many apps the drill and failover runs take")
    parser.add_argument("--only-task-costs", action="store_true",
                        help="measure only part 1 and print it (with --collections: another checkout's, for a before/after)")
    parser.add_argument("--collections", help="the collections path holding the kubedr.astra to measure")
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    parser.add_argument("--json", default=str(ROOT / "tests" / "output" / "bench.json"))
    args = parser.parse_args()
    repeat = 2 if args.quick else args.repeat
    sizes = (4, 8) if args.quick else tuple(int(size) for size in args.sizes.split(","))
    scale_apps = 12 if args.quick else max(250, max(sizes) * 5 // 4)
    workdir = tempfile.mkdtemp(prefix="kubedr-bench-")
    if args.runbook_repeat < 1:
        parser.error("--runbook-repeat must be 1 or more")
    results = {"machine": machine(), "quick": args.quick, "sizes": list(sizes), "scale_apps": scale_apps, "runbooks": [],
               "runbook_repeat": args.runbook_repeat}
    if args.collections:
        global COLLECTIONS  # pylint: disable=global-statement
        COLLECTIONS = Path(args.collections).resolve()
    if args.only_task_costs:
        demo = Simulator(scenario="demo", time_scale=TIME_SCALE).start()
        try:
            print(json.dumps(task_costs(demo, workdir, repeat), indent=2))
        finally:
            demo.cleanup()
        return

    demo = Simulator(scenario="demo", time_scale=TIME_SCALE).start()
    try:
        results["task_costs"] = task_costs(demo, workdir, repeat)
        demo.reset()
        seed_demo(demo, workdir)
        results["requests_demo"] = requests_per_task(demo, workdir, "demo", "postgres", "prod-east", "dr-west", ["postgres"])
    finally:
        demo.cleanup()
    print("task costs and demo requests done", flush=True)

    scale = Simulator(scenario="scale", time_scale=TIME_SCALE, apps=scale_apps, clusters=2).start(timeout=600)
    try:
        results["requests_scale"] = requests_per_task(scale, workdir, "scale", "app-001", "prod-01", "dr-01", ["app-001"])
        protected = [number for number in range(1, scale_apps + 1) if number % 10 != 0]
        mirrored = [number for number in range(1, scale_apps + 1) if number % 5 != 0]
        for runbook, eligible in (("drill", protected), ("failover", mirrored)):
            for count, waves in runbook_plan(sizes):
                runs = []
                for _attempt in range(args.runbook_repeat):
                    runs.append(runbook_at_size(scale, workdir, runbook, count, waves, eligible))
                    print(json.dumps(runs[-1]), flush=True)
                results["runbooks"].append(median_run(runs))
        results["posture"] = posture_at_size(scale, workdir, min(200, scale_apps) if not args.quick else sizes[-1])
    finally:
        scale.cleanup()

    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=2))
    write_output(args.output, render(results))
    print("written: %s and %s" % (args.output, args.json))


if __name__ == "__main__":
    main()
