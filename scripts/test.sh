#!/usr/bin/env bash
# The test command of README.md and CI: the whole suite, with Kafka started (and stopped) by the
# session fixture in tests/conftest.py through scripts/kafka-local.sh. Extra arguments go to pytest.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
exec .venv/bin/python -m pytest "$@"
