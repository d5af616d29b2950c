#!/usr/bin/env bash
# The restore drill: restores one backup of deploy/backup.sh into a scratch folder and proves it
# usable, without touching the running installation. docs/deploy.md, "Restore drill".
#
#   deploy/restore-drill.sh [--bin DIR] [--track NUMBER KEY] BACKUP_FOLDER
#
# Checks the checksums, unpacks the content and validates it (`site-gen check`), checks the
# database's audit chain against the anchors the content publishes (`intake audit verify`),
# starts intake on the restored copy on a loopback port and asks its health check, and with
# --track looks up a case you know (number and access key) through /api/track. Exits non-zero
# naming the first step that failed. SQLite backups only (a pg_dump is restored with pg_restore).
set -euo pipefail

bin="${BIN:-${CARGO_TARGET_DIR:-target}/release}"
track_number="" track_key=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --track) track_number="$2"; track_key="$3"; shift 3 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "restore-drill: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: restore-drill.sh [--bin DIR] [--track NUMBER KEY] BACKUP_FOLDER" >&2; exit 2; }
backup="$(cd "$1" && pwd)"
step() { echo "restore-drill: $*" >&2; }
fail() { echo "restore-drill: FAILED: $*" >&2; exit 1; }

scratch="$(mktemp -d)"
intake_pid=""
cleanup() {
  if [ -n "$intake_pid" ]; then kill "$intake_pid" 2>/dev/null || true; wait "$intake_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

step "checksums of $backup"
(cd "$backup" && sha256sum --check --quiet SHA256SUMS) || fail "a file of the backup does not match SHA256SUMS"
[ -f "$backup/intake.sqlite3" ] || fail "no intake.sqlite3 in $backup (a pg_dump is restored with pg_restore)"

step "unpacking into $scratch"
mkdir -p "$scratch/content" "$scratch/data"
tar -C "$scratch/content" --strip-components=1 -xzf "$backup/content.tar.gz"
cp "$backup/intake.sqlite3" "$scratch/data/intake.sqlite3"
if [ -d "$backup/attachments" ]; then cp -a "$backup/attachments" "$scratch/data/attachments"; fi
printf '[mail]\noutbox_dir = "%s"\n[storage]\nattachments_dir = "%s"\n' \
  "$scratch/data/outbox" "$scratch/data/attachments" > "$scratch/intake.toml"
intake=("$bin/intake" --content "$scratch/content" --db "$scratch/data/intake.sqlite3" --config "$scratch/intake.toml")

step "site-gen check (the content validates)"
"$bin/site-gen" check --content "$scratch/content" >&2 || fail "the restored content does not validate"

step "intake audit verify (the chain, the case rows, the published anchors)"
"${intake[@]}" audit verify >&2 || fail "the audit chain of the restored database does not verify"

step "intake on the restored copy"
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || fail "no free loopback port"
"${intake[@]}" --listen "127.0.0.1:$port" 2> "$scratch/intake.log" &
intake_pid=$!
up=""
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/submit/healthz" 2>/dev/null | grep -q '"ok"'; then up=1; break; fi
  kill -0 "$intake_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { cat "$scratch/intake.log" >&2; fail "intake did not answer its health check on the restored database"; }

if [ -n "$track_number" ]; then
  step "tracking $track_number"
  answer="$(curl -sS -G "http://127.0.0.1:$port/api/track" \
    --data-urlencode "number=$track_number" --data-urlencode "key=$track_key")"
  echo "$answer" | grep -q "\"tracking_number\":\"$track_number\"" ||
    fail "case $track_number is not in the restored database: $answer"
fi
step "OK: $backup restores (content valid, audit chain intact, intake serves it)"
