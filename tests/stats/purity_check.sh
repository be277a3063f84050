#!/bin/sh
# sluice_stats must stay pure (STYLE.md, convention 1): no file, network, clock,
# thread, randomness or JSON headers in its sources. reference_eval.* is the
# JSON adapter (library sluice_stats_json) and is exempt.
#   purity_check.sh PROJECT_SOURCE_DIR
set -u
root=$1
forbidden='#include <(fstream|iostream|istream|ostream|sstream|cstdio|stdio\.h|filesystem|chrono|ctime|thread|mutex|atomic|future|random|nlohmann/.*|sys/.*|netinet/.*|arpa/.*|unistd\.h)>'
hits=$(grep -nE "$forbidden" "$root"/src/stats/*.cc "$root"/src/stats/*.h "$root"/include/sluice/stats/*.h \
  | grep -v '/reference_eval\.')
if [ -n "$hits" ]; then
  echo "sluice_stats must be pure; remove these includes (or move the code to an adapter):"
  echo "$hits"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "1 passed, 0 failed"
