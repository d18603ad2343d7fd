"""The `scale` scenario: an estate of many apps across several cluster pairs, to rehearse and measure runbooks at size.

`--scenario scale --apps N --clusters M` builds M production clusters `prod-01`... each paired with a DR cluster
`dr-01`..., and N apps `app-001`... spread over the production clusters in turn. Each app has a namespace of its
own with a small workload and a volume (every 5th app has a second namespace, `<app>-cache`); the volumes alternate
between the two storage classes every cluster has.

Then seeding.py puts the apps under protection through the simulator's own API, as any client would, so every document has
the shape and the history a client's requests give it, and the state machines run as usual (at a tiny time scale,
before the server serves its first request):
- every app is managed;
- every app but each 10th (`app-010`, `app-020`...) has a completed snapshot and a completed backup (protected);
- every app but each 5th (`app-005`, `app-010`...) is replicated to its cluster's DR peer: an established AppMirror
  with a `kubedr-replication` schedule once a day (1440 minutes), as astra_app_mirror makes it.
So a 250-app estate has 225 protected and 200 mirrored apps, and the unprotected ones show up in a posture run.
"""

DEFAULT_APPS = 200
DEFAULT_CLUSTERS = 2
MAX_APPS = 2000
MAX_CLUSTERS = 20


def app_name(number):
    return "app-%03d" % number


def is_protected(number):
    return number % 10 != 0


def is_mirrored(number):
    return number % 5 != 0


def app_namespaces(number):
    name = app_name(number)
    return [name, "%s-cache" % name] if number % 5 == 0 else [name]


def cluster_pair(number, clusters):
    """(production cluster, DR cluster) of app `number` (1-based): the apps go round the production clusters."""
    index = (number - 1) % clusters + 1
    return "prod-%02d" % index, "dr-%02d" % index


def check_size(apps, clusters):
    if not 1 <= apps <= MAX_APPS:
        raise ValueError("--apps must be 1 to %d, got %s" % (MAX_APPS, apps))
    if not 1 <= clusters <= MAX_CLUSTERS:
        raise ValueError("--clusters must be 1 to %d, got %s" % (MAX_CLUSTERS, clusters))


def build_scale(builder, apps, clusters, storage_classes, sample_workload):
    """The topology and the workloads: M cluster pairs, N apps' namespaces (no Astra object yet)."""
    check_size(apps, clusters)
    bucket = builder.bucket("dr-bucket", "s3.on-prem.example.internal")
    cloud = builder.cloud("on-prem", default_bucket=bucket)
    by_name = {}
    for index in range(1, clusters + 1):
        for prefix, location in (("prod", "dc-east"), ("dr", "dc-west")):
            name = "%s-%02d" % (prefix, index)
            by_name[name] = builder.kubernetes_cluster(name, cloud, True, location, storage_classes,
                                                       storage_classes[0][0])
    for number in range(1, apps + 1):
        production, _dr = cluster_pair(number, clusters)
        storage_class = storage_classes[number % len(storage_classes)][0]
        for namespace in app_namespaces(number):
            labels = {"app": app_name(number)}
            builder.namespace(by_name[production], namespace, labels)
            for spec in sample_workload(namespace, labels=labels, storage_class=storage_class):
                builder.k8s(by_name[production], namespace, spec)
