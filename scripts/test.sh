#!/usr/bin/env bash
# Every test, on a fresh machine: installs what the tests need (as root, from Debian), starts a
# throwaway PostgreSQL for intake's data-layer tests, then runs the whole workspace's tests.
# README's test command; .ci/run calls it too, after the format, lint and invariant checks.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -p intake       # extra arguments go to `cargo test --workspace --locked`
#
# Needs: Debian's chromium and chromium-driver (the browser tests), fonts-noto-cjk (Chinese text
# in screenshots and layout checks), postgresql-15 (intake on PostgreSQL), rsync (the search
# replicas' test runs deploy/sync-index.sh). Without root the script
# names what is missing and the apt-get line that installs it.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v rsync >/dev/null || need+=(rsync)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "scripts/test.sh: the tests need ${need[*]}; install them with:" >&2
    echo "  sudo apt-get install -y ${need[*]}" >&2
    exit 2
  fi
fi

if [ -z "${INTAKE_TEST_POSTGRES_URL:-}" ]; then
  echo "== PostgreSQL for intake's data-layer tests" >&2
  # The cluster is stopped and its folder deleted however the tests end: each run used to leave
  # ~120 MB in /tmp, and a long-lived machine ran out of disk.
  pgdir=$(mktemp -d /tmp/intake-pg.XXXXXX)
  trap 'bash intake/scripts/stop-postgres.sh "$pgdir"' EXIT
  INTAKE_TEST_POSTGRES_URL="$(bash intake/scripts/start-postgres.sh "$pgdir")"
  export INTAKE_TEST_POSTGRES_URL
fi

echo "== cargo test --workspace --locked $*" >&2
cargo test --workspace --locked "$@"
