#!/usr/bin/env bash
# slowloris.sh: a real client's wait while 5,000 connections each trickle one byte a second
# (issue 9's 1 s target). For each target, bench/load/slowloris.py measures CLIENTS real
# clients one after the other with no other load, under the tricklers and after them,
# and prints median/p95/max of connect -> banner and connect -> the 250 after the dot.
#
# Usage: bash bench/load/slowloris.sh                    installs, builds, runs (~2 min)
#        TARGETS="textscreen postfix" bash bench/load/slowloris.sh   (up to ~12 min: each real
#        client that gets no answer waits 30 s)
# Environment (defaults below): TARGETS CLIENTS TRICKLERS TEXTSCREEN_BIN KEEP_LOGS
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARGETS=${TARGETS:-textscreen}  # textscreen and/or postfix (Postfix 3.7 with postscreen)
CLIENTS=${CLIENTS:-20}
TRICKLERS=${TRICKLERS:-5000}
BUILD_DIR=$ROOT/build-bench
# Postfix's process limit follows the harness's IDLE (peers/postfix.sh): its most, 2,100.
export IDLE=$TRICKLERS
RCPT=14155551212@sms.example.net

die() { echo "slowloris.sh: $*" >&2; exit 2; }

bash "$ROOT/tools/install-deps.sh"
if [[ -z ${TEXTSCREEN_BIN:-} ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target textscreen >/dev/null
fi
TEXTSCREEN_BIN=${TEXTSCREEN_BIN:-$BUILD_DIR/textscreen}
[[ -x $TEXTSCREEN_BIN ]] || die "no textscreen binary at $TEXTSCREEN_BIN"

# shellcheck source=bench/load/net.sh
source "$ROOT/bench/load/net.sh"
# shellcheck source=bench/load/peers/postfix.sh
source "$ROOT/bench/load/peers/postfix.sh"

# Every trickler is a descriptor here and one in the server.
ulimit -n "$(ulimit -Hn)"
((TRICKLERS + 1500 <= $(ulimit -n))) ||
  die "the open-file limit $(ulimit -n) is too low for $TRICKLERS tricklers"

bench_begin slowloris

# Postfix relays to smtp-sink through its before-queue proxy (as in compare.sh); its real
# clients come from 127.0.0.1 (mynetworks, past postscreen), the tricklers meet postscreen.
start_postfix() {
  local sink sink_port args
  sink=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
  [[ -x $sink ]] || die "smtp-sink not found (Debian package postfix)"
  sink_port=$(bench_free_port) || die "no free port"
  args=(-m 2000 "127.0.0.1:$sink_port" 1024)
  # smtp-sink refuses to run as root without a user to switch to.
  (($(id -u) == 0)) && args=(-u nobody "${args[@]}")
  "$sink" "${args[@]}" >"$WORK/sink.log" 2>&1 &
  PIDS+=($!)
  bench_wait_banner "$sink_port" || die "smtp-sink did not start; see $WORK/sink.log"
  POSTFIX_PORT=$(bench_free_port) || die "no free port"
  postfix_start "$POSTFIX_PORT" "$sink_port" none "$WORK/postfix" || die "postfix did not start"
}

echo "slowloris.sh: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cpus," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "$TRICKLERS tricklers, $CLIENTS real clients; targets: $TARGETS"
FAILED=0
for target in $TARGETS; do
  case $target in
    textscreen)
      /usr/bin/python3 "$ROOT/bench/load/slowloris.py" --textscreen "$TEXTSCREEN_BIN" \
        --clients "$CLIENTS" --tricklers "$TRICKLERS" --rcpt "$RCPT" || FAILED=$((FAILED + 1))
      ;;
    postfix)
      postfix_install || die "Postfix is not installed"
      start_postfix
      /usr/bin/python3 "$ROOT/bench/load/slowloris.py" --port "$POSTFIX_PORT" --name postfix \
        --clients "$CLIENTS" --tricklers "$TRICKLERS" --rcpt "$RCPT" || FAILED=$((FAILED + 1))
      postfix_stop
      ;;
    *) die "unknown target $target" ;;
  esac
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
((FAILED == 0)) || echo "slowloris.sh: $FAILED targets missed the 1 s target or failed" >&2
