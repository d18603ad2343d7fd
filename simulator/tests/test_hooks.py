"""Execution hooks, hook sources and the account setting that enables them; hooks running at protection operations."""

import base64
import hashlib
import uuid

import pytest

from simulator_harness import assert_problem, wait_until

SETTING_NAME = "astra.account.executionHooks.enabled"
SOURCE = {"type": "application/astra-hookSource", "version": "1.0", "sourceType": "script"}
HOOK = {"type": "application/astra-executionHook", "version": "1.3", "hookType": "custom"}
SETTING = {"type": "application/astra-setting", "version": "1.1"}
MYSQL_IMAGE = "docker.io/library/mysql:8.0.36"
FAILING = "#!/bin/sh\n# simulator: fail\nexit 1\n"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def setting(sim):
    (found,) = [s for s in sim.items("core/v1/settings") if s["name"] == SETTING_NAME]
    return found


def enable(sim):
    response = sim.put("core/v1/settings/" + setting(sim)["id"], {**SETTING, "desiredConfig": {"isEnabled": "true"}})
    assert response.status_code == 204, response.text


def new_source(sim, name="quiesce", script="#!/bin/sh\necho \"$@\"\n", **extra):
    response = sim.post("core/v1/hookSources", {**SOURCE, "name": name, "source": b64(script), **extra})
    assert response.status_code == 201, response.text
    return response.json()


def hook_body(app, source, name, action="snapshot", stage="pre", **extra):
    return {**HOOK, "name": name, "action": action, "stage": stage, "hookSourceID": source["id"], "appID": app["id"],
            **extra}


def new_hook(sim, app, source, name, action="snapshot", stage="pre", **extra):
    response = sim.post("k8s/v1/apps/%s/executionHooks" % app["id"], hook_body(app, source, name, action, stage, **extra))
    assert response.status_code == 201, response.text
    return response.json()


def runs(sim):
    response = sim.control("GET", "executionHooks")
    assert response.status_code == 200, response.text
    return response.json()["runs"]


@pytest.fixture
def hooked(sim):
    """The demo with hooks enabled and wordpress managed."""
    enable(sim)
    return sim, sim.ready_app("wordpress", "prod-east", ["wordpress"])


# the setting ------------------------------------------------------------------
def test_hooks_are_disabled_in_a_fresh_account_until_the_setting_enables_them(sim):
    found = setting(sim)
    assert found["type"] == "application/astra-setting" and found["currentConfig"] == {"isEnabled": "false"}
    assert found["state"] == "valid" and found["stateUnready"] == []
    assert found["configSchema"]["properties"]["isEnabled"]["enum"] == ["true", "false"]
    app = sim.ready_app("wordpress", "prod-east", ["wordpress"])
    dummy = str(uuid.uuid4())
    for method, path in (("GET", "core/v1/hookSources"), ("POST", "core/v1/hookSources"),
                         ("GET", "core/v1/hookSources/" + dummy), ("PUT", "core/v1/hookSources/" + dummy),
                         ("DELETE", "core/v1/hookSources/" + dummy), ("GET", "core/v1/executionHooks"),
                         ("POST", "core/v1/executionHooks"), ("DELETE", "core/v1/executionHooks/" + dummy),
                         ("GET", "k8s/v1/apps/%s/executionHooks" % app["id"]),
                         ("POST", "k8s/v1/apps/%s/executionHooks" % app["id"]),
                         ("PUT", "k8s/v1/apps/%s/executionHooks/%s" % (app["id"], dummy))):
        body = {**SOURCE, "name": "x", "source": ""} if method in ("POST", "PUT") else None
        assert_problem(sim.request(method, path, json=body), 403, 168)
    # a snapshot still completes, with no hook run: zero applicable hooks is success
    snap = sim.completed_snapshot(app["id"], "s1")
    assert snap["hookState"] == "success" and snap["hookStateDetails"] == []
    assert runs(sim) == []

    enable(sim)
    found = setting(sim)
    assert found["currentConfig"] == {"isEnabled": "true"} and found["desiredConfig"] == {"isEnabled": "true"}
    assert sim.control("GET", "executionHooks").json()["enabled"] is True
    assert [s["name"] for s in sim.items("core/v1/hookSources")] == ["netapp-mysql-quiesce"]
    assert sim.items("k8s/v1/apps/%s/executionHooks" % app["id"]) == []

    switched = sim.control("PUT", "executionHooks", json={"enabled": False})
    assert switched.status_code == 200 and switched.json()["enabled"] is False
    assert_problem(sim.get("core/v1/hookSources"), 403, 168)
    assert setting(sim)["currentConfig"] == {"isEnabled": "false"}
    assert_problem(sim.control("PUT", "executionHooks", json={"enabled": "yes"}), 400, 8)
    # reset brings back the fresh account
    sim.control("PUT", "executionHooks", json={"enabled": True})
    assert sim.control("POST", "reset").status_code == 200
    assert setting(sim)["currentConfig"] == {"isEnabled": "false"}


def test_setting_updates_are_validated(sim):
    found = setting(sim)
    path = "core/v1/settings/" + found["id"]
    assert sim.get(path).json() == found
    assert_problem(sim.put(path, {**SETTING, "desiredConfig": {"isEnabled": "yes"}}), 400, 9)
    assert_problem(sim.put(path, {**SETTING, "desiredConfig": {"isEnabled": True}}), 400, 9)
    assert_problem(sim.put(path, {**SETTING, "desiredConfig": {"enabled": "true"}}), 400, 9)
    assert_problem(sim.put(path, {**SETTING, "state": "ready"}), 400, 8)
    assert_problem(sim.put(path, {**SETTING, "version": "2.0"}), 400, 8)
    assert_problem(sim.put(path, {**SETTING, "name": "astra.account.smtp"}), 409, 10)
    assert_problem(sim.put(path, {**SETTING, "currentConfig": {"isEnabled": "true"}}), 409, 10)
    # what a client read may be PUT back with desiredConfig
    response = sim.put(path, {**{k: v for k, v in found.items() if k != "metadata"}, "desiredConfig": {"isEnabled": "true"}})
    assert response.status_code == 204, response.text
    assert setting(sim)["currentConfig"]["isEnabled"] == "true"
    assert_problem(sim.get("core/v1/settings/" + str(uuid.uuid4())), 404, 2)
    assert_problem(sim.put("core/v1/settings/" + str(uuid.uuid4()), SETTING), 404, 2)   # the spec binds 2 to PUT here


def test_settings_list_parameters(sim):
    listed = sim.get("core/v1/settings", params={"filter": "name eq '%s'" % SETTING_NAME, "include": "name,state",
                                                 "count": "true", "orderBy": "name desc"}).json()
    assert listed == {"items": [[SETTING_NAME, "valid"]], "metadata": {"count": 1}}
    assert sim.items("core/v1/settings", params={"skip": "1"}) == []
    assert sim.items("core/v1/settings", params={"limit": "1", "orderBy": "name"})[0]["name"] == SETTING_NAME
    assert_problem(sim.get("core/v1/settings", params={"skip": "-1"}), 400, 5)
    assert_problem(sim.get("core/v1/settings", params={"orderBy": "name sideways"}), 400, 5)
    assert_problem(sim.get("core/v1/hookSources", params={"orderBy": "name"}), 400, 6)


# hook sources -------------------------------------------------------------------
def test_hook_source_create_read_update_delete(hooked):
    sim, _app = hooked
    script = "#!/bin/sh\necho frozen\n"
    response = sim.post("core/v1/hookSources", {**SOURCE, "name": "freeze", "source": b64(script), "description": "d"})
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"].endswith("/core/v1/hookSources/" + created["id"])
    assert {k: created[k] for k in ("type", "version", "name", "private", "preloaded", "sourceType", "source",
                                    "description")} == {
        "type": "application/astra-hookSource", "version": "1.0", "name": "freeze", "private": "false",
        "preloaded": "false", "sourceType": "script", "source": b64(script), "description": "d"}
    # the MD5 of the source value (the base64 text), as the specification's example computes it
    assert created["sourceMD5Checksum"] == hashlib.md5(b64(script).encode()).hexdigest()
    path = "core/v1/hookSources/" + created["id"]
    assert sim.get(path).json() == created
    assert sim.get(path, headers={"Accept": "application/astra-hookSource+json"}).headers["content-type"] == \
        "application/astra-hookSource+json"
    listed = sim.get("core/v1/hookSources", params={"filter": "name eq 'freeze'", "include": "name,preloaded"}).json()
    assert listed["items"] == [["freeze", "false"]]
    page = sim.get("core/v1/hookSources", params={"limit": "1"}).json()
    assert len(page["items"]) == 1 and page["metadata"]["continue"]

    other = "#!/bin/sh\necho thawed\n"
    assert sim.put(path, {**SOURCE, "source": b64(other), "name": "freeze-v2"}).status_code == 204
    updated = sim.get(path).json()
    assert updated["name"] == "freeze-v2" and updated["source"] == b64(other)
    assert updated["sourceMD5Checksum"] == hashlib.md5(b64(other).encode()).hexdigest()
    assert updated["description"] == "d" and updated["metadata"]["creationTimestamp"] == created["metadata"]["creationTimestamp"]
    assert sim.put(path, {**updated}).status_code == 204        # what was read can be PUT back
    assert_problem(sim.put(path, {**SOURCE, "sourceMD5Checksum": "0" * 32}), 409, 10)
    assert_problem(sim.put(path, {**SOURCE, "preloaded": "true"}), 409, 10)
    assert_problem(sim.put(path, {**SOURCE, "private": "true"}), 409, 10)
    assert_problem(sim.put(path, {**SOURCE, "id": str(uuid.uuid4())}), 409, 10)
    assert sim.delete(path).status_code == 204
    assert_problem(sim.get(path), 404, 2)
    assert_problem(sim.delete(path), 404, 1)
    assert_problem(sim.put(path, SOURCE), 404, 1)


def test_hook_source_refusals(hooked):
    sim, _app = hooked
    new_source(sim, "taken")
    cases = [
        ({"name": "a", "source": "not base64!"}, 400, 8),
        ({"name": "a", "source": "A" * 131076}, 400, 8),               # over 128 KiB of base64
        ({"name": "a"}, 400, 8),
        ({"name": "", "source": ""}, 400, 8),
        ({"name": "n" * 64, "source": ""}, 400, 8),
        ({"name": "a", "source": "", "sourceType": "binary"}, 400, 8),
        ({"name": "a", "source": "", "version": "1.1"}, 400, 8),
        ({"name": "a", "source": "", "preloaded": "false"}, 400, 8),     # read-only fields aren't part of a POST
        ({"name": "a", "source": "", "description": "x" * 512}, 400, 8),
        ({"name": "a", "source": b64("echo a\r\necho b\r\n")}, 400, 9),  # carriage returns
        ({"name": "a", "source": base64.b64encode(b"\x7fELF\x00\x01\xff").decode()}, 400, 9),   # binary data
        ({"name": "taken", "source": ""}, 409, 10),
    ]
    for extra, status, number in cases:
        body = {**SOURCE, **extra}
        assert_problem(sim.post("core/v1/hookSources", body), status, number)
    assert new_source(sim, "empty", script="")["sourceMD5Checksum"] == hashlib.md5(b"").hexdigest()
    big = "#" * (96 * 1024) + "\n"          # a 96 KiB script is 128 KiB of base64 plus a little
    assert_problem(sim.post("core/v1/hookSources", {**SOURCE, "name": "big", "source": b64(big)}), 400, 8)
    assert new_source(sim, "fits", script="#" * (96 * 1024 - 2) + "\n")["name"] == "fits"


def test_preloaded_and_referenced_sources_are_protected(hooked):
    sim, app = hooked
    (preloaded,) = [s for s in sim.items("core/v1/hookSources") if s["preloaded"] == "true"]
    assert preloaded["private"] == "true" and preloaded["source"] == ""      # left blank: the script isn't exposed
    assert len(preloaded["sourceMD5Checksum"]) == 32
    path = "core/v1/hookSources/" + preloaded["id"]
    assert_problem(sim.put(path, {**SOURCE, "description": "mine now"}), 403, 71)
    assert_problem(sim.delete(path), 403, 71)
    # a preloaded source can be used by custom hooks
    new_hook(sim, app, preloaded, "mysql-quiesce", matchingCriteria=[{"type": "containerImage", "value": "mysql"}])

    source = new_source(sim)
    hook = new_hook(sim, app, source, "uses-it")
    assert_problem(sim.delete("core/v1/hookSources/" + source["id"]), 403, 72)
    assert sim.delete("core/v1/executionHooks/" + hook["id"]).status_code == 204
    assert sim.delete("core/v1/hookSources/" + source["id"]).status_code == 204


# execution hooks ------------------------------------------------------------------
def test_execution_hook_create_read_update_delete(hooked):
    sim, app = hooked
    source = new_source(sim)
    path = "k8s/v1/apps/%s/executionHooks" % app["id"]
    response = sim.post(path, hook_body(app, source, "mysql-freeze", arguments=["pre", "--fast"], description="freeze",
                                        matchingCriteria=[{"type": "containerImage", "value": r"\bmysql\b"}]))
    assert response.status_code == 201, response.text
    hook = response.json()
    assert response.headers["location"].endswith("/%s/%s" % (path, hook["id"]))
    expected = {"type": "application/astra-executionHook", "version": "1.3", "name": "mysql-freeze", "hookType": "custom",
                "action": "snapshot", "stage": "pre", "hookSourceID": source["id"], "appID": app["id"],
                "arguments": ["pre", "--fast"], "enabled": "true", "description": "freeze",
                "matchingCriteria": [{"type": "containerImage", "value": r"\bmysql\b"}],
                "matchingImages": [MYSQL_IMAGE]}
    assert {key: hook[key] for key in expected} == expected
    (container,) = hook["matchingContainers"]
    assert container["containerImage"] == MYSQL_IMAGE and container["containerName"] == "mysql"
    assert container["namespaceName"] == "wordpress" and container["podName"].startswith("wordpress-mysql-")
    assert {"name": "tier", "value": "mysql"} in container["podLabels"]
    assert sim.get("%s/%s" % (path, hook["id"])).json() == hook
    assert sim.get("core/v1/executionHooks/" + hook["id"]).json() == hook

    # defaults, and every container of the app when there are no criteria
    plain = new_hook(sim, app, source, "everywhere", action="backup", stage="post")
    assert plain["enabled"] == "true" and plain["arguments"] == [] and plain["matchingCriteria"] == []
    assert sorted(c["containerName"] for c in plain["matchingContainers"]) == ["mysql", "wordpress"]
    assert plain["matchingImages"] == sorted([MYSQL_IMAGE, "docker.io/library/wordpress:6.4-apache"])

    # through the account-wide path, for the same app
    response = sim.post("core/v1/executionHooks", hook_body(app, source, "restore-check", action="restore", stage="post"))
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith("/core/v1/executionHooks/" + response.json()["id"])
    assert [h["name"] for h in sim.items(path)] == ["mysql-freeze", "everywhere", "restore-check"]
    assert [h["name"] for h in sim.items("core/v1/executionHooks")] == ["mysql-freeze", "everywhere", "restore-check"]
    listed = sim.get(path, params={"filter": "action eq 'snapshot'", "include": "name,stage"}).json()
    assert listed["items"] == [["mysql-freeze", "pre"]]
    assert sim.get(path, params={"filter": "matchingImages[*] eq '%s'" % MYSQL_IMAGE, "count": "true"}).json()[
        "metadata"]["count"] == 3      # mysql-freeze, and the two without criteria
    page = sim.get("core/v1/executionHooks", params={"limit": "2"}).json()
    assert len(page["items"]) == 2 and page["metadata"]["continue"]

    # another app's path doesn't see it
    other = sim.ready_app("postgres", "prod-east", ["postgres"])
    assert sim.items("k8s/v1/apps/%s/executionHooks" % other["id"]) == []
    assert_problem(sim.get("k8s/v1/apps/%s/executionHooks/%s" % (other["id"], hook["id"])), 404, 2)
    assert_problem(sim.delete("k8s/v1/apps/%s/executionHooks/%s" % (other["id"], hook["id"])), 404, 1)

    # update: 204, fields kept when omitted
    one = "%s/%s" % (path, hook["id"])
    assert sim.put(one, {**HOOK, "stage": "post", "arguments": ["post"], "enabled": "false"}).status_code == 204
    updated = sim.get(one).json()
    assert (updated["stage"], updated["arguments"], updated["enabled"]) == ("post", ["post"], "false")
    assert updated["matchingCriteria"] == hook["matchingCriteria"] and updated["description"] == "freeze"
    assert sim.put(one, {k: v for k, v in updated.items() if k not in ("matchingImages", "matchingContainers")}).status_code == 204
    assert_problem(sim.put(one, {**HOOK, "appID": other["id"]}), 409, 10)
    assert_problem(sim.put(one, {**HOOK, "id": str(uuid.uuid4())}), 409, 10)
    assert_problem(sim.put(one, {**HOOK, "matchingImages": []}), 400, 8)
    assert_problem(sim.put(one, {**HOOK, "name": "everywhere"}), 409, 10)

    assert sim.delete("core/v1/executionHooks/" + hook["id"]).status_code == 204
    assert_problem(sim.get(one), 404, 2)
    assert_problem(sim.put(one, HOOK), 404, 1)
    assert_problem(sim.delete("core/v1/executionHooks/" + hook["id"]), 404, 1)


def test_matching_criteria_are_anded_regexes(hooked):
    sim, app = hooked
    source = new_source(sim)

    def matched(name, *criteria):
        hook = new_hook(sim, app, source, name, matchingCriteria=[{"type": t, "value": v} for t, v in criteria])
        return sorted("%s/%s" % (c["podName"].split("-")[0], c["containerName"]) for c in hook["matchingContainers"])

    assert matched("image", ("containerImage", "wordpress")) == ["wordpress/wordpress"]
    assert matched("name", ("containerName", "^mysql$")) == ["wordpress/mysql"]
    assert matched("label", ("podLabel", "^tier=frontend$")) == ["wordpress/wordpress"]
    assert matched("label-key", ("podLabel", "^app=")) == ["wordpress/mysql", "wordpress/wordpress"]
    assert matched("namespace", ("namespaceName", "^wordpress$")) == ["wordpress/mysql", "wordpress/wordpress"]
    assert matched("pod", ("podName", "^wordpress-mysql-")) == ["wordpress/mysql"]
    assert matched("and", ("containerImage", "mysql"), ("podLabel", "tier=frontend")) == []
    assert matched("and2", ("containerImage", "mysql|wordpress"), ("podLabel", "tier=mysql")) == ["wordpress/mysql"]
    assert matched("other-namespace", ("namespaceName", "^postgres$")) == []
    # a StatefulSet's pods are <name>-<ordinal>; a pod has every container of its template
    pg = sim.ready_app("postgres", "prod-east", ["postgres"])
    hook = new_hook(sim, pg, source, "pg", matchingCriteria=[{"type": "podName", "value": "^postgres-0$"}])
    assert sorted(c["containerName"] for c in hook["matchingContainers"]) == ["metrics", "postgresql"]
    assert hook["matchingImages"] == ["docker.io/bitnami/postgres-exporter:0.15.0", "docker.io/bitnami/postgresql:16.2.0"]


def test_execution_hook_refusals(hooked):
    sim, app = hooked
    source = new_source(sim)
    new_hook(sim, app, source, "taken")
    path = "k8s/v1/apps/%s/executionHooks" % app["id"]

    def refused(status, number, collection=path, **changes):
        body = {key: value for key, value in {**hook_body(app, source, "h"), **changes}.items() if value is not None}
        return assert_problem(sim.post(collection, body), status, number)

    # schema: 400 problem 8
    refused(400, 8, hookSourceID=None)
    refused(400, 8, appID=None)
    refused(400, 8, action="clone")
    refused(400, 8, stage="during")
    refused(400, 8, hookType="builtin")
    refused(400, 8, name="")
    refused(400, 8, name="n" * 64)
    refused(400, 8, enabled=True)
    refused(400, 8, description="d" * 512)
    refused(400, 8, matchingCriteria=[{"type": "containerImage", "value": str(n)} for n in range(11)])
    refused(400, 8, matchingCriteria=[{"type": "image", "value": "x"}])
    refused(400, 8, matchingCriteria=[{"type": "podName", "value": "x", "extra": "y"}])
    refused(400, 8, matchingCriteria=[{"type": "podName", "value": "x"}, {"type": "podName", "value": "x"}])
    refused(400, 8, arguments=[str(n) for n in range(17)])
    refused(400, 8, arguments=["a" * 128])
    refused(400, 8, arguments=["same", "same"])
    refused(400, 8, matchingImages=[])
    refused(400, 8, version="1.4")
    # NetApp hooks are read only: 403 problem 73
    refused(403, 73, hookType="netapp")
    # extended validation: 400 problem 9
    for action in ("restore", "failover"):
        body = refused(400, 9, action=action, stage="pre")
        assert body["invalidFields"][0]["name"] == "stage"
    for bad in ("(", "[a-", "a{2,1}", "(?=lookahead)", "(?<!behind)x", r"(a)\1"):
        body = refused(400, 9, matchingCriteria=[{"type": "containerImage", "value": bad}])
        assert body["invalidFields"][0]["name"] == "matchingCriteria[0].value", bad
    refused(400, 9, matchingCriteria=[{"type": "containerImage"}])
    refused(400, 9, hookSourceID=str(uuid.uuid4()))
    other = sim.ready_app("postgres", "prod-east", ["postgres"])
    refused(400, 9, appID=other["id"])                      # not the app of the path
    refused(400, 9, collection="core/v1/executionHooks", appID=str(uuid.uuid4()))
    # names are unique among execution hooks: 409 problem 10
    refused(409, 10, name="taken")
    refused(409, 10, collection="k8s/v1/apps/%s/executionHooks" % other["id"], name="taken", appID=other["id"])
    # unknown app in the path
    assert_problem(sim.post("k8s/v1/apps/%s/executionHooks" % uuid.uuid4(), hook_body(app, source, "h")), 404, 2)
    # valid RE2 is accepted
    new_hook(sim, app, source, "re2", matchingCriteria=[{"type": "containerImage", "value": r"(?i)^docker\.io/(library/)?MYSQL:8(\.\d+)*$"}])


def test_post_failover_hooks_need_an_eligible_app(hooked):
    sim, app = hooked
    source = new_source(sim)
    # jenkins has a PVC on ontap-nas-economy, which can't be replicated: never fails over
    jenkins = sim.ready_app("jenkins", "prod-east", ["jenkins"])
    assert_problem(sim.post("k8s/v1/apps/%s/executionHooks" % jenkins["id"],
                            hook_body(jenkins, source, "fo", action="failover", stage="post")), 409, 162)
    new_hook(sim, jenkins, source, "jenkins-restore", action="restore", stage="post")   # other actions are fine
    hook = new_hook(sim, jenkins, source, "jenkins-snap")
    assert_problem(sim.put("k8s/v1/apps/%s/executionHooks/%s" % (jenkins["id"], hook["id"]),
                           {**HOOK, "action": "failover", "stage": "post"}), 409, 162)
    # a replication destination (a standby): its source's hooks run on it at failover
    mirror = sim.post("k8s/v1/appMirrors", {"type": "application/astra-appMirror", "version": "1.1", "sourceAppID": app["id"],
                                            "destinationClusterID": sim.cluster_id("dr-west"), "stateDesired": "established"})
    assert mirror.status_code == 201, mirror.text
    destination = sim.app(mirror.json()["destinationAppID"]).json()
    body = assert_problem(sim.post("core/v1/executionHooks", hook_body(destination, source, "fo", action="failover",
                                                                       stage="post")), 409, 162)
    assert app["id"] in body["reason"]
    new_hook(sim, app, source, "wp-failover", action="failover", stage="post")


# hooks running ------------------------------------------------------------------------
def test_hook_state_on_snapshots(hooked):
    sim, app = hooked
    good, bad = new_source(sim, "good"), new_source(sim, "bad", script=FAILING)
    mysql = [{"type": "containerImage", "value": "mysql"}]
    pre = new_hook(sim, app, good, "pre-snap", arguments=["freeze"], matchingCriteria=mysql)
    post = new_hook(sim, app, bad, "post-snap", stage="post", matchingCriteria=mysql)
    new_hook(sim, app, good, "no-match", matchingCriteria=[{"type": "containerImage", "value": "^nothing$"}])
    new_hook(sim, app, bad, "backup-only", action="backup", matchingCriteria=mysql)

    snap = sim.completed_snapshot(app["id"], "s1")
    assert snap["hookState"] == "failed"
    (detail,) = snap["hookStateDetails"]
    assert detail["type"] == "https://astra.netapp.io/stateDetails/simulator/executionHookFailed"
    assert set(detail) == {"type", "title", "detail", "additionalDetails"} and len(detail["title"]) <= 40
    assert detail["additionalDetails"]["executionHookID"] == post["id"]
    assert detail["additionalDetails"]["action"] == "snapshot" and detail["additionalDetails"]["stage"] == "post"
    assert "# simulator: fail" in detail["detail"]
    log = runs(sim)
    assert [(r["hookName"], r["stage"], r["result"]) for r in log] == [("pre-snap", "pre", "success"),
                                                                       ("post-snap", "post", "failed")]
    assert all(r["operation"] == {"kind": "appSnap", "id": snap["id"]} for r in log)
    assert log[0]["arguments"] == ["freeze"] and log[0]["containerImage"] == MYSQL_IMAGE
    assert log[0]["executionHookID"] == pre["id"] and log[0]["targetAppID"] == app["id"]

    # a disabled hook doesn't run
    assert sim.put("core/v1/executionHooks/" + post["id"], {**HOOK, "enabled": "false"}).status_code == 204
    snap = sim.completed_snapshot(app["id"], "s2")
    assert snap["hookState"] == "success" and snap["hookStateDetails"] == []
    assert [r["hookName"] for r in runs(sim)[2:]] == ["pre-snap"]

    # a fault makes the next hook run fail
    assert sim.control("PUT", "faults", json={"fail_next": {"executionHook": 1}}).status_code == 200
    snap = sim.completed_snapshot(app["id"], "s3")
    assert snap["hookState"] == "failed" and "fail_next" in snap["hookStateDetails"][0]["detail"]
    assert sim.completed_snapshot(app["id"], "s4")["hookState"] == "success"

    # with hooks disabled in the settings, nothing runs
    sim.control("PUT", "executionHooks", json={"enabled": False})
    count = len(runs(sim))
    assert sim.completed_snapshot(app["id"], "s5")["hookState"] == "success"
    assert len(runs(sim)) == count


def test_hook_state_on_backups(hooked):
    sim, app = hooked
    good, bad = new_source(sim, "good"), new_source(sim, "bad", script=FAILING)
    new_hook(sim, app, good, "pre-backup", action="backup", stage="pre")
    new_hook(sim, app, good, "post-backup", action="backup", stage="post")
    new_hook(sim, app, good, "pre-snapshot", action="snapshot", stage="pre")

    backup = sim.completed_backup(app["id"], "b1")
    assert backup["hookState"] == "success" and backup["hookStateDetails"] == []
    log = runs(sim)
    # the backup's own snapshot runs the backup hooks, not the snapshot hooks; each on both containers
    assert [(r["hookName"], r["operation"]["kind"]) for r in log] == [("pre-backup", "appBackup")] * 2 + [
        ("post-backup", "appBackup")] * 2
    assert {r["operation"]["id"] for r in log} == {backup["id"]}
    own = sim.get("k8s/v1/apps/%s/appSnaps/%s" % (app["id"], backup["snapshotID"])).json()
    assert own["hookState"] == "success"

    # a backup of an existing snapshot runs its pre-backup hooks when it starts
    snap = sim.completed_snapshot(app["id"], "s1")
    new_hook(sim, app, bad, "failing-post-backup", action="backup", stage="post",
             matchingCriteria=[{"type": "containerName", "value": "^wordpress$"}])
    before = len(runs(sim))
    backup = sim.completed_backup(app["id"], "b2", snapshotID=snap["id"])
    assert backup["hookState"] == "failed"
    (detail,) = backup["hookStateDetails"]
    assert "failing-post-backup" in detail["detail"]
    assert detail["additionalDetails"]["containers"][0].startswith("wordpress/wordpress-")
    assert sorted({r["hookName"] for r in runs(sim)[before:]}) == ["failing-post-backup", "post-backup", "pre-backup"]


def test_post_restore_hooks_run_after_restores_and_clones(hooked):
    sim, app = hooked
    source = new_source(sim)
    hook = new_hook(sim, app, source, "post-restore", action="restore", stage="post",
                    matchingCriteria=[{"type": "containerName", "value": "^mysql$"}])
    snap = sim.completed_snapshot(app["id"], "s1")
    assert runs(sim) == []
    # in place
    body = {"type": "application/astra-app", "version": "2.2", "snapshotID": snap["id"]}
    response = sim.put("k8s/v2/apps/" + app["id"], body, headers={"ForceUpdate": "true"})
    assert response.status_code == 204, response.text
    sim.wait_for_app(app["id"], "ready")
    (run,) = wait_until(lambda: runs(sim), what="the post-restore hook")
    assert run["operation"] == {"kind": "inPlaceRestore", "id": app["id"]} and run["targetAppID"] == app["id"]
    assert run["executionHookID"] == hook["id"] and run["result"] == "success"
    # a clone on another cluster: the source app's hook runs on the clone's containers
    response = sim.post("k8s/v2/apps", {"type": "application/astra-app", "version": "2.2", "name": "wp-copy",
                                        "clusterID": sim.cluster_id("dr-west"), "sourceAppID": app["id"],
                                        "sourceClusterID": sim.cluster_id("prod-east")})
    assert response.status_code == 201, response.text
    clone = sim.wait_for_app(response.json()["id"], "ready")
    run = wait_until(lambda: runs(sim)[1:], what="the clone's hook")[0]
    assert run["targetAppID"] == clone["id"] and run["operation"] == {"kind": "clone", "id": clone["id"]}
    assert run["appID"] == app["id"] and run["containerName"] == "mysql"
    # the clone has no hooks of its own
    assert sim.items("k8s/v1/apps/%s/executionHooks" % clone["id"]) == []


def test_hook_runs_reach_the_activity_log(hooked):
    sim, app = hooked
    good, bad = new_source(sim, "good"), new_source(sim, "bad", script=FAILING)
    mysql = [{"type": "containerName", "value": "^mysql$"}]
    pre = new_hook(sim, app, good, "pre-snap", matchingCriteria=mysql)
    post = new_hook(sim, app, bad, "post-restore", action="restore", stage="post", matchingCriteria=mysql)
    assert sim.items("core/v1/events") == []
    snap = sim.completed_snapshot(app["id"], "s1")
    # an ad hoc snapshot: its successful hook is an informational event on the app
    (ran,) = sim.items("core/v1/events")
    assert (ran["name"], ran["severity"], ran["class"], ran["source"]) == (
        "execution.hook.succeeded", "informational", "user", "execution-hooks")
    assert ran["resourceID"] == app["id"] and ran["resourceType"] == "application/astra-app"
    assert ran["additionalResourceIDs"] == [pre["id"], good["id"], app["id"], snap["id"]]
    assert ran["data"]["operation"] == {"kind": "appSnap", "id": snap["id"]} and ran["data"]["result"] == "success"
    assert len(ran["summary"]) < 40 and ran["sequenceCount"] == 1 and ran["type"] == "application/astra-event"
    # a clone: the failing post-restore hook is a warning event on the clone
    response = sim.post("k8s/v2/apps", {"type": "application/astra-app", "version": "2.2", "name": "wp-copy",
                                        "clusterID": sim.cluster_id("dr-west"), "sourceAppID": app["id"],
                                        "sourceClusterID": sim.cluster_id("prod-east")})
    assert response.status_code == 201, response.text
    clone = sim.wait_for_app(response.json()["id"], "ready")
    failed = wait_until(lambda: sim.items("core/v1/events", params={"filter": "resourceID eq '%s'" % clone["id"]}),
                        what="the clone's hook event")[0]
    assert (failed["name"], failed["severity"], failed["data"]["hookName"]) == ("execution.hook.failed", "warning",
                                                                                "post-restore")
    assert failed["data"]["appID"] == app["id"] and post["id"] in failed["additionalResourceIDs"]
    assert "# simulator: fail" in failed["data"]["reason"] and "failed" in failed["description"]
    assert sim.get("core/v1/events/" + failed["id"]).json() == failed
    assert sim.get("core/v1/events/" + str(uuid.uuid4())).status_code == 404


def test_post_failover_hooks_run_on_the_destination(hooked):
    sim, app = hooked
    source = new_source(sim)
    restore = new_hook(sim, app, source, "post-restore", action="restore", stage="post",
                       matchingCriteria=[{"type": "containerImage", "value": "wordpress"}])
    failover = new_hook(sim, app, source, "post-failover", action="failover", stage="post",
                        matchingCriteria=[{"type": "containerName", "value": "^mysql$"}])
    new_hook(sim, app, source, "post-failover-off", action="failover", stage="post", enabled="false")
    new_hook(sim, app, source, "snapshot-only", action="snapshot", stage="post")
    response = sim.post("k8s/v1/appMirrors", {"type": "application/astra-appMirror", "version": "1.1", "sourceAppID": app["id"],
                                              "destinationClusterID": sim.cluster_id("dr-west"),
                                              "stateDesired": "established"})
    assert response.status_code == 201, response.text
    mirror = response.json()
    sim.wait_for("k8s/v1/appMirrors/" + mirror["id"], "established")
    assert runs(sim) == []          # establishing and replicating run no hooks
    # the standby holds only PVCs: the source's hooks match nothing on it yet
    assert sim.get("core/v1/executionHooks/" + failover["id"]).json()["matchingContainers"][0]["namespaceName"] == "wordpress"
    body = {"type": "application/astra-appMirror", "version": "1.1", "stateDesired": "failedOver"}
    put = sim.put("k8s/v1/appMirrors/" + mirror["id"], body)
    assert put.status_code == 200, put.text
    sim.wait_for("k8s/v1/appMirrors/" + mirror["id"], "failedOver")
    log = runs(sim)
    ran = sorted((r["hookName"], r["containerName"]) for r in log)
    assert ran == [("post-failover", "mysql"), ("post-restore", "wordpress")]
    assert {r["targetAppID"] for r in log} == {mirror["destinationAppID"]}
    assert {r["appID"] for r in log} == {app["id"]}
    assert {r["operation"]["kind"] for r in log} == {"appMirror"}
    assert {r["executionHookID"] for r in log} == {restore["id"], failover["id"]}
    destination = sim.world("dr-west")
    pods_of_destination = {obj["name"] for obj in destination["resources"] if obj["kind"] == "Deployment"}
    assert {r["podName"].rsplit("-", 2)[0] for r in log} <= pods_of_destination


def test_unmanaging_an_app_removes_its_hooks(hooked):
    sim, app = hooked
    source = new_source(sim)
    hook = new_hook(sim, app, source, "h")
    assert sim.delete("k8s/v2/apps/" + app["id"]).status_code == 204
    sim.wait_until_gone(app["id"])
    assert_problem(sim.get("core/v1/executionHooks/" + hook["id"]), 404, 2)
    assert sim.delete("core/v1/hookSources/" + source["id"]).status_code == 204
