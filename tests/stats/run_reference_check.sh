#!/bin/sh
# End-to-end check of the statistics engine against reference cases:
#   run_reference_check.sh SLUICE_BINARY CHECK_PY WORK_DIR CASES...
# For each cases file, `sluice stats eval` answers it and check.py (standard
# library only) scores the answers; fails if any case fails.
set -eu
sluice=$1
check=$2
work=$3
shift 3
mkdir -p "$work"
status=0
for cases in "$@"; do
  answers="$work/answers-$(basename "$cases")"
  echo "== $cases"
  "$sluice" stats eval < "$cases" > "$answers"
  python3 "$check" "$cases" "$answers" || status=1
done
exit $status
