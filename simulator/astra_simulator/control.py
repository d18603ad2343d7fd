"""Control endpoints under /_simulator/ (same bearer token as the API, except health).

GET    /_simulator/health                         readiness probe, no token
GET    /_simulator/requests                       the request log;  DELETE clears it
GET    /_simulator/faults                         current faults;   PUT replaces, DELETE clears
POST   /_simulator/clusters/{name}/outage         the cluster becomes unreachable; DELETE ends the outage
GET    /_simulator/clusters/{name}                the cluster's internal world (namespaces, storage class
                                                  capabilities, Kubernetes objects)
POST   /_simulator/clusters/{name}/namespaces      a namespace with a sample workload (Deployment, Service, Secret,
                                                  PVC) is created, as `kubectl create namespace` + `kubectl apply` would
DELETE /_simulator/clusters/{name}/namespaces/{ns}  the namespace and its objects are deleted (state `removed`)
GET    /_simulator/executionHooks                 whether execution hooks are enabled, and every hook run so far
PUT    /_simulator/executionHooks                 {"enabled": true|false}: the account setting, as a settings PUT would
POST   /_simulator/reset                          back to the scenario's initial state
"""

import json

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from . import apps, clones, hooks, settings, world
from .auth import authenticate
from .bootstrap import reset
from .dispatcher import problem_reply
from .labels import SelectorError, check_label
from .problems import ApiProblem, reason
from .resources import DNS_1123_LABEL, touch
from .scenarios import sample_workload
from .seeding import seed_scenario

NAMESPACE_FIELDS = ("name", "labels")


def _json(value, status=200):
    return Response(json.dumps(value), status_code=status, media_type="application/json")


def build_control_router(store, engine, faults, identity):
    router = APIRouter(prefix="/_simulator")

    def guarded(operation, status=200):
        """Authenticate, apply due transitions, run `operation(body)` in the thread pool, answer JSON or a problem."""
        async def endpoint(request: Request):
            raw = await request.body()
            try:
                authenticate(identity, {k.lower(): v for k, v in request.headers.items()})
                body = None
                if raw.strip():
                    try:
                        body = json.loads(raw)
                    except ValueError as error:
                        raise ApiProblem(7, "The request body is not valid JSON: %s." % error)
                result = await run_in_threadpool(_run, operation, request.path_params, body)
            except ApiProblem as problem:
                reply = problem_reply(problem)
                return Response(reply.body, status_code=reply.status, media_type=reply.content_type, headers=reply.headers)
            return _json(result, status)
        return endpoint

    def _run(operation, params, body):
        with store.lock:
            engine.run_due()
            return operation(body, **params)

    def cluster_named(name):
        cluster = world.cluster_by_name(store, name)
        if cluster is None:
            raise ApiProblem(2, "There is no cluster named %s." % name)
        return cluster

    @router.get("/health")
    def health():
        return {"status": "ok"}

    def get_requests(body):
        return {"items": store.requests()}

    def clear_requests(body):
        store.clear_requests()
        return {"items": []}

    def get_faults(body):
        return faults.describe()

    def put_faults(body):
        return faults.configure(body if body is not None else {})

    def clear_faults(body):
        faults.clear()
        return faults.describe()

    def outage_status(cluster):
        return {"cluster": cluster["name"], "id": cluster["id"], "unreachable": world.is_unreachable(store, cluster["id"])}

    def start_outage(body, name):
        cluster = cluster_named(name)
        with store.transaction():
            outages = store.setting("outages", [])
            if cluster["id"] not in outages:
                store.set_setting("outages", outages + [cluster["id"]])
                apps.cluster_unreachable(store, cluster)
        return outage_status(cluster)

    def end_outage(body, name):
        cluster = cluster_named(name)
        with store.transaction():
            outages = store.setting("outages", [])
            if cluster["id"] in outages:
                store.set_setting("outages", [c for c in outages if c != cluster["id"]])
                apps.cluster_reachable(store, cluster)
        return outage_status(cluster)

    def describe_cluster(body, name):
        cluster = cluster_named(name)
        return {
            **outage_status(cluster),
            "managed": world.is_managed(cluster),
            "namespaces": [{"name": ns["name"], "namespaceState": ns["namespaceState"],
                            "labels": {label["name"]: label["value"] for label in ns["kubernetesLabels"]}}
                           for ns in world.namespaces(store, cluster["id"])],
            "storageClasses": [{"name": sc["name"], "isDefault": sc.get("isDefault") == "true",
                                "accessModes": sc["_accessModes"], "backendType": sc["_backendType"]}
                               for sc in world.storage_classes(store, cluster["id"])],
            "resources": [{key: value for key, value in obj.items() if key not in ("id", "clusterID")} | {"uid": obj["id"]}
                          for obj in world.k8s_resources(store, cluster["id"])],
        }

    def new_namespace(body, name):
        """What `kubectl create namespace` and applying a small app do: the namespace, `discovered`, with a Deployment,
        a Service, a Secret and a PVC on the cluster's default storage class."""
        cluster = cluster_named(name)
        namespace, labels = _namespace_request(body)
        found = world.namespace_by_name(store, cluster["id"], namespace)
        if found is not None and found["namespaceState"] == "discovered":
            raise ApiProblem(123, "The namespace %s already exists on cluster %s." % (namespace, name))
        being_created = clones.namespaces_being_created(store, cluster["id"]).get(namespace)
        if being_created:
            raise ApiProblem(123, "The namespace %s on cluster %s is being created for app %s." % (namespace, name, being_created))
        storage_class = (world.default_storage_class(store, cluster["id"])
                         or next(iter(world.storage_classes(store, cluster["id"])), None))
        with store.transaction():
            created = world.create_namespace(store, cluster["id"], namespace, labels)    # replaces a `removed` one
            for spec in sample_workload(namespace, labels, storage_class and storage_class["name"]):
                world.create_k8s_resource(store, cluster["id"], dict(spec, namespace=namespace))
        return world.render(created)

    def remove_namespace(body, name, namespace):
        cluster = cluster_named(name)
        found = world.namespace_by_name(store, cluster["id"], namespace)
        if found is None:
            raise ApiProblem(2, "There is no namespace %s on cluster %s." % (namespace, name))
        with store.transaction():
            # What `kubectl delete namespace` does: its objects go with it; Astra then reads it as removed.
            for obj in world.k8s_resources(store, cluster["id"], namespace):
                store.delete(obj["id"])
            found["namespaceState"] = "removed"
            touch(found)
            store.put("namespace", found)
        return world.render(found)

    def hook_status(body):
        return {"enabled": settings.hooks_enabled(store), "runs": hooks.runs(store)}

    def switch_hooks(body):
        if not isinstance(body, dict) or set(body) != {"enabled"} or not isinstance(body["enabled"], bool):
            raise ApiProblem(8, schema_failure='the body must be {"enabled": true} or {"enabled": false}')
        with store.transaction():
            settings.set_hooks_enabled(store, body["enabled"])
        return hook_status(None)

    def reset_world(body):
        reset(store, faults)
        seed_scenario(store, identity, engine.time_scale)
        return {"status": "reset", "scenario": store.setting("scenario")}

    routes = (
        ("GET", "/requests", get_requests), ("DELETE", "/requests", clear_requests),
        ("GET", "/faults", get_faults), ("PUT", "/faults", put_faults), ("DELETE", "/faults", clear_faults),
        ("POST", "/clusters/{name}/outage", start_outage), ("DELETE", "/clusters/{name}/outage", end_outage),
        ("GET", "/clusters/{name}", describe_cluster),
        ("POST", "/clusters/{name}/namespaces", new_namespace, 201),
        ("DELETE", "/clusters/{name}/namespaces/{namespace}", remove_namespace),
        ("GET", "/executionHooks", hook_status), ("PUT", "/executionHooks", switch_hooks),
        ("POST", "/reset", reset_world),
    )
    for method, path, operation, *status in routes:
        router.add_api_route(path, guarded(operation, *status), methods=[method], name="%s %s" % (method, path))
    return router


def _namespace_request(body):
    """Validate a POST /_simulator/clusters/{name}/namespaces body; returns (name, labels)."""
    if not isinstance(body, dict):
        raise ApiProblem(8, schema_failure='the body must be a JSON object: {"name": "<DNS-1123 label>", "labels": {...}}')
    unknown = sorted(set(body) - set(NAMESPACE_FIELDS))
    if unknown:
        raise ApiProblem(8, schema_failure="unknown fields: %s (allowed: name, labels)" % ", ".join(unknown))
    invalid = []
    name = body.get("name")
    if not isinstance(name, str) or len(name) > 63 or not DNS_1123_LABEL.match(name):
        invalid.append(reason("name", "must be a DNS-1123 label: at most 63 lower-case alphanumerics or '-', starting "
                                      "and ending with an alphanumeric"))
    labels = body.get("labels")
    if labels is None:
        labels = {}
    elif not isinstance(labels, dict):
        invalid.append(reason("labels", "must be an object of label names to values"))
    else:
        for key, value in labels.items():
            try:
                check_label(key, value)
            except SelectorError as error:
                invalid.append(reason("labels", "%s" % error))
    if invalid:
        raise ApiProblem(9, invalid_fields=invalid)
    return name, labels
