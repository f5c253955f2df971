# bench/load/peers/haraka/selftest.sh: the self test of bench/load/peers/haraka.sh, sourced by it
# when it is run as `bash bench/load/peers/haraka.sh selftest`: smtp-sink, a local-only unbound,
# then each Haraka variant relays a few generated messages, all of which must be accepted.
# shellcheck shell=bash

set -euo pipefail
ROOT=${ROOT:-$(cd "$HARAKA_PEER_DIR/../../.." && pwd)}
# shellcheck disable=SC2034  # read by haraka_start: the self test does not pin
SERVER_CPU=()
HST_WORK="" HST_SINK_PID="" HST_DNS_PID="" HST_DNS=""

hst_die() { echo "haraka selftest: $*" >&2; exit 1; }

hst_cleanup() {
  local rc=$? pid
  haraka_stop
  for pid in $HST_DNS_PID $HST_SINK_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((rc == 0)) && [[ ${KEEP_LOGS:-0} != 1 ]]; then rm -rf "$HST_WORK"; elif [[ -n $HST_WORK ]]; then echo "haraka selftest: logs kept in $HST_WORK" >&2; fi
  exit "$rc"
}


# The load generator: $LOADGEN_BIN, a build in the checkout, or a fresh build in /tmp.
hst_loadgen() {
  local candidate
  for candidate in "${LOADGEN_BIN:-}" "$ROOT/build/textscreen_loadgen" \
    "$ROOT/build-bench/textscreen_loadgen" /tmp/build-haraka/textscreen_loadgen; do
    [[ -n $candidate && -x $candidate ]] && { echo "$candidate"; return 0; }
  done
  echo "haraka selftest: building textscreen_loadgen in /tmp/build-haraka" >&2
  cmake -S "$ROOT" -B /tmp/build-haraka -G Ninja -DCMAKE_CXX_COMPILER=g++ \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >&2 &&
    cmake --build /tmp/build-haraka --target textscreen_loadgen >&2 &&
    echo /tmp/build-haraka/textscreen_loadgen
}

hst_start_sink() {  # PORT
  local sink args
  sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
  [[ -x $sink ]] || hst_die "smtp-sink not found (Debian package postfix)"
  args=(-c "127.0.0.1:$1" 128)
  (($(id -u) == 0)) && args=(-u nobody "${args[@]}")
  "$sink" "${args[@]}" >"$HST_WORK/sink.log" 2>&1 &
  HST_SINK_PID=$!
  bench_wait_banner "$1" "$HST_SINK_PID" || hst_die "smtp-sink did not start; see $HST_WORK/sink.log"
}

# unbound answering from local data only ("." static: nothing is ever recursed), so every
# query Haraka makes is answered at once. Without unbound, an unused port: queries fail fast.
hst_start_dns() {  # PORT; sets HST_DNS, the DNS_SERVER to use
  HST_DNS="127.0.0.1:$1"
  command -v unbound >/dev/null || return 0
  cat >"$HST_WORK/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: $1
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$HST_WORK"
  pidfile: ""
  use-syslog: no
  verbosity: 0
  access-control: 127.0.0.0/8 allow
  local-zone: "." static
  local-zone: "sms.example.net." static
  local-data: "sms.example.net. A 127.0.0.1"
EOF
  unbound -d -c "$HST_WORK/unbound.conf" >"$HST_WORK/unbound.log" 2>&1 &
  HST_DNS_PID=$!
  local attempt
  for ((attempt = 0; attempt < 50; attempt++)); do
    kill -0 "$HST_DNS_PID" 2>/dev/null || hst_die "unbound did not start; see $HST_WORK/unbound.log"
    HARAKA_BENCH_DNS=$HST_DNS timeout 5 node --require "$HARAKA_PEER_DIR/haraka/dns_loopback.js" \
      -e 'require("node:dns").resolve4("sms.example.net", (e) => process.exit(e ? 1 : 0))' && return 0
    sleep 0.2
  done
  hst_die "unbound on $HST_DNS does not answer; see $HST_WORK/unbound.log"
}

hst_send() {  # LOADGEN PORT OUT: 20 messages on 2 sessions; prints the json's "failed"
  local rc=0
  timeout 60 "$1" --server "127.0.0.1:$2" --sessions 2 --total 20 --size 600 \
    --messages-per-connection 5 --source-range 127.0.0.2-127.0.0.254 \
    --to 14155551212@sms.example.net --json --time-limit 30 >"$3" 2>&1 || rc=$?
  grep -o '"failed": [0-9]*' "$3" | head -1 | sed 's/.*: //' || true
  return "$rc"
}

# Messages smtp-sink has received so far (its -c counters, updated in place with \r).
hst_sink_messages() { tr '\r' '\n' <"$HST_WORK/sink.log" | grep -o 'mesg=[0-9]*' | tail -1 | sed 's/mesg=//'; }

haraka_selftest_main() {
  [[ ${1:-} == selftest ]] || { echo "usage: bash ${BASH_SOURCE[1]:-haraka.sh} selftest" >&2; exit 2; }
  HST_WORK=$(mktemp -d /tmp/haraka-selftest.XXXXXX)
  trap hst_cleanup EXIT
  local loadgen sink_port dns port variant failed rc expect=0
  loadgen=$(hst_loadgen) || hst_die "could not build textscreen_loadgen"
  haraka_install
  sink_port=$(bench_free_port) && hst_start_sink "$sink_port"
  hst_start_dns "$(bench_free_port)"
  dns=$HST_DNS
  echo "haraka selftest: smtp-sink on $sink_port, DNS $dns ($([[ -n $HST_DNS_PID ]] && echo unbound || echo 'unused port'))"
  for variant in minimal typical; do
    port=$(bench_free_port) || hst_die "no free port"
    mkdir -p "$HST_WORK/$variant"
    haraka_start "$variant" "$port" "$sink_port" "$dns" "$HST_WORK/$variant" || hst_die "$variant did not start"
    rc=0
    failed=$(hst_send "$loadgen" "$port" "$HST_WORK/$variant.json") || rc=$?
    echo "haraka selftest: $variant: loadgen exit $rc, failed ${failed:-?}, pids $(haraka_pids | tr '\n' ' ')"
    [[ $rc == 0 && $failed == 0 ]] || hst_die "$variant: not every message accepted; see $HST_WORK/$variant.json"
    expect=$((expect + 20))
    [[ $(hst_sink_messages) == "$expect" ]] ||
      hst_die "$variant: smtp-sink counted $(hst_sink_messages) messages, expected $expect"
    haraka_stop
  done
  echo "haraka selftest: passed (both variants relayed 20 of 20 messages to smtp-sink)"
}
