#!/usr/bin/env bash
# Whole-process benchmark of r53guard (issue #7).
#
# Builds the release binary, generates CloudTrail and Resolver logs with `r53guard simulate`
# (NDJSON, and the same data gzipped in the AWS S3 layout), then times, each RUNS times:
#   * `r53guard events --stats`  (decode + projection + classification only),
#   * `r53guard hunt` with the built-in pack (and, for CloudTrail, the SigmaHQ AWS rules when
#     `hunt --sigma` exists), at 1 and 2 threads when `hunt --threads` exists, and on NDJSON
#     with `--lateness 15m` (windows evaluated as event time passes) when that exists,
#   * `gzip -dc FILES > /dev/null` on the gzipped inputs, as the decompression reference.
# It prints a Markdown table of medians: MB/s of input (uncompressed; for gzip rows also of the
# compressed bytes, and the ratio to `gzip -dc`), records/s, and peak RSS.
#
# Usage: scripts/bench.sh [--size MB] [--runs N] [--data DIR] [--sigma DIR] [--no-build]
# Environment: BENCH_MB (default 500 MB per kind), BENCH_RUNS (5), BENCH_DATA
# (default $CARGO_TARGET_DIR/bench-data or target/bench-data), SIGMA_DIR
# (default ../shared/data/sigma/aws_cloudtrail), CARGO_TARGET_DIR (default target).
# Data is generated once per size and reused. Nothing here touches the network.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
SIZE_MB=${BENCH_MB:-500}
RUNS=${BENCH_RUNS:-5}
DATA_ROOT=${BENCH_DATA:-$TARGET_DIR/bench-data}
SIGMA_DIR=${SIGMA_DIR:-$ROOT/../shared/data/sigma/aws_cloudtrail}
BUILD=1

while [[ $# -gt 0 ]]; do
    case $1 in
        --size) SIZE_MB=$2; shift 2 ;;
        --runs) RUNS=$2; shift 2 ;;
        --data) DATA_ROOT=$2; shift 2 ;;
        --sigma) SIGMA_DIR=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

BIN=${R53GUARD_BIN:-$TARGET_DIR/release/r53guard}
if [[ $BUILD == 1 && -z ${R53GUARD_BIN:-} ]]; then
    echo "== building the release binary ($TARGET_DIR)" >&2
    cargo build --release -p r53guard --bin r53guard >&2
fi
[[ -x $BIN ]] || { echo "bench.sh: no binary at $BIN" >&2; exit 1; }

# Peak RSS: GNU time if present, otherwise a poller reading VmHWM from /proc.
if [[ -x /usr/bin/time ]] && /usr/bin/time -v true 2>/dev/null; then
    RSS_METHOD=gnu-time
else
    RSS_METHOD=proc-vmhwm
fi

DATA=$DATA_ROOT/${SIZE_MB}mb
mkdir -p "$DATA"

# --- data ------------------------------------------------------------------------------------

# MB written per scale-hour for one kind, measured on a one-hour sample.
calibrate() {
    local kind=$1 tmp
    tmp=$(mktemp -d)
    "$BIN" simulate --out "$tmp" --hours 1 --scale 1 --layout ndjson 2>/dev/null
    stat -c %s "$tmp/$kind.ndjson" | awk '{printf "%.4f", $1 / 1e6}'
    rm -rf "$tmp"
}

# hours and scale giving about SIZE_MB of one kind.
volume() {
    local per=$1
    awk -v t="$SIZE_MB" -v per="$per" 'BEGIN {
        p = t / per; h = int((p + 9) / 10); if (h < 1) h = 1;
        s = int(p / h + 0.5); if (s < 1) s = 1; print h, s }'
}

generate() {
    local kind=$1 s3dir=$2
    local out=$DATA/$kind
    if [[ -f $out/.done ]]; then
        return
    fi
    rm -rf "$out"
    mkdir -p "$out"
    local per hours scale
    per=$(calibrate "$kind")
    read -r hours scale < <(volume "$per")
    echo "== generating $kind: $hours h at scale $scale (about $(awk -v a="$per" -v h="$hours" -v s="$scale" 'BEGIN{printf "%.0f", a*h*s}') MB)" >&2
    "$BIN" simulate --out "$out/nd" --hours "$hours" --scale "$scale" --layout ndjson >&2
    "$BIN" simulate --out "$out/s3" --hours "$hours" --scale "$scale" --layout s3 >&2
    mv "$out/nd/$kind.ndjson" "$out/$kind.ndjson"
    rm -rf "$out/nd"
    # Keep only this kind's S3 objects (no digests, no other kind, no manifest).
    mkdir -p "$out/gz"
    find "$out/s3" -path "*/$s3dir/*" -name '*.gz' -print0 | xargs -0 -r mv -t "$out/gz"
    rm -rf "$out/s3"
    touch "$out/.done"
}

generate cloudtrail CloudTrail
generate resolver vpcdnsquerylogs

# --- measuring -------------------------------------------------------------------------------

HUNT_HELP=$("$BIN" hunt --help)
HAS_THREADS=0
HAS_SIGMA=0
HAS_LATENESS=0
grep -q -- '--threads' <<<"$HUNT_HELP" && HAS_THREADS=1
grep -q -- '--sigma' <<<"$HUNT_HELP" && HAS_SIGMA=1
grep -q -- '--lateness' <<<"$HUNT_HELP" && HAS_LATENESS=1
THREADS=(1)
[[ $HAS_THREADS == 1 ]] && THREADS=(1 2)

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

median() { sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# Runs a command once: prints "seconds peak_rss_kb"; its stderr goes to $WORK/err.
run_once() {
    local t0 t1 rss
    if [[ $RSS_METHOD == gnu-time ]]; then
        t0=$(date +%s%N)
        /usr/bin/time -v -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || return 1
        t1=$(date +%s%N)
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
    else
        t0=$(date +%s%N)
        "$@" >/dev/null 2>"$WORK/err" &
        local pid=$! hwm=0 v
        while kill -0 "$pid" 2>/dev/null; do
            v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
            [[ -n $v && $v -gt $hwm ]] && hwm=$v
            sleep 0.01
        done
        wait "$pid" || return 1
        t1=$(date +%s%N)
        rss=$hwm
    fi
    echo "$(( t1 - t0 ))" "$rss" | awk '{printf "%.4f %d\n", $1 / 1e9, $2}'
}

ROWS=()
declare -A GZIP_SECS

# measure LABEL THREADS_SHOWN INPUT_BYTES COMPRESSED_BYTES(or -) RECORDS(or -) CMD...
measure() {
    local label=$1 threads=$2 bytes=$3 cbytes=$4 records=$5
    shift 5
    local secs=() rss=() i line
    echo "== $label (threads $threads): $RUNS runs" >&2
    for ((i = 0; i < RUNS; i++)); do
        line=$(run_once "$@") || { echo "bench.sh: failed: $*" >&2; cat "$WORK/err" >&2; exit 1; }
        secs+=("${line% *}")
        rss+=("${line#* }")
    done
    if [[ $records == - ]]; then
        records=$(awk '/ records \(/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "records") { print $i; exit } }' "$WORK/err")
        records=${records:--}
        local decoded
        decoded=$(awk '/bytes: / { print $4; exit }' "$WORK/err")
        [[ -n $decoded ]] && bytes=$decoded
    fi
    local med rmed
    med=$(printf '%s\n' "${secs[@]}" | median)
    rmed=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
    local mbs crow ratio recs
    mbs=$(awk -v b="$bytes" -v s="$med" 'BEGIN {printf "%.0f", b / 1e6 / s}')
    if [[ $cbytes == - ]]; then
        crow="–"
        ratio="–"
    else
        crow=$(awk -v b="$cbytes" -v s="$med" 'BEGIN {printf "%.0f", b / 1e6 / s}')
        ratio="–"
        if [[ -n ${GZIP_SECS[$cbytes]:-} ]]; then
            ratio=$(awk -v g="${GZIP_SECS[$cbytes]}" -v s="$med" 'BEGIN {printf "%.0f%%", 100 * g / s}')
        fi
    fi
    if [[ $records == - ]]; then
        recs="–"
    else
        recs=$(awk -v r="$records" -v s="$med" 'BEGIN {printf "%.0fk", r / 1e3 / s}')
    fi
    local lo hi
    lo=$(printf '%s\n' "${secs[@]}" | sort -g | head -1)
    hi=$(printf '%s\n' "${secs[@]}" | sort -g | tail -1)
    ROWS+=("| $label | $threads | $med ($lo–$hi) | $mbs | $crow | $ratio | $recs | $(( rmed / 1024 )) |")
    [[ $label == *"gzip -dc"* ]] && GZIP_SECS[$cbytes]=$med
    return 0
}

for kind in resolver cloudtrail; do
    nd=$DATA/$kind/$kind.ndjson
    mapfile -t gz < <(find "$DATA/$kind/gz" -name '*.gz' | sort)
    nd_bytes=$(stat -c %s "$nd")
    gz_bytes=$(cat "${gz[@]}" | wc -c)
    raw_bytes=$(gzip -dc "${gz[@]}" | wc -c)

    measure "$kind NDJSON: events --stats (decode only)" 1 "$nd_bytes" - - \
        "$BIN" events --stats "$nd"
    for t in "${THREADS[@]}"; do
        targs=()
        [[ $HAS_THREADS == 1 ]] && targs=(--threads "$t")
        measure "$kind NDJSON: hunt, built-in pack" "$t" "$nd_bytes" - - \
            "$BIN" hunt "${targs[@]}" --format jsonl -o "$WORK/alerts" "$nd"
        if [[ $HAS_LATENESS == 1 ]]; then
            measure "$kind NDJSON: hunt --lateness 15m, built-in pack" "$t" "$nd_bytes" - - \
                "$BIN" hunt "${targs[@]}" --lateness 15m --format jsonl -o "$WORK/alerts" "$nd"
        fi
        if [[ $kind == cloudtrail && $HAS_SIGMA == 1 && -d $SIGMA_DIR ]]; then
            measure "$kind NDJSON: hunt, pack + $(find "$SIGMA_DIR" -name '*.yml' | wc -l) Sigma rules" "$t" "$nd_bytes" - - \
                "$BIN" hunt "${targs[@]}" --sigma "$SIGMA_DIR" --format jsonl -o "$WORK/alerts" "$nd"
        fi
    done

    measure "$kind S3 gzip (${#gz[@]} files): gzip -dc" 1 "$raw_bytes" "$gz_bytes" - \
        sh -c 'exec gzip -dc "$@"' gzip-dc "${gz[@]}"
    measure "$kind S3 gzip: events --stats (decode only)" 1 "$raw_bytes" "$gz_bytes" - \
        "$BIN" events --stats "$DATA/$kind/gz"
    for t in "${THREADS[@]}"; do
        targs=()
        [[ $HAS_THREADS == 1 ]] && targs=(--threads "$t")
        measure "$kind S3 gzip: hunt, built-in pack" "$t" "$raw_bytes" "$gz_bytes" - \
            "$BIN" hunt "${targs[@]}" --format jsonl -o "$WORK/alerts" "$DATA/$kind/gz"
        if [[ $kind == cloudtrail && $HAS_SIGMA == 1 && -d $SIGMA_DIR ]]; then
            measure "$kind S3 gzip: hunt, pack + Sigma rules" "$t" "$raw_bytes" "$gz_bytes" - \
                "$BIN" hunt "${targs[@]}" --sigma "$SIGMA_DIR" --format jsonl -o "$WORK/alerts" "$DATA/$kind/gz"
        fi
    done
done

# --- report ----------------------------------------------------------------------------------

echo
echo "r53guard $("$BIN" --version 2>/dev/null | awk '{print $NF}') ($BIN), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $RUNS runs each, median wall time (min–max); data: $DATA"
[[ $HAS_THREADS == 0 ]] && echo "Note: this binary's \`hunt\` has no --threads option: single-thread rows only."
[[ $HAS_SIGMA == 0 ]] && echo "Note: this binary's \`hunt\` has no --sigma option: no Sigma rows."
[[ $HAS_SIGMA == 1 && ! -d $SIGMA_DIR ]] && echo "Note: no Sigma rules at $SIGMA_DIR: no Sigma rows."
echo "Peak RSS: $RSS_METHOD (largest of the runs)."
echo
echo "| input: command | threads | median s (min–max) | MB/s (uncompressed) | MB/s (compressed) | vs gzip -dc | records/s | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
