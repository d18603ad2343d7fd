# -*- coding: utf-8 -*-
# Copyright: (c) 2026, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One list per poll for the waits of a wave, instead of one GET per app (kubedr.astra.astra_batch).

The runs of one astra_batch are forked children of one module process; a runbook step runs one per app of a wave, and
each waits for its own operation (a clone, a removal, a failover) by polling its resource. When two or more of them
wait on the same collection (k8s/v2/apps, k8s/v1/appMirrors), a poll reads the collection once for all of them, with
only the fields their waits depend on (include=id,state,...), and each wait sees its own item in that list.

The list is a sign, never the answer: a wait keeps polling while the list shows its item still in progress; when the
list shows the item done, failed or gone (or cannot be read), the wait reads its item itself and decides on that read
exactly as it would have (waiter.Waiter). So what a wait returns or reports is always its own GET of its item.

The lists live in a directory the batch's parent creates and removes (0700, in the module's temporary directory); one
file per collection and field set, written under an exclusive lock by whichever wait needs a newer one first. Polls are
put on a common grid of instants (waiter.Waiter) so that the waits of a wave ask at the same moments and one list
answers all of them. Anything that goes wrong here (a file, a lock, the list request itself) only sends the wait back
to its own GET.
"""

import errno
import itertools
import json
import os
import re
import time

try:
    import fcntl
except ImportError:  # pragma: no cover  # not on Windows; modules run on a POSIX controller or execution node
    fcntl = None

# Seconds a wait waits for another's list request to end before it reads its item itself.
LOCK_TIMEOUT = 30.0
LOCK_PAUSE = 0.01

_CURRENT = None
_WAITS = itertools.count()


class Unavailable(Exception):
    """No list answer now: the wait reads its item itself."""


def install(directory, started=None):
    """Make the waits and lookups of this process (a batch's child, started at the monotonic instant `started`)
    share the lists kept in directory."""
    global _CURRENT  # pylint: disable=global-statement
    _CURRENT = SharedLists(directory, started=started) if directory else None


def current():
    """The shared lists of this process, or None outside a batch's child."""
    return _CURRENT


def split_item_path(path):
    """(collection path, item ID) of an item path such as k8s/v2/apps/<id>."""
    collection, _slash, item_id = path.rstrip("/").rpartition("/")
    return collection, item_id


class SharedLists:
    """The lists one batch's waits share, in one directory; clock must be the same in every process (monotonic)."""

    def __init__(self, directory, clock=None, lock_timeout=LOCK_TIMEOUT, started=None):
        self.directory = directory
        self._clock = clock or time.monotonic
        self.lock_timeout = lock_timeout
        # When this run started: a whole collection it looks up must have been read since (collection()).
        self.started = started if started is not None else self._clock()

    @staticmethod
    def _key(collection, fields):
        """The file name part of a collection and field set (k8s_v2_apps-id-state): readable, and no dot in it."""
        return re.sub(r"[^0-9A-Za-z_-]", "_", "%s-%s" % (collection, "-".join(("id",) + tuple(fields))))

    def enter(self, collection, fields):
        """Say that this process waits on the collection; returns a token for leave()."""
        marker = os.path.join(self.directory, "%s.%d-%d.waiting" % (self._key(collection, fields), os.getpid(), next(_WAITS)))
        try:
            with open(marker, "w"):
                pass
        except OSError:
            return None
        return marker

    @staticmethod
    def leave(marker):
        if marker:
            try:
                os.unlink(marker)
            except OSError:
                pass

    def waiting(self, collection, fields):
        """How many runs of the batch are waiting on the collection (with the same fields) now."""
        prefix = self._key(collection, fields) + "."
        try:
            return sum(1 for name in os.listdir(self.directory) if name.startswith(prefix) and name.endswith(".waiting"))
        except OSError:
            return 0

    def item(self, client, collection, item_id, fields, not_before, operation):
        """The item's fields ({"id", *fields}) from a list read at not_before or later; None when it is not in the list.

        Reads the list (client.list with include=id,fields, every page) when the one kept is older than not_before
        (a monotonic instant); raises Unavailable when no list can be had (the wait then reads its item itself).
        """
        def read():
            rows = client.list(collection, params={"include": ",".join(("id",) + tuple(fields))}, operation=operation)
            return dict((row[0], list(row[1:])) for row in rows if isinstance(row, (list, tuple)) and row)

        values = self._kept(self._key(collection, fields), not_before, read).get(item_id)
        if values is None:
            return None
        return dict(zip(("id",) + tuple(fields), [item_id] + list(values)))

    def collection(self, client, collection, operation):
        """Every item of the collection, from a list a run of the batch read after this run started.

        For lookups that list a whole collection (every app mirror of the account, to find one relationship): the
        runs of a step that start together read it once instead of once each. A list read since this run started
        shows everything done before it started, as its own read would; what runs going at the same time do, neither
        would show. Raises Unavailable when no list can be had (the run lists the collection itself).
        """
        return self._kept(self._key(collection, ("whole",)), self.started,
                          lambda: client.list(collection, operation=operation))

    def _kept(self, key, not_before, read):
        """The items kept under key, read (read()) again under the key's lock when the ones kept were read before
        not_before; raises Unavailable when they cannot be had, now or by the run that last tried at this instant."""
        if fcntl is None:
            raise Unavailable("no file locks here")
        path = os.path.join(self.directory, key + ".json")
        try:
            lock = open(os.path.join(self.directory, key + ".lock"), "a")
        except OSError as exc:
            raise Unavailable(str(exc))
        with lock:
            self._lock(lock)
            kept = self._read(path)
            if kept is None or kept["read_at"] < not_before:
                read_at = self._clock()
                try:
                    kept = {"read_at": read_at, "items": read()}
                except Exception:  # pylint: disable=broad-except  # whatever it was, each run reads for itself and sees it
                    # Kept as failed for this instant: the other runs of the instant read for themselves without trying again.
                    kept = {"read_at": read_at, "failed": True}
                self._write(path, kept)
        if kept.get("failed"):
            raise Unavailable("the shared list could not be read")
        return kept["items"]

    def _lock(self, lock):
        deadline = self._clock() + self.lock_timeout
        while True:
            try:
                fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or self._clock() >= deadline:
                    raise Unavailable("the shared list is locked")
            time.sleep(LOCK_PAUSE)

    @staticmethod
    def _read(path):
        try:
            with open(path) as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return None

    @staticmethod
    def _write(path, kept):
        temporary = "%s.%d.tmp" % (path, os.getpid())
        try:
            with open(temporary, "w") as handle:
                # json.dumps, not json.dump: dump streams through the pure-Python encoder, 13 times slower (65 ms for
                # the 200 mirrors of a scale estate, written once per shared read).
                handle.write(json.dumps(kept))
            os.rename(temporary, path)
        except OSError:
            pass
