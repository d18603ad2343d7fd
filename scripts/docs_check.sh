#!/usr/bin/env bash
# The collection's documentation as antsibull-docs lints it: every plugin's and role's docs (semantic markup, the
# modules, plugins, roles and options they reference), the extra docs pages (docs/docsite/rst, extra-docs.yml) and
# docs/docsite/links.yml. The same docs `make docs` builds into a site; this check needs only the project's .venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.venv/collections"
antsibull-docs lint-collection-docs --plugin-docs "$root"
