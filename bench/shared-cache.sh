#!/usr/bin/env bash
# The shared outcome cache (--cache-url) against moto's S3 server on loopback, on the
# 3,128 mutants of seven standard-library modules with the test command `true` (what is
# measured is git-chimp and the store, not the tests): a cold run that uploads every
# outcome, a warm run from the local cache, and runs with an empty local cache that
# find everything in the shared one (a second machine), then one after an edit. Goal: the shared-only run under
# 1 s more than the local warm one. git-chimp prints the look-up times.
#
#     bash bench/shared-cache.sh          # needs the package registry (moto[server])
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_setup
python3 -m venv "$work/moto"
"$work/moto/bin/pip" install -q "moto[server]"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$work/moto/bin/moto_server" -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null && break
  sleep 0.1
done
"$work/moto/bin/python" -c "import boto3; boto3.client('s3', endpoint_url='http://127.0.0.1:$port', aws_access_key_id='bench', aws_secret_access_key='bench', region_name='us-east-1').create_bucket(Bucket='chimp')"
export AWS_ENDPOINT="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_EC2_METADATA_DISABLED=true
stdlib_project
url=s3://chimp/bench
for run in "cold (uploads)" "warm local" "warm local" "shared only" "shared only" "shared only"; do
  case "$run" in "shared only") rm -rf .chimp/cache ;; esac
  start=$(now)
  "$chimp" --tests true --no-canary --cache-url "$url" > "$work/out" 2> "$work/err" || true
  end=$(now)
  echo "$run: $(elapsed "$start" "$end") s wall"
  grep -E 'from cache' "$work/out" | sed 's/^/    /'
  grep -E 'cache:|shared cache' "$work/err" | sed 's/^/    /'
done
# Another machine after an edit: a function added to one module. Its file's pack is new;
# the module's other definitions come from their own packs, and only the new mutants run.
rm -rf .chimp/cache
printf '\n\ndef added(x):\n    return x + 1\n' >> lib/bisect.py
start=$(now)
"$chimp" --tests true --no-canary --cache-url "$url" > "$work/out" 2> "$work/err" || true
end=$(now)
echo "after an edit, shared only: $(elapsed "$start" "$end") s wall"
grep -E 'from cache' "$work/out" | sed 's/^/    /'
grep -E 'shared cache' "$work/err" | sed 's/^/    /'
"$chimp" cache stats --cache-url "$url" | sed 's/^/    /'
"$chimp" clean >/dev/null
