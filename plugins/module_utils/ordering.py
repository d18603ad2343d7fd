# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Ordering of API objects by their creation time."""

import re
from datetime import datetime, timezone


def creation_time(item):
    """metadata.creationTimestamp of an API object as an aware datetime; the oldest possible time when missing."""
    value = ((item or {}).get("metadata") or {}).get("creationTimestamp")
    if isinstance(value, str) and value:
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        # Python 3.10 parses at most 6 fractional digits; the API may send more.
        text = re.sub(r"(\.\d{6})\d+", r"\1", text)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return datetime.min.replace(tzinfo=timezone.utc)


def newest_first(items):
    """Items ordered by metadata.creationTimestamp, newest first.

    Timestamps often have whole seconds only, so items created within one
    second tie; the API lists items in creation order, so of tied items the one
    listed later counts as newer.
    """
    positions = list(enumerate(items))
    positions.sort(key=lambda position: (creation_time(position[1]), position[0]), reverse=True)
    return [item for _position, item in positions]
