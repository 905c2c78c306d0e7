#!/usr/bin/env bash
# Retrains the DGA model of crates/dns (r53guard-dns) and rewrites crates/dns/data/dga-model.json.
#
# Trains ONLY on shippable data: the OpenDNS benign lists (public domain) and synthetic
# labels from our own generators. Never pass the GPL DGA corpus (dga_labelled.csv) here: it is for evaluation only.
# Deterministic: the same lists and seed write the same bytes.
#
# Usage: scripts/train-dga.sh [BENIGN_DIR] [SEED]
#   BENIGN_DIR  folder with opendns-top-domains.txt and opendns-random-domains.txt
#               (default: ../shared/data/domains/benign next to the repository)
#   SEED        synthetic-label seed (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."

benign_dir="${1:-../shared/data/domains/benign}"
seed="${2:-1}"

cargo run --release -q -p r53guard-dns --bin r53guard-dns-train -- \
    --benign "$benign_dir/opendns-top-domains.txt" \
    --benign "$benign_dir/opendns-random-domains.txt" \
    --seed "$seed" \
    --out crates/dns/data/dga-model.json
