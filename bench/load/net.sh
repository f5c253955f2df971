# bench/load/net.sh: loopback helpers shared by the load harnesses (compare.sh,
# slowloris.sh) and the peers (peers/*.sh), sourced by each. Every wait is bounded.
# shellcheck shell=bash

# A TCP port on 127.0.0.1 nobody listens on now (a probe, not a reservation). Below the
# kernel's ephemeral range, so the harness's own outgoing connections cannot take it
# between the probe and the server's bind.
bench_free_port() {
  local port attempt low
  low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  for ((attempt = 0; attempt < 100; attempt++)); do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  return 1
}

# bench_wait_banner PORT [PID]: waits (300 tries, at least 30 s) for a 220 greeting on
# 127.0.0.1:PORT; gives up at once when the server process PID has died.
bench_wait_banner() {
  local attempt
  for ((attempt = 0; attempt < 300; attempt++)); do
    if [[ -n ${2:-} ]] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    if [[ $(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -c 3 <&3" 2>/dev/null) == 220 ]]; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# bench_begin NAME: a scratch directory WORK and a list PIDS of servers to stop; on exit
# Postfix (when its peer is loaded) and every PIDS entry are stopped and WORK is removed,
# unless KEEP_LOGS=1.
bench_begin() {
  WORK=$(mktemp -d "/tmp/textscreen-$1.XXXXXX")
  PIDS=()
  trap bench_end EXIT
}

bench_end() {
  local rc=$?
  postfix_stop 2>/dev/null || true
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP_LOGS:-0} == 1 ]]; then echo "logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
