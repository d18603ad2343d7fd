# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The filter plugin is the runbook engine as filters: every listed function, the engine's errors as filter errors."""

import pytest

from ansible.errors import AnsibleFilterError

import subprocess
import sys
from pathlib import Path

from ansible_collections.kubedr.astra.plugins.filter import posture as posture_filters
from ansible_collections.kubedr.astra.plugins.filter.runbook import FILTERS, FilterModule
from ansible_collections.kubedr.astra.plugins.module_utils import posture, runbook


def test_every_filter_is_the_engine_function_of_that_name():
    filters = FilterModule().filters()
    assert sorted(filters) == sorted(FILTERS)
    for name, function in filters.items():
        assert function.__wrapped__ is getattr(runbook, name)
    assert posture_filters.FilterModule().filters()["record_posture"].__wrapped__ is posture_filters.record_posture


def test_the_posture_filter_is_the_engine_function(monkeypatch):
    calls = []
    monkeypatch.setattr(posture, "record_posture", lambda *args, **kwargs: calls.append((args, kwargs)) or {"a": {}})
    packed = runbook.pack_record({"run": {}})
    assert posture_filters.FilterModule().filters()["record_posture"](packed, "facts", at="now") == runbook.pack_record(
        {"a": {}})
    assert calls == [(({"run": {}}, "facts"), {"at": "now"})]


APPS = [{"key": "postgres@prod-east", "name": "postgres", "cluster": "prod-east", "wave": 1},
        {"key": "mysql@prod-east", "name": "mysql", "cluster": "prod-east", "wave": 2}]


def test_the_roles_hold_the_record_packed_and_every_filter_reads_it_packed():
    filters = FilterModule().filters()
    record = filters["new_record"](APPS)
    assert isinstance(record, str) and record.startswith(runbook.PACKED_RECORD)
    assert runbook.unpack_record(record) == runbook.new_record(APPS)
    step = {"name": "clone", "status": "failed", "started": None, "finished": None, "message": "quota: {{ no }}"}
    record = filters["record_step"](record, "mysql@prod-east", step, ids={"app_id": "a-1"})
    record = filters["record_steps"](record, [{"key": "postgres@prod-east", "step": dict(step, status="passed")}])
    assert isinstance(record, str)
    # Filters that read the record take it packed and answer as they would for the dict.
    assert filters["wave_failures"](record, 2) == ["mysql"] == runbook.wave_failures(runbook.unpack_record(record), 2)
    assert filters["report_apps"](record) == runbook.report_apps(runbook.unpack_record(record))
    assert runbook.unpack_record(record)["mysql@prod-east"]["astra_ids"] == {"app_id": "a-1"}
    assert runbook.unpack_record(record)["mysql@prod-east"]["steps"][0]["message"] == "quota: {{ no }}"
    # record_ready returns the record under 'record', packed, and the ready apps as they are.
    moved = [{"item": APPS[0], "changed": True, "report_step": {"started": "2025-01-31T09:30:00Z"}}]
    app_info = {"results": [{"item": "prod-east", "apps": [{"name": "postgres", "state": "ready"}],
                             "timing": {"started": "2025-01-31T09:31:00Z", "finished": "2025-01-31T09:31:00Z"}}]}
    readiness = filters["record_ready"](record, "failback", moved, app_info)
    assert readiness["ready"] == {"postgres@prod-east": {"name": "postgres", "state": "ready"}}
    assert runbook.unpack_record(readiness["record"])["postgres@prod-east"]["rto_seconds"] == 60.0
    # A string that is not a packed record is passed on as it is.
    assert runbook.unpack_record("postgres") == "postgres"


@pytest.mark.parametrize("filter_file", sorted(
    path.stem for path in (Path(__file__).parents[4] / "plugins" / "filter").glob("*.py") if path.stem != "__init__"))
def test_no_filter_file_imports_the_input_models_or_the_module_base(filter_file):
    """ansible-core imports every filter file of the collection again in each task's worker that uses one of them."""
    code = ("import sys; import ansible_collections.kubedr.astra.plugins.filter.%s; "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('pydantic', 'requests') "
            "or name.endswith(('.astra_module', '.api_resources'))))" % filter_file)
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_engine_errors_become_filter_errors_with_the_engine_message():
    filters = FilterModule().filters()
    with pytest.raises(AnsibleFilterError, match="^new_record: app 'a@b' is listed twice$"):
        filters["new_record"]([{"key": "a@b"}, {"key": "a@b"}])
    with pytest.raises(AnsibleFilterError, match="seconds_between: end: 'later' is not an ISO 8601 timestamp"):
        filters["seconds_between"]("2025-01-31T09:30:00Z", "later")
    assert filters["seconds_between"]("2025-01-31T09:30:00Z", "2025-01-31T09:31:00Z") == 60.0
