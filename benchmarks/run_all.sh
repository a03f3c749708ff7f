#!/usr/bin/env bash
# Regenerate the hot-path and Kafka end-to-end sections of benchmarks/RESULTS.md and their plots.
#
#   benchmarks/run_all.sh            full runs (hot path ~10 min, e2e ~20 min on 2 shared cores)
#   benchmarks/run_all.sh --quick    the --quick variants (about a minute each)
#
# Needs the broker for the e2e part: scripts/kafka-local.sh start (KAFKA_BOOTSTRAP overrides the address).
set -euo pipefail
cd "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.."
PY="${PYTHON:-python}"
QUICK=()
[[ "${1:-}" == "--quick" ]] && QUICK=(--quick)
OUT=benchmarks/results
mkdir -p "$OUT"
machine() { echo "$1: $(date -u +%FT%TZ) load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
: > "$OUT/load.txt"

machine "hot path start" >> "$OUT/load.txt"
"$PY" benchmarks/hot_path.py "${QUICK[@]}" --json "$OUT/hot_path.json" | tee "$OUT/hot_path.txt"
"$PY" benchmarks/hot_path.py --profile --alerts 5000 > "$OUT/hot_path_profile.txt"
machine "hot path end" >> "$OUT/load.txt"

machine "e2e start" >> "$OUT/load.txt"
"$PY" benchmarks/e2e_kafka.py "${QUICK[@]}" --bootstrap "${KAFKA_BOOTSTRAP:-127.0.0.1:19092}" \
    --json "$OUT/e2e_kafka.json" | tee "$OUT/e2e_kafka.txt"
machine "e2e end" >> "$OUT/load.txt"

"$PY" benchmarks/report.py
