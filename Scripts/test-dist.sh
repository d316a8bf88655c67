#!/usr/bin/env bash
# The binary `make dist` built, run where the Swift toolchain cannot be seen: in a mount
# namespace of its own (unshare -m, as root) with an empty folder bound over the toolchain's.
# It must start, answer a query, and run the interactive shell on a terminal (script(1) gives
# it one). Then the .deb is unpacked and its binary run the same way.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then echo "test-dist: needs root (unshare -m, mount --bind)" >&2; exit 1; fi
# The toolchain's folder: /opt/swift for /opt/swift/usr/bin/swift.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
[ "$(basename "$toolchain")" = usr ] && toolchain=$(dirname "$toolchain")
tarball=$(ls dist/lkq-*-linux-*.tar.gz | head -1)
deb=$(ls dist/lkq_*.deb | head -1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
dpkg-deb -x "$deb" "$work/deb"
mkdir -p "$work/empty"

# The ordinary release build needs the toolchain's libraries: with them hidden it must fail,
# or the hiding proves nothing.
if [ -x .build/release/lkq ]; then
    if unshare -m bash -c 'mount --bind "$1" "$2" && "$3" -e "capaian | count"' _ "$work/empty" "$toolchain" \
        .build/release/lkq >/dev/null 2>&1; then
        echo "test-dist: .build/release/lkq ran with $toolchain hidden: the toolchain is not hidden" >&2
        exit 1
    fi
fi

for binary in "$work"/lkq-*/lkq "$work/deb/usr/bin/lkq"; do
    unshare -m bash -s "$toolchain" "$work/empty" "$binary" <<'INSIDE'
set -euo pipefail
toolchain=$1 empty=$2 binary=$3
mount --bind "$empty" "$toolchain"
if [ -n "$(ls -A "$toolchain")" ]; then echo "test-dist: $toolchain is not hidden" >&2; exit 1; fi
if ldd "$binary" | grep -q 'not found'; then ldd "$binary" >&2; exit 1; fi

answer=$("$binary" -e 'capaian where sasaran=2 and < 75 | count')
[ "$answer" = $'count\n2' ] || { echo "test-dist: query answered '$answer'" >&2; exit 1; }

home=$(mktemp -d)
session=$(printf 'capaian | count\n.quit\n' | HOME="$home" TERM=xterm NO_COLOR=1 \
    script -qec "$binary" /dev/null)
case "$session" in
    *"lkq> "*"(1 row)"*) ;;
    *) echo "test-dist: the shell did not answer: $session" >&2; exit 1 ;;
esac
echo "test-dist: $binary starts, answers and runs the shell with $toolchain hidden"
INSIDE
done
