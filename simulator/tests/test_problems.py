"""Problem bodies: the catalogue's title and detail verbatim, occurrence specifics in `reason`."""

import pathlib
import re
import uuid

import pytest
import requests

from astra_simulator.problems import CATALOGUE, ApiProblem, fault_problem_body
from simulator_harness import assert_problem

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "astra_simulator"
# The catalogue is checked against the official OpenAPI document by scripts/check_problem_catalogue.py: the document
# isn't part of the repository (its licence forbids redistribution), so no test here can read it.


@pytest.mark.parametrize("number", sorted(CATALOGUE))
def test_every_catalogue_entry_is_used_verbatim(number):
    status, title, detail = CATALOGUE[number]
    plain = ApiProblem(number).body()
    assert plain["type"] == "https://astra.netapp.io/problems/%d" % number
    assert (plain["title"], plain["detail"], plain["status"]) == (title, detail, str(status))
    assert "reason" not in plain and uuid.UUID(plain["correlationID"])
    specific = ApiProblem(number, "The app wp on cluster prod-east is discovering.").body()
    assert (specific["title"], specific["detail"], specific["status"]) == (title, detail, str(status))
    assert specific["reason"] == "The app wp on cluster prod-east is discovering."


def test_extension_members_are_kept():
    assert ApiProblem(5, invalid_params=[{"name": "limit", "reason": "x"}]).body()["invalidParams"] == [{"name": "limit", "reason": "x"}]
    assert ApiProblem(6).body()["invalidParams"] == []
    assert ApiProblem(9, "why", invalid_fields=[{"name": "a", "reason": "b"}]).body()["invalidFields"] == [{"name": "a", "reason": "b"}]
    assert ApiProblem(10).body()["invalidFields"] == []
    body = ApiProblem(8, schema_failure="name: doesn't match the pattern").body()
    assert body["schemaValidationFailure"] == "name: doesn't match the pattern"
    assert body["detail"] == CATALOGUE[8][2] and "reason" not in body


def test_every_raised_problem_number_is_in_the_catalogue():
    raised = set()
    for source in PACKAGE.rglob("*.py"):
        raised |= {int(n) for n in re.findall(r"ApiProblem\(\s*(\d+)", source.read_text())}
    raised |= {11, 24, 34, 40}       # auth.py splits the call over lines; injected faults use 24, 34 and 40
    assert raised and raised <= set(CATALOGUE), sorted(raised - set(CATALOGUE))


@pytest.mark.parametrize("status,number", [(500, 34), (502, 40), (503, 24)])
def test_injected_fault_problems_use_the_catalogue_detail(status, number):
    body = fault_problem_body(status)
    assert body["type"] == "https://astra.netapp.io/problems/%d" % number
    assert (body["title"], body["detail"], body["status"]) == (CATALOGUE[number][1], CATALOGUE[number][2], str(status))
    assert body["reason"] == "Simulated fault injected by the Astra simulator."


def test_injected_faults_without_a_catalogue_problem_are_about_blank():
    body = fault_problem_body(429)
    assert (body["type"], body["title"], body["status"]) == ("about:blank", "Too Many Requests", "429")
    assert body["reason"] == "Simulated fault injected by the Astra simulator."


def test_served_problems_carry_specifics_in_reason(sim):
    """Through HTTP: `detail` is the catalogue text (assert_problem checks it), the occurrence is in `reason`."""
    unmanaged = assert_problem(sim.manage("wp", "lab-north", ["default"]), 400, 106)
    assert "lab-north" in unmanaged["reason"] and "isn't managed" in unmanaged["reason"]
    unknown = assert_problem(sim.get("topology/v1/nothing"), 404, 2)
    assert "/topology/v1/nothing" in unknown["reason"]
    app = sim.ready_app("pg", "prod-east", ["postgres"])
    duplicate = assert_problem(sim.manage("pg", "prod-east", ["postgres"]), 409, 121)
    assert app["id"] in duplicate["reason"] and "prod-east" in duplicate["reason"]
    missing = assert_problem(sim.manage("x", "prod-east", ["nope"]), 400, 122)
    assert "nope" in missing["reason"]
    not_json = assert_problem(sim.request("POST", "k8s/v2/apps", data=b"{"), 400, 7)
    assert not_json["reason"].startswith("The request body is not valid JSON")
    method = assert_problem(sim.request("PATCH", "k8s/v2/apps"), 405, 69)
    assert "PATCH" in method["reason"]
    # problems without specifics have no `reason`
    assert "reason" not in assert_problem(requests.get(sim.api + "topology/v1/clouds", timeout=5), 401, 3)
    assert "reason" not in assert_problem(requests.get(sim.api + "topology/v1/clouds", headers={"Authorization": "Bearer x"},
                                                       timeout=5), 401, 4)
    missing_id = str(uuid.uuid4())
    assert missing_id in assert_problem(sim.request("DELETE", "k8s/v2/apps/" + missing_id), 404, 1)["reason"]
