#!/bin/sh
# cli_report.sh HBSCAN - `hbscan report` replays a database written by
# `hbscan scan`: same first cause as the scan, the three formats, filters,
# --fail-on exit codes, and clean failures for a missing database or a bad
# option.
set -u
HB=${1:-build/hbscan}
export NO_COLOR=1 TZ=UTC
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL report: $1"; }
check() { # name, command exit status wanted, actual
    if [ "$2" = "$3" ]; then ok; else ko "$1: exit $3, want $2"; fi
}
has() { # name, file, fixed string
    if grep -qF -- "$3" "$2"; then ok; else ko "$1: lacks '$3'"; head -n 20 "$2"; fi
}

db=$tmp/hb.db
"$HB" scan --db "$db" -q --exclude expect --exclude '*.md' \
    testdata/scenarios/port-8081 testdata/scenarios/connection-refused \
    >/dev/null 2>&1
check "scan into db" 0 $?

"$HB" report --db "$db" >"$tmp/text" 2>"$tmp/err"
check "text" 0 $?
has "text first cause" "$tmp/text" "Most likely cause: "
has "text header" "$tmp/text" "stored in database $db"
has "text port action" "$tmp/text" "spring.cloud.polaris.address uses :8081"

"$HB" report --db "$db" --format json >"$tmp/json"
check "json" 0 $?
has "json schema" "$tmp/json" '"schema": 1'
has "json database" "$tmp/json" "\"database\": \"database $db\""
has "json causes" "$tmp/json" '"cause": "network"'

"$HB" report --db "$db" --format markdown >"$tmp/md"
check "markdown" 0 $?
has "markdown title" "$tmp/md" "## hbscan"

"$HB" report --db "$db" --service order-service --format json >"$tmp/svc"
check "service filter" 0 $?
first=$(sed -n 's/^ *"cause": "\([^"]*\)".*/\1/p' "$tmp/svc" | head -n 1)
check "service filter ranks port first" port "$first"
if grep -qF '"cause": "network"' "$tmp/svc"; then
    ko "service filter kept pay-gateway's network failures"
else ok; fi

"$HB" report --db "$db" --since 2099-01-01 >"$tmp/none"
check "empty window" 0 $?
has "empty window says so" "$tmp/none" "No Polaris failure found in database"

"$HB" report --db "$db" --fail-on error >/dev/null
check "--fail-on error" 1 $?
"$HB" report --db "$db" --fail-on rate-limit >/dev/null
check "--fail-on other cause" 0 $?
"$HB" report --db "$db" --fail-on loud >/dev/null 2>&1
check "--fail-on invalid" 2 $?
"$HB" report --db "$db" --format yaml >/dev/null 2>&1
check "--format invalid" 2 $?
"$HB" report --db "$db" --since yesterdayish >/dev/null 2>&1
check "--since invalid" 2 $?
"$HB" report --db "$tmp/missing.db" >/dev/null 2>&1
check "missing database" 5 $?
"$HB" report --frobnicate >/dev/null 2>&1
check "unknown option" 2 $?
"$HB" report --help >"$tmp/help"
check "--help" 0 $?
has "help lists --fail-on" "$tmp/help" "--fail-on X"

echo "cli_report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
