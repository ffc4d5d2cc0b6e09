#!/usr/bin/env bash
# Runs the loom models of genserver-checks exhaustively, preemption bound 3, in release, in a
# target directory of their own (so the --cfg loom build does not invalidate the normal one).
# Extra arguments go to the test binaries, e.g. `checks/run-loom.sh link_reply_races_timeout`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/loom}"
export RUSTFLAGS="${RUSTFLAGS:-} --cfg loom"
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
start=$(date +%s)
# Doctests are left out: they link against the loom build, where the engine-neutral test
# node (not a loom model) does not exist; `cargo test --workspace` runs them.
cargo test -p genserver-checks --release --lib --tests -- --nocapture "$@"
echo "loom suite: $(( $(date +%s) - start )) s at LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS"
