#!/usr/bin/env bash
# Builds everything and runs every test through ctest, on a fresh Debian 12 machine as root:
# the unit tests (also once more under AddressSanitizer + UndefinedBehaviorSanitizer), the command-line
# tests, and short libFuzzer runs of the fuzz targets. The last line is ctest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
vtj_install_deps
vtj_latin1_locale

jobs=${VTJ_JOBS:-2}
fuzz_args=()
# The fuzz targets need clang's libFuzzer: their own build tree; ctest of the main tree runs them.
# VTJ_FUZZ=0 leaves them out.
if [ "${VTJ_FUZZ:-1}" = 1 ]; then
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVTJ_FUZZ=ON -DVTJ_SANITIZED_TESTS=OFF \
    -DVTJ_BENCH=OFF -DBUILD_TESTING=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
  cmake --build build-fuzz -j"$jobs" --target vtj_fuzz_all
  fuzz_args=(-DVTJ_FUZZ_BIN_DIR="$PWD/build-fuzz/bin")
else
  fuzz_args=(-DVTJ_FUZZ_BIN_DIR=)
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVTJ_SANITIZED_TESTS=ON "${fuzz_args[@]}"
cmake --build build -j"$jobs"

cd build
ctest --output-on-failure --no-label-summary -j"$jobs" --timeout 900
