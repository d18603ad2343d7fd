"""The API surface: every route module registers its endpoints on one Router."""

from ..routing import Router
from . import apps, hooks, mirrors, protection, topology


def build_router():
    router = Router()
    topology.register(router)
    apps.register(router)
    protection.register(router)
    mirrors.register(router)
    hooks.register(router)
    return router
