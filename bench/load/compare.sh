#!/usr/bin/env bash
# compare.sh: what textscreen costs in front of a gateway, measured in one run. The load
# generator sends to Postfix's smtp-sink directly (A) and through textscreen (B), in
# alternating rounds so that drift of a shared machine hits both alike; medians of the rounds.
#
# Usage: bench/load/compare.sh            (env: TOTAL ROUNDS SESSIONS SIZE PER_CONNECTION
#        TOTAL=2000 bench/load/compare.sh  CELL_TIME_LIMIT IDLE PIPELINING TEXTSCREEN_BIN
#                                          LOADGEN_BIN KEEP_LOGS; see the defaults below)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TOTAL=${TOTAL:-20000}                # messages per cell
ROUNDS=${ROUNDS:-3}                  # A B rounds per workload; the table shows medians
SESSIONS=${SESSIONS:-"1 50"}         # one workload per count of concurrent connections
SIZE=${SIZE:-600}                    # bytes per message
PER_CONNECTION=${PER_CONNECTION:-5}  # messages per connection before QUIT
CELL_TIME_LIMIT=${CELL_TIME_LIMIT:-120}
IDLE=${IDLE:-1000}                   # idle connections for the memory figure; 0 skips it
QUIET_LOAD=${QUIET_LOAD:-0.5}        # wait for the 1-minute load average to fall below this,
QUIET_WAIT=${QUIET_WAIT:-300}        # for at most this many seconds (builds skew the figures)
PIPELINING=${PIPELINING:-1}
SOURCES=127.0.0.2-127.0.0.254
TO=14155551212@sms.example.net
TEXTSCREEN_BIN=${TEXTSCREEN_BIN:-$ROOT/build/textscreen}
if [[ -z ${LOADGEN_BIN:-} ]]; then
  for candidate in "$ROOT/build/textscreen_loadgen" "$ROOT/build-bench/textscreen_loadgen"; do
    if [[ -x $candidate ]]; then LOADGEN_BIN=$candidate; break; fi
  done
fi
SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

die() { echo "compare.sh: $*" >&2; exit 2; }
[[ -x ${LOADGEN_BIN:-} ]] || die "no textscreen_loadgen; build it or set LOADGEN_BIN"
[[ -x $TEXTSCREEN_BIN ]] || die "no textscreen at $TEXTSCREEN_BIN; build it or set TEXTSCREEN_BIN"
[[ -x $SMTP_SINK ]] || die "smtp-sink not found (Debian package postfix)"

WORK=$(mktemp -d /tmp/textscreen-compare.XXXXXX)
SINK_PID=""
DAEMON_PID=""
cleanup() {
  local rc=$?
  # Only the two servers this script started, by their pids.
  for pid in $DAEMON_PID $SINK_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT

# The daemon and smtp-sink (the "server side") share one core, the generator has the other,
# so the generator's core does the same work in A and B and the server core shows the cost.
LOADGEN_CPU=() SERVER_CPU=() PINNING="not pinned"
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
  LOADGEN_CPU=(taskset -c 0)
  SERVER_CPU=(taskset -c 1)
  PINNING="loadgen on cpu 0, textscreen and smtp-sink on cpu 1"
fi

free_port() {
  local port attempt
  for ((attempt = 0; attempt < 100; attempt++)); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

# Waits (bounded) until the server on $1 sends a 220 greeting.
wait_banner() {
  local attempt
  for ((attempt = 0; attempt < 100; attempt++)); do
    if [[ $(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 3 <&3" 2>/dev/null) == 220 ]]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

status_kb() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }
json_field() { grep -o "\"$2\": [^,}]*" "$1" | head -1 | sed 's/.*: //; s/"//g'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }

SINK_PORT=$(free_port) || die "no free port"
SINK_ARGS=(-m 2000 "127.0.0.1:$SINK_PORT" 1024)
# smtp-sink refuses to run as root without a user to switch to.
(($(id -u) == 0)) && SINK_ARGS=(-u nobody "${SINK_ARGS[@]}")
"${SERVER_CPU[@]}" "$SMTP_SINK" "${SINK_ARGS[@]}" >"$WORK/sink.log" 2>&1 &
SINK_PID=$!
wait_banner "$SINK_PORT" || die "smtp-sink did not start; see $WORK/sink.log"

TS_PORT=$(free_port) || die "no free port"
mkdir -p "$WORK/state"
cat >"$WORK/textscreen.conf" <<EOF
# written by bench/load/compare.sh: screening on, limits out of the generator's way
listen = 127.0.0.1:$TS_PORT
hostname = textscreen.bench.invalid
gateway = 127.0.0.1:$SINK_PORT
gateway_domain = sms.example.net
trusted_networks = none
max_connections = $((IDLE + 1000))
max_connections_per_ip = $((IDLE + 1000))
state_dir = $WORK/state
log = stderr
EOF
"${SERVER_CPU[@]}" "$TEXTSCREEN_BIN" --config "$WORK/textscreen.conf" >"$WORK/textscreen.log" 2>&1 &
DAEMON_PID=$!
wait_banner "$TS_PORT" || die "textscreen did not start; see $WORK/textscreen.log"

loadgen() {  # loadgen PORT SESSIONS TOTAL OUTFILE
  local extra=()
  ((PIPELINING)) && extra+=(--pipelining)
  local rc=0
  timeout $((CELL_TIME_LIMIT + 30)) "${LOADGEN_CPU[@]}" "$LOADGEN_BIN" \
    --server "127.0.0.1:$1" --sessions "$2" --total "$3" --size "$SIZE" \
    --messages-per-connection "$PER_CONNECTION" --source-range "$SOURCES" --to "$TO" \
    --time-limit "$CELL_TIME_LIMIT" --json "${extra[@]}" >"$4" 2>&1 || rc=$?
  echo "$rc"
}

# A compile on a 2-core machine halves what either side gets: wait (bounded) for quiet.
for ((waited = 0; waited < QUIET_WAIT; waited += 10)); do
  awk -v q="$QUIET_LOAD" '{ exit !($1 < q) }' /proc/loadavg && break
  ((waited == 0)) && echo "compare.sh: load average $(cut -d' ' -f1 /proc/loadavg), waiting up to ${QUIET_WAIT}s for < $QUIET_LOAD"
  sleep 10
done
awk -v q="$QUIET_LOAD" '{ exit !($1 >= q) }' /proc/loadavg &&
  echo "compare.sh: warning: the machine is busy (load average $(cut -d' ' -f1 /proc/loadavg)); figures will be noisy"
echo "compare.sh: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg), $PINNING"
echo "  $TOTAL messages of $SIZE bytes per cell, $PER_CONNECTION per connection," \
  "pipelining $PIPELINING, $ROUNDS rounds, sessions: $SESSIONS"

# Memory per idle connection first, before throughput runs grow the heap.
if ((IDLE > 0)); then
  rss_before=$(status_kb "$DAEMON_PID" RssAnon)
  # Long enough for connections dropped from a full listen backlog to come back by SYN
  # retransmission (1 s, 3 s, 7 s) before the sample is taken.
  idle_hold=15
  timeout $((idle_hold + 30)) "${LOADGEN_CPU[@]}" "$LOADGEN_BIN" --server "127.0.0.1:$TS_PORT" \
    --idle "$IDLE" --source-range "$SOURCES" --time-limit "$idle_hold" --json \
    >"$WORK/idle.json" 2>&1 &
  idle_pid=$!
  sleep $((idle_hold - 2))
  rss_idle=$(status_kb "$DAEMON_PID" RssAnon)
  idle_rc=0
  wait "$idle_pid" || idle_rc=$?
  idle_ready=$(json_field "$WORK/idle.json" idle_ready)
  echo "idle: $idle_ready of $IDLE connections ready (loadgen exit $idle_rc);" \
    "daemon RssAnon $rss_before kB -> $rss_idle kB," \
    "$(awk -v a="$rss_before" -v b="$rss_idle" -v n="${idle_ready:-0}" \
      'BEGIN { if (n > 0) printf "%.1f", (b - a) * 1024 / n; else print "n/a" }') bytes per idle connection"
fi

# Warm-up (not counted): first connections to the gateway, page faults, caches.
warm=$((TOTAL < 1000 ? TOTAL : 1000))
loadgen "$SINK_PORT" 10 "$warm" "$WORK/warm-a.json" >/dev/null
loadgen "$TS_PORT" 10 "$warm" "$WORK/warm-b.json" >/dev/null

failures=0
for ((round = 1; round <= ROUNDS; round++)); do
  for sessions in $SESSIONS; do
    for target in direct textscreen; do
      port=$SINK_PORT
      [[ $target == textscreen ]] && port=$TS_PORT
      out="$WORK/$target-s$sessions-r$round.json"
      rc=$(loadgen "$port" "$sessions" "$TOTAL" "$out")
      printf '  round %d %-10s sessions %-3s rc %s  %8s msg/s  p50 %6s ms  p99 %6s ms  failed %s\n' \
        "$round" "$target" "$sessions" "$rc" "$(json_field "$out" messages_per_s)" \
        "$(json_field "$out" p50)" "$(json_field "$out" p99)" "$(json_field "$out" failed)"
      ((rc == 0)) || failures=$((failures + 1))
    done
  done
done

cell() {  # cell TARGET SESSIONS FIELD: the median over rounds
  for ((round = 1; round <= ROUNDS; round++)); do
    json_field "$WORK/$1-s$2-r$round.json" "$3"
  done | median
}

echo
printf '%-12s %12s %12s %8s %18s %18s %9s\n' workload "direct msg/s" "textscr msg/s" ratio \
  "direct p50/p99 ms" "textscr p50/p99 ms" "p50 ratio"
for sessions in $SESSIONS; do
  d_rate=$(cell direct "$sessions" messages_per_s)
  t_rate=$(cell textscreen "$sessions" messages_per_s)
  d_p50=$(cell direct "$sessions" p50) d_p99=$(cell direct "$sessions" p99)
  t_p50=$(cell textscreen "$sessions" p50) t_p99=$(cell textscreen "$sessions" p99)
  printf '%-12s %12s %12s %8s %18s %18s %9s\n' "$sessions sess" "$d_rate" "$t_rate" \
    "$(awk -v a="$t_rate" -v b="$d_rate" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')" \
    "$d_p50/$d_p99" "$t_p50/$t_p99" \
    "$(awk -v a="$t_p50" -v b="$d_p50" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }')"
done
echo "(medians of $ROUNDS rounds; ratio = textscreen / direct msg/s; p50 ratio = textscreen / direct)"

if ! kill -0 "$DAEMON_PID" 2>/dev/null; then
  echo "textscreen exited during the run; see its log" >&2
  failures=$((failures + 1))
else
  # RssFile is mostly the LMDB map (the decision log grows with every message): shared,
  # file-backed pages the kernel can drop; RssAnon is the daemon's own heap and stacks.
  echo "textscreen peak RSS (VmHWM) $(status_kb "$DAEMON_PID" VmHWM) kB;" \
    "now VmRSS $(status_kb "$DAEMON_PID" VmRSS) kB = RssAnon $(status_kb "$DAEMON_PID" RssAnon) kB" \
    "+ RssFile $(status_kb "$DAEMON_PID" RssFile) kB; store $(du -sk "$WORK/state" | cut -f1) kB;" \
    "log $(wc -l <"$WORK/textscreen.log") lines"
fi
offered=$(grep -ho '"pipelining_not_offered": [0-9]*' "$WORK"/textscreen-*.json | awk '{ s += $2 } END { print s + 0 }')
((PIPELINING && offered > 0)) && echo "note: textscreen did not offer PIPELINING on $offered connections"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((failures > 0)); then
  echo "compare.sh: $failures cells did not finish cleanly (see KEEP_LOGS=1)" >&2
  KEEP_LOGS=1
  exit 1
fi
