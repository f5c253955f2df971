#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run): installs the dependencies, then
#  1. builds with g++ and runs every test (units, integration against real peers),
#  2. builds with clang++ and -fsanitize=address,undefined and runs the same suite,
#  3. gives each libFuzzer target, built with step 2, a short smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-10}
summary=()
passed=0
failed=0

bash tools/install-deps.sh

run_suite() {
  local name=$1 dir=$2
  shift 2
  echo "== $name: configure and build ($dir)"
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j"$jobs"
  echo "== $name: tests"
  local log="$dir/ctest.log" rc=0
  # Twice the cores: the integration tests mostly wait on their peers (at -j2 the g++ run
  # kept about one core busy).
  ctest --test-dir "$dir" --output-on-failure -j"$((jobs * 2))" --timeout 600 2>&1 | tee "$log" || rc=$?
  [ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
  local line total bad
  line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$line")
  total=${total:-0}
  bad=${bad:-1}
  passed=$((passed + total - bad))
  failed=$((failed + bad))
  summary+=("$name: $((total - bad)) passed, $bad failed")
  return $rc
}

status=0
run_suite "g++" build -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=RelWithDebInfo || status=1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The fuzz targets are built here too (TEXTSCREEN_FUZZ adds libFuzzer's coverage
# instrumentation, which costs the suite little): one clang build instead of two. The
# smoke run fuzzes unoptimised code; tests/fuzz/long-run.sh builds optimised targets.
run_suite "clang++ asan+ubsan" build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DTEXTSCREEN_SANITIZE=ON -DTEXTSCREEN_FUZZ=ON -DTEXTSCREEN_BENCH=OFF || status=1

echo "== fuzz smoke run (${fuzz_seconds}s per target)"
# Every tests/fuzz/*_fuzz.cc, as long-run.sh finds them, so a new target is never left out.
fuzz_targets=()
for source in tests/fuzz/*_fuzz.cc; do
  name=$(basename "$source" .cc)
  fuzz_targets+=("${name%_fuzz}")
done
cmake --build build-asan -j"$jobs" --target "${fuzz_targets[@]/%/_fuzz}"
for target in "${fuzz_targets[@]}"; do
  work="build-asan/corpus-$target"
  artifacts="build-asan/artifacts-$target"
  mkdir -p "$work" "$artifacts"
  dict=()
  [[ -f "tests/fuzz/$target.dict" ]] && dict=(-dict="tests/fuzz/$target.dict")
  if "build-asan/${target}_fuzz" -max_total_time="$fuzz_seconds" -print_final_stats=1 -artifact_prefix="$artifacts/" \
      "${dict[@]}" "$work" "$root/tests/fuzz/corpus/$target" >"build-asan/$target.log" 2>&1; then
    passed=$((passed + 1))
    summary+=("fuzz $target: 1 passed, 0 failed")
  else
    tail -n 40 "build-asan/$target.log"
    failed=$((failed + 1))
    summary+=("fuzz $target: 0 passed, 1 failed")
    status=1
  fi
done

echo "== summary"
printf '%s\n' "${summary[@]}"
echo "total: $passed passed, $failed failed"
exit $status
