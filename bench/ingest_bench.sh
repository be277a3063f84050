#!/usr/bin/env bash
# Durable event ingestion over HTTP on loopback: wrk posts batches of
# BATCH events (unique event ids, so every event is really written and
# synced) to POST /v1/events of `sluice serve`, and the script prints the
# acknowledged events per second.
#
# Usage: bench/ingest_bench.sh            (after `make build`)
# Environment: DURATION (seconds, 10), CONNECTIONS (16), BATCH (500),
#              SERVER_THREADS (0 = the server's default), WRK_THREADS (1).
# Bounded: one run of DURATION seconds, loopback only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary="$root/build/sluice"
duration=${DURATION:-10}
connections=${CONNECTIONS:-16}
batch=${BATCH:-500}
server_threads=${SERVER_THREADS:-0}
wrk_threads=${WRK_THREADS:-1}
port=18183
key=bench-admin-key-0123456789abcdef0123456789

[ -x "$binary" ] || { echo "ingest_bench: $binary is missing; run 'make build' first" >&2; exit 1; }
command -v wrk >/dev/null || {
  echo "ingest_bench: installing wrk" >&2
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq wrk >/dev/null
}

work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

SLUICE_ADMIN_KEY=$key "$binary" serve --demo --data "$work/data" --listen 127.0.0.1:$port \
  --threads "$server_threads" >"$work/sluice.log" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done

now_ms=$(($(date +%s) * 1000))
cat >"$work/ingest.lua" <<EOF
-- Each request: $batch track events with ids never used before.
local thread_id = 0
local counter = 0
local headers = {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/x-ndjson"}
local ok, failed = 0, 0
setup = function(thread) thread:set("thread_id", thread_id); thread_id = thread_id + 1 end
request = function()
  local lines = {}
  for i = 1, $batch do
    counter = counter + 1
    lines[i] = '{"event_id":"t' .. thread_id .. '-' .. counter .. '","unit_id":"user-' .. (counter % 100000) ..
               '","name":"purchase","ts":' .. ($now_ms - counter % 3600000) .. ',"value":' .. (counter % 97) .. '}'
  end
  return wrk.format("POST", "/v1/events", headers, table.concat(lines, "\n"))
end
response = function(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.3f %.1f %.1f %d\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
EOF
result=$(wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s "$work/ingest.lua" \
  http://127.0.0.1:$port/v1/events | awk '/^RESULT/ {print $2, $3, $4, $5, $6}')
read -r requests seconds p50 p99 errors <<<"$result"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); date: $(date -u +%Y-%m-%d)"
echo "batches of $batch events, $connections connections, ${duration}s; errors: $errors"
awk -v r="$requests" -v s="$seconds" -v b="$batch" -v p50="$p50" -v p99="$p99" 'BEGIN {
  printf "durable ingestion: %.0f events/s (%.0f batches/s), batch latency p50 %.1f ms, p99 %.1f ms\n",
    r * b / s, r / s, p50, p99 }'
