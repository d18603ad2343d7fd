"""List query parameters: include, limit, filter, continue, count, orderBy and skip.

Each list endpoint declares which parameters it accepts (the spec's table);
anything else is problem 6, a malformed value problem 5, both with
`invalidParams`.

`filter` is parsed, not regex-matched::

    filter   := condition ("," condition)*
    condition:= path " " op " " "'" value "'"
    path     := segment ("." segment)*      segment := [0-9a-zA-Z]+ ["[*]"]
    op       := eq | lt | gt | lte | gte | in

`[*]` fans out over an array. A condition holds when any value the path
reaches satisfies it; all conditions must hold. `in` takes a comma-separated
list inside the quotes. Paths that reach nothing simply don't match.

`orderBy=<field>[ desc]` sorts by one top-level field (numbers numerically, items without the field last) before
paging; `skip=N` (non-negative integer) leaves out the first N matching items.
"""

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from .problems import ApiProblem, reason

INCLUDE = re.compile(r"^[0-9a-zA-Z]+(,[0-9a-zA-Z]+)*$")
LIMIT = re.compile(r"^[1-9][0-9]*$")
BASE64 = re.compile(r"^([A-Za-z0-9+/]{4})*(([A-Za-z0-9+/]{2})==|([A-Za-z0-9+/]{3})=)?$")
SEGMENT = re.compile(r"[0-9a-zA-Z]+")
OPERATORS = ("lte", "gte", "eq", "lt", "gt", "in")

# Sets of declared parameters (continue is offered wherever limit is; count is tolerated on every list that takes any).
INCLUDE_LIMIT_FILTER = frozenset({"include", "limit", "filter"})
INCLUDE_LIMIT = frozenset({"include", "limit"})
INCLUDE_LIMIT_FILTER_COUNT_ORDER_SKIP = frozenset({"include", "limit", "filter", "count", "orderBy", "skip"})
ORDER_BY = re.compile(r"^(?P<field>[0-9a-zA-Z]+)( (?P<direction>asc|desc))?$")
SKIP = re.compile(r"^(0|[1-9][0-9]*)$")
NO_PARAMETERS = frozenset()


def accepted_parameters(declared):
    accepted = set(declared)
    if "limit" in accepted:
        accepted.add("continue")
    if accepted:
        accepted.add("count")
    return frozenset(accepted)


@dataclass
class Condition:
    path: list          # [(name, fan_out)]
    operator: str
    value: str

    def holds(self, item):
        return any(_compare(actual, self.operator, self.value) for actual in _resolve(item, self.path))


@dataclass
class ListOptions:
    include: list = None
    limit: int = None
    offset: int = 0
    count: bool = False
    conditions: list = field(default_factory=list)
    order_by: str = None
    descending: bool = False
    skip: int = 0


class FilterSyntaxError(ValueError):
    pass


def asked_value(options, field_name):
    """The value of a `filter=<field_name> eq '...'` condition (a top-level field), else None: a route may read only
    the objects with that value (the filter is still applied to what it returns)."""
    for condition in getattr(options, "conditions", None) or ():
        if condition.operator == "eq" and condition.path == [(field_name, False)]:
            return condition.value
    return None


def parse_filter(text):
    conditions = []
    i = 0

    def skip_blanks(position):
        while position < len(text) and text[position] == " ":
            position += 1
        return position

    while True:
        i = skip_blanks(i)
        path = []
        while True:
            match = SEGMENT.match(text, i)
            if not match:
                raise FilterSyntaxError("expected a field name at position %d" % i)
            i = match.end()
            fan_out = text.startswith("[*]", i)
            if fan_out:
                i += 3
            path.append((match.group(0), fan_out))
            if text.startswith(".", i):
                i += 1
                continue
            break
        if not text.startswith(" ", i):
            raise FilterSyntaxError("expected a blank after the field name at position %d" % i)
        i = skip_blanks(i)
        operator = next((op for op in OPERATORS if text.startswith(op + " ", i)), None)
        if operator is None:
            raise FilterSyntaxError("expected one of eq, lt, gt, lte, gte, in at position %d" % i)
        i = skip_blanks(i + len(operator))
        if not text.startswith("'", i):
            raise FilterSyntaxError("expected a single-quoted value at position %d" % i)
        end = text.find("'", i + 1)
        if end < 0:
            raise FilterSyntaxError("unterminated quoted value")
        conditions.append(Condition(path, operator, text[i + 1:end]))
        i = skip_blanks(end + 1)
        if i == len(text):
            return conditions
        if text[i] != ",":
            raise FilterSyntaxError("expected ',' between conditions at position %d" % i)
        i += 1


def _resolve(item, path):
    values = [item]
    for name, fan_out in path:
        reached = []
        for value in values:
            if not isinstance(value, dict) or name not in value:
                continue
            child = value[name]
            if fan_out:
                if isinstance(child, list):
                    reached.extend(child)
            else:
                reached.append(child)
        values = reached
    return values


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _compare(actual, operator, expected):
    if isinstance(actual, list):
        return any(_compare(element, operator, expected) for element in actual)
    if actual is None or isinstance(actual, dict):
        return False
    if isinstance(actual, bool):
        actual = "true" if actual else "false"
    if operator == "in":
        return str(actual) in [choice.strip() for choice in expected.split(",")]
    left, right = _number(actual), _number(expected)
    if left is None or right is None:
        left, right = str(actual), expected
    if operator == "eq":
        return left == right
    if operator == "lt":
        return left < right
    if operator == "gt":
        return left > right
    if operator == "lte":
        return left <= right
    return left >= right


def _sort_key(value):
    number = _number(value)
    return (0, number, "") if number is not None else (1, 0.0, json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value))


def encode_continue(offset):
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def decode_continue(token):
    if not BASE64.match(token):
        raise ValueError("not base64")
    try:
        offset = json.loads(base64.b64decode(token))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ValueError("not a continue token issued by this server")
    if not isinstance(offset, int) or offset < 0:
        raise ValueError("not a continue token issued by this server")
    return offset


def parse_list_options(query_items, declared):
    """query_items: [(name, value)] as sent. Raises ApiProblem 6 or 5."""
    accepted = accepted_parameters(declared)
    unknown = sorted({name for name, _value in query_items if name not in accepted})
    if unknown:
        why = "not supported by this endpoint" if accepted else "this endpoint takes no query parameters"
        raise ApiProblem(6, invalid_params=[reason(name, why) for name in unknown])
    options = ListOptions()
    invalid = []
    seen = {}
    for name, value in query_items:
        if name in seen and name != "filter":
            invalid.append(reason(name, "given more than once"))
            continue
        seen[name] = value
        if name == "include":
            if INCLUDE.match(value):
                options.include = value.split(",")
            else:
                invalid.append(reason(name, "must be comma-separated field names (letters and digits)"))
        elif name == "limit":
            if LIMIT.match(value):
                options.limit = int(value)
            else:
                invalid.append(reason(name, "must be a positive integer"))
        elif name == "filter":
            try:
                options.conditions.extend(parse_filter(value))
            except FilterSyntaxError as error:
                invalid.append(reason(name, "malformed filter: %s" % error))
        elif name == "continue":
            try:
                options.offset = decode_continue(value)
            except ValueError as error:
                invalid.append(reason(name, str(error)))
        elif name == "orderBy":
            match = ORDER_BY.match(value.strip())
            if match:
                options.order_by = match.group("field")
                options.descending = match.group("direction") == "desc"
            else:
                invalid.append(reason(name, "must be one top-level field name, optionally followed by ' desc'"))
        elif name == "skip":
            if SKIP.match(value):
                options.skip = int(value)
            else:
                invalid.append(reason(name, "must be a non-negative integer"))
        elif name == "count":
            if value == "true":
                options.count = True
            else:
                invalid.append(reason(name, "the only accepted value is 'true'"))
    if invalid:
        raise ApiProblem(5, invalid_params=invalid)
    return options


def list_body(items, options, page_size=None):
    """Filter, paginate and project; returns the list envelope.

    page_size: the server's own page size for a request without `limit` (the simulator's --page-size; a real server
    sends the whole collection then)."""
    matched = [item for item in items if all(condition.holds(item) for condition in options.conditions)]
    if options.order_by:
        present = [item for item in matched if item.get(options.order_by) is not None]
        absent = [item for item in matched if item.get(options.order_by) is None]
        matched = sorted(present, key=lambda item: _sort_key(item[options.order_by]), reverse=options.descending) + absent
    page = matched[options.skip + options.offset:]
    metadata = {}
    limit = options.limit if options.limit is not None else page_size
    if limit is not None and len(page) > limit:
        page = page[:limit]
        metadata["continue"] = encode_continue(options.offset + limit)
    if options.count:
        metadata["count"] = len(matched)
    if options.include:
        page = [[item.get(name) for name in options.include] for item in page]
    return {"items": page, "metadata": metadata}
