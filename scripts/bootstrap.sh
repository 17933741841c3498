#!/usr/bin/env bash
# Installs everything wirekit needs on a fresh Debian machine with only Node 20,
# npm and apt: pnpm, Debian's Chromium (browser tests), redis-server (multi-node
# tests) and the workspace dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.9

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${need_apt[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "bootstrap: please install ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --loglevel=error
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
