#!/usr/bin/env bash
# Records the reference outputs of the differential corpus from lua5.4.
set -eu
cd "$(dirname "$0")"
mkdir -p expected
for f in *.lua; do
  n=${f%.lua}
  set +e
  lua5.4 "$f" > "expected/$n.out" 2> "expected/$n.err"
  echo $? > "expected/$n.status"
  set -e
done
