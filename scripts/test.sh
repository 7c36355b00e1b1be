#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need on a fresh
# machine (Deno from npm; from Debian python3-autobahn, python3-prometheus-client
# and chromium; from npm autobahn and playwright-core), checks
# fmt/lint/types, runs every test, runs the node lifecycle, supervision and
# component tests once more through the launcher that stands in for the single
# executable (XBAR_TEST_LAUNCHER=1; skipped when test arguments are given), and
# prints "N passed, N failed" over both runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/_deno.sh
. scripts/_deno.sh

# Debian: Autobahn|Python for interop tests, the official Prometheus client's
# parsers for the metrics tests, Chromium for the status page test.
if ! /usr/bin/python3 -c "import autobahn, msgpack, cbor2, prometheus_client" 2>/dev/null ||
  [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing python3-autobahn, python3-prometheus-client, chromium (Debian)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-autobahn python3-msgpack python3-cbor2 python3-prometheus-client chromium) >/dev/null 2>&1 ||
      echo "test: WARNING: could not install the Debian test packages" >&2
  else
    echo "test: WARNING: Debian test packages missing and not root; interop, metrics and browser tests will fail" >&2
  fi
fi

# Debian: iproute2 for the multi-host tests in network namespaces (root only).
if [ "$(id -u)" = 0 ] && ! command -v ip >/dev/null 2>&1; then
  echo "test: installing iproute2 (Debian)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2) >/dev/null 2>&1 ||
    echo "test: WARNING: could not install iproute2; multi-host tests will be skipped" >&2
fi

# npm: AutobahnJS for interop tests, playwright-core for the browser test (its own folder, run by Node).
if [ ! -d tests/node/node_modules/autobahn ] || [ ! -d tests/node/node_modules/playwright-core ]; then
  echo "test: installing npm test dependencies (tests/node)" >&2
  (cd tests/node && npm ci --silent --no-audit --no-fund) >&2
fi

deno install --frozen >&2

echo "test: deno fmt --check, deno lint, deno check" >&2
deno fmt --check >&2
deno lint >&2
deno check src scripts tests $( [ -f mod.ts ] && echo mod.ts ) $( [ -d cli ] && echo cli ) >&2

rm -f report.xml report-launcher.xml
set +e
deno test -A --parallel --junit-path=report.xml "$@"
status=$?
if [ $# -eq 0 ]; then
  echo "test: node lifecycle, supervision and component tests through the launcher (the single executable's code paths)" >&2
  XBAR_TEST_LAUNCHER=1 deno test -A --parallel --junit-path=report-launcher.xml \
    tests/node_lifecycle_test.ts tests/node_supervision_test.ts tests/node_components_test.ts
  launcher_status=$?
  [ "$status" -ne 0 ] || status=$launcher_status
fi
set -e
if [ -f report.xml ]; then
  python3 - report.xml $( [ $# -eq 0 ] && echo report-launcher.xml ) <<'PY'
import os, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
cases = []
for f in sys.argv[1:]:
    if os.path.exists(f):
        cases += ET.parse(f).getroot().iter("testcase")
    else:
        failed += 1  # a run that wrote no report
for c in cases:
    if c.find("failure") is not None or c.find("error") is not None:
        failed += 1
    elif c.find("skipped") is not None:
        skipped += 1
    else:
        passed += 1
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
else
  echo "0 passed, 1 failed"
fi
exit $status
