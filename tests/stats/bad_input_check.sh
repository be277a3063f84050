#!/bin/sh
# `sluice stats eval` on input that is not a cases document must exit with
# status 2 and name the problem on stderr.
#   bad_input_check.sh SLUICE_BINARY
set -u
sluice=$1
expect_rejected() {
  input=$1
  want=$2
  err=$(printf '%s' "$input" | "$sluice" stats eval 2>&1 >/dev/null)
  code=$?
  if [ "$code" -ne 2 ]; then
    echo "FAIL: input '$input': exit status $code, want 2"
    exit 1
  fi
  case "$err" in
    *"$want"*) echo "ok: '$input' -> $err" ;;
    *) echo "FAIL: input '$input': stderr '$err' does not mention '$want'"; exit 1 ;;
  esac
}
expect_rejected '{"cases": [' 'not valid JSON'
expect_rejected '[1, 2]' 'cases'
expect_rejected '{"format": 9, "cases": []}' 'format'
echo "1 passed, 0 failed"
