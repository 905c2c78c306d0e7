#!/usr/bin/env bash
# Firehose load test of `r53guard run` (issue #8): builds the release binary and the
# `firehose_load` example, generates Route 53 Resolver query logs with `r53guard simulate`
# (cached), then runs the example, which, RUNS times, starts `r53guard run` with a Firehose
# source on 127.0.0.1 (fresh data directory), posts the log lines in Firehose-sized batches
# from SENDERS concurrent senders for SECONDS, and prints the sustained records/s and the
# p50/p99 acknowledgement latency of each run and their medians. Nothing leaves 127.0.0.1.
#
# Usage: scripts/firehose-load.sh [--senders N] [--seconds S] [--runs R] [--records K]
#                                 [--hours H] [--scale X] [--gzip] [--no-build]
# Environment: CARGO_TARGET_DIR (default target); FIREHOSE_LOAD_DATA (default
# $CARGO_TARGET_DIR/firehose-load-data). Defaults: 4 senders, 5 s, 3 runs, 2000 records per
# request, 8 simulated hours at scale 8 (about 1.3M Resolver lines, 580 MB).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
DATA_ROOT=${FIREHOSE_LOAD_DATA:-$TARGET_DIR/firehose-load-data}
SENDERS=4 SECONDS_PER_RUN=5 RUNS=3 RECORDS=2000 HOURS=8 SCALE=8 GZIP=() BUILD=1

while [[ $# -gt 0 ]]; do
    case $1 in
        --senders) SENDERS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --records) RECORDS=$2; shift 2 ;;
        --hours) HOURS=$2; shift 2 ;;
        --scale) SCALE=$2; shift 2 ;;
        --gzip) GZIP=(--gzip); shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "firehose-load.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

if [[ $BUILD == 1 ]]; then
    echo "== building the release binary and the load tool ($TARGET_DIR)" >&2
    cargo build --release -p r53guard --bin r53guard >&2
    cargo build --release -p r53guard-firehose --example firehose_load >&2
fi
BIN=$TARGET_DIR/release/r53guard
TOOL=$TARGET_DIR/release/examples/firehose_load
[[ -x $BIN && -x $TOOL ]] || { echo "firehose-load.sh: build first (no --no-build)" >&2; exit 1; }

DATA=$DATA_ROOT/${HOURS}h-x${SCALE}
if [[ ! -s $DATA/resolver.ndjson ]]; then
    echo "== simulating $HOURS h of logs at scale $SCALE into $DATA" >&2
    rm -rf "$DATA"
    "$BIN" simulate --out "$DATA" --layout ndjson --hours "$HOURS" --scale "$SCALE" --seed 8 >&2
fi

"$TOOL" --bin "$BIN" --input "$DATA/resolver.ndjson" --senders "$SENDERS" \
    --seconds "$SECONDS_PER_RUN" --runs "$RUNS" --records-per-request "$RECORDS" "${GZIP[@]}"
