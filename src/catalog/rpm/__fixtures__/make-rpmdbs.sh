#!/bin/sh
# Build the tiny rpms in specs/ with rpmbuild, install them with rpm into a fresh SQLite
# database, and copy their header blobs into Berkeley DB hash files with db5.3_load, the way
# rpm < 4.16 stored them (key = 4-byte header number, native byte order; key 0 = counter).
# Usage: make-rpmdbs.sh OUTDIR   (needs rpm, rpmbuild, sqlite3, db5.3_load)
# Writes OUTDIR/rpmdb.sqlite, OUTDIR/Packages (4 KiB pages: headers on overflow pages),
# OUTDIR/Packages-16k (16 KiB pages: headers inline), OUTDIR/Packages-512 (512-byte pages:
# long overflow chains) and OUTDIR/Packages-be (big-endian).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export SOURCE_DATE_EPOCH=1735689600
for spec in "$HERE"/specs/*.spec; do
  rpmbuild -bb --quiet --define "_topdir $W/top" --define '_build_id_links none' \
    --define 'debug_package %{nil}' --define '_buildhost vigil.test' \
    --define 'use_source_date_epoch_as_buildtime 1' "$spec" >/dev/null 2>&1
done
mkdir -p "$W/root" "$OUT"
rpm --root "$W/root" --dbpath /var/lib/rpm --nodeps --noscripts --ignorearch -i "$W"/top/RPMS/*/*.rpm 2>/dev/null
cp "$W/root/var/lib/rpm/rpmdb.sqlite" "$OUT/rpmdb.sqlite"

le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
be32() { printf '%08x' "$1"; }
bdb() { # bdb PAGESIZE LORDER(1234|4321) KEYFN FILE
  {
    printf 'VERSION=3\nformat=bytevalue\ntype=hash\ndb_pagesize=%s\nHEADER=END\n' "$1"
    max=0
    sqlite3 -noheader -separator ' ' "$OUT/rpmdb.sqlite" 'select hnum, lower(hex(blob)) from Packages order by hnum' |
      while read -r n hex; do printf ' %s\n %s\n' "$($3 "$n")" "$hex"; done
    max=$(sqlite3 -noheader "$OUT/rpmdb.sqlite" 'select max(hnum) from Packages')
    printf ' %s\n %s\n' "$($3 0)" "$($3 $((max + 1)))"
    printf 'DATA=END\n'
  } | db5.3_load -c db_lorder="$2" "$4"
}
bdb 4096 1234 le32 "$OUT/Packages"
bdb 16384 1234 le32 "$OUT/Packages-16k"
bdb 512 1234 le32 "$OUT/Packages-512"
bdb 4096 4321 be32 "$OUT/Packages-be"
