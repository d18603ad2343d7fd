# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What astra_app_snapshot and astra_app_backup (and their _info twins) share: snapshots and backups
are both restore points of one app, named once per app, created by POST and removed by DELETE."""

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import app_argument_spec, option_shape, wait_argument_spec
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraValidationError, summarize_state_details
from ansible_collections.kubedr.astra.plugins.module_utils.kinds import RESTORE_POINT_FAILED
from ansible_collections.kubedr.astra.plugins.module_utils.ordering import newest_first
from ansible_collections.kubedr.astra.plugins.module_utils.validators import dns1123_label_problem


# What --diff shows of a snapshot or backup, under the option names (a backup's bucket and snapshot as IDs).
DIFF_OPTIONS = (("name", "name"), ("bucketID", "bucket"), ("snapshotID", "snapshot"))


def restore_point_diff_shape(fields):
    return option_shape(fields, DIFF_OPTIONS)


def restore_point_argument_spec(wait_timeout=600):
    """Options of astra_app_snapshot and astra_app_backup besides their own."""
    spec = app_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", default="present", choices=["present", "absent"]),
        replace_failed=dict(type="bool", default=False),
    )
    spec.update(wait_argument_spec(wait_timeout=wait_timeout))
    return spec


def ensure_restore_point(module, word, kind_factory, create_fields=None):
    """Create (and wait for) or delete the snapshot/backup named `name` of `app`.

    word: 'snapshot' or 'backup'; kind_factory(app_id): its ResourceKind;
    create_fields(app, items): extra POST fields, consulted only when the
    restore point does not exist yet (items: the app's current ones).
    """
    params = module.params
    problem = dns1123_label_problem(params["name"])
    if problem:
        raise AstraValidationError("name", problem)
    cluster = module.lookups.cluster(params["cluster"], option="cluster", require_managed=False) if params["cluster"] else None
    app = module.lookups.require_app(params["app"], cluster=cluster, option="app")
    kind = kind_factory(app["id"])
    items = module.lookups.restore_points(word, app)
    current = module.lookups.restore_point_named(word, app, params["name"], items=items)
    if params["state"] == "absent":
        return module.ensure_absent(kind, current)

    def find_existing():
        return module.lookups.restore_point_named(word, app, params["name"])

    replaced = None
    if current is not None and current.get("state") in RESTORE_POINT_FAILED and params["replace_failed"]:
        replaced, current = _remove_failed(module, kind, word, current), None
        items = [item for item in items if item.get("id") != replaced.get("id")]
    fields = {"name": params["name"]}
    if current is None and create_fields is not None:
        fields.update(create_fields(app, items))
    result = module.ensure_present(kind, current, {}, fields, find_existing=find_existing)
    if replaced is not None:
        result["before"] = replaced
    return result


def _remove_failed(module, kind, word, failed):
    """Delete a failed restore point of the wanted name, so a new one can take its name (replace_failed)."""
    details = "; ".join(summarize_state_details(failed.get("stateDetails"))
                        + summarize_state_details(failed.get("stateUnready"))) or "no state details"
    module.warn("%s %r (id %s) is in state %s (%s); %s it and taking a new one (replace_failed)"
                % (word, failed.get("name"), failed.get("id"), failed.get("state"), details,
                   "would delete" if module.check_mode else "deleted"))
    if not module.check_mode:
        path = kind.item_path(failed["id"])
        module.client.delete(path, operation="Delete failed %s" % kind.describe(failed.get("name")))
        # The new one needs the name: wait until the API lets it go, whatever the wait option says.
        module.waiter.until_gone(path, timeout=module.params["wait_timeout"], description=kind.describe(failed.get("name")),
                                 shared_collection=kind.shared_collection)
    return failed


def list_restore_points(module, word, account_wide=None):
    """The snapshots/backups matching the _info options app, cluster, name and state, newest first.

    Without app, one list per managed app (of cluster, when given); account_wide():
    one request for every restore point of the account, used when neither app
    nor cluster is given. Items listed per app carry appID and appName when
    the API does not send them.
    """
    params = module.params
    cluster = module.lookups.cluster(params["cluster"], option="cluster", require_managed=False) if params["cluster"] else None
    if params["app"]:
        apps = [module.lookups.require_app(params["app"], cluster=cluster, option="app")]
    elif account_wide is not None and cluster is None:
        apps = None
    else:
        apps = module.lookups.apps(cluster_id=cluster["id"] if cluster else None)
    if apps is None:
        items = account_wide()
    else:
        items = []
        for app in apps:
            for item in module.lookups.restore_points(word, app):
                item.setdefault("appID", app.get("id"))
                item.setdefault("appName", app.get("name"))
                items.append(item)
    items = [item for item in items
             if (params["name"] is None or item.get("name") == params["name"])
             and (params["state"] is None or item.get("state") == params["state"])]
    return newest_first(items)


RESTORE_POINT_STATES = ["pending", "discovering", "running", "completed", "failed", "removed", "deleting", "unknown"]


def restore_point_info_argument_spec():
    return dict(
        app=dict(type="str"),
        cluster=dict(type="str"),
        name=dict(type="str"),
        state=dict(type="str", choices=RESTORE_POINT_STATES),
    )
