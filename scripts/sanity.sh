#!/usr/bin/env bash
# ansible-test sanity from a temporary collection copy, offline except for the package registries.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$root/.venv/bin:$PATH"
mkdir -p ~/.ansible/test/cache
for v in 24_2 25_2; do cp "$root/scripts/get_pip_standin.py" ~/.ansible/test/cache/get_pip_$v.py; done
export KUBEDR_UV="$root/.venv/bin/uv"  # the stand-in installs pip into ansible-test's venvs with it (or uv on PATH)
exec "$root/scripts/in-collection-copy.sh" ansible-test sanity --venv --python 3.11 --color no "$@"
