#!/bin/sh
# cli_fastpath.sh HBSCAN - the scan shortcuts (literal prefilters, skipped
# stages, bulk reads) change no result: every corpus is scanned with
# HBSCAN_NO_FASTPATH=1 and without, serial and parallel, and the NDJSON
# incident streams, the JSON reports and the stored incidents must be
# byte-identical.
set -u
HB=${1:-build/hbscan}
case "$HB" in /*) ;; *) HB="$PWD/$HB" ;; esac
GEN=$(dirname "$HB")/tests/tool_gen
export NO_COLOR=1 TZ=UTC
unset HBSCAN_DB HBSCAN_NO_FASTPATH
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# same NAME FORMAT PATH... - slow serial run against fast serial and fast
# parallel runs.
same() {
    name=$1 fmt=$2
    shift 2
    HBSCAN_NO_FASTPATH=1 "$HB" scan --no-db -q --jobs 1 --format "$fmt" \
        "$@" >"$tmp/slow" 2>"$tmp/slow.err"
    "$HB" scan --no-db -q --jobs 1 --format "$fmt" "$@" >"$tmp/fast" \
        2>"$tmp/fast.err"
    "$HB" scan --no-db -q --jobs 2 --format "$fmt" "$@" >"$tmp/par" \
        2>"$tmp/par.err"
    if [ ! -s "$tmp/slow" ]; then
        bad "$name ($fmt): no output"
    elif ! cmp -s "$tmp/slow" "$tmp/fast"; then
        bad "$name ($fmt): fast path differs"
        diff "$tmp/slow" "$tmp/fast" | head -n 6
    elif ! cmp -s "$tmp/slow" "$tmp/par"; then
        bad "$name ($fmt): --jobs 2 differs"
        diff "$tmp/slow" "$tmp/par" | head -n 6
    else
        ok
    fi
}

# The NDJSON stream of every real case, one by one and all together.
for d in testdata/real/*/; do
    same "real/$(basename "$d")" ndjson "$d/input.log"
done
same "real (all)" ndjson testdata/real
same "real (all)" json testdata/real
same "demo" ndjson testdata/demo
same "demo" json testdata/demo
same "rule test logs" ndjson testdata/rules/logs

# The shipped rules' samples pass with the shortcuts off too.
if HBSCAN_NO_FASTPATH=1 "$HB" rules check >"$tmp/rc" 2>&1; then
    ok
else
    bad "rules check with HBSCAN_NO_FASTPATH=1"
    tail -n 5 "$tmp/rc"
fi

# A generated corpus: ordinary application lines with Polaris failures,
# other exceptions and server logs mixed in; as one file, gzipped, through
# stdin, and as a tree of rotated files.
if [ -x "$GEN" ]; then
    "$GEN" --size 5M --seed 7 --out "$tmp/gen.log" 2>/dev/null
    same "generated 5M" ndjson "$tmp/gen.log"
    same "generated 5M" json "$tmp/gen.log"
    gzip -c "$tmp/gen.log" >"$tmp/gen.log.gz"
    same "generated 5M gzip" ndjson "$tmp/gen.log.gz"
    HBSCAN_NO_FASTPATH=1 "$HB" scan --no-db -q --format ndjson \
        <"$tmp/gen.log" >"$tmp/slow"
    "$HB" scan --no-db -q --format ndjson <"$tmp/gen.log" >"$tmp/fast"
    if [ -s "$tmp/slow" ] && cmp -s "$tmp/slow" "$tmp/fast"; then
        ok
    else
        bad "generated 5M on stdin: fast path differs"
    fi
    "$GEN" --size 3M --files 6 --dir "$tmp/tree" --seed 11 2>/dev/null
    same "generated tree" ndjson "$tmp/tree"
    same "generated tree" json "$tmp/tree"

    # The store: the same incidents and offsets either way.
    HBSCAN_NO_FASTPATH=1 "$HB" scan -q --db "$tmp/slow.db" --jobs 1 \
        "$tmp/gen.log" "$tmp/tree" >/dev/null 2>&1
    "$HB" scan -q --db "$tmp/fast.db" "$tmp/gen.log" "$tmp/tree" \
        >/dev/null 2>&1
    for db in slow fast; do
        "$HB" incidents --db "$tmp/$db.db" --format ndjson >"$tmp/$db.inc"
        "$HB" query --db "$tmp/$db.db" \
            "SELECT path, offset, line FROM sources ORDER BY path" \
            >"$tmp/$db.src" 2>&1
        "$HB" query --db "$tmp/$db.db" --format csv \
            "SELECT * FROM observations ORDER BY id" >>"$tmp/$db.src" 2>&1
    done
    if [ -s "$tmp/slow.inc" ] && cmp -s "$tmp/slow.inc" "$tmp/fast.inc" &&
        cmp -s "$tmp/slow.src" "$tmp/fast.src"; then
        ok
    else
        bad "stored incidents or offsets differ"
        diff "$tmp/slow.src" "$tmp/fast.src" | head -n 6
    fi
else
    bad "no $GEN (make build/tests/tool_gen)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
