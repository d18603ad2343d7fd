# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The API resources the modules create, change or delete, described once for AstraModule's ensure_* helpers."""

from ansible_collections.kubedr.astra.plugins.module_utils.api_resources import App
from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import ResourceKind
from ansible_collections.kubedr.astra.plugins.module_utils.hooks import (
    HOOK_SOURCES,
    app_hooks_path,
    hook_definition,
    hook_source_definition,
)
from ansible_collections.kubedr.astra.plugins.module_utils.lookups import (
    ACCOUNT_BACKUPS,
    APP_MIRRORS,
    APPS,
    restore_points_path,
    schedules_path,
)
from ansible_collections.kubedr.astra.plugins.module_utils.schedules import schedule_definition

# Body version of every app request: clone, restore-to-new and in-place restore need 2.2.
APP_VERSION = "2.2"

APP = ResourceKind("app", "app", APP_VERSION, APPS, definition=lambda app: App.parse(app, "app").definition(),
                   transitional_states=("pending", "discovering", "provisioning", "restoring"))

RESTORE_POINT_SETTLING = ("pending", "discovering", "running")
RESTORE_POINT_FAILED = ("failed", "removed")
RESTORE_POINT_HINT = ("it cannot be repaired: remove it (state: absent) and run the task again to take a new one, or set "
                      "replace_failed: true")


def _no_user_fields(_item):
    return {}


def snapshot_kind(app_id):
    """Snapshots of one app (k8s/v1/apps/<id>/appSnaps): no PUT, so nothing to compare but the name."""
    return ResourceKind("snapshot", "appSnap", "1.1", restore_points_path("snapshot", app_id), definition=_no_user_fields,
                        ready_states=("completed",), failure_states=RESTORE_POINT_FAILED,
                        transitional_states=RESTORE_POINT_SETTLING, strict_hint=RESTORE_POINT_HINT)


def backup_kind(app_id):
    """Backups of one app (k8s/v1/apps/<id>/appBackups): no PUT, so nothing to compare but the name. The account lists
    every app's backups in one collection too (topology/v1/appBackups): the waits of a batch share that list."""
    return ResourceKind("backup", "appBackup", "1.1", restore_points_path("backup", app_id), definition=_no_user_fields,
                        ready_states=("completed",), failure_states=RESTORE_POINT_FAILED,
                        transitional_states=RESTORE_POINT_SETTLING, strict_hint=RESTORE_POINT_HINT,
                        shared_collection=ACCOUNT_BACKUPS)


def schedule_kind(app_id):
    """Schedules of one app (k8s/v1/apps/<id>/schedules); all fields are strings; synchronous (no state)."""
    return ResourceKind("schedule", "schedule", "1.2", schedules_path(app_id), definition=schedule_definition)


# Replication relationships (k8s/v1/appMirrors): no name; their states are driven by stateDesired (PUT), not by fields.
APP_MIRROR = ResourceKind("app mirror", "appMirror", "1.1", APP_MIRRORS, definition=_no_user_fields,
                          ready_states=("established",), failure_states=(), transitional_states=("establishing", "failingOver"))

# Hook sources (core/v1/hookSources) and the execution hooks of one app (k8s/v1/apps/<id>/executionHooks): synchronous,
# no state; a PUT keeps what it omits.
HOOK_SOURCE = ResourceKind("hook source", "hookSource", "1.0", HOOK_SOURCES, definition=hook_source_definition)


def execution_hook_kind(app_id):
    return ResourceKind("execution hook", "executionHook", "1.3", app_hooks_path(app_id), definition=hook_definition,
                        ordered=("arguments",))
