#!/usr/bin/env bash
# Runs the whole local cluster described by cluster.json: installs Redis if
# it is missing, builds the release binaries, starts Redis on its private
# port (AOF on, data under data/redis) and every process of the file, and
# prints where to connect. Ctrl-C stops everything.
#
#   scripts/run.sh              run in the foreground until Ctrl-C
#   scripts/run.sh --detach     start and return (stop with scripts/stop.sh)
#   SCHAT_CLUSTER=other.json scripts/run.sh
#   SCHAT_REDIS=cluster scripts/run.sh   on a Redis Cluster instead: six
#       redis-servers from the file's Redis port up (three primaries with
#       a replica each, made with redis-cli --cluster create), the
#       processes started from a copy of the file naming them
#       (data/<name>.redis-cluster.json)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

cluster=${SCHAT_CLUSTER:-cluster.json}
detach=false
[ "${1:-}" = "--detach" ] && detach=true

ensure_redis
ensure_python
if [ "$(cluster_field "$cluster" "any('ssh' in h for h in c.get('hosts', {}).values())")" = True ]; then
    echo "$cluster names hosts reached over ssh: deploy it with schat-push (docs/OPERATIONS.md)" >&2
    exit 1
fi
if [ -f data/pids/redis.pid ] && kill -0 "$(cat data/pids/redis.pid)" 2>/dev/null; then
    echo "a cluster is already running here; stop it with scripts/stop.sh" >&2
    exit 1
fi

echo "building release binaries (the first build takes a few minutes)..."
# Every process reports the commit it was built from (console, /metrics).
SCHAT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
export SCHAT_COMMIT
cargo build --release --workspace --bins --quiet
bin=target/release
"$bin/disp_serv" --config "$cluster" --config-check >/dev/null

mkdir -p data/pids logs
# Every client connection is a file descriptor: allow as many as we may.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
redis_host=$(cluster_field "$cluster" "c['redis']['host']")
redis_port=$(cluster_field "$cluster" "c['redis']['port']")
redis_dir=$(cluster_field "$cluster" "c['redis'].get('data_dir', 'data/redis')")
fsync=$(cluster_field "$cluster" "c['redis'].get('appendfsync', 'everysec')")
maxmemory_mb=$(cluster_field "$cluster" "c['redis'].get('maxmemory_mb', 1024)")

# Starts one redis-server: start_redis PORT DIR PIDNAME [ARGS...]
# A memory limit with no eviction: past it writes are refused ("storage is
# full"), and nothing stored is ever evicted.
start_redis() {
    local port=$1 dir=$2 name=$3
    shift 3
    mkdir -p "$dir"
    redis-server --bind "$redis_host" --port "$port" --dir "$(cd "$dir" && pwd)" \
        --appendonly yes --appendfsync "$fsync" --save "" \
        --maxmemory "${maxmemory_mb}mb" --maxmemory-policy noeviction \
        --logfile "$(pwd)/logs/$name.log" --daemonize no "$@" &
    echo $! > "data/pids/$name.pid"
    for _ in $(seq 100); do
        redis-cli -h "$redis_host" -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "redis on port $port did not start; see logs/$name.log" >&2
    exit 1
}

if [ "${SCHAT_REDIS:-}" = cluster ]; then
    nodes=""
    for k in 0 1 2 3 4 5; do
        name=redis; [ "$k" -gt 0 ] && name="redis-$k"
        start_redis $((redis_port + k)) "$redis_dir/cluster-$k" "$name" \
            --cluster-enabled yes --cluster-node-timeout 5000
        nodes="$nodes $redis_host:$((redis_port + k))"
    done
    # Created once; a restart finds its nodes.conf and the cluster as it was.
    if ! redis-cli -h "$redis_host" -p "$redis_port" CLUSTER INFO | grep -q cluster_known_nodes:6; then
        # shellcheck disable=SC2086
        redis-cli --cluster create $nodes --cluster-replicas 1 --cluster-yes >/dev/null
    fi
    for _ in $(seq 300); do
        redis-cli -h "$redis_host" -p "$redis_port" CLUSTER INFO | grep -q cluster_state:ok && break
        sleep 0.1
    done
    redis-cli -h "$redis_host" -p "$redis_port" CLUSTER INFO | grep -q cluster_state:ok \
        || { echo "the Redis Cluster did not come up; see logs/redis*.log" >&2; exit 1; }
    derived="data/$(basename "$cluster" .json).redis-cluster.json"
    SCHAT_REDIS_NODES="$nodes" python3 - "$cluster" "$derived" <<'PY'
import json, os, sys
c = json.load(open(sys.argv[1]))
r = c["redis"]
r.pop("host", None)
r.pop("port", None)
r["cluster_nodes"] = os.environ["SCHAT_REDIS_NODES"].split()
json.dump(c, open(sys.argv[2], "w"), indent=2)
PY
    cluster=$derived
    "$bin/disp_serv" --config "$cluster" --config-check >/dev/null
    echo "redis     Redis Cluster on$nodes (3 primaries + 3 replicas; appendfsync $fsync, data in $redis_dir/cluster-*)"
    echo "config    $cluster (cluster.json with the Redis Cluster's nodes)"
else
    start_redis "$redis_port" "$redis_dir" redis
    echo "redis     $redis_host:$redis_port (appendfsync $fsync, maxmemory ${maxmemory_mb} MB, data in $redis_dir)"
fi

# Storage first, then the hubs, then the rest; every process also
# reconnects on its own, so the order only saves a few retries. Each
# writes its log to logs/<name>.log itself (reopened on SIGUSR1, for
# logrotate); what it prints before its logger starts lands there too.
for type in db_logic_serv db_chat_serv disp_serv online_serv chat_serv logic_serv conn_serv file_serv dir_serv manage_serv; do
    for name in $(cluster_field "$cluster" "' '.join(p['name'] for p in c['procs'] if p['type'] == '$type')"); do
        "$bin/$type" --config "$cluster" --name "$name" --log-file "logs/$name.log" >>"logs/$name.log" 2>&1 &
        echo $! > "data/pids/$name.pid"
        echo "started   $name (pid $!, log logs/$name.log)"
    done
done

conns=$(cluster_field "$cluster" "' '.join(A(p) + ':' + str(p['port']) for p in c['procs'] if p['type'] == 'conn_serv')")
for addr in $conns; do
    for _ in $(seq 100); do
        "$bin/schat" --server "$addr" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
done
dirs=$(cluster_field "$cluster" "' '.join(('https' if p.get('tls') else 'http') + '://' + A(p) + ':' + str(p['port']) for p in c['procs'] if p['type'] == 'dir_serv')")
files=$(cluster_field "$cluster" "' '.join(('https' if p.get('tls') else 'http') + '://' + A(p) + ':' + str(p['port']) for p in c['procs'] if p['type'] == 'file_serv')")
websockets=$(cluster_field "$cluster" "' '.join(('wss' if p.get('tls') else 'ws') + '://' + A(p) + ':' + str(p['ws_port']) + '/' for p in c['procs'] if p['type'] == 'conn_serv' and p.get('ws_port'))")
dir=${dirs%% *}
for url in $dirs; do
    for _ in $(seq 100); do
        "$bin/schat" --dir "$url" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
done
echo
echo "schat is up."
echo "  web app:      $dir/ (open it in a browser; every dir_serv serves it)"
echo "  directory:    $dirs (clients ask it where to connect)"
echo "  conn_servs:   $conns"
[ -n "$websockets" ] && echo "  WebSocket:    $websockets (browsers; one client frame per binary message)"
echo "  file servers: $files (files in data/files)"
echo "  $bin/schat register alice          # asks the directory at $dir"
echo "  $bin/schat login alice"
echo "  $bin/schat                         # interactive shell"
echo "  $bin/schat --server ${conns%% *} ping   # a conn_serv directly"
for name in $(cluster_field "$cluster" "' '.join(p['name'] for p in c['procs'] if p['type'] == 'manage_serv')"); do
    url=$(cluster_field "$cluster" "[p.get('public') or ('https' if p.get('tls') else 'http') + '://' + A(p) + ':' + str(p['port']) for p in c['procs'] if p['name'] == '$name'][0]")
    echo "  console:      $url ($name; Prometheus metrics at $url/metrics)"
    if "$bin/manage_serv" --config "$cluster" --name "$name" operator list 2>/dev/null | grep -q '"operators":\[\]'; then
        echo "    no operator yet: create one with"
        echo "    $bin/manage_serv --config $cluster --name $name operator add admin --role admin"
    fi
done

if $detach; then
    echo "stop with scripts/stop.sh"
    exit 0
fi
trap 'echo; scripts/stop.sh; exit 0' INT TERM
echo "Ctrl-C stops the cluster."
while true; do sleep 3600 & wait $!; done
