#!/usr/bin/env bash
# The trainer's pytest suite (Debian's python3-torch on CPU). Exit 0 only when tests ran and all passed;
# pytest's exit 5 ("no tests collected") is a failure here, not a pass. Extra args go to pytest.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-/usr/bin/python3}"
cd "$ROOT/gpu-worker"
"$PY" -m pytest -q -p no:cacheprovider trainer/tests "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "test-python: pytest collected no tests (exit 5): failing" >&2
  exit 1
fi
exit "$rc"
