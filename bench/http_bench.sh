#!/usr/bin/env bash
# Side-by-side HTTP benchmark on loopback: wrk drives sluice's POST /v1/decide
# (the demo configuration, a different unit id on every request), then nginx
# serving a static file of the same size as a decide response, with the same
# connection count, wrk threads and server threads. nginx is the practical
# ceiling of HTTP on this machine; the ratio is what we report.
#
# Usage: bench/http_bench.sh            (after `make build`)
# Environment: DURATION (seconds per run, 10), CONNECTIONS (64),
#              SERVER_THREADS (1), WRK_THREADS (1).
# Bounded: two runs of DURATION seconds each, loopback only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary="$root/build/sluice"
duration=${DURATION:-10}
connections=${CONNECTIONS:-64}
server_threads=${SERVER_THREADS:-1}
wrk_threads=${WRK_THREADS:-1}
sluice_port=18181
nginx_port=18182
key=bench-admin-key-0123456789abcdef0123456789

[ -x "$binary" ] || { echo "http_bench: $binary is missing; run 'make build' first" >&2; exit 1; }
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
if [ ${#missing[@]} -gt 0 ]; then
  echo "http_bench: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
chmod 755 "$work"  # nginx workers run unprivileged and must read www/
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- sluice ---
SLUICE_ADMIN_KEY=$key "$binary" serve --demo --data "$work/data" \
  --listen 127.0.0.1:$sluice_port --threads "$server_threads" >"$work/sluice.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:$sluice_port/healthz >/dev/null && break
  sleep 0.1
done

attributes='"attributes":{"country":"CN","platform":"ios","app_version":"8.2.0","is_new_user":true,"city_tier":1}'
sample=$(curl -sf http://127.0.0.1:$sluice_port/v1/decide -H "Authorization: Bearer $key" \
  -d "{\"unit_id\":\"user-1\",$attributes}")
size=${#sample}

cat >"$work/decide.lua" <<EOF
local counter = 0
local headers = {["Authorization"] = "Bearer $key", ["Content-Type"] = "application/json"}
request = function()
  counter = counter + 1
  local body = '{"unit_id":"user-' .. (counter % 1000003) .. '",$attributes}'
  return wrk.format("POST", "/v1/decide", headers, body)
end
EOF
cat >"$work/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
                 summary.errors.status + summary.errors.timeout
  io.stderr:write(string.format("errors: connect %d read %d write %d status %d timeout %d\n", summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
  io.write(string.format("RESULT %.0f %.3f %.3f %.3f %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors))
end
EOF
cat "$work/report.lua" >>"$work/decide.lua"

run() {  # run NAME URL [LUA]: prints "NAME rps p50 p99 max errors"
  local name=$1 url=$2 script=${3:-$work/report.lua}
  wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s "$script" "$url" \
    | awk -v n="$name" '/^RESULT/ {print n, $2, $3, $4, $5, $6}'
}

sluice_result=$(run sluice "http://127.0.0.1:$sluice_port/v1/decide" "$work/decide.lua")
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true

# --- nginx, same response size ---
mkdir -p "$work/www"
head -c "$size" /dev/zero | tr '\0' 'x' >"$work/www/decide.json"
cat >"$work/nginx.conf" <<EOF
worker_processes $server_threads;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
  }
}
EOF
"$nginx_bin" -c "$work/nginx.conf" -p "$work" &
pids+=($!)
for _ in $(seq 100); do
  curl -sf http://127.0.0.1:$nginx_port/decide.json >/dev/null && break
  sleep 0.1
done
nginx_result=$(run nginx "http://127.0.0.1:$nginx_port/decide.json")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "date: $(date -u +%Y-%m-%d)   response size: $size bytes   connections: $connections" \
     "  wrk threads: $wrk_threads   server threads/workers: $server_threads   duration: ${duration}s"
printf '%-8s %12s %10s %10s %10s %8s\n' server "requests/s" "p50 ms" "p99 ms" "max ms" errors
printf '%-8s %12s %10s %10s %10s %8s\n' $sluice_result
printf '%-8s %12s %10s %10s %10s %8s\n' $nginx_result
sluice_rps=$(echo "$sluice_result" | awk '{print $2}')
nginx_rps=$(echo "$nginx_result" | awk '{print $2}')
awk -v s="$sluice_rps" -v n="$nginx_rps" 'BEGIN {printf "sluice / nginx: %.1f%%\n", 100 * s / n}'
