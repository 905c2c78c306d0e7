#!/usr/bin/env bash
# The whole test suite: formatting, lints, every test, and a short fuzz smoke run.
# Needs only the Rust toolchain; anything else it uses it installs itself.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== moto (local S3 and SQS for the integration tests)"
scripts/moto.sh
echo "== cargo test"
cargo test --workspace
echo "== fuzz smoke"
scripts/fuzz-smoke.sh
