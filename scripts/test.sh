#!/usr/bin/env bash
# Everything `make test` runs, each step timed: the static checks alongside pytest, then a summary of the three.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$root/.venv/collections"
export ANSIBLE_NOCOLOR=1 PY_COLORS=0
unset ASTRA_API_URL ASTRA_ACCOUNT_ID ASTRA_API_TOKEN ASTRA_CA_PATH ASTRA_VALIDATE_CERTS ASTRA_TIMEOUT ASTRA_RETRY_TIMEOUT ASTRA_ACTOOLKIT_CONFIG ASTRATOOLKITS_CONF

step() { printf '\n=== %s\n' "$*"; }
timed() { local start=$SECONDS; "$@"; printf -- '--- %s: %ss\n' "$1" $((SECONDS - start)); }

# What the tests need from Debian: shellcheck (ansible-test's shellcheck test passes silently without it)
# and chromium (the report is checked in a real browser). apt installs them while make venv builds .venv: both mostly
# wait on the network, and on a fresh CI machine each takes about half a minute.
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
apt_pid=
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing ${missing[*]} and not root: apt-get install ${missing[*]}" >&2; exit 1
  fi
  step "installing ${missing[*]} (apt, alongside make venv)"
  apt_log=$(mktemp)
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >"$apt_log" 2>&1 &
  apt_pid=$!
fi
step "make venv"
start=$SECONDS
"${MAKE:-make}" --no-print-directory venv
printf -- '--- make venv: %ss\n' $((SECONDS - start))
if [ -n "$apt_pid" ]; then
  wait "$apt_pid" || { cat "$apt_log" >&2; echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
  rm -f "$apt_log"
  printf -- '--- apt: %s installed after %ss\n' "${missing[*]}" $((SECONDS - start))
fi

# The static checks (ansible-test sanity, then ansible-doc and the changelog lint; ansible-lint) are single-threaded
# and mostly wait on one core: they run alongside pytest, and their logs are shown when pytest has ended. Sanity
# works on a copy of the checkout, which is made before pytest starts writing test output.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

static_checks() {
  step "ansible-test sanity (from a temporary ansible_collections/kubedr/astra copy)"
  export KUBEDR_COPY_READY="$logs/copied"
  timed scripts/sanity.sh

  step "ansible-doc for every module (one run)"
  local modules=() path name shown
  for path in plugins/modules/*.py; do
    name=$(basename "$path" .py)
    [ "$name" = __init__ ] || modules+=("kubedr.astra.$name")
  done
  # ansible-doc only warns about a plugin it cannot find or parse: any warning fails the step.
  ansible-doc -t module "${modules[@]}" >"$logs/ansible-doc.txt" 2>"$logs/ansible-doc.err" || { cat "$logs/ansible-doc.err" >&2; return 1; }
  if [ -s "$logs/ansible-doc.err" ]; then cat "$logs/ansible-doc.err" >&2; return 1; fi
  shown=$(grep -c '^> MODULE ' "$logs/ansible-doc.txt" || true)
  [ "$shown" = "${#modules[@]}" ] || { echo "ansible-doc showed $shown of ${#modules[@]} modules" >&2; return 1; }
  echo "ansible-doc: ${#modules[@]} modules documented"

  step "antsibull-changelog lint"
  timed antsibull-changelog lint
  timed scripts/release_check.sh

  step "antsibull-docs lint (plugin, role and extra docs)"
  timed scripts/docs_check.sh
}

step "static checks started: ansible-test sanity, ansible-doc, antsibull-changelog and antsibull-docs lint; ansible-lint"
(static_checks) >"$logs/static.log" 2>&1 &
static_pid=$!
(start=$SECONDS; rc=0; ansible-lint --offline -q || rc=$?; printf -- '--- ansible-lint: %ss\n' $((SECONDS - start)); exit $rc) \
  >"$logs/lint.log" 2>&1 &
lint_pid=$!
while [ ! -e "$logs/copied" ] && kill -0 "$static_pid" 2>/dev/null; do sleep 0.2; done

rm -rf tests/output/reliability
step "pytest: unit, simulator and integration tests"
export PYTHONPATH="$root/.venv/collections"
# Three workers on two cores (the integration tests also wait on the simulator's clock), handed the longest tests
# first, one at a time (tests/integration/ordering.py), so the many short unit and simulator tests fill the last minutes.
pytest_rc=0
python -m pytest -p no:cacheprovider -n 3 --dist load --maxschedchunk 1 --durations=40 \
  tests/integration simulator/tests tests/unit | tee "$logs/pytest.log" || pytest_rc=$?  # pipefail: pytest's status

static_rc=0
wait "$static_pid" || static_rc=$?
cat "$logs/static.log"
lint_rc=0
wait "$lint_pid" || lint_rc=$?
step "ansible-lint (production profile)"
cat "$logs/lint.log"

step "summary"
echo "static checks: $([ "$static_rc" = 0 ] && echo passed || echo "FAILED ($static_rc)")"
echo "ansible-lint: $([ "$lint_rc" = 0 ] && echo passed || echo "FAILED ($lint_rc)")"
echo "pytest: $(tail -n 1 "$logs/pytest.log")"
[ "$static_rc" = 0 ] && [ "$lint_rc" = 0 ] && [ "$pytest_rc" = 0 ]
