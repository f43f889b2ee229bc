#!/usr/bin/env bash
# `npm test`: every suite, in order of cost. Installs what the suites need when missing
# (system packages via apt, node_modules via npm ci), uses the PostgreSQL on 127.0.0.1:5432
# (or TEST_DATABASE_URL / E2E_DATABASE_URL), and prints one summary line per suite.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1

bash scripts/setup-system.sh || exit 1
[ -d node_modules/.bin ] || npm ci || exit 1
node --import tsx scripts/prisma-generate.ts >/dev/null || exit 1

declare -a summary=()
failed=0
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
run() {
  local name="$1"; shift
  local started=$SECONDS
  echo "=== $name: $*"
  if "$@" 2>&1 | tee "$logs/$name.log"; then summary+=("PASS $name ($((SECONDS - started))s)"); else
    summary+=("FAIL $name ($((SECONDS - started))s)")
    # The failing tests' names again at the end, where a CI log's tail shows them.
    while IFS= read -r line; do summary+=("    $line"); done < <(sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log" | grep -E '^ *(FAIL |✘|×|[0-9]+\) )|Error:' | head -20)
    failed=1
  fi
}

run typecheck npx tsc --noEmit -p .
run python bash scripts/test-python.sh
run demo-model bash scripts/build-demo-model.sh
run vitest npx vitest run
run playwright npx playwright test

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
passed=$(printf '%s\n' "${summary[@]}" | grep -c '^PASS')
failing=$(printf '%s\n' "${summary[@]}" | grep -c '^FAIL')
echo "suites: $passed passed, $failing failed"
exit $failed
