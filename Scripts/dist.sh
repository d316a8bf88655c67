#!/usr/bin/env bash
# make dist: lkq for machines without the Swift toolchain. A release build with the Swift
# runtime and Foundation linked in (--static-swift-stdlib), in a build folder of its own so the
# ordinary release build is left alone; then a tarball and a .deb that declares the Debian
# packages of the shared libraries the binary still loads (libedit and the C/C++ runtime).
#
# libedit stays a shared library from the system: libedit2 is on Debian and Ubuntu systems
# that have openssh-client, costs nothing to install when not, and takes its terminal database
# (terminfo) from the system anyway; linking it in would also mean linking ncurses and libbsd.
set -euo pipefail
cd "$(dirname "$0")/.."

out=dist
build=.build/dist
swift build -c release --product lkq --static-swift-stdlib --scratch-path "$build"
binary="$build/release/lkq"
version=$("$binary" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
name="lkq-$version-linux-$arch"

rm -rf "$out/$name" "$out/deb"
mkdir -p "$out/$name"
cp "$binary" "$out/$name/lkq"
strip "$out/$name/lkq"
cp README.md "$out/$name/"
mkdir -p "$out/$name/examples"
cp Examples/*.lkq "$out/$name/examples/"
tar -C "$out" -czf "$out/$name.tar.gz" "$name"

# The Debian package of each shared library the binary names (its NEEDED entries; what those
# load in turn, their own packages declare), found as dpkg-shlibdeps does: the file the dynamic
# loader resolves, and the package that owns it.
needed=$(objdump -p "$out/$name/lkq" | awk '/NEEDED/ {print $2}')
depends=$(for lib in $needed; do
    path=$(ldd "$out/$name/lkq" | awk -v lib="$lib" '$1 == lib {print $3}')
    # The dynamic loader itself has no "=>" line; it comes with libc6.
    [ -n "$path" ] || continue
    dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "$path"
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
if ldd "$out/$name/lkq" | grep -q '/opt/swift\|not found'; then
    echo "dist: the binary still needs the Swift toolchain:" >&2
    ldd "$out/$name/lkq" >&2
    exit 1
fi

deb="$out/deb"
mkdir -p "$deb/DEBIAN" "$deb/usr/bin" "$deb/usr/share/doc/lkq/examples"
cp "$out/$name/lkq" "$deb/usr/bin/lkq"
cp README.md "$deb/usr/share/doc/lkq/"
cp Examples/*.lkq "$deb/usr/share/doc/lkq/examples/"
size=$(du -sk "$deb/usr" | cut -f1)
cat > "$deb/DEBIAN/control" <<CONTROL
Package: lkq
Version: $version
Architecture: $arch
Maintainer: LKQ <lkq@localhost>
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Description: query language for Indonesian government performance data (LKIP, SAKIP)
 lkq asks questions of LKIP performance reports and budget tables in one line:
 which indicators missed their target, how capaian moved since 2018, which sub
 kegiatan spent under half their pagu. The LKIP 2023 of Dinas PMD Provinsi NTT is
 built in; CSV files load beside it.
CONTROL
dpkg-deb --root-owner-group --build "$deb" "$out/lkq_${version}_$arch.deb" >/dev/null

echo "dist: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1)), $out/lkq_${version}_$arch.deb ($(du -h "$out/lkq_${version}_$arch.deb" | cut -f1))"
echo "dist: binary $(du -h "$out/$name/lkq" | cut -f1) stripped; Depends: $depends"
