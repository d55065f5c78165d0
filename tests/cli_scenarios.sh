#!/bin/sh
# cli_scenarios.sh HBSCAN - the multi-file log sets of testdata/scenarios/:
# each directory is scanned as a whole and its `expect` file names the cause
# that must rank first (`none`: the report must list no cause at all).
set -u
HB=${1:-build/hbscan}
export NO_COLOR=1 TZ=UTC
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for dir in testdata/scenarios/*/; do
    [ -f "$dir/expect" ] || continue
    name=$(basename "$dir")
    want=$(head -n 1 "$dir/expect" | tr -d ' \r')
    "$HB" scan --no-db -q --format json --exclude expect --exclude '*.md' "$dir" >"$out"
    rc=$?
    first=$(sed -n '/"causes": \[/,$p' "$out" | sed -n 's/^ *"cause": "\([^"]*\)".*/\1/p' | head -n 1)
    [ -z "$first" ] && first=none
    if [ $rc -ne 0 ]; then
        fail=$((fail + 1)); echo "FAIL scenario $name: exit $rc"
    elif [ "$first" != "$want" ]; then
        fail=$((fail + 1)); echo "FAIL scenario $name: first cause '$first', want '$want'"
    else
        pass=$((pass + 1))
    fi
done
echo "cli_scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
