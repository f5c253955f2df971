#!/usr/bin/env bash
# Quick start: installs the dependencies, builds, and runs textscreen in the foreground on
# 127.0.0.1:2525 in front of the bundled capture gateway (127.0.0.1:2526, messages stored
# under var/gateway). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

mkdir -p var/gateway
/usr/bin/python3 tools/capture_gateway.py --listen 127.0.0.1:2526 --spool var/gateway &
gateway=$!
trap 'kill "$gateway" 2>/dev/null || true' EXIT

cat <<'NOTE'
textscreen listens on 127.0.0.1:2525 and relays to the capture gateway (var/gateway).
Try:  swaks --server 127.0.0.1:2525 --to 14155551212@sms.example.net
NOTE
build/textscreen --config packaging/quickstart.conf
