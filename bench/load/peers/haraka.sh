#!/usr/bin/env bash
# bench/load/peers/haraka.sh: Haraka 3 (Node.js) as a peer cell of bench/load/compare.sh (issue 8),
# so textscreen's cost can be set beside another filtering relay's. compare.sh sources it for
# haraka_install/_start/_pids/_stop; `bash bench/load/peers/haraka.sh selftest` checks it alone.

HARAKA_VERSION=3.3.4
HARAKA_PEER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/load/net.sh
source "$HARAKA_PEER_DIR/../net.sh"
HARAKA_PID=${HARAKA_PID:-}

haraka_prefix() { echo "${BENCH_CACHE:-${ROOT:-$HARAKA_PEER_DIR/../../..}/.cache/bench}/haraka"; }
haraka_bin() { echo "$(haraka_prefix)/node_modules/Haraka/bin/haraka"; }

# The installed Haraka's version, or nothing.
haraka_installed_version() {
  local pkg
  pkg="$(haraka_prefix)/node_modules/Haraka/package.json"
  [[ -f $pkg ]] || return 0
  node -p 'require(process.argv[1]).version' "$pkg" 2>/dev/null || true
}

# Installs Haraka $HARAKA_VERSION from the npm registry with the machine's node and npm.
haraka_install() {
  local prefix
  prefix=$(haraka_prefix)
  if [[ $(haraka_installed_version) == "$HARAKA_VERSION" ]]; then
    echo "haraka: Haraka $HARAKA_VERSION already installed in $prefix"
    return 0
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "haraka: node and npm (Node.js 20) are needed; not installing them" >&2
    return 1
  fi
  mkdir -p "$prefix"
  # --ignore-scripts: the only install script is modern-syslog's node-gyp build (the syslog
  # plugin, unused here), and node-gyp would try to download Node headers.
  if ! npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "Haraka@$HARAKA_VERSION" >"$prefix/npm-install.log" 2>&1; then
    echo "haraka: npm install failed; see $prefix/npm-install.log" >&2
    return 1
  fi
  echo "haraka: installed Haraka $(haraka_installed_version) with node $(node --version) in $prefix"
}

# Plugin list per variant, in hook order.
haraka_plugins() {
  case $1 in
    minimal) printf '%s\n' rcpt_to.in_host_list queue/smtp_forward ;;
    typical) printf '%s\n' early_talker helo.checks rcpt_to.in_host_list headers \
      data.signatures queue/smtp_forward ;;
    *) return 1 ;;
  esac
}

# Settings common to both variants: one process, loopback listener, quiet log, the sink.
haraka_write_common() {  # CFG PORT SINK_PORT
  local cfg=$1
  cat >"$cfg/smtp.ini" <<EOF
; written by bench/load/peers/haraka.sh: one process (no cluster), loopback only
listen=127.0.0.1:$2
nodes=0
EOF
  cat >"$cfg/log.ini" <<'EOF'
[main]
; warn: no line per connection or message (info logs several per message)
level=warn
timestamps=true
format=default
EOF
  cat >"$cfg/smtp_forward.ini" <<EOF
host=127.0.0.1
port=$3
EOF
  echo haraka.bench.invalid >"$cfg/me"
  echo sms.example.net >"$cfg/host_list"
  : >"$cfg/host_list_regex"
}

# Settings of the typical variant's screening plugins (documented in each plugin's README).
haraka_write_typical() {  # CFG
  local cfg=$1
  # Shipped pause (5 s), shipped whitelist. The plugin itself skips clients whose address
  # is local or private (all of 127/8), so the load generator is never delayed.
  cat >"$cfg/early_talker.ini" <<'EOF'
pause=5
[ip_whitelist]
::1
127.0.0.1
EOF
  # Shipped checks and rejects, except that private addresses are not skipped: every
  # generator client is on 127/8, and with the shipped skip the plugin would do nothing.
  cat >"$cfg/helo.checks.ini" <<'EOF'
[skip]
private_ip=false
EOF
  # headers: the plugin's shipped headers.ini (required From,Date; checks on; only
  # delivered_to rejects), so nothing is written here.
  cat >"$cfg/data.signatures" <<'EOF'
This is not spam
Dear beneficiary
Congratulations! You have won
EOF
}

# A fresh config dir from `haraka -i` (Haraka's defaults), then the bench's files over it.
haraka_write_config() {  # VARIANT PORT SINK_PORT DIR
  local cfg="$4/config"
  rm -rf "$4"
  node "$(haraka_bin)" -i "$4" >"$4.install.log" 2>&1 ||
    { echo "haraka: haraka -i $4 failed; see $4.install.log" >&2; return 1; }
  haraka_plugins "$1" >"$cfg/plugins"
  haraka_write_common "$cfg" "$2" "$3"
  [[ $1 == typical ]] && haraka_write_typical "$cfg"
  return 0
}

haraka_start() {  # VARIANT PORT SINK_PORT DNS_SERVER WORKDIR
  (($# == 5)) || { echo "usage: haraka_start minimal|typical PORT SINK_PORT DNS_SERVER WORKDIR" >&2; return 2; }
  local variant=$1 port=$2 sink=$3 dns=$4 work=$5 cpu=()
  haraka_plugins "$variant" >/dev/null || { echo "haraka: unknown variant '$variant'" >&2; return 2; }
  [[ $dns =~ ^127\.[0-9.]+(:[0-9]+)?$ ]] || { echo "haraka: DNS server must be on 127/8: '$dns'" >&2; return 2; }
  [[ -f $(haraka_bin) ]] || { echo "haraka: not installed; run haraka_install" >&2; return 1; }
  [[ -n ${HARAKA_PID:-} ]] && haraka_stop
  [[ -d $work ]] || { echo "haraka: no work directory '$work'" >&2; return 2; }
  if declare -p SERVER_CPU >/dev/null 2>&1; then cpu=("${SERVER_CPU[@]}"); fi
  haraka_write_config "$variant" "$port" "$sink" "$work/haraka"
  HARAKA_BENCH_DNS=$dns "${cpu[@]}" node --require "$HARAKA_PEER_DIR/haraka/dns_loopback.js" \
    "$(haraka_bin)" -c "$work/haraka" >"$work/haraka.log" 2>&1 &
  HARAKA_PID=$!
  if ! bench_wait_banner "$port" "$HARAKA_PID"; then
    echo "haraka: no 220 banner on 127.0.0.1:$port within 30 s; see $work/haraka.log" >&2
    tail -n 5 "$work/haraka.log" >&2 || true
    haraka_stop
    return 1
  fi
}

# The pids whose memory is Haraka's: the node process and any children.
haraka_pids() {
  [[ -n ${HARAKA_PID:-} ]] && kill -0 "$HARAKA_PID" 2>/dev/null || return 0
  echo "$HARAKA_PID"
  pgrep -P "$HARAKA_PID" || true
}

# SIGTERM, up to 10 s for Haraka to exit, then SIGKILL. Idempotent.
haraka_stop() {
  local pid=${HARAKA_PID:-} attempt
  [[ -n $pid ]] || return 0
  HARAKA_PID=""
  kill -TERM "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  for ((attempt = 0; attempt < 100; attempt++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  # shellcheck source-path=SCRIPTDIR
  source "$HARAKA_PEER_DIR/haraka/selftest.sh"
  haraka_selftest_main "$@"
fi
