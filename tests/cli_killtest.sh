#!/bin/sh
# cli_killtest.sh HBSCAN - crash safety of the incident store. Generates a
# ~20 MB tree (rotated and gzip files included) with tests/tool_gen, scans it
# once without interruption into ref.db, then scans it into kill.db again and
# again, each run killed with SIGKILL after a random 0-0.3 s (at least
# KILLS times). Whenever a run gets to finish before its kill, the database
# must already equal the reference; it is then started afresh. A final run
# completes the last one. Compared: incidents (source, first line, rule,
# fingerprint), observations, and the stored offsets, plus
# PRAGMA integrity_check after every kill.
# Every scan uses --segment KILLTEST_SEGMENT, so commits (and kills between
# them) fall inside files, not only between them; killed runs take turns
# with --commit-every 0 (a commit at every segment end) and 64 (commits
# that span segments and files), the reference and final runs use the
# default.
# Env: KILLS (50), KILLTEST_SIZE (20M), KILLTEST_SEED (random, printed),
# KILLTEST_SEGMENT (262144).
set -u
HB=${1:-build/hbscan}
case $HB in /*) ;; *) HB=$(pwd)/$HB ;; esac
GEN=$(dirname "$HB")/tests/tool_gen
KILLS=${KILLS:-50}
SIZE=${KILLTEST_SIZE:-20M}
SEG=${KILLTEST_SEGMENT:-262144}
SEED=${KILLTEST_SEED:-$(( $(date +%s) % 100000 ))}
export NO_COLOR=1 TZ=UTC
unset HBSCAN_DB HBSCAN_RULES
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

finish() {
    echo "killtest: $passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}
ok() { passed=$((passed + 1)); echo "ok   $*"; }
bad() { failed=$((failed + 1)); echo "FAIL killtest $*"; }

if ! [ -x "$HB" ]; then
    bad "$HB is not an executable"
    finish
fi
if ! [ -x "$GEN" ]; then
    echo "skip: $GEN not built"
    finish
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "skip: sqlite3 CLI not installed (apt-get install sqlite3)"
    finish
fi

tree=$tmp/logs
"$GEN" --size "$SIZE" --seed 7 --files 7 --dir "$tree" || { bad "tool_gen failed"; finish; }

# The rows that must be the same whatever happened to the runs.
dump() { # DB -> stdout
    sqlite3 -batch "$1" \
        "select 'I', source, first_line, last_line, coalesce(rule_id,''), fingerprint from incidents order by 2, 3, 5;
         select 'O', source, line, kind, coalesce(key,''), coalesce(value,'') from observations order by 2, 3, 4, 5, 6;
         select 'S', path, offset, line from sources order by 2;" 2>&1
}

ref=$tmp/ref.db
t0=$(date +%s%N)
"$HB" scan --db "$ref" -q --segment "$SEG" "$tree" >/dev/null 2>"$tmp/err"
rc=$?
t1=$(date +%s%N)
if [ $rc -ne 0 ] || ! sqlite3 "$ref" 'select count(*) from incidents' >/dev/null 2>&1; then
    echo "skip: the store is not usable yet (scan --db exit $rc: $(head -n 1 "$tmp/err"))"
    finish
fi
dump "$ref" >"$tmp/ref.txt"
ref_s=$(echo "$t0 $t1" | awk '{printf "%.3f", ($2 - $1) / 1e9}')
ninc=$(grep -c '^I' "$tmp/ref.txt")
echo "reference: $(( (t1 - t0) / 1000000 )) ms, $ninc incidents, $(grep -c '^O' "$tmp/ref.txt") observations; seed $SEED"
if [ "$ninc" -eq 0 ]; then
    bad "the reference run stored no incident"
fi

db=$tmp/kill.db
kills=0
completed=0
mismatch=0
corrupt=0
n=0
while [ $kills -lt "$KILLS" ]; do
    n=$((n + 1))
    # 0-0.3 s; every 5th kill anywhere within 1.2 x the reference run
    # (capped at 3 s) so that kills also land late and some runs finish
    delay=$(awk -v s="$SEED" -v n="$n" -v t="$ref_s" 'BEGIN {
        srand(s * 1000 + n); r = rand(); w = 0.3
        if (n % 5 == 0 && t * 1.2 > w) w = t * 1.2 > 3 ? 3 : t * 1.2
        printf "%.3f", r * w }')
    ce=$(( n % 2 ? 0 : 64 ))
    "$HB" scan --db "$db" -q --segment "$SEG" --commit-every "$ce" "$tree" >/dev/null 2>"$tmp/kerr" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=$?
    if [ $rc -eq 137 ]; then
        kills=$((kills + 1))
        chk=$(sqlite3 "$db" 'PRAGMA integrity_check' 2>&1 | head -n 1)
        if [ "$chk" != ok ] && [ -f "$db" ]; then
            corrupt=$((corrupt + 1))
            echo "  after kill $kills (at ${delay}s): integrity_check: $chk"
        fi
    else
        if [ $rc -ne 0 ]; then
            mismatch=$((mismatch + 1))
            echo "  run $n exited $rc before its kill: $(head -n 1 "$tmp/kerr")"
        fi
        # finished on its own: what it holds must be the reference already
        dump "$db" >"$tmp/got.txt"
        if ! cmp -s "$tmp/ref.txt" "$tmp/got.txt"; then
            mismatch=$((mismatch + 1))
            echo "  run $n completed after $kills kills but differs from the reference:"
            diff "$tmp/ref.txt" "$tmp/got.txt" | head -n 10 | sed 's/^/    /'
        fi
        completed=$((completed + 1))
        rm -f "$db" "$db-wal" "$db-shm"
    fi
    if [ $n -gt $((KILLS * 4)) ]; then
        break # the scan is too fast to be killed; enough rounds
    fi
done
progress=$(sqlite3 "$db" 'select coalesce(sum(offset), 0) from sources' 2>/dev/null)
total=$(sqlite3 "$ref" 'select sum(offset) from sources' 2>/dev/null)
echo "$kills kills over $n runs, $completed completed before their kill; before the final run ${progress:-0} of ${total:-?} bytes were committed"

"$HB" scan --db "$db" -q --segment "$SEG" "$tree" >/dev/null 2>"$tmp/kerr"
rc=$?
[ $rc -eq 0 ] || { mismatch=$((mismatch + 1)); echo "  final run exited $rc: $(head -n 1 "$tmp/kerr")"; }
dump "$db" >"$tmp/got.txt"
if cmp -s "$tmp/ref.txt" "$tmp/got.txt"; then
    ok "final database equals the uninterrupted run"
else
    bad "final database differs from the uninterrupted run:"
    diff "$tmp/ref.txt" "$tmp/got.txt" | head -n 20
fi
if [ $corrupt -eq 0 ]; then
    ok "integrity_check ok after each of $kills kills"
else
    bad "integrity_check failed after $corrupt of $kills kills"
fi
if [ $mismatch -eq 0 ]; then
    ok "every run that completed ($completed) matched the reference"
else
    bad "$mismatch runs ended badly or did not match the reference"
fi
# a second final run adds nothing
"$HB" scan --db "$db" -q --segment "$SEG" "$tree" >/dev/null 2>&1
dump "$db" >"$tmp/again.txt"
if cmp -s "$tmp/ref.txt" "$tmp/again.txt"; then
    ok "a re-scan of the unchanged tree adds nothing"
else
    bad "a re-scan of the unchanged tree changed the database"
fi
if [ $kills -lt "$KILLS" ]; then
    echo "note: only $kills kills landed (scan finished first too often)"
fi
finish
