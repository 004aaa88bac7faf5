#!/usr/bin/env bash
# Builds and tests the operator console with the machine's node and npm, pinned by
# package-lock.json (npm ci, cached in node_modules until the lockfile changes).
# Maven calls it (local-runner/pom.xml); without node/npm the console is left out, loudly.
#   build.sh build   type-check and bundle into dist/ (Vite)
#   build.sh test    the unit tests (Vitest)
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "console: node and npm not found: the console is not built (apt-get install nodejs npm)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 0
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
case "${1:-build}" in
  build) npm run --silent build ;;
  test) npm test --silent ;;
  *) echo "usage: build.sh build|test" >&2; exit 2 ;;
esac
