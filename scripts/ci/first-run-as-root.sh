#!/usr/bin/env bash
# CI, issue 14 (First run): the most common first run, as root in a container, from a checkout under
# a private folder (mode 0700, as /root is). A copy of this checkout's files (what `git clone` gives)
# goes under a fresh 0700 folder; there `npm ci`, then `npm start` without DATABASE_URL (embedded
# PostgreSQL, run as the postgres user, which cannot enter that folder), waits for the three apps'
# /readyz, stops it as Ctrl-C would (SIGINT to its process group) and checks that it stopped cleanly
# and left no process behind. Then one jest suite there without DATABASE_URL, whose global setup
# starts an embedded PostgreSQL of its own from that node_modules. Leaves nothing behind.
# Needs root (skips, saying so, otherwise); Redis from REDIS_URL or on 127.0.0.1:6379.
set -euo pipefail

readonly REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly START_TIMEOUT_SECONDS=180 STOP_TIMEOUT_SECONDS=40

if [[ "$(id -u)" != 0 ]]; then
  echo "skipped: this check is about a run as root (PostgreSQL then runs as the postgres user); this is uid $(id -u)"
  exit 0
fi

step_started=$(date +%s)
step() { # name: prints the previous step's time, then the name
  local now
  now=$(date +%s)
  printf -- '--- %s (previous step: %s s)\n' "$*" "$((now - step_started))"
  step_started=$now
}

private_parent=$(mktemp -d) # 0700, like /root
system_dir=$(mktemp -d)     # where the postgres user's copy of the binaries and the data go
chmod 700 "$private_parent"
chmod 755 "$system_dir"
clone="$private_parent/keyward"
launcher_log="$private_parent/npm-start.log"
launcher_pgid=""
redis_prefix=""

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
redis() { if [[ -n "${REDIS_URL:-}" ]]; then redis-cli -u "$REDIS_URL" "$@"; else redis-cli "$@"; fi; }
# Every process started from the copy or running the binaries copied for the postgres user: "PID command line".
leftovers() {
  local entry command_line
  for entry in /proc/[0-9]*; do
    command_line=$(tr '\0' ' ' <"$entry/cmdline" 2>/dev/null) || continue
    if [[ "$command_line" == *"$clone"* || "$command_line" == *"$system_dir"* ]]; then echo "${entry#/proc/} $command_line"; fi
  done
}
readyz() { node -e 'fetch(process.argv[1]).then((r) => console.log(r.status), () => console.log(0))' "http://127.0.0.1:$1/readyz"; }

cleanup() {
  local status=$?
  if [[ -n "$launcher_pgid" ]] && kill -0 -- "-$launcher_pgid" 2>/dev/null; then kill -KILL -- "-$launcher_pgid" 2>/dev/null || true; fi
  local pid
  for pid in $(leftovers | cut -d' ' -f1); do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ "$redis_prefix" =~ ^keyward:[0-9a-f]{8}:$ ]]; then
    local key
    for pattern in "$redis_prefix*" "{$redis_prefix*"; do
      redis --scan --pattern "$pattern" | while IFS= read -r key; do redis del "$key" >/dev/null; done
    done
  fi
  rm -rf "$private_parent" "$system_dir"
  if ((status != 0)); then echo "first run as root: FAILED (exit $status)" >&2; fi
}
trap cleanup EXIT

step "copy of the checkout under a private folder: $clone"
mkdir "$clone"
# The files a clone has: tracked and not ignored (without node_modules, dist, .data).
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do [[ -e "$file" ]] && printf '%s\0' "$file"; done |
  tar --null -T - -cf -) | tar -xf - -C "$clone"
ls -ld "$private_parent"

step "npm ci"
(cd "$clone" && npm ci --no-audit --no-fund --loglevel=error)

step "npm start without DATABASE_URL"
admin_port=$(free_port) verify_port=$(free_port) worker_port=$(free_port)
(
  cd "$clone"
  unset DATABASE_URL DATABASE_APP_URL REDIS_KEY_PREFIX
  export KEYWARD_SYSTEM_DIR="$system_dir" ADMIN_PORT="$admin_port" VERIFY_PORT="$verify_port" WORKER_PORT="$worker_port" LOG_LEVEL=warn
  exec setsid npm start
) >"$launcher_log" 2>&1 </dev/null &
launcher_pgid=$!
for ((i = 0; i < START_TIMEOUT_SECONDS; i++)); do
  if grep -q 'Keyward is up\.' "$launcher_log"; then break; fi
  if ! kill -0 "$launcher_pgid" 2>/dev/null; then break; fi
  sleep 1
done
if ! grep -q 'Keyward is up\.' "$launcher_log"; then
  cat "$launcher_log" >&2
  echo "npm start did not come up within ${START_TIMEOUT_SECONDS} s" >&2
  exit 1
fi
grep '^\[keyward\]' "$launcher_log"
redis_prefix=$(sed -n 's/^  Redis keys    under \(keyward:[0-9a-f]\{8\}:\) .*/\1/p' "$launcher_log")
grep -q "data in $system_dir/[0-9a-f]\{8\}/postgres (the postgres user cannot reach $clone/.data)" "$launcher_log" ||
  { echo "the embedded PostgreSQL's data is not where the postgres user can reach it" >&2; exit 1; }
for port in "$admin_port" "$verify_port" "$worker_port"; do
  status=$(readyz "$port")
  echo "127.0.0.1:$port/readyz: $status"
  [[ "$status" == 200 ]] || exit 1
done

step "Ctrl-C (SIGINT to npm start's process group)"
kill -INT -- "-$launcher_pgid"
for ((i = 0; i < STOP_TIMEOUT_SECONDS * 5; i++)); do
  if [[ -z "$(leftovers)" ]]; then break; fi
  sleep 0.2
done
tail -n 3 "$launcher_log"
if [[ -n "$(leftovers)" ]]; then
  echo "processes left behind ${STOP_TIMEOUT_SECONDS} s after SIGINT:" >&2
  leftovers >&2
  exit 1
fi
grep -q '^\[keyward\] Stopped\.$' "$launcher_log" || { echo "the launcher did not report a clean stop" >&2; exit 1; }
if grep -q -e 'EACCES' -e '^    at ' "$launcher_log"; then
  echo "the launcher's output holds an error or a stack:" >&2
  cat "$launcher_log" >&2
  exit 1
fi
launcher_pgid=""

step "jest without DATABASE_URL (the test setup's embedded PostgreSQL) in the private folder"
(
  cd "$clone"
  unset DATABASE_URL
  export KEYWARD_SYSTEM_DIR="$system_dir"
  npx jest --ci test/embedded-postgres-as-root.e2e-spec.ts
)

step "done"
