"""The store's matching of top-level fields: by SQLite's JSON functions where it has them, in Python otherwise."""

import pytest

from astra_simulator.store import Store

OBJECTS = [
    {"id": "1", "name": "postgres", "clusterID": "c1", "replicas": 2, "managed": True},
    {"id": "2", "name": "postgres", "clusterID": "c2", "replicas": "2", "managed": False},
    {"id": "3", "name": "wordpress", "clusterID": "c1", "note": None},
    {"id": "4", "name": "1", "clusterID": "c1", "labels": ["postgres"]},
    {"id": "5", "name": "it's \u00e9t\u00e9", "clusterID": "c2"},
]
MATCHES = [{}, {"name": "postgres"}, {"name": "postgres", "clusterID": "c2"}, {"clusterID": "c1"}, {"replicas": 2},
           {"replicas": "2"}, {"managed": True}, {"note": None}, {"name": "1"}, {"labels": ["postgres"]},
           {"name": "it's \u00e9t\u00e9"}, {"name": "nosuch"}, {"missing": "x"}]


@pytest.fixture
def store(tmp_path):
    store = Store(str(tmp_path / "state.sqlite"))
    for document in OBJECTS:
        store.put("app", document)
    store.put("cluster", {"id": "c1", "name": "postgres"})
    yield store
    store.close()


@pytest.mark.parametrize("match", MATCHES)
def test_matching_in_sqlite_finds_what_matching_in_python_finds(store, match):
    expected = [document for document in OBJECTS if all(document.get(key) == value for key, value in match.items())]
    assert store._json_filters  # pylint: disable=protected-access  # this SQLite has them (3.38 and later build them in)
    assert store.all("app", **match) == expected
    assert store.find("app", **match) == (expected[0] if expected else None)
    store._json_filters = False  # pylint: disable=protected-access
    assert store.all("app", **match) == expected
    assert store.find("app", **match) == (expected[0] if expected else None)


def test_lookups_by_the_indexed_fields_read_the_index_not_every_object_of_the_kind(store):
    """An app or cluster by name, an app's backups, a cluster's apps: SQLite answers from an index."""
    for key in ("name", "_appID", "clusterID", "_clusterID"):
        plan = store._db.execute(  # pylint: disable=protected-access
            "EXPLAIN QUERY PLAN SELECT data FROM objects WHERE kind = ? AND json_extract(data, '$.\"%s\"') = ?" % key,
            ("app", "x")).fetchall()
        assert "objects_by_%s" % key in " ".join(str(row) for row in plan), plan
    # a field name SQL could not take inline is still matched, bound as a parameter
    store.put("app", {"id": "6", "name": "odd", "a-b": "c"})
    assert [document["id"] for document in store.all("app", **{"a-b": "c"})] == ["6"]
    assert store.find("app", **{"a-b": "c"})["id"] == "6"
