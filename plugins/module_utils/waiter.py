# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Poll one resource by ID until it reaches a state, fails, disappears or the wait times out."""

import time

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
    """

    def __init__(self, client, clock=None, sleep=None, first_delay=FIRST_POLL_DELAY, factor=POLL_BACKOFF_FACTOR,
                 max_delay=MAX_POLL_DELAY, max_errors=MAX_CONSECUTIVE_POLL_ERRORS):
        self.client = client
        self._clock = clock or time.monotonic
        self._sleep = sleep or time.sleep
        self.first_delay = first_delay
        self.factor = factor
        self.max_delay = max_delay
        self.max_errors = max_errors

    def until_state(self, path, target_states, failure_states=("failed",), timeout=600, description=None, state_field="state"):
        """Poll path until resource[state_field] is one of target_states.

        Returns (resource, elapsed seconds). Raises AstraWaitError on a failure
        state, when the resource disappears (404), or at the timeout.
        """
        target_states = tuple(target_states)
        failure_states = tuple(failure_states or ())

        def done(resource):
            return resource.get(state_field) in target_states

        def failed(resource):
            return resource.get(state_field) in failure_states

        return self.until(path, done, failed, timeout, description, " or ".join(target_states))

    def until(self, path, done, failed=None, timeout=600, description=None, target="ready"):
        """Poll path until done(resource) is true; failed(resource) true ends the wait with an error.

        done is asked first. failed may return a string: the reason, quoted in the error.
        """
        description = description or path

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

        return self._poll(path, "Wait for %s" % description, description, target, timeout, settled)

    def until_gone(self, path, timeout=600, description=None):
        """Poll path until the API answers 404. Returns (None, elapsed seconds)."""
        description = description or path
        return self._poll(path, "Wait for %s to be deleted" % description, description, "deleted", timeout,
                          lambda resource, elapsed, last: resource is None)

    def _poll(self, path, operation, description, target, timeout, settled):
        """GET path until settled(resource or None on 404, elapsed, last resource read) is true; returns (resource, elapsed).

        Backoff between polls, never past the deadline; transient errors tolerated up to max_errors in a row.
        """
        start = self._clock()
        deadline = start + timeout
        delay = self.first_delay
        errors = 0
        last = None
        while True:
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
            delay = self._pause(deadline, delay, description, target, last, start, timeout)

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
