"""Integration tests: real ansible-playbook runs against the Astra API simulator.

Session simulators (HTTPS with their own CA, one per time scale); each test starts
from the demo scenario (reset) with an empty request log. Every playbook run
is checked for the simulator's token in its output, at the verbosity it ran.
"""
import pytest

from ordering import longest_first
from playbook_harness import make_converge, make_run_playbook, make_run_task, start_simulator


def pytest_collection_modifyitems(items):
    """The longest tests first (see ordering.py), so that no long test starts last and runs alone."""
    items[:] = longest_first(items)


@pytest.fixture(scope="session")
def simulators():
    """Session simulators by time scale, started on first use and stopped at the end."""
    started = {}

    def at(time_scale):
        if time_scale not in started:
            started[time_scale] = start_simulator(time_scale)
        sim = started[time_scale]
        sim.reset()
        sim.clear_requests_log()
        return sim
    yield at
    for sim in started.values():
        sim.cleanup()


@pytest.fixture
def sim(simulators):
    """The demo scenario, fresh for each test, at a time scale that keeps waits short."""
    return simulators(0.02)


@pytest.fixture
def run_playbook(sim):
    return make_run_playbook(sim)


@pytest.fixture
def run_task(run_playbook, tmp_path):
    return make_run_task(run_playbook, tmp_path)


@pytest.fixture
def converge(sim, run_playbook, tmp_path):
    return make_converge(sim, run_playbook, tmp_path)


@pytest.fixture
def fast_sim(simulators):
    """A simulator whose clock runs 1000 times faster: an hourly schedule fires every 3.6 s."""
    return simulators(0.001)


@pytest.fixture
def run_task_fast(fast_sim, tmp_path):
    return make_run_task(make_run_playbook(fast_sim), tmp_path)


@pytest.fixture
def converge_fast(fast_sim, tmp_path):
    return make_converge(fast_sim, make_run_playbook(fast_sim), tmp_path)


@pytest.fixture
def slow_sim(simulators):
    """A simulator slow enough to act while an operation is under way: a backup runs for about 20 s.

    The window must stay open across a whole ansible-playbook run on a loaded 2-core machine.
    """
    return simulators(2.0)


@pytest.fixture
def run_task_slow(slow_sim, tmp_path):
    return make_run_task(make_run_playbook(slow_sim), tmp_path)
