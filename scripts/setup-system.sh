#!/usr/bin/env bash
# Installs the system packages the test suites need, only when missing (Debian/Ubuntu, as root):
# Debian's chromium for Playwright, and Debian's PyTorch stack for the trainer (PyPI is not used).
set -euo pipefail

# `--worker`: only what the worker's trainer needs (what `npm start` installs on a first start), not the browser.
PY=/usr/bin/python3
need=()
if [ "${1:-}" != "--worker" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  # Chinese glyphs in browser screenshots (the UI and the data are bilingual).
  fc-list :lang=zh 2>/dev/null | grep -q . || need+=(fonts-noto-cjk)
fi
if ! "$PY" -c "import torch, numpy, onnx, sentencepiece, pytest" >/dev/null 2>&1; then
  need+=(python3-torch python3-numpy python3-onnx python3-sentencepiece python3-pytest libopenblas0-pthread)
fi
# Without OpenBLAS, torch matmul on CPU is ~25x slower.
[ -e /usr/lib/x86_64-linux-gnu/libopenblas.so.0 ] || [ -e /usr/lib/aarch64-linux-gnu/libopenblas.so.0 ] || need+=(libopenblas0-pthread)

if [ ${#need[@]} -eq 0 ]; then
  echo "setup-system: chromium, CJK fonts and the python3-torch stack are present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" -ne 0 ]; then
  echo "setup-system: missing ${need[*]}; install them with apt-get as root (Debian/Ubuntu)" >&2
  exit 1
fi
echo "setup-system: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${need[@]}"
