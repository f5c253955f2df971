#!/usr/bin/env bash
# compare.sh: textscreen next to its peers, measured in ONE run, in turns (A B C D E, A B C
# D E, ...): the load generator straight to smtp-sink, through textscreen, through Haraka 3
# (minimal and typical plugins) and through Postfix 3.7 as a before-queue proxy, all to the
# same smtp-sink. Medians of the rounds, then ratios; then latency at half of textscreen's
# peak, and memory per idle connection with a new client's banner time under 10,000 idle.
#
# Usage: bash bench/load/compare.sh          installs what it needs, builds, runs (~20 min)
#        SMOKE=1 bash bench/load/compare.sh  a few seconds per cell, to check the harness
# Environment (defaults below): TOTAL ROUNDS SESSIONS SIZE PER_CONNECTION CELL_TIME_LIMIT
# IDLE TARGETS PIPELINING TEXTSCREEN_BIN LOADGEN_BIN KEEP_LOGS QUIET_LOAD QUIET_WAIT
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SMOKE=${SMOKE:-0}
if ((SMOKE)); then
  : "${TOTAL:=300}" "${ROUNDS:=1}" "${IDLE:=300}" "${CELL_TIME_LIMIT:=5}" "${QUIET_WAIT:=0}"
fi
TOTAL=${TOTAL:-20000}                # messages per cell
ROUNDS=${ROUNDS:-3}                  # rounds of every cell; the table shows medians
SESSIONS=${SESSIONS:-"1 50"}         # one workload per count of concurrent connections
SIZE=${SIZE:-600}                    # bytes per message
PER_CONNECTION=${PER_CONNECTION:-5}  # messages per connection before QUIT
CELL_TIME_LIMIT=${CELL_TIME_LIMIT:-30}  # a slow peer is measured over what it finished
IDLE=${IDLE:-10000}                  # idle connections per server; 0 skips the idle cells
TARGETS=${TARGETS:-"direct textscreen haraka-minimal haraka-typical postfix"}
QUIET_LOAD=${QUIET_LOAD:-0.5}        # wait for the 1-minute load average to fall below this,
QUIET_WAIT=${QUIET_WAIT:-300}        # for at most this many seconds (builds skew the figures)
PIPELINING=${PIPELINING:-1}
BENCH_CACHE=${BENCH_CACHE:-$ROOT/.cache/bench}
SOURCES=127.0.0.2-127.0.0.254
FROM=alerts@bench.test
TO=14155551212@sms.example.net
BUILD_DIR=$ROOT/build-bench

die() { echo "compare.sh: $*" >&2; exit 2; }

# ---- install and build (idempotent) ------------------------------------------------------

bash "$ROOT/tools/install-deps.sh"
if [[ -z ${TEXTSCREEN_BIN:-} || -z ${LOADGEN_BIN:-} ]]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target textscreen textscreen_loadgen >/dev/null
fi
TEXTSCREEN_BIN=${TEXTSCREEN_BIN:-$BUILD_DIR/textscreen}
LOADGEN_BIN=${LOADGEN_BIN:-$BUILD_DIR/textscreen_loadgen}
SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)
UNBOUND=$(command -v unbound || echo /usr/sbin/unbound)
[[ -x $SMTP_SINK ]] || die "smtp-sink not found (Debian package postfix)"
[[ -x $UNBOUND ]] || die "unbound not found"

# shellcheck source=bench/load/net.sh
source "$ROOT/bench/load/net.sh"
# shellcheck source=bench/load/peers/haraka.sh
source "$ROOT/bench/load/peers/haraka.sh"
# shellcheck source=bench/load/peers/postfix.sh
source "$ROOT/bench/load/peers/postfix.sh"
wants() { [[ " $TARGETS " == *" $1 "* ]]; }
if wants haraka-minimal || wants haraka-typical; then haraka_install; fi
if wants postfix; then postfix_install; fi

# 10,000 idle connections are 10,000 descriptors in the generator and in the server.
ulimit -n "$(ulimit -Hn)"

bench_begin compare

# The servers share one core, the generator has the other, so the generator's core does
# the same work in every cell and the server core shows each server's cost.
LOADGEN_CPU=() SERVER_CPU=() PINNING="not pinned"
if command -v taskset >/dev/null && (($(nproc) >= 2)); then
  LOADGEN_CPU=(taskset -c 0)
  SERVER_CPU=(taskset -c 1)
  PINNING="loadgen on cpu 0, the servers on cpu 1"
fi

# Milliseconds from connect to the first byte of the banner, for one new client.
banner_ms() {
  local t0 t1
  t0=$(date +%s%N)
  timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 3 <&3" >/dev/null 2>&1 || { echo "none"; return; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'
}

json_field() { grep -o "\"$2\": [^,}]*" "$1" | head -1 | sed 's/.*: //; s/"//g'; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }

# Anonymous proportional set size (heap, stacks) summed over a server's processes
# (Postfix has many), in kB. File-backed pages are left out: textscreen maps its LMDB
# store, which grows with the decision log, and shared libraries are shared.
pss_kb() {
  local pid total=0 v
  for pid in "$@"; do
    v=$(awk '$1 == "Pss_Anon:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# ---- the servers ---------------------------------------------------------------------------

start_sink() {
  SINK_PORT=$(bench_free_port) || die "no free port"
  local args=(-m 2000 "127.0.0.1:$SINK_PORT" 1024)
  # smtp-sink refuses to run as root without a user to switch to.
  (($(id -u) == 0)) && args=(-u nobody "${args[@]}")
  "${SERVER_CPU[@]}" "$SMTP_SINK" "${args[@]}" >"$WORK/sink.log" 2>&1 &
  PIDS+=($!)
  bench_wait_banner "$SINK_PORT" || die "smtp-sink did not start; see $WORK/sink.log"
}

# unbound on loopback answers every name the checks ask for: PTR and A for each client
# address, the HELO names, SPF and MX of the sender domain, a DNS list listing nobody.
start_dns() {
  DNS_PORT=$(bench_free_port) || die "no free port"
  local conf=$WORK/unbound.conf i
  {
    echo "server:"
    echo "  interface: 127.0.0.1@$DNS_PORT"
    echo "  port: $DNS_PORT"
    echo "  do-not-query-localhost: no"
    echo "  username: \"\""
    echo "  chroot: \"\""
    echo "  directory: \"$WORK\""
    echo "  pidfile: \"$WORK/unbound.pid\""
    echo "  use-syslog: no"
    echo "  logfile: \"$WORK/unbound.log\""
    echo "  verbosity: 0"
    echo "  num-threads: 1"
    # Everything is answered here ("." static: unknown names are NXDOMAIN at once, e.g.
    # the generator's From: domain's _dmarc record); nothing is forwarded off the machine.
    echo "  local-zone: \".\" static"
    echo "  local-zone: \"bench.test.\" static"
    echo "  local-zone: \"127.in-addr.arpa.\" static"
    echo "  local-zone: \"dnsbl.bench.test.\" static"
    # With an SOA, "no such name" and "no such record" carry a TTL and are cached, as
    # real zones make them.
    echo "  local-data: \". 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600\""
    echo "  local-data: \"bench.test. 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600\""
    echo "  local-data: \"127.in-addr.arpa. 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600\""
    echo "  local-data: \"dnsbl.bench.test. 3600 IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600\""
    echo "  local-data: 'bench.test. 3600 IN TXT \"v=spf1 ip4:127.0.0.0/8 -all\"'"
    echo "  local-data: \"bench.test. 3600 IN MX 10 mx.bench.test.\""
    echo "  local-data: \"mx.bench.test. 3600 IN A 127.0.0.1\""
    for ((i = 1; i < 255; i++)); do
      echo "  local-data: \"$i.0.0.127.in-addr.arpa. 3600 IN PTR h$i.bench.test.\""
      echo "  local-data: \"h$i.bench.test. 3600 IN A 127.0.0.$i\""
    done
  } >"$conf"
  "${SERVER_CPU[@]}" "$UNBOUND" -d -c "$conf" >"$WORK/unbound.out" 2>&1 &
  PIDS+=($!)
  local attempt
  # unbound answers on TCP too: the port accepting connections means it has started.
  for ((attempt = 0; attempt < 100; attempt++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$DNS_PORT") 2>/dev/null && return 0
    sleep 0.1
  done
  die "unbound did not start; see $WORK/unbound.out"
}

# textscreen with its checks on, DNS answered by the local unbound (warm after the warm-up),
# the shipped content rules, the bulk fingerprint (surge mode on with thresholds the
# generator's single recipient never reaches) and no rate limits: the generator is one
# sender to one recipient, and a rate limit would measure only the refusals.
start_textscreen() {
  TS_PORT=$(bench_free_port) || die "no free port"
  mkdir -p "$WORK/state"
  cat >"$WORK/textscreen.conf" <<EOF
# written by bench/load/compare.sh
listen = 127.0.0.1:$TS_PORT
hostname = textscreen.bench.invalid
gateway = 127.0.0.1:$SINK_PORT
gateway_domain = sms.example.net
trusted_networks = none
max_connections = $((IDLE + 1000))
max_connections_per_ip = $((IDLE + 1000))
state_dir = $WORK/state
log = stderr
dns_servers = 127.0.0.1:$DNS_PORT
rdns_action = score
helo_action = score
dnsbl_sites = dnsbl.bench.test
dnsbl_action = score
sender_domain_action = score
spf_fail_action = score
dkim_fail_action = score
dmarc_reject_action = score
headers_action = score
headers_date_action = observe
content_rules = $ROOT/rules/textscreen.rules
content_action = score
surge_enabled = yes
EOF
  "${SERVER_CPU[@]}" "$TEXTSCREEN_BIN" --config "$WORK/textscreen.conf" >"$WORK/textscreen.log" 2>&1 &
  TS_PID=$!
  PIDS+=("$TS_PID")
  bench_wait_banner "$TS_PORT" || die "textscreen did not start; see $WORK/textscreen.log"
}

start_peers() {
  if wants haraka-minimal; then
    HARAKA_MIN_PORT=$(bench_free_port) || die "no free port"
    mkdir -p "$WORK/haraka-minimal"
    haraka_start minimal "$HARAKA_MIN_PORT" "$SINK_PORT" "127.0.0.1:$DNS_PORT" "$WORK/haraka-minimal"
    HARAKA_MIN_PIDS=$(haraka_pids)
    PIDS+=("$HARAKA_PID")
    HARAKA_PID=""  # haraka_start stops the instance it knows of: keep this one running
  fi
  if wants haraka-typical; then
    HARAKA_TYP_PORT=$(bench_free_port) || die "no free port"
    mkdir -p "$WORK/haraka-typical"
    haraka_start typical "$HARAKA_TYP_PORT" "$SINK_PORT" "127.0.0.1:$DNS_PORT" "$WORK/haraka-typical"
    HARAKA_TYP_PIDS=$(haraka_pids)
    PIDS+=("$HARAKA_PID")
  fi
  if wants postfix; then
    POSTFIX_PORT=$(bench_free_port) || die "no free port"
    postfix_start "$POSTFIX_PORT" "$SINK_PORT" "127.0.0.1:$DNS_PORT" "$WORK/postfix"
  fi
}

port_of() {
  case $1 in
    direct) echo "$SINK_PORT" ;;
    textscreen) echo "$TS_PORT" ;;
    haraka-minimal) echo "$HARAKA_MIN_PORT" ;;
    haraka-typical) echo "$HARAKA_TYP_PORT" ;;
    postfix) echo "$POSTFIX_PORT" ;;
  esac
}

pids_of() {
  case $1 in
    direct) echo "${PIDS[0]}" ;;
    textscreen) echo "$TS_PID" ;;
    haraka-minimal) echo "$HARAKA_MIN_PIDS" ;;
    haraka-typical) echo "$HARAKA_TYP_PIDS" ;;
    postfix) postfix_pids ;;
  esac
}

# ---- the load --------------------------------------------------------------------------------

loadgen() {  # loadgen PORT SESSIONS TOTAL OUTFILE [extra options]: prints the exit code
  local port=$1 sessions=$2 total=$3 out=$4 extra=("${@:5}") rc=0
  ((PIPELINING)) && extra+=(--pipelining)
  timeout $((CELL_TIME_LIMIT + 30)) "${LOADGEN_CPU[@]}" "$LOADGEN_BIN" \
    --server "127.0.0.1:$port" --sessions "$sessions" --total "$total" --size "$SIZE" \
    --messages-per-connection "$PER_CONNECTION" --source-range "$SOURCES" --to "$TO" \
    --from "$FROM" --time-limit "$CELL_TIME_LIMIT" --json "${extra[@]}" >"$out" 2>&1 || rc=$?
  echo "$rc"
}

wait_quiet() {
  local waited
  for ((waited = 0; waited < QUIET_WAIT; waited += 10)); do
    awk -v q="$QUIET_LOAD" '{ exit !($1 < q) }' /proc/loadavg && return 0
    ((waited == 0)) && echo "compare.sh: load average $(cut -d' ' -f1 /proc/loadavg), waiting up to ${QUIET_WAIT}s for < $QUIET_LOAD"
    sleep 10
  done
  echo "compare.sh: warning: the machine is busy (load average $(cut -d' ' -f1 /proc/loadavg)); figures will be noisy"
}

# Warm-up (not counted): every source address once through every server (postscreen
# remembers a client that passed; textscreen's DNS cache fills), the gateway pools. The
# generator takes the sources in turn, one per connection: 253 connections of 5 messages.
WARM_TOTAL=$((SMOKE ? 300 : 1300))
warm_up() {
  local target
  for target in $TARGETS; do
    loadgen "$(port_of "$target")" 20 "$WARM_TOTAL" "$WORK/warm-$target.json" >/dev/null
  done
}

run_rounds() {
  local round sessions target out rc
  FAILURES=0
  for ((round = 1; round <= ROUNDS; round++)); do
    for sessions in $SESSIONS; do
      for target in $TARGETS; do
        out="$WORK/$target-s$sessions-r$round.json"
        rc=$(loadgen "$(port_of "$target")" "$sessions" "$TOTAL" "$out")
        printf '  round %d %-15s sessions %-3s rc %s  %8s msg/s  p50 %7s ms  p99 %7s ms  sent %s failed %s\n' \
          "$round" "$target" "$sessions" "$rc" "$(json_field "$out" messages_per_s)" \
          "$(json_field "$out" p50)" "$(json_field "$out" p99)" "$(json_field "$out" sent)" \
          "$(json_field "$out" failed)"
        # A time-boxed cell ends with exit 1 and is still measured over what it finished.
        [[ $(json_field "$out" failed) == 0 ]] || FAILURES=$((FAILURES + 1))
      done
    done
  done
}

cell() {  # cell TARGET SESSIONS FIELD: the median over rounds
  local round
  for ((round = 1; round <= ROUNDS; round++)); do
    json_field "$WORK/$1-s$2-r$round.json" "$3"
  done | median
}

print_throughput() {
  local sessions target header line
  echo
  echo "messages/s (median of $ROUNDS rounds) and p50/p99 latency per message in ms:"
  header=$(printf '%-9s' workload)
  for target in $TARGETS; do header+=$(printf ' %22s' "$target"); done
  echo "$header   ts/direct ts/haraka ts/postfix"
  for sessions in $SESSIONS; do
    line=$(printf '%-9s' "$sessions sess")
    for target in $TARGETS; do
      line+=$(printf ' %8s %6s/%-7s' "$(cell "$target" "$sessions" messages_per_s)" \
        "$(cell "$target" "$sessions" p50)" "$(cell "$target" "$sessions" p99)")
    done
    local ts
    ts=$(cell textscreen "$sessions" messages_per_s)
    line+=$(printf '   %9s %9s %10s' "$(ratio "$ts" "$(cell direct "$sessions" messages_per_s)")" \
      "$(ratio "$ts" "$(cell haraka-typical "$sessions" messages_per_s 2>/dev/null)")" \
      "$(ratio "$ts" "$(cell postfix "$sessions" messages_per_s 2>/dev/null)")")
    echo "$line"
  done
  echo "(ts/haraka against Haraka with typical plugins; every cell time-boxed to ${CELL_TIME_LIMIT}s)"
}

# p99 added latency at half of textscreen's peak rate (open loop, --rate), direct vs
# textscreen in turns.
run_latency() {
  local peak rate round target out
  peak=$(cell textscreen "${SESSIONS##* }" messages_per_s)
  rate=$(awk -v p="$peak" 'BEGIN { printf "%d", p / 2 }')
  ((rate > 0)) || return 0
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in direct textscreen; do
      out="$WORK/latency-$target-r$round.json"
      loadgen "$(port_of "$target")" 20 $((rate * CELL_TIME_LIMIT / 2)) "$out" --rate "$rate" >/dev/null
    done
  done
  local d50 d99 t50 t99
  d50=$(for ((round = 1; round <= ROUNDS; round++)); do json_field "$WORK/latency-direct-r$round.json" p50; done | median)
  d99=$(for ((round = 1; round <= ROUNDS; round++)); do json_field "$WORK/latency-direct-r$round.json" p99; done | median)
  t50=$(for ((round = 1; round <= ROUNDS; round++)); do json_field "$WORK/latency-textscreen-r$round.json" p50; done | median)
  t99=$(for ((round = 1; round <= ROUNDS; round++)); do json_field "$WORK/latency-textscreen-r$round.json" p99; done | median)
  echo
  echo "latency at $rate msg/s (half of textscreen's peak $peak), 20 sessions: direct p50/p99" \
    "$d50/$d99 ms, textscreen $t50/$t99 ms; added p50 $(awk -v a="$t50" -v b="$d50" 'BEGIN { printf "%.3f", a - b }')" \
    "ms, added p99 $(awk -v a="$t99" -v b="$d99" 'BEGIN { printf "%.3f", a - b }') ms"
}

# Memory per idle connection (after EHLO) and a new client's banner time while they wait.
run_idle() {
  local target before after ready banner hold=20 idle_pid rc
  echo
  echo "idle connections ($IDLE after EHLO, held ${hold}s):"
  for target in $TARGETS; do
    [[ $target == direct ]] && continue
    # shellcheck disable=SC2046
    before=$(pss_kb $(pids_of "$target"))
    timeout $((hold + 60)) "${LOADGEN_CPU[@]}" "$LOADGEN_BIN" --server "127.0.0.1:$(port_of "$target")" \
      --idle "$IDLE" --source-range "$SOURCES" --time-limit "$hold" --json \
      >"$WORK/idle-$target.json" 2>&1 &
    idle_pid=$!
    # Long enough for connections dropped from a full listen backlog to come back by SYN
    # retransmission (1 s, 3 s, 7 s) before the sample is taken.
    sleep $((hold - 6))
    # Memory first: a slow banner must not push the sample past the hold.
    # shellcheck disable=SC2046
    after=$(pss_kb $(pids_of "$target"))
    banner=$(banner_ms "$(port_of "$target")")
    rc=0
    wait "$idle_pid" || rc=$?
    ready=$(json_field "$WORK/idle-$target.json" idle_ready)
    printf '  %-15s %5s of %s ready (exit %s)  anon PSS %7s kB -> %7s kB  %8s bytes/connection  new client banner %s ms\n' \
      "$target" "${ready:-0}" "$IDLE" "$rc" "$before" "$after" \
      "$(awk -v a="$before" -v b="$after" -v n="${ready:-0}" 'BEGIN { if (n > 0) printf "%.0f", (b - a) * 1024 / n; else print "n/a" }')" \
      "$banner"
    sleep 2  # let the servers reap the closed connections before the next target
  done
}

print_memory() {
  local target
  echo
  echo "memory at the end (anonymous PSS summed over each server's processes):"
  for target in $TARGETS; do
    [[ $target == direct ]] && continue
    # shellcheck disable=SC2046
    printf '  %-15s %8s kB\n' "$target" "$(pss_kb $(pids_of "$target"))"
  done
  echo "  textscreen peak VmHWM $(awk '$1 == "VmHWM:" { print $2 }' "/proc/$TS_PID/status") kB" \
    "(with the LMDB map's file pages; RssAnon now $(awk '$1 == "RssAnon:" { print $2 }' "/proc/$TS_PID/status") kB)"
}

# ---- the run ---------------------------------------------------------------------------------

start_sink
start_dns
start_textscreen
start_peers
wait_quiet
echo "compare.sh: $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg), $PINNING"
echo "  $TOTAL messages of $SIZE bytes per cell, $PER_CONNECTION per connection," \
  "pipelining $PIPELINING, $ROUNDS rounds, sessions: $SESSIONS; targets: $TARGETS"
warm_up
run_rounds
print_throughput
run_latency
((IDLE > 0)) && run_idle
print_memory
kill -0 "$TS_PID" 2>/dev/null || { echo "textscreen exited during the run; see its log" >&2; FAILURES=$((FAILURES + 1)); }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((FAILURES > 0)); then
  echo "compare.sh: $FAILURES cells had refused or failed messages (KEEP_LOGS=1 keeps the logs)" >&2
fi
