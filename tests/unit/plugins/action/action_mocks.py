# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An action plugin of the collection on a mocked task and connection, as the worker would make it."""

from unittest import mock


def mock_action(plugin_class, args, check_mode=False, transport="local", become=None):
    """plugin_class for a task with these args (no async, no diff) over a local connection without become; its module
    payloads are not built and its temporary directories not removed."""
    task = mock.MagicMock()
    task.args = args
    task.async_val = 0
    task.check_mode = check_mode
    task.diff = False
    connection = mock.MagicMock()
    connection.transport = transport
    connection.become = become
    connection._shell.tmpdir = None
    plugin = plugin_class(task, connection, mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    plugin._configure_module = mock.MagicMock()
    plugin._remove_tmp_path = mock.MagicMock()
    return plugin
