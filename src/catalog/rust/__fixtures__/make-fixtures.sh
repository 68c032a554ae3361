#!/bin/sh
# Rebuilds usr/local/bin/hello-auditable: a real rustc executable carrying a cargo-auditable
# `.dep-v0` section. cargo-auditable is not installable offline, so the section is added the way
# it stores it: zlib-compressed JSON (https://github.com/rust-secure-code/cargo-auditable,
# format in auditable-serde) in an ELF section named `.dep-v0`, here with binutils' objcopy.
# Dynamically linked against libstd so the binary stays ~6 KiB.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
rustc -C opt-level=z -C prefer-dynamic -C strip=symbols -o "$tmp/hello" src/hello.rs
tr -d '\n' < dep-v0.json | python3 -c 'import sys, zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read(), 9))' > "$tmp/dep-v0.zlib"
objcopy --add-section .dep-v0="$tmp/dep-v0.zlib" --set-section-flags .dep-v0=noload,readonly "$tmp/hello" usr/local/bin/hello-auditable
cp "$tmp/hello" usr/local/bin/hello-plain
rm -rf "$tmp"
