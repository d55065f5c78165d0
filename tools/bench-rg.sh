#!/bin/sh
# bench-rg.sh HBSCAN FILE [RUNS] - wall time of `hbscan scan --no-db` (and
# with the store; default --jobs, and --no-db with --jobs 1) against
# `rg -c -f PATTERNS FILE` on the same file in the same run, PATTERNS being the shipped rules' regexes (PCRE-only parts
# stripped so ripgrep's own engine takes them). Prints the medians and the
# ratios, plus hbscan's peak RSS. Needs rg and python3 (with yaml).
set -u
HB=$1
FILE=$2
RUNS=${3:-5}
RULES=${RULES:-$(dirname "$0")/../rules}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$RULES" >"$tmp/pats" <<'PY'
import glob, re, sys, yaml
LEAVES = {"message", "head", "text", "exception", "exception_message",
          "root_exception", "logger", "thread", "server_info", "grpc_desc",
          "server_addr", "source"}
out = []
def walk(c):
    if isinstance(c, dict):
        for k, v in c.items():
            if k in ("all", "any"):
                for x in v:
                    walk(x)
            elif k == "not":
                walk(v)
            elif k in LEAVES:
                out.extend(v if isinstance(v, list) else [v])
for f in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    for r in (yaml.safe_load(open(f)) or {}).get("rules", []):
        walk(r.get("match"))
seen = set()
for p in out:
    p = re.sub(r"\(\?P?<([A-Za-z_]\w*)>", "(?:", p)   # named groups
    p = re.sub(r"\(\?<[!=][^()]*\)", "", p)            # lookbehinds
    p = re.sub(r"\(\?[!=][^()]*(\([^()]*\))?[^()]*\)", "", p)  # lookaheads
    p = p.replace("\\n", " ")
    if p not in seen:
        seen.add(p)
        print(p)
PY

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t() { # command... -> wall seconds
    /usr/bin/time -f %e -o "$tmp/t" "$@" >/dev/null 2>&1
    cat "$tmp/t"
}
: >"$tmp/rg"; : >"$tmp/hb"; : >"$tmp/hb1"; : >"$tmp/db"; : >"$tmp/rss"
i=0
while [ $i -lt "$RUNS" ]; do
    t rg -c -f "$tmp/pats" "$FILE" >>"$tmp/rg"
    t "$HB" scan --no-db -q "$FILE" >>"$tmp/hb"
    t "$HB" scan --no-db -q --jobs 1 "$FILE" >>"$tmp/hb1"
    rm -f "$tmp/x.db"*
    t "$HB" scan -q --db "$tmp/x.db" "$FILE" >>"$tmp/db"
    /usr/bin/time -f %M -o "$tmp/m" "$HB" scan --no-db -q "$FILE" \
        >/dev/null 2>&1
    cat "$tmp/m" >>"$tmp/rss"
    i=$((i + 1))
done
rg=$(median <"$tmp/rg"); hb=$(median <"$tmp/hb"); db=$(median <"$tmp/db")
hb1=$(median <"$tmp/hb1")
rss=$(sort -n "$tmp/rss" | tail -n 1)
size=$(wc -c <"$FILE")
awk -v rg="$rg" -v hb="$hb" -v hb1="$hb1" -v db="$db" -v rss="$rss" -v sz="$size" \
    'BEGIN {
        printf "file %.0f MB, %d runs (medians)\n", sz / 1e6, '"$RUNS"';
        printf "rg -c -f PATTERNS   %6.2f s  %7.1f MB/s\n", rg, sz / 1e6 / rg;
        printf "hbscan --no-db      %6.2f s  %7.1f MB/s  %.2fx rg\n", hb, sz / 1e6 / hb, hb / rg;
        printf "  the same, --jobs 1%6.2f s  %7.1f MB/s  %.2fx rg\n", hb1, sz / 1e6 / hb1, hb1 / rg;
        printf "hbscan --db         %6.2f s  %7.1f MB/s  %.2fx rg\n", db, sz / 1e6 / db, db / rg;
        printf "hbscan peak RSS     %6.1f MiB\n", rss / 1024;
    }'
