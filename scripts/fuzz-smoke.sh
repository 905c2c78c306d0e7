#!/usr/bin/env bash
# Builds every fuzz target with libFuzzer's coverage instrumentation (the flags cargo-fuzz
# passes, which stable rustc accepts) and runs each for a short, bounded smoke run.
# Longer campaigns: `cargo fuzz run <target>` with cargo-fuzz installed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-15}"
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
target_dir="target/fuzz"
# An explicit --target keeps the instrumentation flags away from build scripts.
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --manifest-path fuzz/Cargo.toml --target-dir "$target_dir" --target "$host" --bins
for bin in $(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^r53guard-fuzz$'); do
  corpus="$target_dir/corpus/$bin"
  mkdir -p "$corpus"
  seeds="fuzz/seeds/$bin"
  dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "fuzz smoke: $bin for ${seconds}s"
  "$target_dir/$host/release/$bin" -max_total_time="$seconds" -max_len=8192 -print_final_stats=1 "${dirs[@]}" 2>&1 | tail -n 3
done
