#!/usr/bin/env bash
# Installs the two peer servers of the load test into a scratch directory, from the pinned files
# next to this script:
#
#   <scratch>/node   package.json + package-lock.json + whoami.mjs, `npm ci` (npm mcp-auth peer)
#   <scratch>/venv   python3 -m venv + pip install -r python/requirements.txt (PyPI mcpauth peer)
#
# Idempotent: a step is skipped when its stamp (a hash of the pinned inputs and the tool versions)
# matches the last successful run; otherwise it is redone from scratch. whoami.mjs is copied every
# time (ESM resolves `node_modules` from the script's own directory, so it must run from there).
#
# Usage: bench/load/peers/install.sh <scratch-dir>
# Progress goes to stderr; on success stdout has exactly these lines (key=absolute path):
#   node_dir=...        node_server=...     venv_python=...     python_server=...
# Exits non-zero with a message naming the failed step.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf 'install.sh: %s\n' "$*" >&2; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 <scratch-dir>" >&2; exit 2; }

for tool in node npm python3 sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not on PATH"
done

# mcp-auth 0.2.0 declares node ^20.19 || 22 || 23 || 24.
node -e '
  const [maj, min] = process.versions.node.split(".").map(Number);
  process.exit(maj > 20 || (maj === 20 && min >= 19) ? 0 : 1);
' || die "node >= 20.19 is required (found $(node --version))"

mkdir -p "$1" || die "cannot create $1"
SCRATCH="$(cd "$1" && pwd)"
NODE_DIR="$SCRATCH/node"
VENV="$SCRATCH/venv"
VENV_PY="$VENV/bin/python"

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------- node peer (npm mcp-auth)
mkdir -p "$NODE_DIR"
node_stamp="$( { stamp_of "$HERE/node/package.json" "$HERE/node/package-lock.json"; node --version; npm --version; } | sha256sum | cut -d' ' -f1)"
if [ -d "$NODE_DIR/node_modules" ] && [ "$(cat "$NODE_DIR/.install-stamp" 2>/dev/null)" = "$node_stamp" ]; then
  log "node: up to date in $NODE_DIR"
else
  log "node: npm ci in $NODE_DIR"
  rm -f "$NODE_DIR/.install-stamp"
  cp "$HERE/node/package.json" "$HERE/node/package-lock.json" "$NODE_DIR/"
  (cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund >&2) || die "npm ci failed in $NODE_DIR"
  (cd "$NODE_DIR" && node --input-type=module -e '
    await import("mcp-auth"); await import("express");
    await import("@modelcontextprotocol/sdk/server/streamableHttp.js");
  ') || die "node: the installed packages do not load"
  printf '%s\n' "$node_stamp" > "$NODE_DIR/.install-stamp"
fi
cp "$HERE/node/whoami.mjs" "$NODE_DIR/whoami.mjs" || die "cannot copy whoami.mjs into $NODE_DIR"

# ---------------------------------------------------------------- python peer (PyPI mcpauth)
py_stamp="$( { stamp_of "$HERE/python/requirements.txt"; python3 --version 2>&1; command -v python3; } | sha256sum | cut -d' ' -f1)"
if [ -x "$VENV_PY" ] && [ "$(cat "$VENV/.install-stamp" 2>/dev/null)" = "$py_stamp" ]; then
  log "python: up to date in $VENV"
else
  log "python: venv + pip install in $VENV"
  python3 -m venv --clear "$VENV" || die "python3 -m venv failed for $VENV"
  "$VENV_PY" -m pip install --disable-pip-version-check --no-input --quiet \
    -r "$HERE/python/requirements.txt" >&2 || die "pip install -r python/requirements.txt failed"
  "$VENV_PY" -c 'import mcpauth, mcp.server.mcpserver, starlette, uvicorn, uvloop, httptools' \
    || die "python: the installed packages do not import"
  printf '%s\n' "$py_stamp" > "$VENV/.install-stamp"
fi

printf 'node_dir=%s\n' "$NODE_DIR"
printf 'node_server=%s\n' "$NODE_DIR/whoami.mjs"
printf 'venv_python=%s\n' "$VENV_PY"
printf 'python_server=%s\n' "$HERE/python/whoami.py"
