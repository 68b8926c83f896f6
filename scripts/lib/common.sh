# Shared helpers for the scripts in this folder. Source it; do not run it.

# Installs Debian package PACKAGE when COMMAND is missing:
# ensure_package COMMAND PACKAGE
ensure_package() {
    if command -v "$1" >/dev/null 2>&1; then
        return
    fi
    echo "$1 not found: installing $2" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$2" >/dev/null
}

# The package starts a system-wide Redis on 6379; ours runs on its own port.
ensure_redis() { ensure_package redis-server redis-server; }
# The console's browser tests run Chromium headless.
ensure_chromium() { ensure_package chromium chromium; }
ensure_python() { ensure_package python3 python3; }
# The unused-dependency check (scripts/test.sh) runs cargo-machete.
ensure_machete() {
    if ! command -v cargo-machete >/dev/null 2>&1; then
        echo "cargo-machete not found: installing it" >&2
        cargo install cargo-machete --version 0.9.2 --locked --quiet
    fi
}
# The push tests start sshd on loopback addresses as remote hosts, and
# supervise processes with runit where systemd does not run.
ensure_push_tools() {
    ensure_package /usr/sbin/sshd openssh-server
    ensure_package ssh openssh-client
    ensure_package runsvdir runit
}

# Prints one field of cluster.json: cluster_field FILE EXPRESSION
# where EXPRESSION is Python over `c`, the parsed file, and `A(p)`, the
# address process `p` listens on (its host's, when the file has hosts).
cluster_field() {
    python3 -c "import json,sys; c=json.load(open(sys.argv[1])); H=c.get('hosts', {}); A=lambda p: H.get(p['host'], {}).get('address', p['host']); print($2)" "$1"
}
