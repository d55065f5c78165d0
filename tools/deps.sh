#!/bin/sh
# deps.sh - makes sure the Debian packages hbscan needs are installed.
# Installs the missing ones with apt-get when run as root; otherwise prints
# the exact command and fails, so `make` stops there.
set -u
# pkg-config module -> Debian package
need="libpcre2-8:libpcre2-dev yaml-0.1:libyaml-dev sqlite3:libsqlite3-dev zlib:zlib1g-dev cmocka:libcmocka-dev"
tools="pkg-config:pkg-config gcc:gcc make:make"
missing=""
for t in $tools; do
    cmd=${t%%:*}; pkg=${t#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
for m in $need; do
    mod=${m%%:*}; pkg=${m#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
        missing="$missing $pkg"
    fi
done
# extra packages for optional targets, e.g. `deps.sh sqlite3 ripgrep`
for p in "$@"; do
    case "$p" in
    sqlite3|rg|ripgrep|valgrind|clang)
        c=$p; [ "$p" = ripgrep ] && c=rg
        command -v "$c" >/dev/null 2>&1 || missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null ||
        { echo "deps: apt-get install$missing failed" >&2; exit 1; }
    exit 0
fi
echo "deps: missing packages:$missing" >&2
echo "deps: run:  sudo apt-get update && sudo apt-get install -y$missing" >&2
exit 1
