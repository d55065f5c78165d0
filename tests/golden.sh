#!/bin/sh
# golden.sh HBSCAN - CLI golden tests. Each tests/golden/<case>/ holds
#   cmd  one shell line run from the repository root with $HBSCAN set
#   out  the exact expected stdout
#   rc   the expected exit status (optional, default 0)
#   err  a fixed string stderr must contain (optional)
# UPDATE=1 rewrites out (and rc) from the current binary.
set -u
HBSCAN=${1:-build/hbscan}
export HBSCAN NO_COLOR=1 TZ=UTC HBSCAN_DB=/nonexistent/never-used.db
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in tests/golden/*/; do
    [ -f "$dir/cmd" ] || continue
    name=$(basename "$dir")
    want_rc=0
    [ -f "$dir/rc" ] && want_rc=$(cat "$dir/rc")
    sh -c "$(cat "$dir/cmd")" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/out" "$dir/out"
        [ "$rc" -ne 0 ] && echo "$rc" >"$dir/rc"
        [ "$rc" -eq 0 ] && rm -f "$dir/rc"
        want_rc=$rc
    fi
    ok=1
    if ! cmp -s "$tmp/out" "$dir/out"; then
        ok=0
        echo "FAIL golden $name: stdout differs"
        diff -u "$dir/out" "$tmp/out" | head -n 30
    fi
    if [ "$rc" != "$want_rc" ]; then
        ok=0
        echo "FAIL golden $name: exit $rc, want $want_rc"
        head -n 5 "$tmp/err"
    fi
    if [ -f "$dir/err" ] && ! grep -qF -- "$(cat "$dir/err")" "$tmp/err"; then
        ok=0
        echo "FAIL golden $name: stderr lacks: $(cat "$dir/err")"
        head -n 5 "$tmp/err"
    fi
    if [ $ok = 1 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "golden: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
