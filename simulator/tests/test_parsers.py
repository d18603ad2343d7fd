"""Unit tests of the parsers that need no server: label selectors and list filters."""

import pytest

from astra_simulator.labels import Selector, SelectorError, matches_all
from astra_simulator.query import FilterSyntaxError, parse_filter, list_body, parse_list_options, INCLUDE_LIMIT_FILTER
from astra_simulator.problems import ApiProblem


@pytest.mark.parametrize("text, labels, expected", [
    ("app=shop", {"app": "shop"}, True),
    ("app==shop", {"app": "shop"}, True),
    ("app = jenkins,release = production", {"app": "jenkins", "release": "production"}, True),
    ("app!=shop", {"app": "wp"}, True),
    ("app!=shop", {}, True),
    ("app in (shop, wp)", {"app": "wp"}, True),
    ("app notin (shop,wp)", {"app": "wp"}, False),
    ("app notin (shop,wp)", {}, True),
    ("app", {"app": ""}, True),
    ("!app", {"app": "x"}, False),
    ("example.com/tier=db", {"example.com/tier": "db"}, True),
    ("app=shop,tier", {"app": "shop"}, False),
])
def test_selector_matching(text, labels, expected):
    assert Selector(text).matches(labels) is expected


@pytest.mark.parametrize("text", ["", "  ", "app=", "=shop", "app in shop", "app in ()", "app=sh op", "-app=x", "app==(x)",
                                  "Bad_Prefix/app=x", "app=x,", "app notin (a,", "a" * 64])
def test_selector_rejects_malformed(text):
    if text == "app=":          # an empty value is legal
        assert Selector(text).matches({"app": ""})
        return
    with pytest.raises(SelectorError):
        Selector(text)


def test_empty_selector_list_matches_everything():
    assert matches_all([], {"any": "thing"})


def test_filter_parse_and_match():
    conditions = parse_filter("namespaceScopedResources[*].namespace eq 'wordpress',state eq 'ready'")
    assert [c.operator for c in conditions] == ["eq", "eq"]
    item = {"state": "ready", "namespaceScopedResources": [{"namespace": "db"}, {"namespace": "wordpress"}]}
    assert all(c.holds(item) for c in conditions)
    assert not parse_filter("state eq 'failed'")[0].holds(item)


@pytest.mark.parametrize("text, expected", [
    ("count gt '3'", True), ("count lt '10'", True), ("count gte '5'", True), ("count lte '4'", False),
    ("name in 'a,b,x'", True), ("name in 'a,b'", False), ("missing eq 'x'", False), ("labels[*].name eq 'k'", True),
])
def test_filter_operators(text, expected):
    item = {"count": 5, "name": "x", "labels": [{"name": "k", "value": "v"}]}
    assert parse_filter(text)[0].holds(item) is expected


@pytest.mark.parametrize("text", ["name eq wordpress", "name  'x'", "name eq 'x", "na-me eq 'x'", "name eq 'x' state eq 'y'",
                                  "name like 'x'", ""])
def test_filter_rejects_malformed(text):
    with pytest.raises(FilterSyntaxError):
        parse_filter(text)


def test_list_options_pagination_and_projection():
    items = [{"id": str(i), "name": "n%d" % i} for i in range(5)]
    first = list_body(items, parse_list_options([("limit", "2"), ("include", "name,id")], INCLUDE_LIMIT_FILTER))
    assert first["items"] == [["n0", "0"], ["n1", "1"]]
    token = first["metadata"]["continue"]
    second = list_body(items, parse_list_options([("limit", "2"), ("continue", token)], INCLUDE_LIMIT_FILTER))
    assert [i["id"] for i in second["items"]] == ["2", "3"]
    third = list_body(items, parse_list_options([("limit", "2"), ("continue", second["metadata"]["continue"])],
                                                INCLUDE_LIMIT_FILTER))
    assert [i["id"] for i in third["items"]] == ["4"] and "continue" not in third["metadata"]


@pytest.mark.parametrize("params, number", [
    ([("skip", "1")], 6), ([("orderBy", "name")], 6), ([("limit", "0")], 5), ([("limit", "x")], 5),
    ([("include", "a b")], 5), ([("continue", "###")], 5), ([("count", "yes")], 5), ([("limit", "1"), ("limit", "2")], 5),
])
def test_list_option_problems(params, number):
    with pytest.raises(ApiProblem) as raised:
        parse_list_options(params, INCLUDE_LIMIT_FILTER)
    assert raised.value.number == number
    assert raised.value.body()["invalidParams"]
