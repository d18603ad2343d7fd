#!/usr/bin/env bash
# The released collection as its users meet it (make test runs this among its static checks; make release-check alone):
#  1. build the tarball with `ansible-galaxy collection build` from a copy of the checkout (the files git tracks or
#     would track) into which what local runs leave behind is planted: simulator state and its SQLite journals (they
#     hold the token), keys and certificates, reports, dist/, venvs, caches; git must ignore each planted file;
#  2. hold the tarball's files to tests/release/allowed-files.txt: a file no line allows, a file a `never` line
#     refuses, a planted file, a `required` glob no file matches: each fails the check, named;
#  3. run galaxy-importer on it (the checks of a Galaxy / Automation Hub upload; tests/release/galaxy-importer.cfg
#     leaves out ansible-lint and ansible-test, which make test runs elsewhere): an error or a warning fails;
#  4. with the lowest ansible-core that meta/runtime.yml claims (tests/release/requirements-lowest.txt), install the
#     tarball with `ansible-galaxy collection install --offline -p` into a temporary collections path and, with
#     ANSIBLE_COLLECTIONS_PATH pointing only there, run the installed copy's protect and drill playbooks by name
#     (kubedr.astra.protect, kubedr.astra.drill: its playbooks/ with its playbooks/vars/demo.yml) against the simulator;
#     both reports, written inside the installed copy, must say passed for the four demo apps, and the drill's clean-up
#     (the installed playbooks/tasks/simulator_delete_namespaces.yml) must have passed for each.
# The tools of steps 3 and 4 live in .venv-release (ignored by git), made on first use and again only when
# tests/release/requirements-*.txt change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
dev="$root/.venv/bin"
release="$root/tests/release"
tools="$root/.venv-release"
# Nothing of the caller's Ansible or Python set-up reaches the tools or the runs (scripts/test.sh points
# ANSIBLE_COLLECTIONS_PATH at the checkout; PYTHONPATH could make the checkout importable).
while read -r name; do unset "$name"; done < <(compgen -e | grep -E '^(ANSIBLE_|ASTRA_)' || true)
unset PYTHONPATH

fail() { echo "release check: $*" >&2; exit 1; }
printf '\n=== release check: the tarball, its files, galaxy-importer, the installed runbooks on the lowest ansible-core\n'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# No ansible.cfg either: the checkout's (collections_path = ./.venv/collections) would make ansible-galaxy take the
# checkout's collection for installed already.
: >"$work/ansible.cfg"
export ANSIBLE_CONFIG="$work/ansible.cfg"

# The tool venv: the lowest ansible-core with what the modules need (normal resolution), then galaxy-importer with only
# the packages it imports when it runs neither ansible-lint nor flake8 (--no-deps: its own requirements pin attrs<24
# and pull in a second ansible-lint; requirements-dev.txt has moved past both).
# uv (make venv installs it into .venv) where it reaches the index, else pip.
tools_install() {
  if [ -x "$dev/uv" ] && "$dev/uv" pip install -q --compile-bytecode --python "$tools/bin/python" "$@"; then return 0; fi
  "$tools/bin/pip" install --disable-pip-version-check -q "$@"
}
stamp="$tools/.installed-$(cat "$release/requirements-lowest.txt" "$release/requirements-importer.txt" | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
  start=$SECONDS
  rm -rf "$tools"
  {
    "$dev/python" -m venv "$tools" &&
      tools_install -r "$release/requirements-lowest.txt" &&
      tools_install --no-deps -r "$release/requirements-importer.txt"
  } >"$work/tools.log" 2>&1 || { cat "$work/tools.log"; rm -rf "$tools"; fail "could not install the release tools"; }
  touch "$stamp"
  echo "release tools installed into .venv-release in $((SECONDS - start))s"
fi
# The same bytecode cache for module payloads as make venv's (scripts/zipimport_bytecode_cache.py says why).
"$tools/bin/python" scripts/zipimport_bytecode_cache.py install >/dev/null
core_version() { "$tools/bin/python" -c 'from ansible.release import __version__; print(__version__)'; }

# The ansible-core of the tool venv is the lowest one meta/runtime.yml claims, so the claim is what is tested.
claimed=$(sed -n 's/^requires_ansible: *["'\'']*>= *\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)
lowest=$(core_version | cut -d. -f1-2)
[ -n "$claimed" ] || fail "no requires_ansible '>=X.Y...' in meta/runtime.yml"
[ "$claimed" = "$lowest" ] || fail "meta/runtime.yml claims ansible-core >=$claimed, tests/release/requirements-lowest.txt installs $lowest"

# 1. The tarball, as a release is built, from a checkout in which the simulator, the tests and make dist have run.
start=$SECONDS
planted=(
  astra-simulator.sqlite astra-simulator.sqlite-wal astra-simulator.sqlite-shm astra-simulator.sqlite-journal
  ca.pem ca-key.pem server.pem server-key.pem sim/state.sqlite sim/state.sqlite-wal tls/client.key tls/client.crt
  simulator.log reports/drill-20260101T000000Z/report.json tests/output/junit.xml
  dist/kubedr-astra-0.0.0.tar.gz dist/astra_simulator-0.0.0-py3-none-any.whl build/lib/x.py
  simulator/astra_simulator.egg-info/PKG-INFO .venv/pyvenv.cfg .venv-release/pyvenv.cfg .ansible/tmp/x
  .pytest_cache/README.md plugins/modules/__pycache__/astra_app.cpython-311.pyc
)
not_ignored=$(printf '%s\n' "${planted[@]}" | { git check-ignore --stdin --no-index -n -v || true; } | sed -n 's/^::\t//p')
[ -z "$not_ignored" ] || fail "git does not ignore what local runs leave: $(echo "$not_ignored" | tr '\n' ' ')"
source_copy="$work/source"
mkdir "$source_copy"
git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$source_copy"
for path in "${planted[@]}"; do mkdir -p "$source_copy/$(dirname "$path")"; echo planted >"$source_copy/$path"; done
"$dev/ansible-galaxy" collection build --output-path "$work" "$source_copy" >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; fail "build failed"; }
tarball=$(echo "$work"/kubedr-astra-*.tar.gz)
[ -f "$tarball" ] || fail "no tarball in $work"

# 2. Its files against the allow-list, and none of the planted ones.
PLANTED="${planted[*]}" "$dev/python" - "$tarball" "$release/allowed-files.txt" <<'EOF'
import os
import re
import sys
import tarfile


def pattern(glob):
    """* within one path segment, ** across segments (**/ also matches no directory), ? one character."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


tarball, allow_list = sys.argv[1:3]
allowed, required, never = [], [], []
with open(allow_list, encoding="utf-8") as lines:
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, glob = line.split(None, 1) if line.startswith(("required ", "never ")) else ("", line)
        (never if kind == "never" else allowed).append((glob, pattern(glob)))
        if kind == "required":
            required.append((glob, pattern(glob)))
with tarfile.open(tarball) as archive:
    files = sorted(member.name for member in archive.getmembers() if not member.isdir())
problems = ["not allowed: " + name for name in files if not any(regex.match(name) for _, regex in allowed)]
problems += ["refused (never %s): %s" % (glob, name) for name in files for glob, regex in never if regex.match(name)]
problems += ["required, missing: " + glob for glob, regex in required if not any(regex.match(name) for name in files)]
problems += ["a local run's leftover, carried: " + name for name in files if name in os.environ["PLANTED"].split()]
if problems:
    sys.exit("release check: the tarball's files against %s:\n  %s" % (allow_list, "\n  ".join(problems)))
print("tarball: %d files, each allowed, none refused or left over, all %d required globs matched" % (
    len(files), len(required)))
EOF
echo "tarball built from a planted copy and listed: $((SECONDS - start))s"

# 3. galaxy-importer, as on upload, with the lowest ansible-core's ansible-doc (it finds ansible-doc on PATH). It runs
# alongside step 4, which mostly waits on the simulator's clock.
start=$SECONDS
mkdir "$work/importer"
(cd "$work/importer" && PATH="$tools/bin:$PATH" GALAXY_IMPORTER_CONFIG="$release/galaxy-importer.cfg" \
   "$tools/bin/python" -m galaxy_importer.main "$tarball") >"$work/importer.log" 2>&1 &
importer=$!

# 4. Installed with the lowest ansible-core, the installed copy's runbooks against the simulator.
(cd "$work" && "$tools/bin/ansible-galaxy" collection install --offline -p "$work/collections" "$tarball") >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "install failed"; }
[ -f "$work/collections/ansible_collections/kubedr/astra/MANIFEST.json" ] || { cat "$work/install.log"; fail "not installed"; }
runbooks_rc=0
(cd "$work" && ANSIBLE_COLLECTIONS_PATH="$work/collections" \
   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=false \
   ANSIBLE_INVENTORY_UNPARSED_WARNING=false ANSIBLE_DISPLAY_SKIPPED_HOSTS=false \
   "$dev/python" "$root/scripts/with_simulator.py" --scenario demo --time-scale 0.02 -- \
   "$tools/bin/ansible-playbook" -i localhost, -c local kubedr.astra.protect kubedr.astra.drill) >"$work/runbooks.log" 2>&1 \
  || runbooks_rc=$?
runbooks_seconds=$((SECONDS - start))

importer_rc=0
wait "$importer" || importer_rc=$?
[ "$importer_rc" = 0 ] || { cat "$work/importer.log"; fail "galaxy-importer failed"; }
if grep -E '^(WARNING|ERROR|CRITICAL)' "$work/importer.log"; then fail "galaxy-importer warned (above)"; fi
grep -q 'Importer processing completed successfully' "$work/importer.log" || { cat "$work/importer.log"; fail "galaxy-importer did not complete"; }
echo "galaxy-importer: completed, no warning"

[ "$runbooks_rc" = 0 ] || { cat "$work/runbooks.log"; fail "the installed protect and drill runbooks failed with ansible-core $(core_version)"; }
"$dev/python" - "$work/collections/ansible_collections/kubedr/astra/reports" <<'EOF' || { cat "$work/runbooks.log"; exit 1; }
import json
import pathlib
import sys

reports = pathlib.Path(sys.argv[1])
for runbook in ("protect", "drill"):
    found = sorted(reports.glob(runbook + "-*/report.json"))
    if len(found) != 1:
        sys.exit("release check: %d %s reports under %s, expected one" % (len(found), runbook, reports))
    report = json.loads(found[0].read_text())
    if not report["run"]["passed"] or report["run"]["app_count"] != 4:
        sys.exit("release check: the %s report says passed=%s for %s apps" % (
            runbook, report["run"]["passed"], report["run"]["app_count"]))
cleaned = [app["name"] for app in report["apps"]
           if any(step["name"] == "cleanup" and step["status"] == "passed" for step in app["steps"])]
if len(cleaned) != 4:
    sys.exit("release check: the drill's clean-up passed for %s, not for the 4 apps" % (cleaned or "no app"))
print("installed copy: protect and drill passed for the 4 demo apps, each drill clean-up included")
EOF
echo "galaxy-importer and the installed runbooks (ansible-core $(core_version)), side by side: ${runbooks_seconds}s"
