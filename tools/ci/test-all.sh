#!/usr/bin/env bash
# Everything CI checks, in order: system packages the tests need, build, lint and format, type-check of the
# tests, packaging checks, then every test. Ends with the line "N passed, N failed, N skipped".
# Exits non-zero when any step fails or no test ran.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NO_COLOR=1

bash tools/ci/system-deps.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }

if ! pnpm exec turbo run build --output-logs=errors-only; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

rc=0
step() {
  local name=$1
  shift
  echo "--- $name"
  if ! "$@"; then
    echo "FAILED: $name"
    rc=1
  fi
}
step "lint and format (biome)" pnpm exec biome ci --colors=off .
step "type-check tests" pnpm exec tsc -p tsconfig.tests.json
step "packaging (publint, attw)" node tools/ci/check-packages.mjs

echo "--- tests"
rm -f .ci/vitest-report.json
pnpm exec vitest run --config vitest.projects.ts --reporter=default --reporter=json \
  --outputFile.json=.ci/vitest-report.json || rc=1
node tools/ci/summary.mjs .ci/vitest-report.json || rc=1
exit $rc
