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

# A program that needs the toolchain's libraries must fail with them hidden, or the hiding
# proves nothing. It is built here, with Foundation linked as a shared library, rather than taken
# from .build/release: `make release` links the Swift runtime in, so that lkq runs anywhere.
printf 'import Foundation\nprint(Date() > Date.distantPast)\n' > "$work/control.swift"
swiftc "$work/control.swift" -o "$work/control"
"$work/control" >/dev/null
if unshare -m bash -c 'mount --bind "$1" "$2" && "$3"' _ "$work/empty" "$toolchain" "$work/control" \
    >/dev/null 2>&1; then
    echo "test-dist: a program linked to $toolchain ran with it hidden: the toolchain is not hidden" >&2
    exit 1
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
