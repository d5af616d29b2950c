#!/usr/bin/env bash
# Backs up what 阳光交易 cannot rebuild: intake's database and attachments, and the content
# folder with its git history (everything else — the site, the index, the signals — is rebuilt
# from the content by site-gen). docs/deploy.md, "Backups".
#
#   deploy/backup.sh [--bin DIR] --db FILE|URL --attachments DIR --content DIR [--keep-days N] OUT
#
# Writes OUT/<UTC time>/ holding intake.sqlite3 (`intake backup`: a consistent copy taken while
# intake serves, integrity-checked) or intake.pgdump (pg_dump, for a postgres:// --db),
# attachments/ (copied after the database: a stored file never changes, so every file the copy
# names is there), content.tar.gz and SHA256SUMS; then removes backups older than N days (none
# when --keep-days is not given). Check a backup with deploy/restore-drill.sh.
set -euo pipefail

bin="${BIN:-${CARGO_TARGET_DIR:-target}/release}"
db="" attachments="" content="" keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --db) db="$2"; shift 2 ;;
    --attachments) attachments="$2"; shift 2 ;;
    --content) content="$2"; shift 2 ;;
    --keep-days) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "backup: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -ne 1 ] || [ -z "$db" ] || [ -z "$content" ]; then
  echo "usage: backup.sh [--bin DIR] --db FILE|URL --attachments DIR --content DIR [--keep-days N] OUT" >&2
  exit 2
fi
out_root="$1"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
out="$out_root/$stamp"
mkdir -p "$out_root"
mkdir "$out"

case "$db" in
  postgres://*|postgresql://*)
    pg_dump --format=custom --file="$out/intake.pgdump" "$db" ;;
  *)
    "$bin/intake" --db "$db" backup --out "$out/intake.sqlite3" ;;
esac
if [ -n "$attachments" ] && [ -d "$attachments" ]; then
  # tmp/ holds uploads in progress, never a stored file.
  mkdir "$out/attachments"
  tar -C "$attachments" --exclude=./tmp -cf - . | tar -C "$out/attachments" -xf -
fi
tar -C "$(dirname "$content")" -czf "$out/content.tar.gz" "$(basename "$content")"
(cd "$out" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "backup: wrote $out ($(du -sh "$out" | cut -f1))" >&2

if [ -n "$keep" ]; then
  find "$out_root" -mindepth 1 -maxdepth 1 -type d -name '20*Z' -mtime "+$keep" -print0 |
    while IFS= read -r -d '' old; do
      rm -rf -- "$old"
      echo "backup: removed $old (older than $keep days)" >&2
    done
fi
