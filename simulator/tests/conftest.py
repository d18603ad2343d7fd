"""Fixtures: one shared demo simulator (reset before each test that uses it)."""

import pytest

from simulator_harness import SimulatorProcess


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
