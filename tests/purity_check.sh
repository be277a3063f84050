#!/bin/sh
# The pure components (STYLE.md, convention 1) do no I/O: no files, streams,
# sockets, threads, randomness or clock reads in their sources.
#   purity_check.sh PROJECT_SOURCE_DIR COMPONENT [EXTRA_FORBIDDEN_REGEX [EXEMPT_FILE_REGEX]]
# e.g. stats also forbids JSON (its JSON adapter, reference_eval.*, is exempt);
# core may parse JSON at its configuration edge.
set -u
root=$1
component=$2
extra=${3:-}
exempt=${4:-^$}
forbidden='#include <(fstream|iostream|istream|ostream|sstream|cstdio|stdio\.h|filesystem|thread|mutex|future|random|sys/.*|netinet/.*|arpa/.*|unistd\.h)>|_clock::now\(|\btime\(|\brand\('
if [ -n "$extra" ]; then forbidden="$forbidden|$extra"; fi
files=$(ls "$root/src/$component"/*.cc "$root/src/$component"/*.h "$root/include/sluice/$component"/*.h 2>/dev/null |
  grep -Ev "$exempt")
hits=$(grep -nE "$forbidden" $files)
if [ -n "$hits" ]; then
  echo "sluice_$component must be pure; move this I/O to an edge component:"
  echo "$hits"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
