#!/usr/bin/env bash
# The vector kernels build for a CPU that is not x86-64: every kernel file (nmf's, aenmf's and the library's)
# compiled for aarch64 with the project's warnings, where each instruction-set level is the generic code (NEON).
# Needs the cross compiler aarch64-linux-gnu-g++ (Debian: g++-aarch64-linux-gnu; `scripts/install-deps.sh
# --tests` installs it); without it the test says SKIPPED (exit status 77).
#   tests/build/cross_kernels.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
cxx=$(command -v aarch64-linux-gnu-g++ || true)
if [[ -z $cxx ]]; then
    echo "SKIPPED: aarch64-linux-gnu-g++ not found (apt-get install g++-aarch64-linux-gnu)"
    exit 77
fi
mkdir -p "$work"
flags=(-std=c++20 -O2 -Wall -Wextra -Werror -Wpedantic -ffp-contract=off -I"$src/src" -I"$src/src/abi"
       -I"$src/plugins/common")
status=0
for f in plugins/nmf/nmf_kernels.cpp plugins/aenmf/aenmf_kernels.cpp src/numeric/kernels.cpp; do
    out=$work/$(basename "$f" .cpp).o
    if "$cxx" "${flags[@]}" -I"$src/$(dirname "$f")" -c "$src/$f" -o "$out"; then
        # The object is aarch64 code (the compiler did not fall back to the host).
        if od -A n -t x1 -j 18 -N 2 "$out" | grep -q 'b7 00'; then
            echo "ok   $f (aarch64 object)"
        else
            echo "FAIL $f: the object is not aarch64 code"
            status=1
        fi
    else
        echo "FAIL $f does not compile for aarch64"
        status=1
    fi
done
exit $status
