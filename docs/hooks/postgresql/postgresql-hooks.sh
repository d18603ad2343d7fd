#!/bin/sh
# EXAMPLE ONLY — kubedr.astra ships this script to show the shape of an execution hook; read it, test it on a copy of
# your database, and adapt it before you rely on it. It is not supported as a product.
#
# An Astra Control execution hook for PostgreSQL, run inside the postgres container:
#   pre   (pre-snapshot, pre-backup)    CHECKPOINT, so that the snapshot holds every committed change on disk and a
#                                       restore replays as little WAL as possible.
#   post  (post-snapshot, post-backup)  nothing to undo; logs that the snapshot is done.
#   restore (post-restore, post-failover) waits until the server accepts connections again.
# PostgreSQL's crash recovery makes a crash-consistent volume snapshot restorable; the checkpoint makes it quick.
# Environment (from the container): PGUSER (default postgres), PGDATABASE (default postgres).
# Exit status: 0 on success; anything else makes Astra Control record the hook as failed (hookState: failed).
set -eu

stage="${1:-}"
user="${PGUSER:-${POSTGRES_USER:-postgres}}"
database="${PGDATABASE:-postgres}"

log() { echo "postgresql-hooks: $*"; }

case "$stage" in
  pre)
    log "CHECKPOINT on ${database} as ${user}"
    psql -v ON_ERROR_STOP=1 -U "$user" -d "$database" -c "CHECKPOINT;"
    ;;
  post)
    log "snapshot taken; nothing to release"
    ;;
  restore)
    tries=0
    until pg_isready -U "$user" -d "$database" -q; do
      tries=$((tries + 1))
      if [ "$tries" -ge 60 ]; then
        log "the server did not accept connections within 60 s"
        exit 1
      fi
      sleep 1
    done
    log "the server accepts connections"
    ;;
  *)
    log "usage: $0 pre|post|restore"
    exit 2
    ;;
esac
