#!/usr/bin/env bash
# Instructions the engine executes per byte of a generated corpus, counted by valgrind's
# cachegrind: exact and repeatable where timings on a shared 2-vCPU host swing by ±10 %,
# so two builds compare to a tenth of a percent. Throughput is still what
# `cargo bench --bench engine` measures; this says where a change moved the work.
#
#   benches/instructions.sh [prose|logs|dense] [ROUNDS]      (default: dense 1)
#   EXCLUDE=ID,ID benches/instructions.sh dense               (what those detectors cost)
#   PROFILE_BIN=/path/to/old/profile benches/instructions.sh  (a saved build, for A/B)
#
# Counts one run of ROUNDS scans minus one of none (corpus generation and catalog
# start-up cancel out), divided by ROUNDS x the corpus size (8 MiB, or LEN bytes). The
# first round includes the detector DFAs built after 16,384 searches.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-dense}
rounds=${2:-1}
if ! command -v valgrind >/dev/null; then
  # Debian/Ubuntu: install it, as root or through sudo; elsewhere say what is missing.
  command -v apt-get >/dev/null || { echo "instructions.sh: needs valgrind (not found; no apt-get to install it)" >&2; exit 1; }
  as_root=$([ "$(id -u)" -eq 0 ] || echo sudo)
  echo "instructions.sh: installing valgrind with apt-get" >&2
  $as_root apt-get install -y -qq valgrind >/dev/null 2>&1 \
    || { $as_root apt-get update -qq >/dev/null && $as_root apt-get install -y -qq valgrind >/dev/null; } \
    || { echo "instructions.sh: could not install valgrind (apt-get install valgrind)" >&2; exit 1; }
fi
bin=${PROFILE_BIN:-}
if [ -z "$bin" ]; then
  cargo build --quiet --profile profiling --bench profile
  bin=$(ls -t target/profiling/deps/profile-* | grep -v '\.d$' | head -1)
fi
count() {
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bin" "$corpus" "$1" 2>&1 \
    | awk '/I *refs:/ { gsub(",", "", $NF); print $NF }'
}
idle=$(count 0)
busy=$(count "$rounds")
awk -v a="$idle" -v b="$busy" -v r="$rounds" -v c="$corpus" -v n="${LEN:-8388608}" \
  'BEGIN { printf "%s: %.2f instructions a byte\n", c, (b - a) / (r * n) }'
