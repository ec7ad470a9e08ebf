#!/usr/bin/env bash
# Installs, from Debian's package registry, whatever sigstream needs to build and test that is not
# already installed. Safe to run again: it installs nothing when everything is there.
#   scripts/install-deps.sh            # to build and run sigstream
#   scripts/install-deps.sh --tests    # also what only the tests need (the README's test command)
set -euo pipefail
tests=0
for arg in "$@"; do
  case "$arg" in
    --tests) tests=1 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown argument $arg (--tests or nothing)" >&2; exit 2 ;;
  esac
done
packages=(
  g++ cmake make pkg-config        # toolchain
  libhts-dev                       # htslib: VCF/BCF/BGZF and FASTA indexing
  libeigen3-dev                    # Eigen: dense linear algebra
  libboost-iostreams-dev           # Boost.Iostreams: gzip on TSV read/write
  libtomlplusplus-dev              # toml++: --config files and run metadata
  libgtest-dev googletest          # GoogleTest
  python3 python3-numpy            # end-to-end tests, oracle and NumPy reference implementations
  tabix                            # bgzip, used by tests to make bgzipped inputs
)
if ((tests)); then
  packages+=(
    g++-aarch64-linux-gnu          # the kernels built for a CPU that is not x86-64 (test build.cross_kernels)
    clang libclang-rt-14-dev       # libFuzzer (tests/fuzz, scripts/fuzz.sh; CI's smoke run of every target)
    snakemake                      # the Snakemake workflow's end-to-end test (tests/workflow)
    python3-yaml                   # the Nextflow modules' contract test reads meta.yml (tests/workflow)
  )
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
