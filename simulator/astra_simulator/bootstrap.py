"""Open a state file, seed it on first use, and settle the account and token.

Settings kept in the state file: `scenario` (re-applied by reset), `world_seed`
(makes reset bring back the same IDs), `user_id` (the token's user, used as
`createdBy`), `account_id` and `token`. The scenario is applied only to a
fresh state; account ID and token given on the command line replace the
stored ones, otherwise the stored ones are kept, or new ones generated.
"""

import random
import secrets
from dataclasses import dataclass

from .auth import Identity
from .resources import new_id
from .scenarios import SCENARIOS, apply_scenario


@dataclass
class Startup:
    identity: Identity
    fresh: bool
    scenario: str
    token_origin: str       # "generated", "command line" or "state file"
    account_origin: str


def _new_token():
    """A random URL-safe token that doesn't start with '-' (which command lines would take for an option)."""
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def _settle(store, key, given, generate):
    if given:
        store.set_setting(key, given)
        return given, "command line"
    stored = store.setting(key)
    if stored:
        return stored, "state file"
    value = generate()
    store.set_setting(key, value)
    return value, "generated"


def bootstrap(store, account_id=None, token=None, scenario=None, scale=None):
    """scale: {"apps": N, "clusters": M} for the scale scenario (kept in the state file for reset). A fresh state of a
    scenario that seeds through the API (seeding.py) is seeded by the caller, once the server's parts exist."""
    fresh = store.setting("scenario") is None
    if fresh:
        scenario = scenario or "demo"
        if scenario not in SCENARIOS:
            raise ValueError("unknown scenario %r" % scenario)
        store.set_setting("world_seed", random.SystemRandom().getrandbits(63))
        store.set_setting("user_id", new_id())
        store.set_setting("scenario", scenario)
        if scale:
            store.set_setting("scale", scale)
        apply_scenario(store, scenario, store.setting("world_seed"), store.setting("user_id"))
    elif scenario and scenario != store.setting("scenario"):
        store.set_setting("scenario", scenario)     # applies at the next reset; the existing state is kept
    account_id, account_origin = _settle(store, "account_id", account_id, new_id)
    token, token_origin = _settle(store, "token", token, _new_token)
    identity = Identity(account_id, token, store.setting("user_id"))
    return Startup(identity, fresh, store.setting("scenario"), token_origin, account_origin)


def reset(store, faults):
    """Back to the scenario's initial state: world, request log, faults and outages (then seeding.seed_scenario)."""
    with store.transaction():
        apply_scenario(store, store.setting("scenario"), store.setting("world_seed"), store.setting("user_id"))
        store.delete_setting("outages")
        store.clear_requests()
    faults.clear()
