"""The order `make test` hands tests to its workers: the longest first, so none starts late and runs alone at the end.

With `--dist load --maxschedchunk 1`, pytest-xdist gives the workers the tests in collection order, one or two
at a time, as they become free (without the chunk limit it hands the first quarter out in large consecutive
chunks, which would put every long test on one worker); sorting the longest to the front is the classic
longest-first schedule. The costs are rough seconds of one worker on a 2-core
machine (`--durations` of `make test`); anything not listed keeps its place after them.
"""

COSTS = {
    "test_molecule.py": 150,
    "test_bad_input_catalogue.py": 120,
    "test_runbook_playbooks.py": 120,
    "test_runbook_evidence.py": 80,
    "test_mirror_playbooks.py": 70,
    "test_reliability_permanent.py": 70,
    "test_reliability_faults.py": 60,
    "test_reliability_crash.py": 60,
    "test_reliability_secrets.py": 50,
    "test_protection_playbooks.py": 50,
    "test_reliability_concurrency.py": 40,
    "test_module_examples.py": 15,
    "test_reliability_tls.py": 15,
    "test_app_playbooks.py": 10,
    "test_async_wait_playbook.py": 10,
}


def longest_first(items):
    """The items with the costly test files first, most costly first; a stable sort keeps the rest as collected."""
    def cost(item):
        return COSTS.get(item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1], 0)
    return sorted(items, key=cost, reverse=True)
