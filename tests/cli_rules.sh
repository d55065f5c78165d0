#!/bin/sh
# cli_rules.sh HBSCAN - `hbscan rules check|test|list|show` end to end on
# the fixtures in testdata/rules/. Prints "N passed, N failed" last.
set -u
HBSCAN=${1:-build/hbscan}
export NO_COLOR=1 TZ=UTC
unset HBSCAN_RULES
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
G=testdata/rules/good

ok() { passed=$((passed + 1)); }
ko() { failed=$((failed + 1)); echo "FAIL $*"; }

# run NAME WANT_RC CMD...: runs CMD, keeps stdout/stderr in $tmp/out, $tmp/err
run() {
    name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want" ]; then
        ko "$name: exit $rc, want $want"
        head -n 5 "$tmp/err"
        return 1
    fi
    return 0
}
# has NAME FILE TEXT: FILE contains the fixed string TEXT
has() {
    if grep -qF -- "$3" "$tmp/$2"; then ok; else
        ko "$1: $2 lacks: $3"
        head -n 10 "$tmp/$2"
    fi
}
# same NAME FILE EXPECTED: FILE is exactly EXPECTED
same() {
    printf '%s\n' "$3" >"$tmp/want"
    if cmp -s "$tmp/want" "$tmp/$2"; then ok; else
        ko "$1: $2 differs"
        diff -u "$tmp/want" "$tmp/$2" | head -n 20
    fi
}

# check
run check-good 0 "$HBSCAN" rules check $G &&
    same check-good out "2 rules OK, 4 samples passed"
run check-bad 3 "$HBSCAN" rules check testdata/rules/bad && {
    has check-bad err "testdata/rules/bad/01-syntax.yaml:5:1: YAML syntax error"
    has check-bad err "testdata/rules/bad/02-unknown-keys.yaml:7:5: unknown key 'matches' in rule (allowed: id, title,"
    has check-bad err "testdata/rules/bad/05-values.yaml:4:12: unknown cause 'dns'"
    has check-bad err "testdata/rules/bad/06-regex.yaml:8:31: invalid regular expression in 'text'"
    has check-bad err "testdata/rules/bad/09-dup-b.yaml:2:5: duplicate rule id 'dup-id'"
    has check-bad err "hbscan: 26 errors in the rule files"
}
run check-failing-samples 3 "$HBSCAN" rules check testdata/rules/failing && {
    has check-failing-samples err "10-failing.yaml:16: rule failing-samples sample 2: expected a match, got none"
    same check-failing-samples out "1 rules loaded, 3 of 3 samples failed"
}
HBSCAN_RULES=$G run check-env 0 "$HBSCAN" rules check &&
    same check-env out "2 rules OK, 4 samples passed"
run check-missing-dir 3 "$HBSCAN" rules check /nonexistent/dir &&
    has check-missing-dir err "/nonexistent/dir: cannot read rules"

# list
HBSCAN_RULES=$G run list-text 0 "$HBSCAN" rules list &&
    same list-text out "ID                                 CAUSE             SEVERITY  WEIGHT  TITLE
server-400401-client-api-not-open  api-gating        critical  0.80    Polaris refused the client API call (400401)
grpc-address-refused               network           error     0.60    Connection to the Polaris server refused"
HBSCAN_RULES=$G run list-json 0 "$HBSCAN" rules list --format json && {
    has list-json out '{"id":"grpc-address-refused","cause":"network","alternatives":[],"severity":"error","weight":0.6,'
    has list-json out '"file":"testdata/rules/good/10-server.yaml","line":3,"samples":2}'
}
HBSCAN_RULES=testdata/rules/override/base run list-override 0 \
    "$HBSCAN" rules list --rules testdata/rules/override/ops && {
    has list-override out "ov-a  config            error     0.50    ops A"
    if grep -q "ov-b" "$tmp/out"; then ko "list-override: ov-b not disabled"; else ok; fi
}
HBSCAN_RULES=$G run list-bad-rules 3 "$HBSCAN" rules list --rules testdata/rules/bad/06-regex.yaml &&
    has list-bad-rules err "06-regex.yaml:8:31"

# show
HBSCAN_RULES=$G run show 0 "$HBSCAN" rules show server-400401-client-api-not-open && {
    has show out "id:           server-400401-client-api-not-open"
    has show out "cause:        api-gating (Polaris listener does not open the client API)"
    has show out "alternatives: port"
    has show out "defined at:   testdata/rules/good/10-server.yaml:3"
    has show out "samples:      2"
    has show out "  - https://github.com/Tencent/spring-cloud-tencent/issues/1489"
    has show out "literals: ['400401', 'client api is not open']  # declared"
    has show out "        - text: '(?i)client api is not open'"
    has show out "description:"
    has show out "  Point spring.cloud.polaris.address at the gRPC port 8091."
}
HBSCAN_RULES=$G run show-unknown 2 "$HBSCAN" rules show no-such-rule &&
    has show-unknown err "no rule 'no-such-rule'"

# test
L=testdata/rules/logs/app.log
HBSCAN_RULES=$G run test-log 0 "$HBSCAN" rules test $L && {
    has test-log out "rule server-400401-client-api-not-open (api-gating, critical, weight 0.8): 1 hit"
    has test-log out "  testdata/rules/logs/app.log:2: 2024-01-01 10:00:00.100 ERROR"
    has test-log out "rule grpc-address-refused (network, error, weight 0.6): 1 hit"
    has test-log out "missed: 1 record carries a Polaris code or failure but matched no rule"
    has test-log out "  testdata/rules/logs/app.log:6: 2024-01-01 10:00:02.000 ERROR"
    has test-log out "1 file, 5 records: 2 matched, 1 missed; 2 of 2 rules hit"
}
gzip -c $L >"$tmp/app.log.gz"
HBSCAN_RULES=$G run test-gzip 0 "$HBSCAN" rules test "$tmp/app.log.gz" &&
    has test-gzip out "1 file, 5 records: 2 matched, 1 missed; 2 of 2 rules hit"
HBSCAN_RULES=$G run test-stdin 0 sh -c "\"$HBSCAN\" rules test - <$L" &&
    has test-stdin out "2 matched, 1 missed"
HBSCAN_RULES=$G run test-one-rule 0 "$HBSCAN" rules test --rule grpc-address-refused -v $L && {
    has test-one-rule out "rule grpc-address-refused (network, error, weight 0.6): 1 hit"
    if grep -q "^rule server-400401" "$tmp/out"; then ko "test-one-rule: other rule ran"; else ok; fi
    has test-one-rule out "RULE"
    has test-one-rule out "1 file, 5 records: 1 matched, 2 missed; 1 of 1 rules hit"
}
HBSCAN_RULES=$G run test-unreadable 4 "$HBSCAN" rules test $L /nonexistent/x.log &&
    has test-unreadable out "2 files, 5 records"
HBSCAN_RULES=$G run test-unknown-rule 2 "$HBSCAN" rules test --rule nope $L

# usage and help
run usage-none 2 "$HBSCAN" rules
run usage-bogus 2 "$HBSCAN" rules bogus && has usage-bogus err "unknown subcommand 'bogus'"
run usage-test-nofile 2 "$HBSCAN" rules test
run usage-format 2 "$HBSCAN" rules list --format xml
run usage-option 2 "$HBSCAN" rules check --frobnicate
run usage-rules-value 2 "$HBSCAN" rules check --rules
run help 0 "$HBSCAN" rules --help && {
    has help out "usage: hbscan rules check [--rules DIR]... [DIR|FILE...]"
    cp "$tmp/out" "$tmp/help1"
}
run help-cmd 0 "$HBSCAN" help rules &&
    if cmp -s "$tmp/out" "$tmp/help1"; then ok; else ko "help rules differs from rules --help"; fi
run help-sub 0 "$HBSCAN" rules check --help && has help-sub out "Exit status:"

echo "cli_rules: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
