#!/usr/bin/env bash
# Builds the Debian package: copies the source tree (tracked and untracked
# files, not ignored ones) to build/package/certkeeper-VERSION/, puts
# contrib/debian/ there as debian/, and runs `dpkg-buildpackage -us -uc -b`.
# Prints the path of certkeeper_VERSION_ARCH.deb on its last line.
#
#   contrib/package.sh
#
# contrib/debian/rules builds optimised with Debian's hardening flags; with
# ccache installed, a second package build compiles only what changed.
# Needs the build packages of contrib/lib/setup.sh and debhelper.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
source contrib/lib/setup.sh

version=$(sed -n 's/^project(certkeeper VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
packaged=$(dpkg-parsechangelog -l contrib/debian/changelog -S Version)
if [ "$version" != "$packaged" ]; then
  echo "certkeeper package: CMakeLists.txt says version $version, contrib/debian/changelog $packaged;" \
    "add a changelog entry for $version" >&2
  exit 1
fi

out=$repo/build/package
tree=$out/certkeeper-$version
rm -rf "$out"
mkdir -p "$tree"
git ls-files -z --cached --others --exclude-standard | tar -c --null -T - | tar -x -C "$tree"
rm -rf "$tree/debian"
cp -r contrib/debian "$tree/debian"

ccache_environment
cd "$tree"
dpkg-buildpackage -us -uc -b -j"$(nproc)" >"$out/build.log" 2>&1 || {
  tail -n 40 "$out/build.log" >&2
  echo "certkeeper package: dpkg-buildpackage failed; the whole log is $out/build.log" >&2
  exit 1
}
deb=$(ls "$out"/certkeeper_"$version"_*.deb)
echo "$deb"
