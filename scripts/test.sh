#!/usr/bin/env bash
# Runs every check and test: formatting, lints, then the whole test suite
# (unit tests, in-process cluster tests against a private redis-server, and
# end-to-end tests of the real binaries). Installs redis-server if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_redis
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# The end-to-end tests run the server binaries, so build them first.
cargo build --workspace --bins --quiet
cargo test --workspace
