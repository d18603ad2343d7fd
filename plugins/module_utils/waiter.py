# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Poll one resource by ID until it reaches a state, fails, disappears or the wait times out."""

import math
import time

from ansible_collections.kubedr.astra.plugins.module_utils import shared_lists
from ansible_collections.kubedr.astra.plugins.module_utils.errors import AstraApiError, AstraConnectionError, AstraWaitError

FIRST_POLL_DELAY = 0.25
POLL_BACKOFF_FACTOR = 1.5
MAX_POLL_DELAY = 10.0
# Each GET is already retried by the client for its whole retry_timeout: a poll that still fails means the API
# has been failing that long, so the wait ends there (with the client's last error) unless told otherwise.
MAX_CONSECUTIVE_POLL_ERRORS = 0
TRANSIENT_STATUSES = frozenset((429, 500, 502, 503, 504))


def _is_transient(error):
    if isinstance(error, AstraConnectionError):
        return True
    return isinstance(error, AstraApiError) and error.status in TRANSIENT_STATUSES


class Waiter:
    """Polls on a monotonic clock with a growing delay: first_delay, x factor, capped at max_delay.

    Never sleeps past the deadline. max_errors consecutive transient GET
    failures (transport errors, 429, 5xx) beyond the client's own retries are
    tolerated (none by default). clock and sleep are injectable for tests.

    In a run of kubedr.astra.astra_batch (shared: shared_lists.SharedLists), while other runs of the batch wait on the
    same collection, a poll reads the collection's list shared by all of them instead of its own item, and reads its
    item only when the list shows it done, failed or gone (see shared_lists); those polls fall on a common grid of
    instants, so that one list answers the polls of a whole wave.
    """

    def __init__(self, client, clock=None, sleep=None, first_delay=FIRST_POLL_DELAY, factor=POLL_BACKOFF_FACTOR,
                 max_delay=MAX_POLL_DELAY, max_errors=MAX_CONSECUTIVE_POLL_ERRORS, shared=None):
        self.client = client
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self.max_errors = max_errors
        self.shared = shared if shared is not None else shared_lists.current()

    def until_state(self, path, target_states, failure_states=("failed",), timeout=600, description=None, state_field="state",
                    shared_collection=None):
        """Poll path until resource[state_field] is one of target_states.

        shared_collection: the collection a shared list reads (see the class), when not the item's own (an app's
        backups are also listed account-wide, in one collection for every app).

        Returns (resource, elapsed seconds). Raises AstraWaitError on a failure
        state, when the resource disappears (404), or at the timeout.
        """
        target_states = tuple(target_states)
        failure_states = tuple(failure_states or ())

        def done(resource):
            return resource.get(state_field) in target_states

        def failed(resource):
            return resource.get(state_field) in failure_states

        return self.until(path, done, failed, timeout, description, " or ".join(target_states), watch=(state_field,),
                          shared_collection=shared_collection)

    def until(self, path, done, failed=None, timeout=600, description=None, target="ready", watch=None,
              shared_collection=None):
        """Poll path until done(resource) is true; failed(resource) true ends the wait with an error.

        done is asked first. failed may return a string: the reason, quoted in the error.
        watch: the top-level fields done and failed read (none else may change their answer); given, the wait may
        poll a list shared with the other waits of a batch (see the class). None: it always reads its item.
        """
        description = description or path

        def in_progress(view):
            return not done(view) and not (failed(view) if failed else None)

        def settled(resource, elapsed, last):
            if resource is None:
                raise AstraWaitError(description, target, "gone", last, elapsed, timeout)
            if done(resource):
                return True
            verdict = failed(resource) if failed else None
            if verdict:
                raise AstraWaitError(description, target, "failed", resource, elapsed, timeout,
                                     cause=verdict if isinstance(verdict, str) else None)
            return False

        return self._poll(path, "Wait for %s" % description, description, target, timeout, settled,
                          watch=watch, in_progress=in_progress, shared_collection=shared_collection)

    def until_gone(self, path, timeout=600, description=None, shared_collection=None):
        """Poll path until the API answers 404. Returns (None, elapsed seconds)."""
        description = description or path
        return self._poll(path, "Wait for %s to be deleted" % description, description, "deleted", timeout,
                          lambda resource, elapsed, last: resource is None, watch=(), in_progress=lambda view: True,
                          shared_collection=shared_collection)

    def _poll(self, path, operation, description, target, timeout, settled, watch=None, in_progress=None,
              shared_collection=None):
        """GET path until settled(resource or None on 404, elapsed, last resource read) is true; returns (resource, elapsed).

        Backoff between polls, never past the deadline; transient errors tolerated up to max_errors in a row.
        With a shared list (see the class), a poll whose list view of the item is in_progress(view) sends no GET.
        """
        start = self._clock()
        deadline = start + timeout
        delay = self.first_delay
        errors = 0
        last = None
        key = self._shared_key(path, watch, shared_collection)
        sharing = self._share(key)
        poll_at = None
        if sharing and self.shared.waiting(*key) > 1:
            # Others of the batch already wait on the collection: the first poll too is theirs, on the grid.
            _delay, poll_at = self._pause_on_grid(deadline, self.first_delay, description, target, last, start, timeout)
        try:
            while True:
                if not (poll_at is not None and poll_at < deadline
                        and self._still_in_progress(key, path, poll_at, operation, in_progress)):
                    try:
                        current = self.client.get(path, operation=operation)
                        errors = 0
                    except AstraApiError as exc:
                        if exc.status != 404:
                            errors = self._count_error(exc, errors)
                        elif settled(None, self._clock() - start, last):
                            return None, self._clock() - start
                    except AstraConnectionError as exc:
                        errors = self._count_error(exc, errors)
                    else:
                        if settled(current, self._clock() - start, last):
                            return current, self._clock() - start
                        last = current
                if sharing:
                    delay, poll_at = self._pause_on_grid(deadline, delay, description, target, last, start, timeout)
                else:
                    delay = self._pause(deadline, delay, description, target, last, start, timeout)
        finally:
            if sharing:
                self.shared.leave(sharing)

    @staticmethod
    def _shared_key(path, watch, shared_collection):
        """(collection, fields) of the list a wait may share, or None when it reads its item every time."""
        if watch is None:
            return None
        return shared_collection or shared_lists.split_item_path(path)[0], tuple(watch)

    def _share(self, key):
        """The token of this wait in the shared lists (see the class), or None when it reads its item every time."""
        if self.shared is None or key is None:
            return None
        return self.shared.enter(*key)

    def _still_in_progress(self, key, path, poll_at, operation, in_progress):
        """Whether the shared list, read at poll_at or later, shows the item still in progress (no GET needed)."""
        collection, watch = key
        item_id = shared_lists.split_item_path(path)[1]
        if self.shared.waiting(collection, watch) < 2:
            return False
        try:
            view = self.shared.item(self.client, collection, item_id, watch, poll_at, operation)
        except shared_lists.Unavailable:
            return False
        if view is None:
            return False
        # A list shows a field the item lacks as null: the view is judged both ways, and only a view in progress
        # either way spares the GET (a wrong "in progress" would miss the end of the wait; a wrong "done" costs a GET).
        without_nulls = dict((name, value) for name, value in view.items() if value is not None)
        try:
            return bool(in_progress(view)) and bool(in_progress(without_nulls))
        except Exception:  # pylint: disable=broad-except  # a predicate that needs more than the view: read the item
            return False

    def _pause_on_grid(self, deadline, delay, description, target, resource, start, timeout):
        """As _pause, to the next instant of a grid shared by the waits of a batch: (next delay, that instant).

        The grid's step is the delay rounded down to first_delay times a power of two, so the grids of waits at
        different delays still meet; the next poll is the first grid instant at least half a delay away.
        """
        now = self._clock()
        if now >= deadline:
            raise AstraWaitError(description, target, "timeout", resource, now - start, timeout)
        step = self.first_delay * 2 ** max(0, int(math.floor(math.log(max(delay, self.first_delay) / self.first_delay, 2))))
        instant = math.ceil((now + delay / 2.0) / step) * step
        self._sleep(max(0.0, min(instant, deadline) - now))
        return min(delay * self.factor, self.max_delay), instant

    def _count_error(self, error, errors):
        if not _is_transient(error) or errors + 1 > self.max_errors:
            raise error
        return errors + 1

    def _pause(self, deadline, delay, description, target, resource, start, timeout):
        """Sleep before the next poll, never past the deadline; raise the timeout once it has passed."""
        now = self._clock()
        if now >= deadline:
            raise AstraWaitError(description, target, "timeout", resource, now - start, timeout)
        self._sleep(min(delay, deadline - now))
        return min(delay * self.factor, self.max_delay)
