#!/usr/bin/env bash
# Evaluates the DNS heuristics of crates/dns (r53guard-dns) and prints Markdown tables:
# base64-label recall per encoding and benign false positives (D9), the tunnelling filter (X3),
# and DGA recall per family with benign false positives, shipped and held-out (X2).
#
# The evaluation data stay outside the repository and nothing derived from them is written:
# dga_labelled.csv is GPL-2.0, for measuring only.
#
# Usage: scripts/eval-dns.sh [DOMAINS_DIR] [EVAL OPTIONS...]
#   DOMAINS_DIR  folder with benign/, encoded/ and dga/
#                (default: ../shared/data/domains next to the repository)
#   EVAL OPTIONS passed on to r53guard-dns-eval, e.g. --show-missed (list the base64 rows missed)
set -euo pipefail
cd "$(dirname "$0")/.."

data="${1:-../shared/data/domains}"
shift || true

cargo run --release -q -p r53guard-dns --bin r53guard-dns-eval -- \
    --encoded "$data/encoded/exfil_labels_synthetic.csv" \
    --benign "$data/benign/opendns-top-domains.txt" \
    --benign "$data/benign/opendns-random-domains.txt" \
    --dga "$data/dga/dga_labelled.csv" \
    "$@"
