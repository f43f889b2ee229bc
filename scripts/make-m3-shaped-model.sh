#!/usr/bin/env bash
# Write a BGE-M3-shaped model folder (BAAI/bge-m3's Hub layout, config and tokenizer ids; SEEDED RANDOM weights,
# a stand-in for size and shape) into OUT_DIR, offline. docs/full-size.md. Options after OUT_DIR go to
# scripts/make-m3-shaped-model.py (--layers/--hidden/--heads/--intermediate for a small variant, --bin, --force).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -lt 1 ]; then echo "usage: bash scripts/make-m3-shaped-model.sh OUT_DIR [--layers N --hidden H ...]" >&2; exit 2; fi
OUT="$1"
case "$OUT" in /*) ;; *) OUT="$PWD/$OUT" ;; esac
exec "${PYTHON:-/usr/bin/python3}" "$ROOT/scripts/make-m3-shaped-model.py" "$OUT" "${@:2}"
