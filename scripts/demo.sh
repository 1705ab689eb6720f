#!/usr/bin/env bash
# The main job on a fresh machine: services up, dependencies installed, then
# the service starts and a simulated live evening is replayed through it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-services.sh
source scripts/ensure-node.sh
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run demo -- "$@"
