#!/bin/sh
# cli_config.sh HBSCAN - `hbscan config check` / `hbscan config checks` on the
# command line: exit codes, --fail-on, --server, the "lines" format, bad
# input messages. Rendering of text/json/markdown belongs to the diagnosis
# module and is only smoke-tested here.
set -u
HBSCAN=${1:-build/hbscan}
export NO_COLOR=1
D=testdata/config
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$HBSCAN" ]; then
    echo "FAIL no executable $HBSCAN"
    echo "cli_config: 0 passed, 1 failed"
    exit 1
fi

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $*"; }

# run NAME WANT_RC ARGS... : runs hbscan, keeps stdout/stderr in $tmp
run() {
    name=$1 want=$2
    shift 2
    "$HBSCAN" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" = "$want" ]; then ok; else
        bad "$name: exit $rc, want $want"
        head -n 5 "$tmp/err"
    fi
}

# has NAME FILE TEXT : FILE (out or err) contains the fixed string TEXT
has() {
    if grep -qF -- "$3" "$tmp/$2"; then ok; else
        bad "$1: $2 lacks: $3"
        head -n 10 "$tmp/$2"
    fi
}

hasnt() {
    if grep -qF -- "$3" "$tmp/$2"; then
        bad "$1: $2 has: $3"
    else ok; fi
}

empty() {
    if [ -s "$tmp/$2" ]; then
        bad "$1: $2 is not empty"
        head -n 10 "$tmp/$2"
    else ok; fi
}

# help and usage
run help 0 config --help
has help out "usage: hbscan config check [OPTIONS] FILE..."
has help out "--fail-on WHAT"
run help-cmd 0 help config
has help-cmd out "hbscan config checks"
run no-args 2 config
run no-file 2 config check
has no-file err "no file to check"
run bad-format 2 config check --format yaml "$D/client/application.yml"
has bad-format err "unknown format 'yaml' (text, json, markdown, lines)"
run bad-fail-on 2 config check --fail-on loud "$D/client/application.yml"
has bad-fail-on err "--fail-on wants a severity (critical, error, warning, info), a cause name or any"
run bad-option 2 config check --frobnicate "$D/client/application.yml"
has bad-option err "see: hbscan config --help"
run bad-color 2 config check --color sometimes "$D/client/application.yml"
run short-format 1 config check -f lines --fail-on port \
    "$D/client/founding-8081.yml"
has short-format out "[port/client-address-port]"
run bad-sub 2 config lint "$D/client/application.yml"
run server-no-file 2 config check --server

# the check table
run checks 0 config checks
has checks out "client-address-port"
has checks out "server-healthcheck-not-included"
has checks out "build-sct-cloud"
n=$(wc -l <"$tmp/out")
if [ "$n" -ge 30 ]; then ok; else bad "checks: only $n rows"; fi
run checks-md 0 config checks --format markdown
has checks-md out "| id | cause | severity | what |"
has checks-md out '| `cross-no-listener` | port | critical |'

# clean configurations: nothing at any severity
run clean 0 config check --fail-on info --format lines \
    "$D/client/application.yml" "$D/client/polaris.yml" \
    "$D/server/polaris-server.yaml" "$D/build/good-pom.xml"
empty clean out
empty clean err
run clean-text 0 config check --fail-on info "$D/client/bootstrap.properties"

# the founding case: grpc://11.154.192.97:8081
run founding 1 config check --fail-on critical --format lines \
    "$D/client/founding-8081.yml"
has founding out "$D/client/founding-8081.yml:7: critical: Polaris address grpc://11.154.192.97:8081 uses port 8081, not the gRPC naming port 8091 [port/client-address-port]"
run founding-cause 1 config check --fail-on port "$D/client/founding-8081.yml"
run founding-other-cause 0 config check --fail-on api-gating \
    "$D/client/founding-8081.yml"
run founding-eq 1 config check --format=lines --fail-on=error \
    "$D/client/founding-8081.yml"
run founding-server 1 config check --format lines --fail-on port \
    "$D/client/founding-8081.yml" "$D/server/polaris-server.yaml"
has founding-server out "[port/cross-no-listener]"
hasnt founding-server out "client-address-port"
for fmt in text json markdown; do
    run "founding-$fmt" 0 config check --format "$fmt" \
        "$D/client/founding-8081.yml"
    if [ -s "$tmp/out" ]; then ok; else bad "founding-$fmt: no output"; fi
done

# report options shared with scan; the knowledge tables from YAML
run any 1 config check --fail-on any "$D/client/health-check-url.yml"
run any-clean 0 config check --fail-on any "$D/client/application.yml"
run width 0 config check --width 60 --max-evidence 2 --ascii \
    "$D/client/founding-8081.yml"
run bad-width 2 config check --width 5 "$D/client/founding-8081.yml"
run knowledge 1 config check -f lines --fail-on critical \
    --knowledge rules/knowledge "$D/client/founding-8081.yml"
has knowledge out "[port/client-address-port]"
run knowledge-missing 0 config check -f lines --knowledge /nonexistent \
    "$D/client/application.yml"

# client and server together; --server forces the role
run cross 1 config check --format lines --fail-on critical \
    --server "$D/server/no-healthcheck.yaml" "$D/client/application.yml"
has cross out "[api-gating/server-healthcheck-not-included]"
has cross out "$D/client/application.yml:9: critical: Port 8091 (service-grpc) does not open healthcheck [api-gating/cross-listener-missing-api]"
run lesser 0 config check --fail-on error "$D/client/heartbeat.yml"
run lesser-warn 1 config check --fail-on warning "$D/client/heartbeat.yml"
run build 1 config check --format lines --fail-on version-mismatch \
    "$D/build/build.gradle"
has build out "[version-mismatch/build-sct-cloud]"
has build out "$D/build/build.gradle:3: error: Spring Boot 3.1.12 is not accepted by Spring Cloud 2021.0.9"

# bad input: one line on stderr, exit 4, the other files still checked
run malformed 4 config check --format lines "$D/bad/malformed.yml" \
    "$D/client/founding-8081.yml"
has malformed err "hbscan: $D/bad/malformed.yml:6:1: YAML: found unexpected end of stream"
has malformed out "[port/client-address-port]"
n=$(wc -l <"$tmp/err")
if [ "$n" -eq 1 ]; then ok; else bad "malformed: $n stderr lines"; fi
run binary 4 config check "$D/bad/binary.yml"
has binary err "hbscan: $D/bad/binary.yml:2:10: binary data (NUL byte)"
run missing 4 config check "$D/no-such-file.yml" "$D/client/application.yml"
has missing err "$D/no-such-file.yml: cannot open"
run directory 4 config check "$D/client"
run input-wins 4 config check --fail-on critical "$D/bad/laughs.yml" \
    "$D/client/founding-8081.yml"
has input-wins err "aliases expand to more than 4096 settings"

echo "cli_config: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
