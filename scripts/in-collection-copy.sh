#!/usr/bin/env bash
# Run a command from a real ansible_collections/kubedr/astra copy of this checkout.
# ansible-test refuses symlinks and needs the collection at that path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/kubedr/astra"
mkdir -p "$dest"
# Only what git tracks or would track (untracked, not ignored), plus .git so ansible-test lists files with git.
(cd "$root" && { git ls-files -z --cached --others --exclude-standard; } | tar --null -T - -cf - 2>/dev/null) | tar -xf - -C "$dest"
cp -a "$root/.git" "$dest/.git"
git -C "$dest" add -A >/dev/null 2>&1 || echo "warning: could not stage the copy for ansible-test" >&2
# Tell a caller that runs other things alongside (scripts/test.sh) that the checkout has been read.
if [ -n "${KUBEDR_COPY_READY:-}" ]; then touch "$KUBEDR_COPY_READY"; fi
cd "$dest"
"$@"
