#!/usr/bin/env bash
# Stops what scripts/run.sh started, by the pids it recorded: the schat
# processes first (they close their clients with a reason), Redis last.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d data/pids ] || { echo "nothing is running"; exit 0; }

stop_pid_file() {
    local file=$1 pid
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "$(basename "$file" .pid) did not stop in 10 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$file"
}

for file in data/pids/*.pid; do
    [ -e "$file" ] || continue
    case "$(basename "$file")" in redis.pid | redis-*.pid) continue ;; esac
    stop_pid_file "$file" &
done
wait
# Redis last (every server of a Redis Cluster, at once).
for file in data/pids/redis.pid data/pids/redis-*.pid; do
    [ -e "$file" ] || continue
    stop_pid_file "$file" &
done
wait
echo "stopped"
