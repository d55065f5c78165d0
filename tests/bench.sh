#!/bin/sh
# bench.sh BUILD - throughput benchmark run by `make bench`.
# Generates a deterministic corpus once (cached under BUILD/bench/ until
# tool_gen changes), then on
# the same files and in the same run measures ripgrep with every regex of the
# shipped rules (the reference), `hbscan scan --no-db`, `hbscan scan --db`,
# the incremental re-scan of an unchanged input, --jobs 1 vs 2 on a tree of
# many files, and the store's bulk insert rate when build/tests/tool_bench_store
# exists (it takes turns with plain SQLite writing the same rows, its
# reference). Each measurement is the median of 3 runs. Prints a table and writes
# it to BUILD/bench/results.txt.
#
# Environment: BENCH_SIZES="100M 1G" (corpus sizes), BENCH_BIG=1 adds 2G,
# BENCH_RUNS=3, BENCH_TREE="200M 140" (size and file count of the tree),
# BENCH_SEED=42, BENCH_STORE_ROWS (tool_bench_store's N; it prints the median of its own 5 runs), BENCH_SLOW=40 (a run slower than this many seconds is not
# repeated; such rows are marked "1 run").
set -u
build=${1:-build}
hbscan=$build/hbscan
gen=$build/tests/tool_gen
store_tool=$build/tests/tool_bench_store
dir=$build/bench
sizes=${BENCH_SIZES:-100M 1G}
[ "${BENCH_BIG:-0}" = 1 ] && sizes="$sizes 2G"
runs=${BENCH_RUNS:-3}
slow=${BENCH_SLOW:-40}
seed=${BENCH_SEED:-42}
set -- ${BENCH_TREE:-200M 140}
tree_size=$1
tree_files=$2

die() { echo "bench: $*" >&2; exit 1; }
[ -x "$hbscan" ] || die "$hbscan not built"
[ -x "$gen" ] || die "$gen not built (make $gen)"
mkdir -p "$dir" || die "cannot create $dir"
export NO_COLOR=1 TZ=UTC
unset HBSCAN_DB

# The cached corpora are only valid for the generator that wrote them.
gen_sum=$(cksum <"$gen" | cut -d' ' -f1)
if [ "$(cat "$dir/.gen-sum" 2>/dev/null)" != "$gen_sum" ]; then
    rm -rf "$dir"/corpus-* "$dir"/tree-*
    echo "$gen_sum" >"$dir/.gen-sum"
fi

timebin=/usr/bin/time
if ! [ -x "$timebin" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: installing time(1)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1
    fi
fi
[ -x "$timebin" ] || timebin=""
have_rg=0
command -v rg >/dev/null 2>&1 && have_rg=1

now_ns() { date +%s%N; }

# measure_once OUT_PREFIX CMD...: runs CMD once (stdout to /dev/null),
# appends its wall seconds to OUT_PREFIX.walls and its peak RSS KiB to
# OUT_PREFIX.rsss, writes its exit status to OUT_PREFIX.rc; $pre_run, if set,
# is eval'd before it, untimed. measure_reset starts an OUT_PREFIX afresh,
# measure_done writes the medians to OUT_PREFIX.s and OUT_PREFIX.rss and the
# number of runs to OUT_PREFIX.n.
measure_reset() {
    : >"$1.walls"
    : >"$1.rsss"
}

measure_once() {
    out=$1
    shift
    [ -n "${pre_run:-}" ] && eval "$pre_run"
    t0=$(now_ns)
    if [ -n "$timebin" ]; then
        "$timebin" -f '%M' -o "$out.time" "$@" >/dev/null 2>"$out.err"
        rc=$?
    else
        "$@" >/dev/null 2>"$out.err"
        rc=$?
    fi
    t1=$(now_ns)
    echo "$t0 $t1" | awk '{printf "%.3f\n", ($2 - $1) / 1e9}' >>"$out.walls"
    if [ -n "$timebin" ]; then
        tail -n 1 "$out.time" >>"$out.rsss"
    else
        echo 0 >>"$out.rsss"
    fi
    echo "$rc" >"$out.rc"
}

measure_done() {
    wc -l <"$1.walls" | tr -d ' ' >"$1.n"
    sort -n "$1.walls" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' >"$1.s"
    sort -n "$1.rsss" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' >"$1.rss"
}

# whether OUT_PREFIX's last run took over $slow seconds: such runs are not
# repeated, to keep the default sizes within ~10 minutes on a slow build
too_slow() {
    awk -v w="$(tail -n 1 "$1.walls")" -v s="$slow" 'BEGIN { exit !(w > s) }'
}

# measure OUT_PREFIX CMD...: CMD $runs times; the median wall seconds in
# OUT_PREFIX.s, the median peak RSS KiB in OUT_PREFIX.rss, the last exit
# status in OUT_PREFIX.rc.
measure() {
    out=$1
    shift
    measure_reset "$out"
    i=0
    while [ $i -lt "$runs" ]; do
        measure_once "$out" "$@"
        i=$((i + 1))
        too_slow "$out" && break
    done
    measure_done "$out"
}

# ---- patterns: every regex leaf of the shipped rules ------------------------
# Rule leaves that hold a regex (rules/README.md): message head text exception
# exception_message root_exception logger thread server_info grpc_desc
# server_addr. Quoted ('...' with '' escapes, or "...") and plain scalars.
pat_all=$dir/patterns-all.txt
pat=$dir/patterns.txt
awk '
function emit(v) { if (v != "") print v }
/^[ \t]*(- )?(message|head|text|exception|exception_message|root_exception|logger|thread|server_info|grpc_desc|server_addr):[ \t]/ {
    line = $0
    sub(/^[ \t]*(- )?[a-z_]+:[ \t]+/, "", line)
    if (substr(line, 1, 1) == "\047") {
        v = ""; i = 2
        while (i <= length(line)) {
            c = substr(line, i, 1)
            if (c == "\047") {
                if (substr(line, i + 1, 1) == "\047") { v = v "\047"; i += 2; continue }
                break
            }
            v = v c; i++
        }
        emit(v)
    } else if (substr(line, 1, 1) == "\"") {
        v = substr(line, 2)
        sub(/"[ \t]*(#.*)?$/, "", v)
        gsub(/\\\\/, "\001", v); gsub(/\\"/, "\"", v); gsub(/\001/, "\\", v)
        emit(v)
    } else if (line !~ /^[|>\[{]/) {
        sub(/[ \t]+#.*$/, "", line)
        emit(line)
    }
}' rules/*.yaml rules/*.yml 2>/dev/null | sort -u >"$pat_all"
# rg joins -f patterns into one alternation, where repeated group names
# collide: named groups become plain groups (only counts matter here). Each
# pattern is then kept if the engine accepts it: rg's default engine rejects
# lookaround and a \n outside a class; rg -P (PCRE2, hbscan's engine)
# rejects \n without -U.
pat_pcre=$dir/patterns-pcre.txt
: >"$pat"
: >"$pat_pcre"
if [ $have_rg = 1 ]; then
    sed 's/(?P\{0,1\}<\([A-Za-z][A-Za-z0-9_]*\)>/(?:/g' "$pat_all" |
        while IFS= read -r p; do
            printf '' | rg -q -e "$p" 2>/dev/null
            [ $? -le 1 ] && printf '%s\n' "$p" >>"$pat"
            printf '' | rg -P -q -e "$p" 2>/dev/null
            [ $? -le 1 ] && printf '%s\n' "$p" >>"$pat_pcre"
        done
    printf '' | rg -P -q -f "$pat_pcre" 2>/dev/null
    [ $? -le 1 ] || : >"$pat_pcre"
fi
npat=$(wc -l <"$pat_all" | tr -d ' ')
nrg=$(wc -l <"$pat" | tr -d ' ')
npcre=$(wc -l <"$pat_pcre" | tr -d ' ')

# ---- machine ---------------------------------------------------------------
cpu=$(sed -n 's/^model name[ \t]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
res=$dir/results.txt
{
    echo "hbscan benchmark  $(date -u '+%Y-%m-%d %H:%M UTC')  $("$hbscan" --version 2>/dev/null | head -n 1)"
    echo "machine: $(nproc) cpu, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "corpus: tool_gen --seed $seed (Spring Boot 2.x/3.x, SDK, heartbeat and zap logs; ~300 Polaris failures per million lines)"
    if [ $have_rg = 1 ]; then
        echo "reference: rg -c -f patterns.txt: $nrg of the $npat regexes of rules/*.yaml that rg's default engine accepts; rg -P: $npcre of $npat; $(rg --version | head -n 1)"
    else
        echo "reference: rg not installed (make bench installs ripgrep)"
    fi
    echo "median of $runs runs (rg -P: 1 run; for each file rg, --no-db and --db take turns); MB = 10^6 bytes; 'vs rg' = hbscan MB/s / rg MB/s (default engine)"
    echo
    printf '%-26s %9s %9s %12s %8s %9s\n' input size MB/s lines/s "vs rg" "RSS MiB"
} >"$res.tmp"

row() { # name bytes lines seconds rg_seconds rss_kib
    k=""
    [ -f "$dir/m.n" ] && [ "$(cat "$dir/m.n")" -lt "$runs" ] && k="  ($(cat "$dir/m.n") run)"
    awk -v n="$1" -v b="$2" -v l="$3" -v s="$4" -v r="$5" -v m="$6" -v k="$k" 'BEGIN {
        if (s <= 0) s = 0.001
        size = b >= 1e9 ? sprintf("%.1f GB", b / 1e9) : sprintf("%.0f MB", b / 1e6)
        vs = r > 0 ? sprintf("%.2fx", r / s) : "-"
        rss = m > 0 ? sprintf("%.0f", m / 1024) : "-"
        printf "%-26s %9s %9.0f %12.0f %8s %9s%s\n", n, size, b / 1e6 / s, l / s, vs, rss, k
    }' | tee -a "$res.tmp"
}

note() { echo "$*" | tee -a "$res.tmp"; }

cat "$res.tmp"

# ---- single files ----------------------------------------------------------
for sz in $sizes; do
    f=$dir/corpus-$sz-s$seed.log
    if ! [ -s "$f" ] || ! [ -s "$f.lines" ]; then
        echo "bench: generating $f" >&2
        "$gen" --size "$sz" --seed "$seed" --out "$f" || die "tool_gen failed"
        wc -l <"$f" | tr -d ' ' >"$f.lines"
    fi
    bytes=$(wc -c <"$f" | tr -d ' ')
    lines=$(cat "$f.lines")
    # warm the page cache so every tool reads from memory
    cat "$f" >/dev/null
    # rg, scan --no-db and scan --db take turns, one run each per round, so
    # that the machine's slow and fast spells (large on a shared VM) fall
    # on all three alike
    db=$dir/bench.db
    for m in rg nodb db; do measure_reset "$dir/m_$m"; done
    i=0
    while [ $i -lt "$runs" ]; do
        [ $have_rg = 1 ] && measure_once "$dir/m_rg" rg -c -f "$pat" "$f"
        measure_once "$dir/m_nodb" "$hbscan" scan --no-db -q "$f"
        pre_run='rm -f "$db" "$db-wal" "$db-shm"'
        measure_once "$dir/m_db" "$hbscan" scan --db "$db" -q "$f"
        pre_run=""
        i=$((i + 1))
        too_slow "$dir/m_nodb" && break
    done
    for m in rg nodb db; do measure_done "$dir/m_$m"; done
    rg_s=0
    if [ $have_rg = 1 ]; then
        rg_s=$(cat "$dir/m_rg.s")
        cp "$dir/m_rg.n" "$dir/m.n"
        row "rg -c -f patterns $sz" "$bytes" "$lines" "$rg_s" 0 "$(cat "$dir/m_rg.rss")"
        # PCRE2 through rg is slow with this many alternatives (~10 MB/s):
        # one run, on the first size only, and not above 256 MB
        if [ "$npcre" -gt 0 ] && [ "$sz" = "${sizes%% *}" ] &&
            [ "$bytes" -le 268435456 ]; then
            runs_saved=$runs
            runs=1
            measure "$dir/m" rg -P -c -f "$pat_pcre" "$f"
            runs=$runs_saved
            row "rg -P -c -f patterns $sz" "$bytes" "$lines" "$(cat "$dir/m.s")" 0 "$(cat "$dir/m.rss")"
        fi
    fi
    cp "$dir/m_nodb.n" "$dir/m.n"
    if [ "$(cat "$dir/m_nodb.rc")" -ge 2 ]; then
        note "hbscan scan --no-db $sz: exit $(cat "$dir/m_nodb.rc"): $(head -n 1 "$dir/m_nodb.err")"
    else
        row "scan --no-db $sz" "$bytes" "$lines" "$(cat "$dir/m_nodb.s")" "$rg_s" "$(cat "$dir/m_nodb.rss")"
    fi
    cp "$dir/m_db.n" "$dir/m.n"
    if [ "$(cat "$dir/m_db.rc")" -ge 2 ]; then
        note "hbscan scan --db $sz: exit $(cat "$dir/m_db.rc"): $(head -n 1 "$dir/m_db.err")"
    else
        row "scan --db $sz" "$bytes" "$lines" "$(cat "$dir/m_db.s")" "$rg_s" "$(cat "$dir/m_db.rss")"
        # the db now holds the whole file: a re-scan reads nothing new
        measure "$dir/m" "$hbscan" scan --db "$db" -q "$f"
        note "$(printf '%-26s %9s %9s s (unchanged file, offsets stored)' "re-scan --db $sz" "" "$(cat "$dir/m.s")")"
    fi
    rm -f "$db" "$db-wal" "$db-shm"
done

# ---- a tree of many files: --jobs 1 vs 2, incremental re-scan --------------
tree=$dir/tree-$tree_size-$tree_files-s$seed
if ! [ -f "$tree/.done" ]; then
    echo "bench: generating $tree" >&2
    rm -rf "$tree"
    "$gen" --size "$tree_size" --files "$tree_files" --dir "$tree" --seed "$seed" ||
        die "tool_gen --dir failed"
    # decompressed bytes and lines, as hbscan sees them
    find "$tree" -type f ! -name .done | sort | while IFS= read -r p; do
        zcat -f "$p"
    done | wc -lc | awk '{print $1, $2}' >"$tree/.done"
fi
set -- $(cat "$tree/.done")
tlines=$1
tbytes=$2
find "$tree" -type f -exec cat {} + >/dev/null
# rg, --jobs 1 and --jobs 2 take turns per round, as the single-file rows do
for m in rg j1 j2; do measure_reset "$dir/t_$m"; done
i=0
while [ $i -lt "$runs" ]; do
    [ $have_rg = 1 ] && measure_once "$dir/t_rg" rg --no-ignore -z -c -f "$pat" "$tree"
    measure_once "$dir/t_j1" "$hbscan" scan --no-db -q --jobs 1 "$tree"
    measure_once "$dir/t_j2" "$hbscan" scan --no-db -q --jobs 2 "$tree"
    i=$((i + 1))
    too_slow "$dir/t_j1" && break
done
for m in rg j1 j2; do measure_done "$dir/t_$m"; done
rg_s=0
if [ $have_rg = 1 ]; then
    rg_s=$(cat "$dir/t_rg.s")
    cp "$dir/t_rg.n" "$dir/m.n"
    row "rg -z tree ($tree_files files)" "$tbytes" "$tlines" "$rg_s" 0 "$(cat "$dir/t_rg.rss")"
fi
for j in 1 2; do
    cp "$dir/t_j$j.n" "$dir/m.n"
    if [ "$(cat "$dir/t_j$j.rc")" -ge 2 ]; then
        note "scan --jobs $j: not run (exit $(cat "$dir/t_j$j.rc"): $(head -n 1 "$dir/t_j$j.err"))"
    else
        row "scan --no-db --jobs $j tree" "$tbytes" "$tlines" "$(cat "$dir/t_j$j.s")" "$rg_s" "$(cat "$dir/t_j$j.rss")"
    fi
done
db=$dir/tree.db
# each run into a new database (the last one stays for the re-scan)
pre_run='rm -f "$db" "$db-wal" "$db-shm"'
measure "$dir/m" "$hbscan" scan --db "$db" -q "$tree"
pre_run=""
if [ "$(cat "$dir/m.rc")" -lt 2 ]; then
    row "scan --db tree (all cores)" "$tbytes" "$tlines" "$(cat "$dir/m.s")" "$rg_s" "$(cat "$dir/m.rss")"
    measure "$dir/m" "$hbscan" scan --db "$db" -q "$tree"
    note "$(printf '%-26s %9s %9s s (%s unchanged files)' "re-scan --db tree" "" "$(cat "$dir/m.s")" "$tree_files")"
else
    note "scan --db tree: exit $(cat "$dir/m.rc"): $(head -n 1 "$dir/m.err")"
fi
rm -f "$db" "$db-wal" "$db-shm"

# ---- store bulk insert (the store's own tool, when present) ----------------
if [ -x "$store_tool" ]; then
    # it makes and removes its own database in a temporary directory
    out=$("$store_tool" ${BENCH_STORE_ROWS:-} 2>&1 | tail -n 1)
    note "store bulk insert: $out"
else
    note "store bulk insert: skipped ($store_tool not built)"
fi

mv "$res.tmp" "$res"
rm -f "$dir"/m.* "$dir"/m_* "$dir"/t_*
echo "bench: results in $res"
