#!/bin/sh
# cli_hostile.sh HBSCAN - hostile inputs through the CLI. For every case:
# no crash (exit < 128, no sanitizer report, no timeout), the documented exit
# code (0 ok, 2 usage, 3 invalid rules, 4 some input unreadable, 5 database
# error), a short "hbscan: ..." message when something was refused, bounded
# memory where input could grow it, and for the database cases the earlier
# data intact (row counts and bytes before == after).
# Also replays every saved fuzz crash (testdata/fuzz/regress/<target>/).
# Env: HOSTILE_TIMEOUT (s per command, 30), HOSTILE_EMPTY_FILES (100000),
# HOSTILE_RSS_MIB (400: cap on peak RSS; sanitizer builds included).
set -u
HB=${1:-build/hbscan}
case $HB in /*) ;; *) HB=$(pwd)/$HB ;; esac
export NO_COLOR=1 TZ=UTC HBSCAN_DB=/nonexistent/never-used.db
unset HBSCAN_RULES XDG_STATE_HOME
if ! [ -x "$HB" ]; then
    echo "FAIL hostile: $HB is not an executable"
    echo "hostile: 0 passed, 1 failed"
    exit 1
fi
TO=${HOSTILE_TIMEOUT:-30}
NEMPTY=${HOSTILE_EMPTY_FILES:-100000}
RSS_MIB=${HOSTILE_RSS_MIB:-400}
passed=0
failed=0
skipped=0
tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() {
    chmod -R u+rwX "$tmp" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

timebin=""
[ -x /usr/bin/time ] && timebin=/usr/bin/time
have() { command -v "$1" >/dev/null 2>&1; }

# run CMD... : runs under timeout; sets rc, secs, rss (KiB, 0 if unknown);
# stdout in $tmp/out, stderr in $tmp/err.
run() {
    t0=$(date +%s%N)
    if [ -n "$timebin" ]; then
        "$timebin" -f '%M' -o "$tmp/time" timeout -k 5 "$TO" "$@" \
            >"$tmp/out" 2>"$tmp/err"
        rc=$?
        rss=$(tail -n 1 "$tmp/time" 2>/dev/null)
        case $rss in '' | *[!0-9]*) rss=0 ;; esac
    else
        timeout -k 5 "$TO" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        rss=0
    fi
    t1=$(date +%s%N)
    secs=$(( (t1 - t0) / 1000000000 ))
}

why=""
fail() { why="$why; $*"; }

# Checks common to every case, then reports it.
# verdict NAME WANT_RC [MSG_REGEX]
verdict() {
    name=$1
    want=$2
    msg=${3:-}
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        fail "timed out after ${TO}s"
    elif [ "$rc" -ge 128 ]; then
        fail "killed by signal $((rc - 128))"
    fi
    if grep -q 'Sanitizer\|runtime error:\|^==[0-9]*==' "$tmp/err"; then
        fail "sanitizer report: $(grep -m 1 'Sanitizer\|runtime error:' "$tmp/err")"
    fi
    case " $want " in
    *" $rc "*) ;;
    *) fail "exit $rc, want $want" ;;
    esac
    if [ -n "$msg" ]; then
        if ! grep -Eiq -- "$msg" "$tmp/err"; then
            fail "stderr lacks /$msg/"
        elif ! grep -Ei -- "$msg" "$tmp/err" | head -n 1 | grep -q '^hbscan: '; then
            fail "message does not start with 'hbscan: '"
        fi
        if [ "$(wc -l <"$tmp/err")" -gt 6 ]; then
            fail "stderr has $(wc -l <"$tmp/err") lines, want a short message"
        fi
    fi
    if [ "$rss" -gt $((RSS_MIB * 1024)) ]; then
        fail "peak RSS $((rss / 1024)) MiB > $RSS_MIB MiB"
    fi
    if [ -z "$why" ]; then
        passed=$((passed + 1))
        printf 'ok   %-34s exit %s  %ss  %s MiB\n' "$name" "$rc" "$secs" "$((rss / 1024))"
    else
        failed=$((failed + 1))
        echo "FAIL hostile $name${why}"
        head -n 3 "$tmp/err" | sed 's/^/     | /'
    fi
    why=""
}

skip() {
    skipped=$((skipped + 1))
    echo "skip $1: $2"
}

scan() { run "$HB" scan --no-db -q "$@"; }

# One Polaris failure in the generator's Spring Boot shape.
polaris_failure() {
    printf '%s\n' \
        "2025-06-25 10:00:09.907 ERROR 4242 --- [           main] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR]" \
        "com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open" \
        "	at com.tencent.polaris.plugins.connector.grpc.GrpcUtil.checkResponse(GrpcUtil.java:198) ~[connector-polaris-grpc-1.15.8.jar!/:na]"
}

# Lines of an ordinary log, fast.
plain_log() { # NLINES
    yes '2025-06-25 10:00:01.101  INFO 4242 --- [           main] c.e.order.OrderApplication               : order accepted' |
        head -n "$1"
}

json_ok() { # FILE: every line is a JSON value (python3 when available)
    have python3 || return 0
    python3 -c 'import json,sys
for l in open(sys.argv[1], "rb"):
    json.loads(l)' "$1" 2>/dev/null
}

# ---------------------------------------------------------------- inputs

cp "$HB" "$tmp/binary.log"
scan "$tmp/binary.log"
verdict binary-file "0"

head -c 4000000 /dev/urandom >"$tmp/random.log"
scan "$tmp/random.log"
verdict random-bytes "0"

head -c 8000000 /dev/zero >"$tmp/nul.log"
{ printf 'a\000b\000\n'; polaris_failure; printf '\000\000\000\n'; } >"$tmp/nul2.log"
scan "$tmp/nul.log" "$tmp/nul2.log"
verdict nul-filled "0"
rm -f "$tmp/nul.log"

head -c 100000000 /dev/zero | tr '\0' a >"$tmp/longline.log"
scan "$tmp/longline.log"
verdict 100MB-single-line "0"
rm -f "$tmp/longline.log"

yes '	at com.example.order.OrderService.place(OrderService.java:121)' |
    head -n 1000000 >"$tmp/traces.log"
scan "$tmp/traces.log"
verdict million-headerless-trace-lines "0"
rm -f "$tmp/traces.log"

{
    printf 'bad \377\376 bytes, overlong \300\257, surrogate \355\240\200, cut \344\270\n'
    printf '2025-06-25 10:00:09.907 ERROR 4242 --- [\377\377] c.t.c.p.registry.PolarisServiceRegistry  : polaris heartbeat error with code [SERVER_USER_ERROR] \300\n'
    printf 'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open \355\240\200\n'
    printf '\tat com.tencent.polaris.plugins.connector.grpc.GrpcConnector.heartbeat(GrpcConnector.java:499) \344\n'
    printf '[AsyncHeartbeat]Instance heartbeat failed, namespace:d\377, service:s\300\257, host:10.0.0.5, port:8080, heartbeat fail count:1|2025-06-25 10:00:09.907\n'
    printf 'com.tencent.polaris.api.exception.PolarisException: ERR-1006(SERVER_USER_ERROR): server error 400401: client api is not open\n'
} >"$tmp/utf8.log"
scan "$tmp/utf8.log"
verdict invalid-utf8 "0"
run "$HB" scan --no-db -q -f ndjson "$tmp/utf8.log"
json_ok "$tmp/out" || fail "ndjson output is not valid JSON"
verdict invalid-utf8-ndjson-valid "0"
run "$HB" scan --no-db -q -f json "$tmp/utf8.log"
json_ok "$tmp/out" || { have python3 && python3 -c 'import json,sys; json.load(open(sys.argv[1],"rb"))' "$tmp/out" 2>/dev/null; } ||
    fail "json report is not valid JSON"
verdict invalid-utf8-json-valid "0"

{ polaris_failure; plain_log 60000; } | gzip -c >"$tmp/good.gz"
size=$(wc -c <"$tmp/good.gz")
head -c $((size / 2)) "$tmp/good.gz" >"$tmp/truncated.log.gz"
scan "$tmp/truncated.log.gz"
verdict truncated-gzip "4" "truncated.log.gz"

cp "$tmp/good.gz" "$tmp/corrupt.log.gz"
head -c 4096 /dev/urandom | dd of="$tmp/corrupt.log.gz" bs=1 seek=2000 conv=notrunc 2>/dev/null
scan "$tmp/corrupt.log.gz"
verdict corrupt-gzip "4" "corrupt.log.gz"

# gzip magic only, and a header with nothing after it
printf '\037\213' >"$tmp/magic.gz"
printf '\037\213\010\000\000\000\000\000\000\003' >"$tmp/header.gz"
scan "$tmp/magic.gz" "$tmp/header.gz"
verdict gzip-header-only "4" "magic.gz|header.gz"

# Bombs: 100 MB of zeros in one member, and 1 GB as 100 members of 10 MB.
head -c 100000000 /dev/zero | gzip -1 >"$tmp/bomb1.gz"
head -c 10000000 /dev/zero | gzip -1 >"$tmp/m.gz"
i=0
while [ $i -lt 100 ]; do cat "$tmp/m.gz"; i=$((i + 1)); done >"$tmp/bomb2.gz"
scan "$tmp/bomb1.gz" "$tmp/bomb2.gz"
verdict gzip-bomb "0 4"
rm -f "$tmp/bomb1.gz" "$tmp/bomb2.gz" "$tmp/m.gz"

# ----------------------------------------------------------- unreadable

ln -s "$tmp/does-not-exist" "$tmp/dangling.log"
plain_log 10 >"$tmp/ok.log"
scan "$tmp/dangling.log" "$tmp/ok.log"
verdict dangling-symlink "4" "dangling.log"

scan /nonexistent/hbscan/input.log "$tmp/ok.log"
verdict missing-file "4" "/nonexistent/hbscan/input.log"

# A file whose read fails with EIO even for root.
if [ -r /proc/self/mem ]; then
    scan /proc/self/mem "$tmp/ok.log"
    verdict read-error-eio "4" "/proc/self/mem"
else
    skip read-error-eio "/proc/self/mem not available"
fi

plain_log 10 >"$tmp/secret.log"
chmod 000 "$tmp/secret.log"
if [ "$(id -u)" != 0 ]; then
    scan "$tmp/secret.log" "$tmp/ok.log"
    verdict permission-denied "4" "secret.log"
elif have setpriv && setpriv --reuid=65534 --regid=65534 --clear-groups -- \
        "$HB" --help >/dev/null 2>&1 &&
    setpriv --reuid=65534 --regid=65534 --clear-groups -- \
        "$HB" rules list >/dev/null 2>&1; then
    # root reads mode 000 files: drop to nobody for this case
    run setpriv --reuid=65534 --regid=65534 --clear-groups -- \
        "$HB" scan --no-db -q "$tmp/secret.log" "$tmp/ok.log"
    verdict permission-denied-as-nobody "4" "secret.log"
else
    skip permission-denied "running as root and cannot run hbscan as nobody (setpriv, or the build tree is not readable by nobody)"
fi
chmod 644 "$tmp/secret.log"

# ------------------------------------------------------- odd directories

mkdir "$tmp/empty"
(cd "$tmp/empty" && seq -f 'f%06g.log' 1 "$NEMPTY" | xargs touch)
scan "$tmp/empty"
verdict "dir-of-$NEMPTY-empty-files" "0"
rm -rf "$tmp/empty"

mkdir "$tmp/fifodir"
mkfifo "$tmp/fifodir/pipe.log"
polaris_failure >"$tmp/fifodir/real.log"
scan "$tmp/fifodir"
verdict fifo-in-directory-skipped "0"
scan "$tmp/fifodir/pipe.log"
verdict fifo-named-no-writer "0"
# A FIFO named with a writer waiting is read: nothing opens it before the
# scan does (an open and close would let the writer die of SIGPIPE), and
# with a store its identity is not read from it (that would consume it).
for store in --no-db "--db $tmp/fifo.db"; do
    (polaris_failure >"$tmp/fifodir/pipe.log") &
    writer=$!
    sleep 0.2
    # shellcheck disable=SC2086
    run "$HB" scan $store -q -f ndjson "$tmp/fifodir/pipe.log"
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
    grep -q '400401' "$tmp/out" || fail "the FIFO's incident was not found"
    verdict "fifo-named-with-writer ${store%% *}" "0"
done

mkdir "$tmp/nl"
nlname="$tmp/nl/app
log.log"
polaris_failure >"$nlname"
printf 'x\n' >"$tmp/nl/tab	name.log"
run "$HB" scan --no-db -q -f ndjson "$tmp/nl"
json_ok "$tmp/out" || fail "ndjson output is not valid JSON"
verdict filename-with-newline "0"

# ---------------------------------------------------------------- usage

run "$HB" scan --bogus-option
verdict usage-unknown-option "2" "bogus"
run "$HB" scan --no-db --max-line abc "$tmp/ok.log"
verdict usage-bad-number "2" "max-line|abc"
run "$HB" no-such-command
verdict usage-unknown-command "2" "no-such-command"

# ---------------------------------------------------------------- rules

mkdir "$tmp/rules-bad"
printf 'rules:\n  - id: broken\n    title: [unclosed\n' >"$tmp/rules-bad/bad.yaml"
scan --rules "$tmp/rules-bad" "$tmp/ok.log"
verdict rules-syntax-error "3" "bad.yaml"

mkdir "$tmp/rules-laughs"
{
    echo 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'
    prev=a
    for n in b c d e f g h i j k l m; do
        printf '%s: &%s [' "$n" "$n"
        printf '*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s' $prev $prev $prev $prev $prev $prev $prev $prev $prev
        echo ']'
        prev=$n
    done
    echo 'rules: *m'
} >"$tmp/rules-laughs/laughs.yaml"
scan --rules "$tmp/rules-laughs" "$tmp/ok.log"
verdict rules-billion-laughs "3" "laughs.yaml"

mkdir "$tmp/rules-deep"
{
    printf 'rules:\n  - id: deep\n    match: '
    i=0
    while [ $i -lt 5000 ]; do printf '['; i=$((i + 1)); done
    echo
} >"$tmp/rules-deep/deep.yaml"
scan --rules "$tmp/rules-deep" "$tmp/ok.log"
verdict rules-deep-nesting "3" "deep.yaml"

mkdir "$tmp/rules-redos"
cat >"$tmp/rules-redos/redos.yaml" <<'EOF'
rules:
  - id: hostile-catastrophic-backtracking
    title: "A rule whose regex backtracks catastrophically"
    cause: network
    severity: warning
    weight: 0.1
    match:
      text: '(a|aa)+$'
    description: >
      Exponential backtracking on a long run of a's followed by another
      character; the match limit must stop it.
    action: >
      None.
    samples:
      - log: |
          2025-06-25 10:00:01.101 ERROR 4242 --- [           main] c.e.order.OrderApplication               : aaa
        match: true
      - log: |
          2025-06-25 10:00:01.101 ERROR 4242 --- [           main] c.e.order.OrderApplication               : b
        match: false
EOF
{
    printf '2025-06-25 10:00:01.101 ERROR 4242 --- [           main] c.e.order.OrderApplication               : '
    head -c 30000 /dev/zero | tr '\0' a
    printf '!\n'
    polaris_failure
} >"$tmp/redos.log"
scan --rules "$tmp/rules-redos" "$tmp/redos.log"
verdict rules-catastrophic-regex "0"

# ------------------------------------------------------------- database

db_count() { # DB -> "incidents observations sources" or "err"
    sqlite3 "$1" 'select (select count(*) from incidents) || " " ||
        (select count(*) from observations) || " " ||
        (select count(*) from sources)' 2>/dev/null || echo err
}
sum_of() { cksum <"$1" | cut -d' ' -f1,2; }

store_ok=0
if ! have sqlite3; then
    skip database "sqlite3 CLI not installed (apt-get install sqlite3)"
else
    mkdir "$tmp/db"
    { plain_log 100; polaris_failure; plain_log 100; } >"$tmp/db/app.log"
    base=$tmp/db/base.db
    run "$HB" scan --db "$base" -q "$tmp/db/app.log"
    before=$(db_count "$base")
    if [ "$rc" -ne 0 ] || [ "$before" = err ]; then
        skip database "the store is not usable yet (scan --db exit $rc: $(head -n 1 "$tmp/err"))"
    else
        store_ok=1
    fi
fi

if [ $store_ok = 1 ]; then
    plain_log 5 >"$tmp/db/more.log"
    polaris_failure >>"$tmp/db/more.log"

    # a database path that cannot be created
    run "$HB" scan --db /proc/hbscan-hostile/x.db -q "$tmp/db/more.log"
    verdict db-uncreatable-path "5" "hbscan-hostile"

    # read-only database file (root ignores modes: run as nobody)
    mkdir "$tmp/db/ro"
    cp "$base" "$tmp/db/ro/ro.db"
    chmod 444 "$tmp/db/ro/ro.db"
    chmod 555 "$tmp/db/ro"
    sum=$(sum_of "$tmp/db/ro/ro.db")
    if [ "$(id -u)" != 0 ]; then
        run "$HB" scan --db "$tmp/db/ro/ro.db" -q "$tmp/db/more.log"
        ro_ran=1
    elif have setpriv && setpriv --reuid=65534 --regid=65534 --clear-groups -- \
            "$HB" rules list >/dev/null 2>&1; then
        run setpriv --reuid=65534 --regid=65534 --clear-groups -- \
            "$HB" scan --db "$tmp/db/ro/ro.db" -q "$tmp/db/more.log"
        ro_ran=1
    else
        ro_ran=0
    fi
    if [ $ro_ran = 1 ]; then
        [ "$(sum_of "$tmp/db/ro/ro.db")" = "$sum" ] || fail "read-only db changed"
        [ "$(db_count "$tmp/db/ro/ro.db")" = "$before" ] || fail "counts changed"
        verdict db-read-only-file "5" "ro.db|read-only|readonly"
    else
        skip db-read-only-file "root, and hbscan cannot run as nobody"
    fi
    chmod 755 "$tmp/db/ro"

    # locked by another writer: hold a write transaction in the sqlite3 CLI.
    # The holder waits for the lock (.timeout): without it, a probe below
    # that holds the lock for a moment made its BEGIN IMMEDIATE fail at
    # once, and the scan then ran on an unlocked file (5 runs in 100).
    cp "$base" "$tmp/db/locked.db"
    mkfifo "$tmp/db/ctl"
    sqlite3 "$tmp/db/locked.db" <"$tmp/db/ctl" >/dev/null 2>&1 &
    holder=$!
    exec 9>"$tmp/db/ctl"
    echo '.timeout 60000' >&9
    echo 'BEGIN IMMEDIATE;' >&9
    echo 'CREATE TABLE hostile_lock(x);' >&9
    i=0
    locked=0
    while [ $i -lt 300 ]; do
        if ! sqlite3 "$tmp/db/locked.db" 'BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; then
            locked=1
            break
        fi
        sleep 0.1
        i=$((i + 1))
    done
    [ $locked = 1 ] || fail "the sqlite3 holder did not take the lock in 30 s"
    run "$HB" scan --db "$tmp/db/locked.db" -q "$tmp/db/more.log"
    echo 'ROLLBACK;' >&9
    echo '.quit' >&9
    exec 9>&-
    wait "$holder" 2>/dev/null
    [ "$(db_count "$tmp/db/locked.db")" = "$before" ] || fail "counts changed"
    verdict db-locked-by-writer "5" "lock|busy"

    # two scans creating the same new database at once (two cron jobs of
    # one minute): both succeed and store the rows once, ten rounds
    rm -f "$tmp/err"
    rc=0
    t0=$(date +%s%N)
    i=0
    while [ $i -lt 10 ]; do
        rm -f "$tmp/db/twice.db" "$tmp/db/twice.db-wal" "$tmp/db/twice.db-shm"
        timeout -k 5 "$TO" "$HB" scan --db "$tmp/db/twice.db" -q "$tmp/db/app.log" >/dev/null 2>"$tmp/err.a" &
        pa=$!
        timeout -k 5 "$TO" "$HB" scan --db "$tmp/db/twice.db" -q "$tmp/db/app.log" >/dev/null 2>"$tmp/err.b" &
        pb=$!
        wait $pa
        ra=$?
        wait $pb
        rb=$?
        cat "$tmp/err.a" "$tmp/err.b" >>"$tmp/err"
        [ $rc = 0 ] && rc=$ra
        [ $rc = 0 ] && rc=$rb
        got=$(db_count "$tmp/db/twice.db")
        [ "$got" = "$before" ] || fail "round $i: counts $got, want $before"
        i=$((i + 1))
    done
    secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
    rss=0
    verdict db-created-twice-at-once "0"

    # corrupt: random bytes, and a text file
    head -c 65536 /dev/urandom >"$tmp/db/corrupt.db"
    sum=$(sum_of "$tmp/db/corrupt.db")
    run "$HB" scan --db "$tmp/db/corrupt.db" -q "$tmp/db/more.log"
    [ "$(sum_of "$tmp/db/corrupt.db")" = "$sum" ] || fail "corrupt db was modified"
    verdict db-random-bytes "5" "corrupt.db"
    echo 'hello, not a database' >"$tmp/db/text.db"
    run "$HB" scan --db "$tmp/db/text.db" -q "$tmp/db/more.log"
    [ "$(cat "$tmp/db/text.db")" = 'hello, not a database' ] || fail "text file was modified"
    verdict db-text-file "5" "text.db"

    # a database page damaged in the middle of a valid file
    cp "$base" "$tmp/db/damaged.db"
    pages=$(( $(wc -c <"$tmp/db/damaged.db") / 4096 ))
    if [ "$pages" -ge 3 ]; then
        head -c 4096 /dev/urandom | dd of="$tmp/db/damaged.db" bs=4096 seek=$((pages - 1)) conv=notrunc 2>/dev/null
        run "$HB" scan --db "$tmp/db/damaged.db" -q "$tmp/db/more.log"
        verdict db-damaged-page "0 5"
    fi

    # newer schema
    cp "$base" "$tmp/db/newer.db"
    sqlite3 "$tmp/db/newer.db" 'PRAGMA user_version=999'
    run "$HB" scan --db "$tmp/db/newer.db" -q "$tmp/db/more.log"
    [ "$(db_count "$tmp/db/newer.db")" = "$before" ] || fail "counts changed"
    [ "$(sqlite3 "$tmp/db/newer.db" 'PRAGMA user_version')" = 999 ] || fail "user_version changed"
    verdict db-newer-schema "5" "999|newer"

    # and the untouched base still takes a normal scan
    run "$HB" scan --db "$base" -q "$tmp/db/more.log"
    verdict db-base-still-usable "0"
fi

# ------------------------------------------------ saved fuzz regressions

# The fuzz targets read their first byte as options (tests/fuzz/*.c); the
# rest is what the CLI gets.
cfg_names="application.yml bootstrap.yaml polaris.yml polaris-server.yaml application.properties application-dev.yml pom.xml build.gradle"
for f in testdata/fuzz/regress/*/*; do
    [ -f "$f" ] || continue
    target=$(basename "$(dirname "$f")")
    case_name="regress $target/$(basename "$f")"
    rm -rf "$tmp/fr"
    mkdir "$tmp/fr"
    case $target in
    fuzz_rules)
        cp "$f" "$tmp/fr/case.yaml"
        run "$HB" rules check "$tmp/fr/case.yaml"
        verdict "$case_name" "0 3" ;;
    fuzz_config)
        b0=$(od -An -tu1 -N1 "$f" | tr -d ' ')
        set -- $cfg_names
        shift $(( ${b0:-0} % 8 ))
        tail -c +2 "$f" >"$tmp/fr/$1"
        run "$HB" config check "$tmp/fr/$1"
        verdict "$case_name" "0 1 2 3 4 5" ;;
    fuzz_record)
        # options byte: 0x80 record line cap 4, 0x40 record byte cap 300,
        # 0x20 forced format (table index (b >> 3) % n); the unwrap mode
        # (b % 5) has no option, auto detection runs instead
        b0=$(od -An -tu1 -N1 "$f" | tr -d ' ')
        b0=${b0:-0}
        set --
        [ $((b0 & 128)) -ne 0 ] && set -- "$@" --max-record-lines 4
        [ $((b0 & 64)) -ne 0 ] && set -- "$@" --max-record-bytes 300
        if [ $((b0 & 32)) -ne 0 ]; then
            "$HB" scan --list-formats | awk '{print $1}' >"$tmp/fr/formats"
            nf=$(wc -l <"$tmp/fr/formats")
            [ "$nf" -gt 0 ] &&
                set -- "$@" --input-format "$(sed -n "$(( (b0 >> 3) % nf + 1 ))p" "$tmp/fr/formats")"
        fi
        tail -c +2 "$f" >"$tmp/fr/case.log"
        scan "$@" "$tmp/fr/case.log"
        verdict "$case_name" "0 4" ;;
    fuzz_gzip)
        tail -c +2 "$f" >"$tmp/fr/case.log"
        scan "$tmp/fr/case.log"
        verdict "$case_name" "0 4" ;;
    *)
        scan "$f"
        verdict "$case_name" "0 4" ;;
    esac
done

[ "$skipped" -gt 0 ] && echo "hostile: $skipped skipped"
echo "hostile: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
