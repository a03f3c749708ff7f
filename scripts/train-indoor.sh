#!/usr/bin/env bash
# Reproduce the reference indoor detector (docs/models.md): generate the labelled stills, train, export
# to ONNX with manifests, evaluate on held-out seeds. Needs the [train] extra (torch, onnx, onnxscript).
#   scripts/train-indoor.sh                 # the shipped recipe (time budget MINUTES=68 on 2 cores)
#   MINUTES=5 STILLS=200 scripts/train-indoor.sh   # a smoke run
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
py="${PYTHON:-.venv/bin/python}"
data="${DATA:-build/indoor-train}"
heldout="${HELDOUT:-build/indoor-heldout}"
minutes="${MINUTES:-68}"
lift_stills="${STILLS:-2500}"
corridor_stills="${CORRIDOR_STILLS:-${STILLS:-1500}}"

# training data: lift seeds 1 and 2, corridor seeds 1 and 2 (one directory; names carry scene and seed)
for seed in 1 2; do "$py" -m sharpeyes.cli synth elevator --out "$data" --seed "$seed" --stills "$lift_stills"; done
for seed in 1 2; do "$py" -m sharpeyes.cli synth corridor --out "$data" --seed "$seed" --stills "$corridor_stills"; done
# held-out data: seeds never trained on
"$py" -m sharpeyes.cli synth elevator --out "$heldout-lift-s90" --seed 90 --stills 600
"$py" -m sharpeyes.cli synth corridor --out "$heldout-corridor-s91" --seed 91 --stills 600

"$py" -m models.train --data "$data" --out models/indoor --work build/indoor-train --seed 0 --epochs 100 \
    --minutes "$minutes" --data-note "sharpeyes synth elevator --seed 1,2 --stills 2500 + corridor --seed 1,2 --stills 1500"
"$py" benchmarks/detector_eval.py --data "$heldout-lift-s90" "$heldout-corridor-s91" --tune "$data" --write-results
