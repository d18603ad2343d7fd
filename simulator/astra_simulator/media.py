"""Accept-header negotiation.

Absent, `*/*`, `application/*` or `application/json` -> application/json.
`application/astra-<type>+json` for the endpoint's resource type -> echoed.
Anything else -> None (the caller answers 406, problem 32). Lists are always
sent as application/json once the Accept header is acceptable.
"""

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
GENERIC = {"*/*", "application/*", JSON}


def resource_media_type(resource_type):
    return "application/astra-%s+json" % resource_type


def negotiate(accept, resource_type):
    if accept is None or not accept.strip():
        return JSON
    wanted = resource_media_type(resource_type).lower()
    for media_range in accept.split(","):
        name, _separator, parameters = media_range.partition(";")
        name = name.strip().lower()
        if "q=0" in parameters.replace(" ", "") and "q=0." not in parameters.replace(" ", ""):
            continue  # q=0 means "not acceptable"
        if name in GENERIC:
            return JSON
        if name == wanted:
            return resource_media_type(resource_type)
    return None
