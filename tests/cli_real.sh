#!/bin/sh
# cli_real.sh HBSCAN - every real case of testdata/real/ (logs users posted,
# copied from ../shared/real-cases with their source): the log parses, every
# code listed in expect.yaml is extracted, and the expected cause ranks
# first; for `unknown`, hbscan claims no confident cause.
set -u
HB=${1:-build/hbscan}
export NO_COLOR=1 TZ=UTC
pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

for dir in testdata/real/*/; do
    name=$(basename "$dir")
    want=$(sed -n 's/^cause: *//p' "$dir/expect.yaml")
    codes=$(sed -n 's/^codes: *\[\(.*\)\]/\1/p' "$dir/expect.yaml" | tr -d '" ' | tr ',' ' ')
    "$HB" scan --no-db -q --format json "$dir/input.log" >"$out"
    rc=$?
    if [ $rc -ne 0 ]; then
        fail=$((fail + 1)); echo "FAIL real/$name: exit $rc"; continue
    fi
    ok=1
    for c in $codes; do
        if ! sed -n '/"codes": {/,/}/p' "$out" | grep -q "\"$c\": [1-9]"; then
            ok=0; echo "FAIL real/$name: code $c not extracted"
        fi
    done
    # The first cause listed under "causes" (sorted by confidence).
    first=$(sed -n '/"causes": \[/,$p' "$out" | sed -n 's/^ *"cause": "\([^"]*\)".*/\1/p' | head -n 1)
    conf=$(sed -n '/"causes": \[/,$p' "$out" | sed -n 's/^ *"confidence": \([0-9.]*\).*/\1/p' | head -n 1)
    if [ "$want" = unknown ]; then
        # Honest: no cause above 0.7 confidence for an undiagnosed thread.
        if [ -n "$conf" ] && awk "BEGIN { exit !($conf > 0.7) }"; then
            ok=0; echo "FAIL real/$name: claims $first at $conf for an unknown case"
        fi
    elif [ "$first" != "$want" ]; then
        ok=0; echo "FAIL real/$name: first cause '$first', want '$want'"
    fi
    if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "cli_real: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
