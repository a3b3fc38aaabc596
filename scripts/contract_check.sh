#!/usr/bin/env bash
# Checks the HTTP contract as clients use it, on an OpenAPI document that the real server
# gave (tests/http_openapi_test.cc saves GET /openapi.json and calls this):
#   1. Redocly CLI lints it (recommended rules) and Spectral lints it (spectral:oas): no
#      errors allowed (warnings are printed);
#   2. openapi-typescript generates TypeScript types from it, and tsc --strict type-checks
#      a small client written against them (scripts/contract/client.ts), which registers a
#      client and reads a page of the case list;
#   3. with a BASE_URL and TOKEN, the compiled client runs against that server and prints
#      what it read (the test compares it).
# The npm tools, at the versions pinned in scripts/contract/package.json, are installed
# once into CONTRACT_NPM_DIR (default build/npm: outside the source tree), with node and npm
# from Debian when missing. A lock serialises concurrent runs.
#
# Usage: scripts/contract_check.sh OPENAPI.json [BASE_URL TOKEN]
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
doc="$(realpath "$1")"
base_url="${2:-}"
token="${3:-}"
npm_dir="${CONTRACT_NPM_DIR:-$src/build/npm}"
tools="$src/scripts/contract"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    nodejs npm
fi

mkdir -p "$npm_dir"
exec 9>"$npm_dir/.lock"
flock 9
# Installed again only when the pinned versions change.
stamp="$npm_dir/.installed-$(sha256sum "$tools/package.json" | cut -c1-16)"
if [[ ! -f $stamp ]]; then
  cp "$tools/package.json" "$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error --no-save >/dev/null)
  rm -f "$npm_dir"/.installed-*
  touch "$stamp"
fi
bin="$npm_dir/node_modules/.bin"

echo "contract: redocly lint"
"$bin/redocly" lint --config "$tools/redocly.yaml" --format stylish "$doc"
echo "contract: spectral lint"
"$bin/spectral" lint --ruleset "$tools/spectral.yaml" --fail-severity error --display-only-failures \
  "$doc"

work="$(mktemp -d "$npm_dir/client.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "contract: openapi-typescript and tsc"
"$bin/openapi-typescript" "$doc" --output "$work/api.ts" >/dev/null
cp "$tools/client.ts" "$tools/tsconfig.json" "$work/"
echo '{"type": "module"}' >"$work/package.json"
(cd "$work" && "$bin/tsc" -p tsconfig.json)
if [[ -n $base_url ]]; then
  echo "contract: client run"
  node "$work/out/client.js" "$base_url" "$token"
fi
echo "contract: ok"
