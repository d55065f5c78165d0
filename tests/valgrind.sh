#!/bin/sh
# valgrind.sh HBSCAN - `make valgrind`: runs every golden command
# (tests/golden/*/cmd), the demo scan, a --jobs 2 scan, `rules check`,
# `config check` on each config fixture and a scan with a database twice under
# valgrind --leak-check=full and fails on any memory error or leak. Output is
# not compared here (golden.sh does that); only valgrind's verdict counts.
# tests/valgrind.supp hides PCRE2 JIT read-ahead reports (see there).
set -u
HB=${1:-build/hbscan}
case $HB in /*) ;; *) HB=$(pwd)/$HB ;; esac
command -v valgrind >/dev/null 2>&1 || sh tools/deps.sh valgrind ||
    { echo "valgrind: not installed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
export NO_COLOR=1 TZ=UTC HBSCAN_DB=/nonexistent/never-used.db
passed=0
failed=0

# HBSCAN for the golden commands: hbscan under valgrind, one log per run.
cat >"$tmp/hbscan" <<EOF
#!/bin/sh
n=\$(ls "$tmp"/vg.*.log 2>/dev/null | wc -l)
exec valgrind -q --error-exitcode=99 --leak-check=full \\
    --suppressions="$(pwd)/tests/valgrind.supp" \\
    --errors-for-leak-kinds=definite,indirect,possible \\
    --show-leak-kinds=definite,indirect,possible --track-origins=yes \\
    --log-file="$tmp/vg.\$n.log" "$HB" "\$@"
EOF
chmod 755 "$tmp/hbscan"
HBSCAN=$tmp/hbscan
export HBSCAN

check() { # NAME: judges the valgrind logs of the runs since the last check
    name=$1
    bad=0
    for log in "$tmp"/vg.*.log; do
        [ -s "$log" ] || continue
        bad=1
        echo "FAIL valgrind $name:"
        head -n 30 "$log" | sed 's/^/  /'
    done
    if [ "$rc" -eq 99 ] && [ $bad = 0 ]; then
        bad=1
        echo "FAIL valgrind $name: exit 99"
    fi
    rm -f "$tmp"/vg.*.log
    if [ $bad = 0 ]; then
        passed=$((passed + 1))
        echo "ok   $name"
    else
        failed=$((failed + 1))
    fi
}

for dir in tests/golden/*/; do
    [ -f "$dir/cmd" ] || continue
    name=$(basename "$dir")
    sh -c "$(cat "$dir/cmd")" >/dev/null 2>"$tmp/err"
    rc=$?
    check "golden $name"
done

if [ -d testdata/demo ]; then
    "$HBSCAN" scan --no-db testdata/demo/ >/dev/null 2>&1
    rc=$?
    check "scan --no-db testdata/demo"
    "$HBSCAN" scan --db "$tmp/v.db" -q testdata/demo/ >/dev/null 2>&1
    rc=$?
    check "scan --db (first)"
    "$HBSCAN" scan --db "$tmp/v.db" -q testdata/demo/ >/dev/null 2>&1
    rc=$?
    check "scan --db (incremental)"
fi
if [ -d testdata/real ]; then
    "$HBSCAN" scan --no-db -q --jobs 2 testdata/real/ >/dev/null 2>&1
    rc=$?
    check "scan --no-db --jobs 2 testdata/real"
fi
"$HBSCAN" rules check >/dev/null 2>&1
rc=$?
check "rules check"
for f in testdata/config/*/*; do
    [ -f "$f" ] || continue
    "$HBSCAN" config check "$f" >/dev/null 2>&1
    rc=$?
    check "config check $f"
done

echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
