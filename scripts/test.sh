#!/usr/bin/env bash
# Everything `make test` runs, in order, each step timed. pytest runs last so
# its summary (the test count) is the closing line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.venv/collections"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0
unset ASTRA_API_URL ASTRA_ACCOUNT_ID ASTRA_API_TOKEN ASTRA_CA_PATH ASTRA_VALIDATE_CERTS ASTRA_TIMEOUT ASTRA_RETRY_TIMEOUT

step() { printf '\n=== %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; printf -- '--- %s: %ss\n' "$1" $((SECONDS - start)); }

# What the tests need from Debian: shellcheck (ansible-test's shellcheck test passes silently without it)
# and chromium (the report is checked in a real browser).
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (apt)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing ${missing[*]} and not root: apt-get install ${missing[*]}" >&2; exit 1
  fi
fi

# ansible-lint and ansible-test sanity are each single-threaded: run lint alongside sanity, report it after.
lint_log=$(mktemp)
trap 'rm -f "$lint_log"' EXIT
(start=$SECONDS; rc=0; ansible-lint --offline -q || rc=$?; printf -- '--- ansible-lint: %ss\n' $((SECONDS - start)); exit $rc) \
  >"$lint_log" 2>&1 &
lint_pid=$!

step "ansible-test sanity (from a temporary ansible_collections/kubedr/astra copy)"
timed scripts/sanity.sh

step "ansible-doc for every module"
modules=()
for path in plugins/modules/*.py; do
  name=$(basename "$path" .py)
  [ "$name" = __init__ ] || modules+=("$name")
done
for module in "${modules[@]}"; do
  ansible-doc "kubedr.astra.$module" >/dev/null || { echo "ansible-doc failed for $module" >&2; exit 1; }
done
echo "ansible-doc: ${#modules[@]} modules documented"

step "antsibull-changelog lint"
timed antsibull-changelog lint

step "ansible-lint (production profile, run alongside sanity)"
lint_rc=0
wait "$lint_pid" || lint_rc=$?
cat "$lint_log"
[ "$lint_rc" = 0 ] || { echo "ansible-lint failed" >&2; exit "$lint_rc"; }

rm -rf tests/output/reliability
step "pytest: unit, simulator and integration tests"
export PYTHONPATH="$root/.venv/collections"
# Three workers on two cores (the integration tests also wait on the simulator's clock), handed the longest tests
# first, one at a time (tests/integration/ordering.py), so the many short unit and simulator tests fill the last minutes.
python -m pytest -p no:cacheprovider -n 3 --dist load --maxschedchunk 1 --durations=40 tests/integration simulator/tests tests/unit
