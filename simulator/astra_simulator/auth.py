"""Bearer-token authentication (problems 3 and 4) and the account check (33 and 11)."""

import hmac
from dataclasses import dataclass

from .problems import ApiProblem
from .resources import is_identifier


@dataclass(frozen=True)
class Identity:
    account_id: str
    token: str
    user_id: str    # the user the token belongs to: `createdBy` of what the client creates

    def __repr__(self):     # keep the token out of any log line or traceback
        return "Identity(account_id=%r, user_id=%r)" % (self.account_id, self.user_id)


def bearer_token(authorization):
    if not authorization:
        return None
    scheme, _separator, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate(identity, headers):
    token = bearer_token(headers.get("authorization"))
    if token is None:
        raise ApiProblem(3, headers={"WWW-Authenticate": 'Bearer realm="astra"'})
    if not hmac.compare_digest(token.encode(), identity.token.encode()):
        raise ApiProblem(4, headers={"WWW-Authenticate": 'Bearer realm="astra", error="invalid_token"'})


def check_account(identity, account_id):
    if not is_identifier(account_id):
        raise ApiProblem(33, "The account ID %r in the request URI isn't in the appropriate format." % account_id)
    if account_id != identity.account_id:
        raise ApiProblem(
            11,
            "The account ID %s in the request URI doesn't match the x-pcloud-accountid header derived from the "
            "bearer token." % account_id,
        )
