#!/bin/sh
# run.sh SECONDS - `make fuzz`: builds every tests/fuzz/fuzz_*.c with clang
# (libFuzzer + ASan + UBSan) into build/fuzz/, seeds a corpus per target from
# testdata/ (real cases, demo logs, rule files, config fixtures, earlier
# regressions), runs each target for SECONDS, and prints executions and
# crashes per target. Crashing inputs are copied to
# testdata/fuzz/regress/<target>/, where tests/cli_hostile.sh replays them
# through the CLI; commit them with the fix.
# A target whose modules have not landed yet is reported as skipped.
# FUZZ_ONLY="record gzip" limits the run to those targets.
set -u
secs=${1:-60}
out=build/fuzz
CC_FUZZ=${CC_FUZZ:-clang}
command -v "$CC_FUZZ" >/dev/null 2>&1 || sh tools/deps.sh clang ||
    { echo "fuzz: clang is needed" >&2; exit 1; }
PKGS="libpcre2-8 yaml-0.1 sqlite3 zlib"
pkg_cflags=$(pkg-config --cflags $PKGS)
pkg_libs=$(pkg-config --libs $PKGS)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cflags="-std=c11 -D_GNU_SOURCE -DHB_PREFIX=\"/usr/local\" -Iinclude -g -O1 $san $pkg_cflags"
mkdir -p "$out/obj"

# The library, instrumented for coverage (one object per analyzer/*.c).
objs=""
failed_objs=""
for src in analyzer/*.c; do
    base=$(basename "$src" .c)
    [ "$base" = main ] && continue
    obj=$out/obj/$base.o
    if ! [ "$obj" -nt "$src" ] || [ -n "$(find include -newer "$obj" -name '*.h' 2>/dev/null | head -n 1)" ]; then
        if ! $CC_FUZZ $cflags -fsanitize=fuzzer-no-link -c -o "$obj" "$src" 2>"$out/obj/$base.err"; then
            failed_objs="$failed_objs $base"
            continue
        fi
    fi
    objs="$objs $obj"
done
[ -n "$failed_objs" ] && echo "fuzz: could not compile:$failed_objs (see $out/obj/*.err)"
rm -f "$out/libhbscan-fuzz.a"
ar rcs "$out/libhbscan-fuzz.a" $objs

# seed SRCDIR_OR_FILES... -> corpus dir $1
seed_logs() {
    c=$1
    for f in testdata/real/*/input.log testdata/demo/*/*.log \
             testdata/demo/*/*/*/*.log testdata/records/* testdata/extract/* \
             testdata/formats/* testdata/unwrap/*; do
        [ -f "$f" ] || continue
        n=$(echo "$f" | tr '/' '_')
        head -c 65536 "$f" >"$c/$n"
    done
}

printf '%-14s %10s %8s %8s  %s\n' target execs "exec/s" crashes note
total_crashes=0
for t in tests/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    bin=$out/$name
    short=${name#fuzz_}
    # FUZZ_ONLY="record gzip" runs only those targets (several runs of
    # run.sh may then share the cores, one target each).
    case " ${FUZZ_ONLY:-$short} " in *" $short "*) ;; *) continue ;; esac
    if ! $CC_FUZZ $cflags -fsanitize=fuzzer -o "$bin" "$t" "$out/libhbscan-fuzz.a" \
        $pkg_libs -lpthread -lm 2>"$out/$name.build.err"; then
        why=$(grep -m 1 -o "undefined reference to [^ ]*\|fatal error: [^ ]*\|error: .*" "$out/$name.build.err" | head -n 1)
        printf '%-14s %10s %8s %8s  %s\n' "$short" - - - "skipped: does not build yet ($why)"
        continue
    fi
    corpus=$out/corpus/$name
    arts=$out/artifacts/$name
    mkdir -p "$corpus" "$arts"
    case $short in
    record | extract)
        seed_logs "$corpus" ;;
    gzip)
        seed_logs "$corpus"
        for f in "$corpus"/*; do
            [ -f "$f" ] || continue
            case $f in *.gzseed) continue ;; esac
            gzip -c "$f" >"$f.gzseed"
            head -c 200 "$f.gzseed" >"$f.trunc.gzseed"
        done ;;
    prefilter)
        # literals one per line ('~': any case), an empty line, the text
        printf 'ERR-\n~heartbeat\n.jar\n~polari\nserver error \n\n%s\n' \
            "2025-06-25 ERROR [AsyncHeartbeat] Polaris ERR-1006 server error 400401 x.jar" >"$corpus/seed1"
        printf 'abc\n~ABCD\nbcdabc\n~x\n\nabcdABCDabcdxbcdabcab' >"$corpus/seed2"
        for f in testdata/real/*/input.log; do
            [ -f "$f" ] || continue
            { printf 'ERR-\n~polaris\nException\n~heartbeat\nservice:\n\n'; head -c 8192 "$f"; } \
                >"$corpus/$(echo "$f" | tr '/' '_')"
        done ;;
    rules)
        for f in rules/*.yaml rules/*.yml testdata/rules/*.yaml testdata/rules/*/*.yaml; do
            [ -f "$f" ] || continue
            head -c 131072 "$f" >"$corpus/$(echo "$f" | tr '/' '_')"
        done ;;
    config)
        # first byte = file name selector, data[0] % 8 (see fuzz_config.c):
        # '0'-'3' YAML names, '4' .properties, '6' pom.xml, '7' build.gradle
        for f in testdata/config/* testdata/config/*/*; do
            [ -f "$f" ] || continue
            case $f in
            *.properties) sels=4 ;;
            *.xml) sels=6 ;;
            *.gradle | *.kts) sels=7 ;;
            *) sels="0 1 2 3" ;;
            esac
            n=$(echo "$f" | tr '/' '_')
            for s in $sels; do
                { printf '%s' "$s"; head -c 65536 "$f"; } >"$corpus/$s-$n"
            done
        done ;;
    esac
    if [ -d "testdata/fuzz/regress/$name" ]; then
        cp testdata/fuzz/regress/"$name"/* "$corpus"/ 2>/dev/null
    fi
    maxlen=65536
    [ "$short" = rules ] && maxlen=131072
    rm -f "$arts"/*
    "$bin" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -max_len=$maxlen -print_final_stats=1 -artifact_prefix="$arts/" \
        "$corpus" >"$out/$name.log" 2>&1
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$name.log" | tail -n 1)
    crashes=$(ls "$arts" 2>/dev/null | wc -l | tr -d ' ')
    note=""
    if [ "$crashes" -gt 0 ]; then
        mkdir -p "testdata/fuzz/regress/$name"
        cp "$arts"/* "testdata/fuzz/regress/$name/"
        note="saved to testdata/fuzz/regress/$name/; see $out/$name.log"
        total_crashes=$((total_crashes + crashes))
    fi
    printf '%-14s %10s %8s %8s  %s\n' "$short" "${execs:-?}" "${rate:-?}" "$crashes" "$note"
done
echo "fuzz: $total_crashes crashes"
[ "$total_crashes" -eq 0 ]
