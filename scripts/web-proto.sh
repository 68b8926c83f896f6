#!/usr/bin/env bash
# Regenerates the web app's protobuf code (servers/dir_serv/web/client_proto.js)
# from proto/client.proto with protobuf.js's own generator (pbjs, static
# code: no eval, so the page keeps its strict Content-Security-Policy), and
# refreshes the vendored protobuf.js runtime. Run it after changing
# client.proto; needs Node.js and npm (the packages come from the npm
# registry into a temp dir, pinned below). The dir_serv unit tests check
# that the generated code covers every message and field of client.proto.
set -euo pipefail
cd "$(dirname "$0")/.."

PROTOBUFJS=8.8.1
PROTOBUFJS_CLI=2.7.1
web=servers/dir_serv/web

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null &&
    npm install --no-audit --no-fund --silent "protobufjs@$PROTOBUFJS" "protobufjs-cli@$PROTOBUFJS_CLI")
"$work/node_modules/.bin/pbjs" -t static-module -w closure -r schat --keep-case \
    --no-verify --no-convert --no-delimited --no-typeurl --no-comments \
    proto/client.proto -o "$web/client_proto.js"
cp "$work/node_modules/protobufjs/dist/minimal/protobuf.min.js" "$web/vendor/protobuf.min.js"
cp "$work/node_modules/protobufjs/LICENSE" "$web/vendor/protobuf.LICENSE"
echo "regenerated $web/client_proto.js (protobufjs $PROTOBUFJS, pbjs $PROTOBUFJS_CLI)"
