#!/usr/bin/env bash
# Create .venv and install sharpeyes with every extra needed to run the demo and the tests.
# Idempotent: a second run only re-checks the install. Works from any directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
py="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($py --version)"
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
echo "setup: installing sharpeyes[dev] (editable)"
.venv/bin/python -m pip install --quiet --progress-bar off -e '.[dev]'
echo "setup: ready: .venv/bin/sharpeyes --help"
