#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on) and runs each for a bounded time from its checked-in
# corpus (fuzz/corpus/<target>/). A crash, a leak or a broken property fails the run and
# leaves the input in build/fuzz/<target>-crash-*; add it to the corpus once fixed.
# Usage: scripts/fuzz.sh [seconds per target, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
if ! command -v clang++ > /dev/null; then
  echo "fuzz: installing clang"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends clang
fi
out=build/fuzz
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I.)
# Each target with the few sources it reads (nothing of the engine's threads or store).
declare -A sources=(
  [json_text]="base/json_text.cc"
  [base64url]="base/coding.cc"
  [jwt]="auth/jwks.cc auth/jwt_verifier.cc base/coding.cc base/status.cc"
)
for target in json_text base64url jwt; do
  # shellcheck disable=SC2086
  clang++ "${flags[@]}" "fuzz/${target}_fuzz.cc" ${sources[$target]} -lcrypto -o "$out/$target"
  corpus="$out/corpus-$target"
  rm -rf "$corpus"
  cp -r "fuzz/corpus/$target" "$corpus"
  echo "fuzz: $target for ${seconds}s"
  (cd "$out" && "./$target" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$target-" "corpus-$target" 2>&1 | tail -n 4)
done
echo "fuzz: no findings"
