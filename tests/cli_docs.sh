#!/bin/sh
# cli_docs.sh HBSCAN - the docs keep up with the binary: every long option
# that `hbscan help CMD` prints appears in the man page (analyzer/hbscan.1)
# and in README.md, and every command of `hbscan --help` has a man section.
set -u
HB=${1:-build/hbscan}
pass=0
fail=0
man=$(sed 's/\\-/-/g' analyzer/hbscan.1)
cmds=$("$HB" --help | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p' | grep -v '^help$')
for cmd in $cmds; do
    if printf '%s\n' "$man" | grep -q "^\.SH .*$(echo "$cmd" | tr a-z A-Z)"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL docs: no man section for '$cmd'"
    fi
    for opt in $("$HB" help "$cmd" 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        [ "$opt" = "--help" ] && continue
        if ! printf '%s\n' "$man" | grep -q -- "$opt"; then
            fail=$((fail + 1)); echo "FAIL docs: $cmd $opt missing from analyzer/hbscan.1"
        elif ! grep -q -- "$opt" README.md; then
            fail=$((fail + 1)); echo "FAIL docs: $cmd $opt missing from README.md"
        else
            pass=$((pass + 1))
        fi
    done
done
echo "cli_docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
