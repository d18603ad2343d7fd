"""Command line: python -m astra_simulator --host 127.0.0.1 --port 8443 [--tls [--tls-dir DIR]]
--account-id UUID --token TOKEN [--scenario demo|empty|scale [--apps N] [--clusters M]] [--state FILE.sqlite]
[--time-scale 1.0]
"""

import argparse
import math
import os
import sys

import uvicorn

from .app import create_app
from .bootstrap import bootstrap
from .protocol import DroppableH11Protocol
from .resources import is_identifier
from .scale import DEFAULT_APPS, DEFAULT_CLUSTERS, check_size
from .seeding import seed_scenario
from .scenarios import SCENARIOS
from .store import Store
from .tls import ensure_certificates


def _time_scale(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number, not %r" % text)
    if math.isnan(value) or value <= 0:
        raise argparse.ArgumentTypeError("must be greater than 0 (durations are multiplied by it), not %s" % text)
    return value


def _or_default(value, default):
    return default if value is None else value


def _page_size(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError("must be a positive integer, not %r" % text)
    return int(text)


def _account_id(text):
    if not is_identifier(text):
        raise argparse.ArgumentTypeError("must be a lower-case UUID (version 4), not %r" % text)
    return text


VALUE_OPTIONS = ("--host", "--port", "--tls-dir", "--account-id", "--token", "--scenario", "--state", "--time-scale",
                 "--apps", "--clusters", "--page-size")


def _join_option_values(argv):
    """`--token -abc` -> `--token=-abc`: argparse would take a value starting with '-' for an option.

    URL-safe random tokens start with '-' now and then, and launchers pass them as separate arguments.
    """
    joined, i = [], 0
    while i < len(argv):
        if argv[i] in VALUE_OPTIONS and i + 1 < len(argv):
            joined.append("%s=%s" % (argv[i], argv[i + 1]))
            i += 2
        else:
            joined.append(argv[i])
            i += 1
    return joined


def parse_args(argv=None):
    # The console script of the installed distribution is astra-simulator; from a checkout it is the module.
    prog = "astra-simulator" if os.path.basename(sys.argv[0]) == "astra-simulator" else "python -m astra_simulator"
    parser = argparse.ArgumentParser(prog=prog, description="Local simulator of the Astra Control REST API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="port to listen on (default 8443)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a certificate signed by a local CA")
    parser.add_argument("--tls-dir", help="where ca.pem and the server key/certificate live (default: the state file's directory)")
    parser.add_argument("--account-id", type=_account_id, help="account UUID (default: kept from the state file, else random)")
    parser.add_argument("--token", help="API bearer token (default: kept from the state file, else random and printed)")
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), help="initial world for a fresh state file (default demo)")
    parser.add_argument("--state", default="./astra-simulator.sqlite", help="SQLite state file (default ./astra-simulator.sqlite)")
    parser.add_argument("--time-scale", type=_time_scale, default=1.0, help="multiplier of every simulated duration (> 0)")
    parser.add_argument("--apps", type=int, help="scale scenario: how many apps (default %d)" % DEFAULT_APPS)
    parser.add_argument("--clusters", type=int,
                        help="scale scenario: how many production clusters, each with a DR peer (default %d)" % DEFAULT_CLUSTERS)
    parser.add_argument("--page-size", type=_page_size,
                        help="answer every list request that has no limit with pages of at most N items and a continue "
                             "token (a real Astra Control sends the whole collection then): rehearses paging")
    args = parser.parse_args(_join_option_values(sys.argv[1:] if argv is None else list(argv)))
    if (args.apps is not None or args.clusters is not None) and args.scenario != "scale":
        parser.error("--apps and --clusters size the scale scenario: give --scenario scale too")
    if args.scenario == "scale":
        try:
            check_size(_or_default(args.apps, DEFAULT_APPS), _or_default(args.clusters, DEFAULT_CLUSTERS))
        except ValueError as error:
            parser.error(str(error))
    return args


def main(argv=None):
    args = parse_args(argv)
    state_path = os.path.abspath(args.state)
    os.makedirs(os.path.dirname(state_path), exist_ok=True)
    store = Store(state_path)
    scale = None
    if args.scenario == "scale":
        scale = {"apps": _or_default(args.apps, DEFAULT_APPS), "clusters": _or_default(args.clusters, DEFAULT_CLUSTERS)}
    startup = bootstrap(store, args.account_id, args.token, args.scenario, scale=scale)
    if startup.fresh:
        seed_scenario(store, startup.identity, args.time_scale)

    ssl = {}
    scheme = "http"
    ca_path = None
    if args.tls:
        ca_path, cert_path, key_path = ensure_certificates(os.path.abspath(args.tls_dir or os.path.dirname(state_path)))
        ssl = {"ssl_certfile": cert_path, "ssl_keyfile": key_path}
        scheme = "https"

    identity = startup.identity
    token_line = identity.token if startup.token_origin == "generated" else "(%s; not shown)" % startup.token_origin
    if startup.fresh:
        state_note = "new, scenario %s" % startup.scenario
    else:
        state_note = "reused as is; reset applies scenario %s" % startup.scenario
    lines = [
        "Astra Control API simulator",
        "  base URL:    %s://%s:%d" % (scheme, args.host, args.port),
        "  account ID:  %s (%s)" % (identity.account_id, startup.account_origin),
        "  API token:   %s" % token_line,
        "  state file:  %s (%s)" % (state_path, state_note),
        "  time scale:  %g" % args.time_scale,
    ]
    if args.page_size:
        lines.append("  page size:   %d (lists without limit are paged)" % args.page_size)
    if ca_path:
        lines.append("  CA file:     %s" % ca_path)
    print("\n".join(lines), flush=True)

    app = create_app(store, identity, args.time_scale, args.page_size)
    # Bounded graceful shutdown: a connection caught mid-TLS-handshake at shutdown would otherwise be waited for forever.
    config = uvicorn.Config(app, host=args.host, port=args.port, http=DroppableH11Protocol, lifespan="on",
                            log_level="info", timeout_graceful_shutdown=2, **ssl)
    try:
        uvicorn.Server(config).run()
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
