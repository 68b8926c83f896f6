#!/usr/bin/env bash
# Benchmarks the cluster on this machine: builds release binaries, starts
# its own cluster (cluster.json with a fresh Redis under data/bench/ and
# cheap password hashing, so that setting up thousands of accounts takes
# seconds), runs the scenarios, prints the results and appends their JSON
# lines to bench-results/<time>.jsonl.
#
#   scripts/bench.sh                  the standard set (idle, ingest stepped, direct (one and three devices per user), fanout, reconnect, catchup, a one-minute soak, the floor, then 100,000 idle connections on seven sets; ~12 minutes)
#   SCHAT_BENCH_SETS=7 scripts/bench.sh idle --clients 100000 --workers 7   one scenario on seven user sets
#   scripts/bench.sh idle [ARGS...]   one scenario (see target/release/schat-bench --help)
#   scripts/bench.sh soak --seconds 3600   the hour-long soak (not in the standard set)
#
# SCHAT_BENCH_SCRAPE=1 scrapes manage_serv's /metrics once a second for as
# long as the scenarios run (as Prometheus would) and reports how long the
# scrapes took: the figures with and without it show what stats cost.
#
# SCHAT_BENCH_ACK_REPLICAS=N starts N Redis replicas beside the bench's
# Redis and sets redis.ack_replicas to N: every message is acknowledged
# only once N replicas have it (their CPU is reported as redis_replica).
#
# SCHAT_REDIS=cluster runs the bench cluster on a Redis Cluster (six
# redis-servers, three primaries with a replica each; scripts/run.sh
# starts it) instead of one Redis; the Redis CPU reported is all six.
# With SCHAT_BENCH_ACK_REPLICAS=1 every message then waits for its
# primary's replica.
#
# SCHAT_BENCH_PORT_OFFSET=N moves every port of the bench cluster (Redis
# included) up by N, so that a benchmark on a machine that runs another
# cluster (another checkout's scripts/run.sh) does not collide with it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh
ensure_redis
ensure_python

mkdir -p bench-results data/bench

# Writes data/bench/cluster.json from cluster.json with $1 user sets (conn,
# logic and db_logic each; 2 as committed, more for the 100,000-connection
# run: this machine allows 20,000 open files per process).
write_cluster() {
    rm -rf data/bench/redis data/bench/files data/bench/manage
    SCHAT_BENCH_SETS=$1 python3 - <<'PY'
import json, os
c = json.load(open("cluster.json"))
c["redis"]["data_dir"] = "data/bench/redis"
c["redis"]["ack_replicas"] = int(os.environ.get("SCHAT_BENCH_ACK_REPLICAS", "0"))
sets = int(os.environ["SCHAT_BENCH_SETS"])
present = {p["name"] for p in c["procs"]}
for k in range(1, sets + 1):
    if f"conn_serv-{k}" in present:
        continue
    c["procs"] += [
        {"id": 100 + k, "name": f"conn_serv-{k}", "type": "conn_serv", "host": "127.0.0.1", "port": 7000 + k, "logic": f"logic_serv-{k}"},
        {"id": 200 + k, "name": f"logic_serv-{k}", "type": "logic_serv", "host": "127.0.0.1", "port": 7100 + k},
        {"id": 300 + k, "name": f"db_logic_serv-{k}", "type": "db_logic_serv", "host": "127.0.0.1", "port": 7200 + k, "logic": f"logic_serv-{k}"},
    ]
offset = int(os.environ.get("SCHAT_BENCH_PORT_OFFSET", "0"))
c["redis"]["port"] += offset
for p in c["procs"]:
    if "port" in p:
        p["port"] += offset
c["auth"]["argon2_memory_kib"] = 1024
c["auth"]["argon2_iterations"] = 1
c["log"]["level"] = "warn"
c.setdefault("chat", {})["owner_group_cap"] = 1000
c["limits"]["max_connections_per_addr"] = 0
c["chat"]["send_rate_per_sec"] = 0
for p in c["procs"]:
    if "data_dir" in p:
        p["data_dir"] = "data/bench/manage" if p["type"] == "manage_serv" else "data/bench/files"
json.dump(c, open("data/bench/cluster.json", "w"), indent=2)
PY
}
write_cluster "${SCHAT_BENCH_SETS:-2}"

SCHAT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
export SCHAT_COMMIT
cargo build --release --workspace --bins --quiet
SCHAT_CLUSTER=data/bench/cluster.json scripts/run.sh --detach >/dev/null
trap 'scripts/stop.sh >/dev/null' EXIT
# Replicas for SCHAT_BENCH_ACK_REPLICAS, on the ports above the bench's
# Redis; scripts/stop.sh stops them with the rest (their pid files).
start_replicas() {
    local count=$1 port
    port=$(cluster_field data/bench/cluster.json "c['redis']['port']")
    redis-cli -p "$port" CONFIG SET repl-diskless-sync-delay 0 >/dev/null
    for k in $(seq "$count"); do
        mkdir -p "data/bench/replica-$k"
        redis-server --port $((port + k)) --bind 127.0.0.1 --replicaof 127.0.0.1 "$port" \
            --dir "data/bench/replica-$k" --save "" --appendonly yes --appendfsync everysec \
            --loglevel warning >/dev/null 2>&1 &
        echo $! > "data/pids/redis_replica-$k.pid"
    done
    for _ in $(seq 300); do
        if [ "$(redis-cli -p "$port" INFO replication | grep -c 'state=online')" -ge "$count" ]; then
            return 0
        fi
        sleep 0.1
    done
    echo "the replicas did not come online" >&2
    return 1
}
# (A Redis Cluster, SCHAT_REDIS=cluster, has a replica per primary already.)
if [ "${SCHAT_BENCH_ACK_REPLICAS:-0}" -gt 0 ] && [ "${SCHAT_REDIS:-}" != cluster ]; then
    start_replicas "$SCHAT_BENCH_ACK_REPLICAS"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

cluster=data/bench/cluster.json
conn_servers() {
    cluster_field "$cluster" "','.join(A(p) + ':' + str(p['port']) for p in c['procs'] if p['type'] == 'conn_serv')"
}
servers=$(conn_servers)
dir=$(cluster_field "$cluster" "next((('https' if p.get('tls') else 'http') + '://' + A(p) + ':' + str(p['port']) for p in c['procs'] if p['type'] == 'dir_serv'), '')")
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
results="bench-results/$(date -u +%Y%m%d-%H%M%S).jsonl"

scrape_pid=""
scrape_log=data/bench/scrapes.txt
metrics_url=$(cluster_field "$cluster" "next((('https' if p.get('tls') else 'http') + '://' + A(p) + ':' + str(p['port']) + '/metrics' for p in c['procs'] if p['type'] == 'manage_serv'), '')")
if [ "${SCHAT_BENCH_SCRAPE:-0}" = 1 ]; then
    [ -n "$metrics_url" ] || { echo "SCHAT_BENCH_SCRAPE=1 needs a manage_serv in cluster.json" >&2; exit 2; }
    : > "$scrape_log"
    # At most two hours of scrapes; stopped when the scenarios end.
    (for _ in $(seq 7200); do
        curl -s -o /dev/null -k -w '%{http_code} %{time_total}\n' --max-time 5 "$metrics_url" >> "$scrape_log" || echo "000 5" >> "$scrape_log"
        sleep 1
    done) &
    scrape_pid=$!
fi
stop_all() {
    if [ -n "$scrape_pid" ]; then
        kill "$scrape_pid" 2>/dev/null || true
        wait "$scrape_pid" 2>/dev/null || true
        python3 - "$scrape_log" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
ok = sorted(float(t) * 1000 for code, t in rows if code == "200")
failed = len(rows) - len(ok)
if ok:
    print(f"metrics scrapes: {len(rows)} ({failed} failed), median {ok[len(ok) // 2]:.1f} ms, max {ok[-1]:.1f} ms")
else:
    print(f"metrics scrapes: {len(rows)}, none succeeded")
PY
    fi
    scripts/stop.sh >/dev/null
}
trap stop_all EXIT

# Prints the report and keeps the JSON line even when the scenario fails
# (a loss, say), then fails with it.
run_scenario() {
    local output status=0
    output=$(target/release/schat-bench --commit "$commit" --servers "$servers" --dir "$dir" "$@") || status=$?
    printf '%s\n' "$output" | grep -v '^{' || true
    printf '%s\n' "$output" | grep '^{' | tee -a "$results" || true
    return "$status"
}

if [ $# -gt 0 ]; then
    run_scenario "$@"
else
    run_scenario idle --clients 20000 --workers 2 --hold-secs 10
    # Stepped: latency at steady rates, then the saturation point.
    for rate in 5000 10000 15000; do
        run_scenario ingest --groups 100 --members 5 --seconds 10 --rate "$rate"
    done
    run_scenario ingest --groups 100 --members 5 --seconds 20
    # Direct conversations on ingest's footing: 250 pairs, both sending.
    run_scenario direct --groups 250 --seconds 20
    run_scenario direct --groups 250 --devices 3 --seconds 20
    # Fan-out: 20 senders are too few to load the cluster one message at a
    # time (each waits ~10 ms for its ack), so each keeps several in flight.
    for rate in 1000 2000 2500; do
        run_scenario fanout --groups 20 --members 100 --seconds 10 --rate "$rate" --in-flight 8
    done
    run_scenario fanout --groups 20 --members 100 --seconds 20 --in-flight 4
    run_scenario reconnect --clients 10000 --members 100 --missed 10
    run_scenario catchup --groups 100 --messages 10000
    # A minute of the soak's mixed load: too short for a memory trend, but
    # every path at once, checked for loss.
    run_scenario soak --seconds 60 --sample-secs 5
    # The same ingest load through a bare in-memory relay: the floor.
    run_scenario floor --groups 100 --members 5 --seconds 10
    # 100,000 logged-in connections: a cluster with seven user sets (each
    # conn_serv holds about 14,300), the generator split over seven
    # processes.
    scripts/stop.sh >/dev/null
    write_cluster 7
    SCHAT_CLUSTER=data/bench/cluster.json scripts/run.sh --detach >/dev/null
    if [ "${SCHAT_BENCH_ACK_REPLICAS:-0}" -gt 0 ]; then
        start_replicas "$SCHAT_BENCH_ACK_REPLICAS"
    fi
    servers=$(conn_servers)
    run_scenario idle --clients 100000 --workers 7 --hold-secs 10
fi
echo "results appended to $results"
