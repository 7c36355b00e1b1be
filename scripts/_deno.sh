#!/usr/bin/env bash
# Sourced by the other scripts: makes `deno` available, installing Deno from npm
# (the `deno` package ships the real binary) into a cache folder outside the tree.
# XBAR_INSTALL_QUIET=1: the caller has already said what is being installed.
# XBAR_DENO_CHECK_ONLY=1: only define xbar_deno_ready and the variables.
XBAR_DENO_VERSION="${XBAR_DENO_VERSION:-2.9.6}"
XBAR_DENO_DIR="${XBAR_DENO_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/xbar-deno}"
xbar_deno_ready() {
  [ -x "$XBAR_DENO_DIR/node_modules/.bin/deno" ] &&
    "$XBAR_DENO_DIR/node_modules/.bin/deno" --version 2>/dev/null | grep -q "^deno $XBAR_DENO_VERSION "
}
if [ "${XBAR_DENO_CHECK_ONLY:-}" != 1 ]; then
  if ! xbar_deno_ready; then
    [ "${XBAR_INSTALL_QUIET:-}" = 1 ] ||
      echo "xbar: installing Deno $XBAR_DENO_VERSION from npm into $XBAR_DENO_DIR" >&2
    mkdir -p "$XBAR_DENO_DIR"
    npm install --silent --no-audit --no-fund --prefix "$XBAR_DENO_DIR" "deno@$XBAR_DENO_VERSION" >&2
  fi
  export PATH="$XBAR_DENO_DIR/node_modules/.bin:$PATH"
  export DENO_NO_UPDATE_CHECK=1
fi
