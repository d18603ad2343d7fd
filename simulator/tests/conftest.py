"""Fixtures: shared demo simulators (reset before each test that uses them).

`sim` runs at the harness's default time scale (0.02: a 4 s discovery takes 80 ms); `slow_sim` at 0.25, so
transitional states (running snapshots and backups, restoring apps) last long enough to be seen and refused;
`fast_sim` at 0.0005, so an hourly schedule fires every 1.8 s.
"""

import pytest

from simulator_harness import FAST_SCALE, SLOW_SCALE, SimulatorProcess


@pytest.fixture(scope="session")
def simulator(tmp_path_factory):
    process = SimulatorProcess(tmp_path_factory.mktemp("sim")).start()
    yield process
    process.stop()


@pytest.fixture
def sim(simulator):
    """The shared simulator, reset to the demo scenario (which also clears the request log and faults)."""
    response = simulator.control("POST", "reset")
    assert response.status_code == 200, response.text
    return simulator


def _reset(process):
    response = process.control("POST", "reset")
    assert response.status_code == 200, response.text
    return process


@pytest.fixture(scope="session")
def slow_simulator(tmp_path_factory):
    process = SimulatorProcess(tmp_path_factory.mktemp("slow"), time_scale=SLOW_SCALE).start()
    yield process
    process.stop()


@pytest.fixture
def slow_sim(slow_simulator):
    return _reset(slow_simulator)


@pytest.fixture(scope="session")
def fast_simulator(tmp_path_factory):
    process = SimulatorProcess(tmp_path_factory.mktemp("fast"), time_scale=FAST_SCALE).start()
    yield process
    process.stop()


@pytest.fixture
def fast_sim(fast_simulator):
    return _reset(fast_simulator)
