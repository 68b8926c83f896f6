# Shared helpers for the scripts in this folder. Source it; do not run it.

# Installs redis-server from the distribution when it is missing.
ensure_redis() {
    if command -v redis-server >/dev/null 2>&1; then
        return
    fi
    echo "redis-server not found: installing it" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >/dev/null
    # The package starts a system-wide Redis on 6379; ours runs on its own port.
}

# Installs Debian's chromium when missing: the console's browser tests run
# it headless.
ensure_chromium() {
    if command -v chromium >/dev/null 2>&1; then
        return
    fi
    echo "chromium not found: installing it" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_python() {
    if command -v python3 >/dev/null 2>&1; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3 >/dev/null
}

# Prints one field of cluster.json: cluster_field FILE EXPRESSION
# where EXPRESSION is Python over `c`, the parsed file.
cluster_field() {
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); print($2)" "$1"
}
