#!/usr/bin/env bash
# The long fuzz run recorded in doc/security.md ("Fuzzing"): builds the libFuzzer targets
# in build-fuzz and runs each, one after the other, for a fixed number of executions,
# starting from its seed corpus (tests/fuzz/corpus/<target>) and a scratch corpus
# (build-fuzz/long-corpus-<target>) that persists between runs.
#
#   tests/fuzz/long-run.sh [target ...]     targets without _fuzz; default: every target
#   FUZZ_RUNS=10000000                      executions per target
#   FUZZ_MAX_SECONDS=0                      stop a target earlier after this many seconds (0: never)
#
# Run it niced on a shared machine: nice -n 19 tests/fuzz/long-run.sh
# Prints one line per target (executions, wall time, exec/s, crashes) and exits non-zero
# when any target found a crash, leak, timeout or out-of-memory input; those inputs are
# kept in build-fuzz/long-artifacts-<target>/ and belong in the seed corpus once fixed.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${FUZZ_RUNS:-10000000}
max_seconds=${FUZZ_MAX_SECONDS:-0}

if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for source in tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" .cc)
    targets+=("${name%_fuzz}")
  done
fi

cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DTEXTSCREEN_SANITIZE=ON -DTEXTSCREEN_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"${FUZZ_BUILD_JOBS:-2}" --target "${targets[@]/%/_fuzz}"

status=0
results=()
for target in "${targets[@]}"; do
  work="build-fuzz/long-corpus-$target"
  artifacts="build-fuzz/long-artifacts-$target"
  log="build-fuzz/long-$target.log"
  mkdir -p "$work" "$artifacts"
  dict=()
  [[ -f "tests/fuzz/$target.dict" ]] && dict=(-dict="tests/fuzz/$target.dict")
  start=$(date +%s)
  rc=0
  "build-fuzz/${target}_fuzz" -runs="$runs" -max_total_time="$max_seconds" -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
  seconds=$(($(date +%s) - start))
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  crashes=$(find "$artifacts" -type f | wc -l)
  if ((rc != 0 || crashes > 0)); then
    status=1
    tail -n 30 "$log"
  fi
  results+=("$(printf '%-12s executions %-10s time %6ss  exec/s %-7s crashes %s  (exit %s, log %s)' \
    "$target" "${executions:-?}" "$seconds" "${per_second:-?}" "$crashes" "$rc" "$log")")
  echo "${results[-1]}"
done

echo "== long fuzz run: $runs executions per target"
printf '%s\n' "${results[@]}"
exit "$status"
