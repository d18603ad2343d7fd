#!/bin/sh
# Quiesce (pre) or resume (post) the database; version 2 of the script.
case "$1" in
  pre) echo "flush tables with read lock" ;;
  post) echo "unlock tables" ;;
  *) echo "usage: $0 pre|post" >&2; exit 2 ;;
esac
