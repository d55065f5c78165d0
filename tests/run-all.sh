#!/bin/sh
# run-all.sh BUILD - runs every test suite of `make test` and ends with the
# "N passed, N failed" line: cmocka unit binaries, the shipped rules' own
# samples, the CLI golden tests and the scripted CLI suites (tests/cli_*.sh).
set -u
build=${1:-build}
bin=$build/hbscan
passed=0
failed=0
failures=""

add() { passed=$((passed + $1)); failed=$((failed + $2)); }

for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out=$("$t" 2>&1)
    rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | awk '{s+=$1} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed before cmocka could count
    fi
    add "$p" "$f"
    if [ "$f" -ne 0 ]; then
        failures="$failures $name"
        printf '%s\n' "$out" | grep -v '^\[ \(RUN\|       OK\) ' | tail -n 40
    fi
    printf 'unit  %-28s %4d passed, %d failed\n' "$name" "$p" "$f"
done

# Every shipped rule's own samples.
out=$("$bin" rules check 2>&1)
rc=$?
if [ $rc -eq 0 ]; then
    add 1 0
else
    add 0 1
    failures="$failures rules-samples"
    printf '%s\n' "$out" | tail -n 40
fi
printf 'rules %s\n' "$(printf '%s\n' "$out" | tail -n 1)"

# Scripted suites print their own "N passed, N failed" line last.
for s in tests/golden.sh tests/cli_*.sh; do
    [ -f "$s" ] || continue
    out=$(sh "$s" "$bin" 2>&1)
    rc=$?
    line=$(printf '%s\n' "$out" | tail -n 1)
    p=$(printf '%s\n' "$line" | sed -n 's/.*\b\([0-9][0-9]*\) passed.*/\1/p')
    f=$(printf '%s\n' "$line" | sed -n 's/.*\b\([0-9][0-9]*\) failed.*/\1/p')
    p=${p:-0}; f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    add "$p" "$f"
    if [ "$f" -ne 0 ]; then
        failures="$failures $(basename "$s")"
        printf '%s\n' "$out" | grep -i 'fail' | head -n 40
    fi
    printf 'cli   %-28s %4d passed, %d failed\n' "$(basename "$s")" "$p" "$f"
done

[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
