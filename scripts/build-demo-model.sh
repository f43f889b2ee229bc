#!/usr/bin/env bash
# Build the demo model (tiny XLM-R + SentencePiece tokenizer, briefly pre-trained on the sample in data/demo/) into
# OUT_DIR (default .cache/demo-model). Deterministic and idempotent: skipped when OUT_DIR/.stamp matches the hash
# of the builder sources. Pass --force to rebuild. To use a real BGE-M3 instead, point the platform at its folder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/.cache/demo-model}"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
PY="${PYTHON:-/usr/bin/python3}"
cd "$ROOT/gpu-worker"
exec "$PY" -m trainer build-demo "$OUT" "${@:2}"
