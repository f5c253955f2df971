#!/usr/bin/env bash
# Quick start: installs the dependencies, builds, and runs textscreen in the foreground on
# 127.0.0.1:2525 in front of the bundled capture gateway (127.0.0.1:2526, messages stored
# under var/gateway). Ctrl-C stops both.
# With --sms-api it relays to the bundled fake SMS API instead (https://127.0.0.1:8443,
# certificate and credentials under var/fake-sms-api): upstream = sms_api, as a carrier
# that retired its email-to-SMS gateway would run it.
set -euo pipefail
cd "$(dirname "$0")/.."

sms_api=no
case "${1:-}" in
  "") ;;
  --sms-api) sms_api=yes ;;
  *) echo "usage: tools/quickstart.sh [--sms-api]" >&2; exit 2 ;;
esac

bash tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

if [ "$sms_api" = no ]; then
  mkdir -p var/gateway
  /usr/bin/python3 tools/capture_gateway.py --listen 127.0.0.1:2526 --spool var/gateway &
  gateway=$!
  trap 'kill "$gateway" 2>/dev/null || true' EXIT
  cat <<'NOTE'
textscreen listens on 127.0.0.1:2525 and relays to the capture gateway (var/gateway).
Try:  swaks --server 127.0.0.1:2525 --to 14155551212@sms.example.net
NOTE
  exec_args=()
else
  api_dir=var/fake-sms-api
  rm -f "$api_dir/port"
  tools/fake-sms-api --port 8443 --dir "$api_dir" --port-file "$api_dir/port" \
    --record "$api_dir/requests.jsonl" >/dev/null &
  gateway=$!
  trap 'kill "$gateway" 2>/dev/null || true' EXIT
  # The fake API writes its certificate and credentials before it listens.
  for _ in $(seq 100); do
    [ -s "$api_dir/port" ] && break
    kill -0 "$gateway" 2>/dev/null || { echo "fake-sms-api did not start" >&2; exit 1; }
    sleep 0.1
  done
  [ -s "$api_dir/port" ] || { echo "fake-sms-api did not start in 10 s" >&2; exit 1; }
  cat <<NOTE
textscreen listens on 127.0.0.1:2525 and sends each message as an SMS through the fake
SMS API on https://127.0.0.1:8443 (requests in $api_dir/requests.jsonl).
Try:  swaks --server 127.0.0.1:2525 --to 14155551212@sms.example.net --header 'Subject: Disk full'
NOTE
  exec_args=(--upstream=sms_api --sms_api_url=https://127.0.0.1:8443
             --sms_api_ca_file="$api_dir/server.pem" --sms_api_from=+15005550006
             --sms_api_credentials_file="$api_dir/credentials")
fi
build/textscreen --config packaging/quickstart.conf "${exec_args[@]}"
