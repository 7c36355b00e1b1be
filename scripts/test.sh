#!/usr/bin/env bash
# The test command (README, .ci/run): installs what the tests need on a fresh
# machine (Deno from npm, Debian's python3-autobahn, npm's autobahn), checks
# fmt/lint/types, runs every test, and prints "N passed, N failed".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/_deno.sh
. scripts/_deno.sh

# Debian: Autobahn|Python for interop tests.
if ! /usr/bin/python3 -c "import autobahn, msgpack, cbor2" 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    echo "test: installing python3-autobahn (Debian)" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-autobahn python3-msgpack python3-cbor2) >/dev/null 2>&1 ||
      echo "test: WARNING: could not install python3-autobahn" >&2
  else
    echo "test: WARNING: python3-autobahn missing and not root; Python interop tests will fail" >&2
  fi
fi

# npm: AutobahnJS for interop tests (its own folder, run by Node).
if [ ! -d tests/node/node_modules/autobahn ]; then
  echo "test: installing npm test dependencies (tests/node)" >&2
  (cd tests/node && npm ci --silent --no-audit --no-fund) >&2
fi

deno install --frozen >&2

echo "test: deno fmt --check, deno lint, deno check" >&2
deno fmt --check >&2
deno lint >&2
deno check src scripts tests $( [ -f mod.ts ] && echo mod.ts ) $( [ -d cli ] && echo cli ) >&2

rm -f report.xml
set +e
deno test -A --parallel --junit-path=report.xml "$@"
status=$?
set -e
if [ -f report.xml ]; then
  python3 - report.xml <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
passed = failed = skipped = 0
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
