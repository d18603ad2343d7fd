#!/bin/sh
# EXAMPLE ONLY — kubedr.astra ships this script to show the shape of an execution hook; read it, test it on a copy of
# your database, and adapt it before you rely on it. It is not supported as a product.
#
# An Astra Control execution hook for MySQL and MariaDB, run inside the mysql container:
#   pre   (pre-snapshot, pre-backup)    FLUSH TABLES WITH READ LOCK, held by a background client session until the
#                                       post stage (or at most LOCK_SECONDS) so writes pause while the volumes are
#                                       snapshotted.
#   post  (post-snapshot, post-backup)  ends that session, which releases the lock.
# A read lock lives as long as the session that took it, so the session is kept open with SELECT SLEEP(); if the
# post stage never runs, the lock ends by itself after LOCK_SECONDS.
# Environment (from the container): MYSQL_ROOT_PASSWORD (or MYSQL_PWD); LOCK_SECONDS (default 300).
# Exit status: 0 on success; anything else makes Astra Control record the hook as failed (hookState: failed).
set -eu

stage="${1:-}"
lock_seconds="${LOCK_SECONDS:-300}"
pid_file=/tmp/kubedr-astra-mysql-lock.pid
export MYSQL_PWD="${MYSQL_PWD:-${MYSQL_ROOT_PASSWORD:-}}"

log() { echo "mysql-hooks: $*"; }

case "$stage" in
  pre)
    if [ -s "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      log "a lock session is already open (pid $(cat "$pid_file"))"
      exit 1
    fi
    mysql -u root -e "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(${lock_seconds});" >/dev/null 2>&1 &
    echo $! > "$pid_file"
    # Wait until the lock is really held before the snapshot starts.
    tries=0
    until mysql -u root -N -e "SHOW PROCESSLIST" | grep -q "SLEEP(${lock_seconds})"; do
      tries=$((tries + 1))
      if [ "$tries" -ge 30 ] || ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
        log "could not take the read lock"
        exit 1
      fi
      sleep 1
    done
    log "tables flushed and locked for at most ${lock_seconds} s"
    ;;
  post)
    if [ -s "$pid_file" ]; then
      kill "$(cat "$pid_file")" 2>/dev/null || true
      rm -f "$pid_file"
      log "lock released"
    else
      log "no lock session to release"
    fi
    ;;
  *)
    log "usage: $0 pre|post"
    exit 2
    ;;
esac
