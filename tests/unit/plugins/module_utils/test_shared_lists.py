# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The lists the waits of one astra_batch share (shared_lists) and the waiter's use of them."""

import pytest

from ansible_collections.kubedr.astra.plugins.module_utils import shared_lists
from ansible_collections.kubedr.astra.plugins.module_utils.app_mirrors import MIRROR_WAIT_FIELDS, mirror_predicates
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraWaitError
from ansible_collections.kubedr.astra.plugins.module_utils.waiter import Waiter
from ansible_collections.kubedr.astra.tests.unit.fakes import FakeTime

APPS = "k8s/v2/apps"
MIRRORS = "k8s/v1/appMirrors"


def not_found():
    return AstraApiError("Read", "GET", "https://astra/x", 404, {"type": "https://astra.netapp.io/problems/2", "title": "Not found"})


class Estate:
    """The API as the waits see it: items by ID whose state moves on with the (fake) clock; counts every request."""

    def __init__(self, clock, **items):
        self.clock = clock
        self.start = clock.now
        self.items = items          # id -> [(seconds from now on, full resource or None for deleted)]
        self.gets = []
        self.lists = []
        self.list_error = None

    def current(self, item_id):
        found = None
        for since, resource in self.items.get(item_id, ()):
            if self.clock.now - self.start >= since:
                found = resource
        return found

    def get(self, path, operation=None):
        self.gets.append(path)
        resource = self.current(path.rpartition("/")[2])
        if resource is None:
            raise not_found()
        return dict(resource)

    def list(self, path, params=None, operation=None):
        self.lists.append((path, params))
        if self.list_error:
            raise self.list_error
        fields = params["include"].split(",")
        rows = []
        for item_id in sorted(self.items):
            resource = self.current(item_id)
            if resource is not None:
                rows.append([resource.get(name) for name in fields])
        return rows


def app(item_id, state, **fields):
    return dict(id=item_id, name="app-" + item_id, state=state, clusterName="dr-01", **fields)


@pytest.fixture
def clock():
    return FakeTime()


@pytest.fixture
def lists(tmp_path, clock):
    return shared_lists.SharedLists(str(tmp_path), clock=clock.monotonic)


def waiter(estate, clock, lists):
    return Waiter(estate, clock=clock.monotonic, sleep=clock.sleep, shared=lists)


def test_one_list_answers_every_wait_of_an_instant_and_a_later_instant_reads_again(lists, clock):
    estate = Estate(clock, a1=[(0, app("a1", "provisioning"))], a2=[(0, app("a2", "provisioning"))])
    first = lists.item(estate, APPS, "a1", ("state",), clock.now, "Wait")
    second = lists.item(estate, APPS, "a2", ("state",), clock.now, "Wait")
    assert first == {"id": "a1", "state": "provisioning"} and second == {"id": "a2", "state": "provisioning"}
    assert estate.lists == [(APPS, {"include": "id,state"})]
    clock.sleep(1.0)
    assert lists.item(estate, APPS, "a3", ("state",), clock.now, "Wait") is None
    assert len(estate.lists) == 2
    # another field set is another list
    lists.item(estate, APPS, "a1", (), clock.now, "Wait")
    assert estate.lists[-1] == (APPS, {"include": "id"})


def test_a_list_that_fails_is_tried_once_per_instant_and_each_wait_goes_to_its_own_get(lists, clock):
    estate = Estate(clock, a1=[(0, app("a1", "provisioning"))])
    estate.list_error = AstraApiError("List", "GET", "https://astra/x", 503, {"title": "Service unavailable"})
    for _wait in range(3):
        with pytest.raises(shared_lists.Unavailable):
            lists.item(estate, APPS, "a1", ("state",), clock.now, "Wait")
    assert len(estate.lists) == 1


def test_a_directory_gone_sends_the_wait_to_its_own_get(tmp_path, clock):
    lists = shared_lists.SharedLists(str(tmp_path / "gone"), clock=clock.monotonic)
    assert lists.enter(APPS, ("state",)) is None and lists.waiting(APPS, ("state",)) == 0
    with pytest.raises(shared_lists.Unavailable):
        lists.item(Estate(clock), APPS, "a1", ("state",), clock.now, "Wait")


def another_wait(lists, collection=APPS, fields=("state",)):
    return lists.enter(collection, fields)


def test_a_wait_among_others_polls_the_list_and_gets_its_item_only_once_the_list_shows_it_done(lists, clock):
    another_wait(lists)
    estate = Estate(clock, a1=[(0, app("a1", "provisioning")), (30, app("a1", "ready", namespaces=["shop"]))])
    resource, elapsed = waiter(estate, clock, lists).until_state(APPS + "/a1", ["ready"], ["failed"], timeout=600)
    assert resource == app("a1", "ready", namespaces=["shop"])
    assert estate.gets == [APPS + "/a1"]
    assert 5 <= len(estate.lists) <= 12
    assert elapsed >= 30
    # every poll on a grid instant; the marker of the wait is gone once it ended
    assert lists.waiting(APPS, ("state",)) == 1


def test_alone_a_wait_reads_its_item_as_before(lists, clock):
    estate = Estate(clock, a1=[(0, app("a1", "provisioning")), (2, app("a1", "ready"))])
    resource, _elapsed = waiter(estate, clock, lists).until_state(APPS + "/a1", ["ready"], timeout=600)
    assert resource["state"] == "ready" and estate.lists == [] and len(estate.gets) > 1


def test_the_failure_is_judged_on_the_wait_s_own_read_with_its_details(lists, clock):
    another_wait(lists)
    details = [{"type": "https://astra.netapp.io/stateDetails/9", "title": "Clone failed", "detail": "no space"}]
    estate = Estate(clock, a1=[(0, app("a1", "provisioning")), (5, app("a1", "failed", stateDetails=details))])
    with pytest.raises(AstraWaitError) as raised:
        waiter(estate, clock, lists).until_state(APPS + "/a1", ["ready"], ["failed"], timeout=600, description="app 'a1'")
    assert raised.value.reason == "failed" and raised.value.state_details == details
    assert estate.gets == [APPS + "/a1"]


def test_an_item_missing_from_the_list_is_read_by_the_wait_and_its_404_ends_a_removal(lists, clock):
    another_wait(lists, fields=())
    estate = Estate(clock, a1=[(0, app("a1", "removing")), (4, None)])
    _gone, elapsed = waiter(estate, clock, lists).until_gone(APPS + "/a1", timeout=600)
    assert estate.gets == [APPS + "/a1"] and all(params == {"include": "id"} for _path, params in estate.lists)
    assert elapsed >= 4


def test_at_the_timeout_the_wait_reads_its_item_for_the_last_state_it_reports(lists, clock):
    another_wait(lists)
    estate = Estate(clock, a1=[(0, app("a1", "provisioning", stateUnready=["Waiting for volumes"]))])
    with pytest.raises(AstraWaitError) as raised:
        waiter(estate, clock, lists).until_state(APPS + "/a1", ["ready"], timeout=20)
    assert raised.value.reason == "timeout" and raised.value.state_unready == ["Waiting for volumes"]
    assert estate.gets == [APPS + "/a1"]


def test_without_watched_fields_a_wait_never_uses_the_lists(lists, clock):
    another_wait(lists)
    estate = Estate(clock, a1=[(0, app("a1", "provisioning")), (2, app("a1", "ready"))])
    waiter(estate, clock, lists).until(APPS + "/a1", lambda item: item["state"] == "ready", timeout=60)
    assert estate.lists == []


def mirror(**fields):
    base = dict(id="m1", state="failingOver", stateDesired="failedOver", sourceAppID="s1", destinationAppID="d1",
                sourceClusterID="c1", destinationClusterID="c2", healthState="normal", transferState="idle",
                stateDetails=[{"title": "x"}], healthStateDetails=[], transferStateDetails=[],
                stateTransitions=[{"to": ["failedOver"]}], stateAllowed=["failedOver"], metadata={"labels": []},
                namespaceMapping=[], storageClasses=[], sourceSnapshot={"id": "p1"})
    base.update(fields)
    return base


MIRROR_SAMPLES = [mirror(), mirror(state="failedOver"), mirror(state="established"),
                  mirror(state="established", transferState="transferring"), mirror(state="established", healthState="critical"),
                  mirror(state="deleting"), mirror(stateDesired="deleted"), mirror(state="established", sourceAppID="d1"),
                  mirror(state="establishing", stateDesired="established")]


def other_values(value):
    """Values of the field's own type (a mirror of another shape fails to parse, whatever the wait)."""
    if isinstance(value, str):
        return (None, "", "x", "established", "failedOver")
    if isinstance(value, list):
        return (None, [], ["established"] if value and isinstance(value[0], str) else [{"title": "y"}])
    return (None, {}, {"labels": [{"name": "a", "value": "b"}]})


@pytest.mark.parametrize("target", ["failedOver", "established"])
def test_the_mirror_waits_depend_on_no_field_but_those_their_lists_carry(target):
    done, failed = mirror_predicates(target, source_app_id="s1")
    for sample in MIRROR_SAMPLES:
        verdict = (done(sample), failed(sample))
        for name in set(sample) - set(MIRROR_WAIT_FIELDS):
            for value in other_values(sample[name]):
                changed = dict(sample, **{name: value})
                assert (done(changed), failed(changed)) == verdict, (target, name, value, sample)
            removed = dict(sample)
            del removed[name]
            assert (done(removed), failed(removed)) == verdict, (target, name, sample)


def test_a_view_with_nulls_is_judged_both_ways_so_a_missing_transfer_state_is_not_taken_for_in_progress(lists, clock):
    another_wait(lists, MIRRORS, MIRROR_WAIT_FIELDS)
    done, failed = mirror_predicates("established", source_app_id="s1")
    # the item has no transferState: the list shows it null; read as null the mirror would look still transferring
    established = dict((key, value) for key, value in mirror(state="established", stateDesired="established").items()
                       if key != "transferState")
    estate = Estate(clock, m1=[(0, established)])
    resource, _elapsed = waiter(estate, clock, lists).until(MIRRORS + "/m1", done, failed, timeout=60,
                                                            watch=MIRROR_WAIT_FIELDS)
    assert resource == established and estate.gets == [MIRRORS + "/m1"]


def test_an_app_s_backups_are_polled_in_the_account_s_list_of_every_backup(lists, clock):
    from ansible_collections.kubedr.astra.plugins.module_utils.kinds import backup_kind

    kind = backup_kind("app-1")
    another_wait(lists, "topology/v1/appBackups")
    backup = dict(id="b1", name="nightly", state="running")
    estate = Estate(clock, b1=[(0, backup), (12, dict(backup, state="completed"))])
    resource, _elapsed = waiter(estate, clock, lists).until_state(
        kind.item_path("b1"), kind.ready_states, kind.failure_states, timeout=600, shared_collection=kind.shared_collection)
    assert resource["state"] == "completed"
    assert estate.gets == ["k8s/v1/apps/app-1/appBackups/b1"]
    assert estate.lists and set(path for path, _params in estate.lists) == {"topology/v1/appBackups"}


class MirrorApi:
    def __init__(self):
        self.lists = 0

    def list(self, path, params=None, operation=None):
        self.lists += 1
        return [{"id": "m%d" % self.lists, "state": "established"}]


def test_a_lookup_of_every_mirror_is_one_list_for_the_runs_that_start_together(tmp_path, clock, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

    api = MirrorApi()

    def run_started_now():
        monkeypatch.setattr(shared_lists, "_CURRENT", shared_lists.SharedLists(str(tmp_path), clock=clock.monotonic))

    run_started_now()
    started_together = shared_lists.current()
    first = Lookups(api).app_mirrors(shared=True)
    clock.sleep(0.5)
    run_started_now()
    # a run started after that list was read reads its own (it must see what was done before it started)
    assert Lookups(api).app_mirrors(shared=True) == [{"id": "m2", "state": "established"}] and api.lists == 2
    # one started before it was read uses the newest list
    monkeypatch.setattr(shared_lists, "_CURRENT", started_together)
    assert Lookups(api).app_mirrors(shared=True) == [{"id": "m2", "state": "established"}] != first and api.lists == 2
    # a read that must see a change just made (a create's lookup after a lost answer) is always its own
    assert Lookups(api).app_mirrors() == [{"id": "m3", "state": "established"}] and api.lists == 3
    # a lookup of one state is the server's filter, as outside a batch
    assert Lookups(api).app_mirrors(state="established", shared=True) and api.lists == 4
    # outside a batch every lookup is its own list
    monkeypatch.setattr(shared_lists, "_CURRENT", None)
    Lookups(api).app_mirrors(shared=True)
    assert api.lists == 5


def test_a_lookup_of_every_cluster_is_shared_too_but_not_one_by_name(lists, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

    api = MirrorApi()
    monkeypatch.setattr(shared_lists, "_CURRENT", lists)
    Lookups(api).clusters(shared=True)
    Lookups(api).clusters(shared=True)
    assert api.lists == 1
    Lookups(api).clusters("prod-east", shared=True)
    Lookups(api).clusters()
    assert api.lists == 3


def test_a_clone_check_s_reads_of_a_cluster_s_namespaces_and_storage_classes_are_shared(lists, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

    api = MirrorApi()
    cluster = {"id": "c1", "name": "dr-west", "managedState": "managed"}
    monkeypatch.setattr(shared_lists, "_CURRENT", lists)
    for _run in range(3):
        Lookups(api).namespaces(cluster, shared=True)
        Lookups(api).storage_classes(cluster, shared=True)
    assert api.lists == 2
    # another cluster is another list; an unshared read is the run's own
    Lookups(api).namespaces(dict(cluster, id="c2"), shared=True)
    Lookups(api).namespaces(cluster)
    assert api.lists == 4


class EstateApi:
    """Two clusters in one cloud; counts lists by path and GETs."""

    CLUSTERS = [{"id": "c1", "name": "prod-east", "managedState": "managed", "cloudID": "k1"},
                {"id": "c2", "name": "dr-west", "managedState": "managed", "cloudID": "k1"}]
    CLOUDS = [{"id": "k1", "name": "private", "cloudType": "private", "defaultBucketID": "b1"}]

    def __init__(self):
        self.lists, self.gets = [], []

    def list(self, path, params=None, operation=None):
        self.lists.append((path, (params or {}).get("filter")))
        items = self.CLUSTERS if path == "topology/v1/clusters" else self.CLOUDS
        return [dict(item) for item in items]

    def get(self, path, operation=None):
        self.gets.append(path)
        return dict(self.CLOUDS[0]) if path == "topology/v1/clouds/k1" else None


def test_the_runs_of_a_batch_resolve_clusters_and_clouds_from_one_list_each(lists, monkeypatch):
    from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError
    from ansible_collections.kubedr.astra.plugins.module_utils.lookups import Lookups

    api = EstateApi()
    monkeypatch.setattr(shared_lists, "_CURRENT", lists)
    for _run in range(3):
        lookups = Lookups(api)
        assert lookups.cluster("prod-east")["id"] == "c1" and lookups.cluster("c2")["name"] == "dr-west"
        assert lookups.cloud("k1")["defaultBucketID"] == "b1"
    assert api.lists == [("topology/v1/clusters", None), ("topology/v1/clouds", None)] and api.gets == []
    # an unknown cluster still fails naming the option and the known ones
    with pytest.raises(AstraValidationError, match="no cluster named or identified by 'nowhere'.*dr-west, prod-east"):
        Lookups(api).cluster("nowhere", option="destination_cluster")
    # a cloud not in the list is read by ID; outside a batch each lookup is the run's own (by name, or by ID)
    monkeypatch.setattr(shared_lists, "_CURRENT", None)
    del api.lists[:]
    Lookups(api).cluster("prod-east")
    Lookups(api).cloud("k1")
    assert api.lists == [("topology/v1/clusters", "name eq 'prod-east'")] and api.gets == ["topology/v1/clouds/k1"]
