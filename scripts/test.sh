#!/usr/bin/env bash
# Runs every check and test: formatting, lints, unused dependencies, the
# whole test suite (unit tests, in-process cluster tests against a private
# redis-server, and the group suites again on a private Redis Cluster,
# end-to-end tests of the real binaries, the console in
# headless Chromium, schat-push against sshd on loopback addresses), then
# a short fuzzing run. Installs redis-server, chromium, openssh-server,
# runit and cargo-machete if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

ensure_redis
ensure_chromium
ensure_push_tools
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
# No crate lists a dependency it does not use.
ensure_machete
cargo machete
# The end-to-end tests run the server binaries, so build them first.
cargo build --workspace --bins --quiet
cargo test --workspace
# The account, group and message suites again on a Redis Cluster (six
# servers, three primaries with a replica each; about a minute).
SCHAT_TEST_REDIS=cluster cargo test -p schat-testkit --test accounts --test devices \
    --test direct --test groups --test group_actors --test messages --test roles
# A bounded fuzzing run: each of the seven targets for 8.5 s (about 60 s in
# all) with a fresh seed, which it prints. A failing input is printed and
# saved under target/fuzz-failures/. Long runs: docs/BENCHMARKS.md, "Fuzzing".
cargo run -p schat-fuzz --quiet -- --target all --seconds 8.5
