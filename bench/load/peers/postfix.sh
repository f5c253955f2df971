#!/usr/bin/env bash
# bench/load/peers/postfix.sh: Postfix 3.7 (postscreen -> smtpd -> before-queue proxy filter)
# as a comparison peer for bench/load/compare.sh, which sources this file. It runs a private
# instance under a work directory and never touches /etc/postfix or the system instance.
#
# Sourced:  postfix_install; postfix_start PORT SINK_PORT DNS_SERVER WORKDIR; postfix_pids;
#           postfix_stop; postfix_warmup LOADGEN PORT FIRST-LAST. Reads, if set: SERVER_CPU,
#           LOADGEN_CPU, LOADGEN_BIN and SOURCES (start warms postscreen's cache), IDLE.
# Executed: bash bench/load/peers/postfix.sh selftest|measure   (env LOADGEN_BIN: a built
#           textscreen_loadgen; otherwise it is built in /tmp/build-postfix)

# shellcheck source=bench/load/net.sh
source "$(dirname "${BASH_SOURCE[0]}")/../net.sh"

POSTFIX_SBIN=/usr/sbin
POSTFIX_DAEMONS=/usr/lib/postfix/sbin
POSTFIX_CONF_DIR="" # set by postfix_start: the private instance's config_directory

# Every session past postscreen holds one smtpd process (about 1 MB PSS when idle), so the
# process limit caps concurrent sessions. Default: the harness's IDLE + 100, at most 2100;
# beyond the limit postscreen parks as many again and answers the rest 421 (no fork storm).
# Set POSTFIX_SMTPD_LIMIT to override.
postfix_smtpd_limit() {
  local idle=${IDLE:-1000}
  echo "${POSTFIX_SMTPD_LIMIT:-$((idle > 2000 ? 2100 : idle + 100))}"
}

postfix_log() { echo "postfix.sh: $*" >&2; }

postfix_install() {
  local missing=() f
  for f in "$POSTFIX_SBIN/postfix" "$POSTFIX_SBIN/postconf" "$POSTFIX_SBIN/smtp-sink" \
    "$POSTFIX_DAEMONS/master" "$POSTFIX_DAEMONS/postscreen" "$POSTFIX_DAEMONS/smtpd" \
    "$POSTFIX_DAEMONS/postlogd" "$POSTFIX_DAEMONS/post-install"; do
    [[ -x $f ]] || missing+=("$f")
  done
  # post-install reads the list of Postfix files from the (shared) meta_directory.
  [[ -f /etc/postfix/postfix-files ]] || missing+=(/etc/postfix/postfix-files)
  getent passwd postfix >/dev/null || missing+=("user postfix")
  getent group postdrop >/dev/null || missing+=("group postdrop")
  if ((${#missing[@]})); then
    postfix_log "missing: ${missing[*]} (Debian package postfix; run tools/install-deps.sh)"
    return 1
  fi
}

# main.cf of the private instance. $1 PORT $2 SINK_PORT $3 WORKDIR (holds etc/ queue/ data/).
postfix_main_cf() {
  cat <<EOF
# written by bench/load/peers/postfix.sh: a private Postfix for the load comparison
compatibility_level = 3.6
config_directory = $3/etc
queue_directory = $3/queue
data_directory = $3/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $3/maillog
maillog_file_prefixes = $3
myhostname = postfix.bench.invalid
mydomain = bench.invalid
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32

# A relay for the gateway domain only; nothing is delivered locally.
mydestination =
relay_domains = sms.example.net
relay_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
local_recipient_maps =
biff = no

# Checks a postmaster would run that need no DNS (Postfix uses the system resolver, which
# cannot be pointed at the harness's DNS port, so reject_unknown_*_domain etc. are left out).
smtpd_peername_lookup = no
smtpd_helo_required = yes
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_sender_restrictions = reject_non_fqdn_sender
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = reject_non_fqdn_recipient, reject_unauth_destination
smtpd_data_restrictions = reject_unauth_pipelining, reject_multi_recipient_bounce
smtpd_tls_security_level = none

# Before-queue content filter: smtp-sink plays the filter, so the message never queues.
# No speed_adjust by default: like textscreen, each command goes through live and the client
# hears the gateway's own answers (speed_adjust buffers the message first; on loopback it
# measured within noise of the default). POSTFIX_PROXY_OPTIONS=speed_adjust to try it.
smtpd_proxy_filter = 127.0.0.1:$2
smtpd_proxy_options = ${POSTFIX_PROXY_OPTIONS:-}

# postscreen: greeting tests only; no DNSBL (no DNS off the machine), no deep protocol
# tests (they make a client reconnect). A client address that passed is cached for a day.
postscreen_access_list = permit_mynetworks
postscreen_greet_action = enforce
postscreen_greet_wait = 1s
postscreen_dnsbl_sites =
postscreen_pipelining_enable = no
postscreen_non_smtp_command_enable = no
postscreen_bare_newline_enable = no

# Every session past postscreen holds one smtpd process.
default_process_limit = $(postfix_smtpd_limit)
EOF
}

# master.cf: the standard services, none chrooted (no copies of /etc in the queue directory);
# local/virtual/lmtp/tlsmgr left out (no local delivery, no TLS). tlsproxy and dnsblog are
# listed because postscreen refers to them; with TLS off and no DNSBL sites none is spawned.
postfix_master_cf() {
  cat <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$1 inet n     -       n       -       1       postscreen
smtpd     pass  -       -       n       -       -       smtpd
dnsblog   unix  -       -       n       -       0       dnsblog
tlsproxy  unix  -       -       n       -       0       tlsproxy
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

postfix_start() {
  local port=$1 sink_port=$2 work=$4
  # $3 (DNS_SERVER) is not used: Postfix resolves through the system resolver only, which
  # cannot be pointed at a port; the configuration therefore needs no DNS at all.
  postfix_install || return 1
  mkdir -p "$work/etc" "$work/queue"
  work=$(cd "$work" && pwd)
  install -d -o postfix -m 0700 "$work/data"
  postfix_open_path "$work"
  POSTFIX_CONF_DIR=$work/etc
  postfix_main_cf "$port" "$sink_port" "$work" >"$work/etc/main.cf"
  postfix_master_cf "$port" >"$work/etc/master.cf"
  # check creates the queue's subdirectories with their owners (post-install create-missing).
  if ! timeout 60 "$POSTFIX_SBIN/postfix" -c "$POSTFIX_CONF_DIR" check >"$work/check.log" 2>&1 ||
    ! timeout 60 "${SERVER_CPU[@]+"${SERVER_CPU[@]}"}" "$POSTFIX_SBIN/postfix" \
      -c "$POSTFIX_CONF_DIR" start >"$work/start.log" 2>&1; then
    postfix_log "postfix did not start; see $work/check.log, $work/start.log, $work/maillog"
    return 1
  fi
  if ! bench_wait_banner "$port"; then
    postfix_log "no 220 greeting on 127.0.0.1:$port within 30 s; see $work/maillog"
    return 1
  fi
  if [[ -x ${LOADGEN_BIN:-} ]]; then
    postfix_warmup "$LOADGEN_BIN" "$port" "${SOURCES:-127.0.0.2-127.0.0.254}" ||
      postfix_log "warning: postscreen warm-up failed; first connections will wait 1 s"
  fi
  return 0
}

# The daemons run as user postfix and open data_directory by absolute path, so every
# directory above it must be searchable (mktemp -d makes 0700 ones): add o+x where missing.
postfix_open_path() {
  local dir=$1
  while [[ -n $dir && $dir != / ]]; do
    [[ $(stat -c %A "$dir") == *x ]] || chmod o+x "$dir"
    dir=$(dirname "$dir")
  done
}

postfix_master_pid() {
  local file=${POSTFIX_CONF_DIR%/etc}/queue/pid/master.pid pid
  [[ -n $POSTFIX_CONF_DIR && -r $file ]] || return 0
  pid=$(tr -dc 0-9 <"$file")
  # Not a stale pid file, a reused pid or a zombie waiting to be reaped: the master itself.
  [[ -n $pid && $(readlink "/proc/$pid/exe" 2>/dev/null) == "$POSTFIX_DAEMONS/master" ]] &&
    echo "$pid"
  return 0
}

# Every pid of this instance: the master and its children (all Postfix daemons are direct
# children of the master).
postfix_pids() {
  local master
  master=$(postfix_master_pid)
  [[ -n $master ]] || return 0
  echo "$master"
  pgrep -P "$master" || true
}

postfix_stop() {
  [[ -n $POSTFIX_CONF_DIR ]] || return 0
  local pids pid
  pids=$(postfix_pids)
  if [[ -n $(postfix_master_pid) ]]; then
    timeout 30 "$POSTFIX_SBIN/postfix" -c "$POSTFIX_CONF_DIR" stop >/dev/null 2>&1 || true
  fi
  # Leftovers: only pids that belonged to this instance and still run a Postfix program.
  for pid in $pids; do
    if [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == "$POSTFIX_DAEMONS"/* ]]; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  return 0
}

# Passes every source address once through postscreen's greeting test (1 s each, 50 at a
# time), so that measured runs meet a warm postscreen cache. $1 LOADGEN $2 PORT $3 FIRST-LAST
postfix_warmup() {
  local first=${3%-*} last=${3#*-} count
  count=$((${last##*.} - ${first##*.} + 1))
  timeout 120 "${LOADGEN_CPU[@]+"${LOADGEN_CPU[@]}"}" "$1" --server "127.0.0.1:$2" --sessions 50 --total "$count" \
    --messages-per-connection 1 --source-range "$3" --time-limit 90 --json >/dev/null
}

# ---------------------------------------------------------------------------------------
# Self test and orientation measurement (only when executed, not when sourced).


postfix_selftest_loadgen() {
  if [[ -n ${LOADGEN_BIN:-} ]]; then echo "$LOADGEN_BIN"; return 0; fi
  local build=/tmp/build-postfix
  if [[ ! -x $build/textscreen_loadgen ]]; then
    cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=g++ \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >&2 &&
      cmake --build "$build" --target textscreen_loadgen >&2
  fi
  echo "$build/textscreen_loadgen"
}

postfix_pss_kb() {
  local pid sum=0 kb
  for pid in $(postfix_pids); do
    kb=$(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    sum=$((sum + ${kb:-0}))
  done
  echo "$sum"
}

postfix_json() { grep -o "\"$2\": [^,}]*" "$1" | head -1 | sed 's/.*: //; s/"//g'; }

postfix_selftest_cleanup() {
  postfix_stop
  if [[ -n ${SELFTEST_SINK_PID:-} ]]; then
    kill "$SELFTEST_SINK_PID" 2>/dev/null || true
    wait "$SELFTEST_SINK_PID" 2>/dev/null || true
  fi
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then echo "logs kept in $SELFTEST_WORK"; else rm -rf "$SELFTEST_WORK"; fi
}

postfix_selftest_run() {  # NAME SESSIONS TOTAL: one loadgen run, one line of figures
  local out=$SELFTEST_WORK/$1.json rc=0
  timeout 150 "${LOADGEN_CPU[@]+"${LOADGEN_CPU[@]}"}" "$LOADGEN_BIN" \
    --server "127.0.0.1:$SELFTEST_PORT" --sessions "$2" --total "$3" --size 600 --messages-per-connection 5 --source-range 127.0.0.2-127.0.0.254 \
    --to 14155551212@sms.example.net --json --time-limit 120 ${PIPELINING:+--pipelining} \
    >"$out" 2>&1 || rc=$?
  printf '%-10s sessions %-3s rc %s %8s msg/s  p50 %6s ms  p99 %6s ms  failed %s  PSS %s kB (%s pids)\n' \
    "$1" "$2" "$rc" "$(postfix_json "$out" messages_per_s)" "$(postfix_json "$out" p50)" \
    "$(postfix_json "$out" p99)" "$(postfix_json "$out" failed)" "$(postfix_pss_kb)" \
    "$(postfix_pids | wc -l)"
  [[ $rc == 0 && $(postfix_json "$out" failed) == 0 ]]
}

postfix_selftest_main() {
  set -euo pipefail
  ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
  SELFTEST_WORK=$(mktemp -d /tmp/postfix-peer.XXXXXX)
  SELFTEST_SINK_PID=""
  trap postfix_selftest_cleanup EXIT
  postfix_install
  LOADGEN_BIN=$(postfix_selftest_loadgen)
  local sink_port
  sink_port=$(bench_free_port)
  SELFTEST_PORT=$(bench_free_port)
  "${SERVER_CPU[@]+"${SERVER_CPU[@]}"}" "$POSTFIX_SBIN/smtp-sink" -u nobody -c \
    "127.0.0.1:$sink_port" 128 >"$SELFTEST_WORK/sink.log" 2>&1 &
  SELFTEST_SINK_PID=$!
  bench_wait_banner "$sink_port" || { postfix_log "smtp-sink did not start"; return 1; }
  postfix_start "$SELFTEST_PORT" "$sink_port" 127.0.0.1:53 "$SELFTEST_WORK/postfix"
  postfix_selftest_run selftest 2 20
  # The warm-up in postfix_start must have met postscreen's greeting test.
  grep -q 'postscreen.*PASS NEW' "$SELFTEST_WORK/postfix/maillog" ||
    { postfix_log "postscreen passed no new client; see the maillog"; return 1; }
  [[ ${1:-selftest} == measure ]] || { echo "selftest passed"; return 0; }
  postfix_selftest_run s1 1 "${TOTAL:-2000}"
  postfix_selftest_run s50 50 "${TOTAL:-2000}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  # As compare.sh does: servers on cpu 1, the generator on cpu 0.
  SERVER_CPU=() LOADGEN_CPU=()
  if command -v taskset >/dev/null && (($(nproc) >= 2)); then
    SERVER_CPU=(taskset -c 1) LOADGEN_CPU=(taskset -c 0)
  fi
  postfix_selftest_main "$@"
fi
