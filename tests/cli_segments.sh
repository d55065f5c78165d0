#!/bin/sh
# cli_segments.sh HBSCAN - sources read in segments (scan_int.h): one large
# file split over --jobs 2 gives exactly what --jobs 1 gives (incidents,
# report, stored incidents, observations and offsets), at several segment
# sizes; a CRI partial line held across a grid point moves the boundary and
# the piece after it is read again from the right place; a file without a
# single header line is not read once per segment; gzip is not split;
# incidents do not depend on the segment size; a scan interrupted at a
# segment end and resumed equals an uninterrupted one.
set -u
HB=${1:-build/hbscan}
case "$HB" in /*) ;; *) HB="$PWD/$HB" ;; esac
GEN=$(dirname "$HB")/tests/tool_gen
export NO_COLOR=1 TZ=UTC
unset HBSCAN_DB
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok; else bad "$1"; fi; }

# Rows that must not depend on --jobs.
dump() { # DB
    sqlite3 -batch "$1" \
        "select 'I', source, first_line, last_line, evidence_line, coalesce(rule_id,''), fingerprint, ts_ms from incidents order by 2, 3, 6;
         select 'O', source, line, kind, coalesce(key,''), coalesce(value,''), coalesce(instance,'') from observations order by 2, 3, 4, 5, 6;
         select 'S', path, offset, line, format from sources order by 2;" 2>&1
}

# same NAME FILE SEGMENT: --jobs 1 and --jobs 2 agree on everything.
same() {
    name=$1 f=$2 sg=$3
    for j in 1 2; do
        "$HB" scan --no-db -q --segment "$sg" --jobs $j --format ndjson "$f" >"$tmp/nd$j" 2>"$tmp/err$j"
        "$HB" scan --no-db -q --segment "$sg" --jobs $j --format json "$f" >"$tmp/js$j" 2>>"$tmp/err$j"
        rm -f "$tmp/db$j" "$tmp/db$j-wal" "$tmp/db$j-shm"
        "$HB" scan -q --db "$tmp/db$j" --segment "$sg" --jobs $j "$f" >/dev/null 2>>"$tmp/err$j"
    done
    check "$name: incidents --jobs 2 == --jobs 1" 'cmp -s "$tmp/nd1" "$tmp/nd2"'
    check "$name: report --jobs 2 == --jobs 1" 'cmp -s "$tmp/js1" "$tmp/js2"'
    if command -v sqlite3 >/dev/null 2>&1; then
        dump "$tmp/db1" >"$tmp/dump1"
        dump "$tmp/db2" >"$tmp/dump2"
        check "$name: stored rows --jobs 2 == --jobs 1" 'cmp -s "$tmp/dump1" "$tmp/dump2" && [ -s "$tmp/dump1" ]'
    fi
}

if ! [ -x "$GEN" ]; then
    echo "skip: $GEN not built"
    echo "cli_segments: $pass passed, $fail failed"
    exit 0
fi

# --- --segment takes a size in range, else usage (exit 2) ----------------
for v in 10 abc -1 4096x 2000000000000; do
    "$HB" scan --no-db -q --segment "$v" /dev/null >/dev/null 2>"$tmp/seg.err"
    rc=$?
    check "--segment $v refused (exit 2, one line)" '[ $rc = 2 ] && [ "$(grep -c "" "$tmp/seg.err")" = 1 ] && grep -q -- "--segment wants" "$tmp/seg.err"'
done
printf 'plain\n' >"$tmp/one.log"
"$HB" scan --no-db -q --segment 4096 --jobs 2 "$tmp/one.log" >/dev/null
rc=$?
check "--segment 4096, the smallest, is taken" '[ $rc = 0 ]'

# --- a generated 4 MB log: every format of tool_gen ----------------------
"$GEN" --size 4M --seed 11 --out "$tmp/big.log"
same "4 MB, 64 KiB segments" "$tmp/big.log" 65536
same "4 MB, 1 MiB segments" "$tmp/big.log" 1048576
"$HB" scan --no-db -q --format ndjson "$tmp/big.log" >"$tmp/whole.nd"
"$HB" scan --no-db -q --jobs 2 --segment 4096 --format ndjson "$tmp/big.log" >"$tmp/tiny.nd"
check "incidents do not depend on the segment size" 'cmp -s "$tmp/whole.nd" "$tmp/tiny.nd" && [ -s "$tmp/whole.nd" ]'
n=$(grep -c '' "$tmp/whole.nd")
check "the generated log has incidents ($n)" '[ "$n" -gt 5 ]'

# --- stdin and gzip are read by one worker, with the same segments --------
gzip -c "$tmp/big.log" >"$tmp/big.log.gz"
"$HB" scan --no-db -q --jobs 2 --segment 65536 --format ndjson "$tmp/big.log.gz" >"$tmp/gz.nd"
"$HB" scan --no-db -q --jobs 2 --segment 65536 --format ndjson - <"$tmp/big.log" >"$tmp/stdin.nd"
sed 's/"source":"[^"]*"//' "$tmp/gz.nd" >"$tmp/b"
sed 's/"source":"[^"]*"//' "$tmp/stdin.nd" >"$tmp/c"
"$HB" scan --no-db -q --jobs 1 --segment 65536 --format ndjson "$tmp/big.log" | sed 's/"source":"[^"]*"//' >"$tmp/a"
check "gzip gives the plain file's incidents" 'cmp -s "$tmp/a" "$tmp/b"'
check "stdin gives the plain file's incidents" 'cmp -s "$tmp/a" "$tmp/c"'

# --- CRI: a stderr partial held across grid points ------------------------
cri=$tmp/cri.log
i=0
while [ $i -lt 1500 ]; do
    s=$(printf '2025-06-25T10:00:%02d.%09dZ' $((i % 60)) $i)
    h=$(printf '2025-06-25 10:%02d:%02d.000  INFO 7 --- [main] c.e.App  : ok %d' $((i / 60 % 60)) $((i % 60)) $i)
    if [ $((i % 97)) -eq 0 ]; then
        printf '%s stderr P 2025-06-25 10:00:00.000 ERROR 7 --- [main] c.t.c.p.r.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR] \n' "$s"
        k=0
        while [ $k -lt 20 ]; do
            printf '%s stdout F %s\n' "$s" "$h"
            k=$((k + 1))
        done
        printf '%s stderr F com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n' "$s"
    else
        printf '%s stdout F %s\n' "$s" "$h"
    fi
    i=$((i + 1))
done >"$cri"
same "CRI partials, 4 KiB segments" "$cri" 4096
"$HB" scan --no-db -v --segment 4096 --jobs 2 --format ndjson "$cri" >"$tmp/cri2.nd" 2>"$tmp/cri2.err"
check "a boundary moved by a held partial is read again" 'grep -q "read again" "$tmp/cri2.err"'
"$HB" scan --no-db -q --format ndjson "$cri" >"$tmp/cri.nd"
check "CRI partials: incidents as with one segment" 'cmp -s "$tmp/cri.nd" "$tmp/cri2.nd" && [ "$(grep -c 400401 "$tmp/cri.nd")" -gt 10 ]'

# --- no header line at all: one reader, not one per segment ---------------
awk 'BEGIN { for (i = 0; i < 40000; i++) printf "plain text line %d without any stamp com.tencent.polaris ERR-1006 %d\n", i, i }' >"$tmp/plain.log"
same "headerless text, 4 KiB segments" "$tmp/plain.log" 4096
"$HB" scan --no-db -q --jobs 1 --format ndjson "$tmp/plain.log" >"$tmp/p1"
"$HB" scan --no-db -q --jobs 2 --segment 4096 --format ndjson "$tmp/plain.log" >"$tmp/p2"
check "headerless text: incidents as with one segment" 'cmp -s "$tmp/p1" "$tmp/p2"'

# --- interrupted at a segment end, then resumed ---------------------------
if command -v sqlite3 >/dev/null 2>&1; then
    rm -f "$tmp/r.db"
    # cut before a dated line past 2.5 MB: no record spans the cut
    awk 'BEGIN { n = 0 } { n += length($0) + 1; if (n > 2500000 && /^20[0-9][0-9]-/) exit; print }' "$tmp/big.log" >"$tmp/grow.log"
    "$HB" scan -q --db "$tmp/r.db" --segment 65536 "$tmp/grow.log" >/dev/null
    tail -c +"$(($(wc -c <"$tmp/grow.log") + 1))" "$tmp/big.log" >>"$tmp/grow.log"
    "$HB" scan -q --db "$tmp/r.db" --segment 65536 --jobs 2 "$tmp/grow.log" >/dev/null
    check "appended file: offset at its end" '[ "$(sqlite3 "$tmp/r.db" "select offset from sources")" = "$(wc -c <"$tmp/big.log" | tr -d " ")" ]'
    sqlite3 "$tmp/r.db" "select first_line, coalesce(rule_id,''), fingerprint from incidents order by 1, 2" >"$tmp/r1"
    rm -f "$tmp/w.db"
    "$HB" scan -q --db "$tmp/w.db" --segment 65536 "$tmp/big.log" >/dev/null
    sqlite3 "$tmp/w.db" "select first_line, coalesce(rule_id,''), fingerprint from incidents order by 1, 2" >"$tmp/r2"
    check "appended file: the incidents of one scan, line numbers included" 'cmp -s "$tmp/r1" "$tmp/r2" && [ -s "$tmp/r1" ]'
fi

# --- a file with nothing new is not read again, and still grows ----------
if command -v sqlite3 >/dev/null 2>&1; then
    rm -f "$tmp/u.db"
    cp "$cri" "$tmp/u.log"
    "$HB" scan -q --db "$tmp/u.db" "$tmp/u.log" >/dev/null
    "$HB" scan -v --db "$tmp/u.db" "$tmp/u.log" >/dev/null 2>"$tmp/u.err"
    check "an unchanged file: nothing new, not read" 'grep -q "nothing new since the last scan" "$tmp/u.err"'
    printf '2025-06-25T10:59:59.000000000Z stdout F com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n' >>"$tmp/u.log"
    "$HB" scan -q --db "$tmp/u.db" --format ndjson "$tmp/u.log" >"$tmp/u.nd"
    check "then appended to: the new line alone" '[ "$(grep -c "" "$tmp/u.nd")" = 1 ] && grep -q 400401 "$tmp/u.nd"'
fi

echo "cli_segments: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
