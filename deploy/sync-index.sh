#!/usr/bin/env bash
# Copies the committed search index to search replicas, so that each replica's search-server
# picks up the new build without a failed request (docs/deploy.md, "Search replicas").
#
#   deploy/sync-index.sh [--grace SECONDS] SOURCE_INDEX DEST...
#
# SOURCE_INDEX is the folder `site-gen build --index` writes; each DEST is an rsync destination,
# a local folder or host:/folder (over ssh). Run it after the build, never during one (the
# rebuild unit runs it as its next step; systemd never runs one service twice at once).
#
# Why in this order: a search-server opens a new index when the index's meta.json changes
# (tantivy checks it every 500 ms). meta.json names the segment files of the commit, so
#   1. every other file goes first: the new segments (segment files are never changed in place;
#      a commit writes new files under new names), companies.json, site.toml, departments.toml;
#   2. then meta.json, by itself: rsync writes it to a temporary file and renames it, so a
#      replica reads either the old commit or the new one, each with all its files present;
#   3. after a grace period (a replica has reopened the index by then), the old segments go.
#      A replica that still had them open keeps reading them until it lets go (Linux keeps an
#      open, deleted file), so even a slow one never fails a request.
# Each file is written to a temporary name and renamed (rsync's default; never use --inplace).
# Lock files (.tantivy-*.lock) are each replica's own and are neither copied nor deleted.
set -euo pipefail

grace=5
while [ $# -gt 0 ]; do
  case "$1" in
    --grace) grace="$2"; shift 2 ;;
    --grace=*) grace="${1#--grace=}"; shift ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --) shift; break ;;
    -*) echo "sync-index: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "usage: sync-index.sh [--grace SECONDS] SOURCE_INDEX DEST..." >&2
  exit 2
fi
src="${1%/}"
shift
if [ ! -f "$src/meta.json" ]; then
  echo "sync-index: $src/meta.json: no committed index here; run site-gen build first" >&2
  exit 1
fi
command -v rsync >/dev/null || { echo "sync-index: rsync is not installed (apt-get install rsync)" >&2; exit 2; }

# The commit being copied: meta.json as it is now. If a build commits while the files are
# copied, meta.json changes and the copy is started again (at most three times).
snap="$(mktemp -d)"
trap 'rm -rf "$snap"' EXIT
common=(--archive --exclude='.tantivy-*' --exclude='*.tmp')

for attempt in 1 2 3; do
  cp -p "$src/meta.json" "$snap/meta.json"
  for dest in "$@"; do
    # 1. Everything but meta.json. Segment files are compared by size and time (they never
    # change under one name); the small files are always copied, as their size may not change.
    rsync "${common[@]}" --exclude='*.json' --exclude='*.toml' "$src/" "$dest/"
    rsync "${common[@]}" --ignore-times --exclude=meta.json \
      --include='*.json' --include='*.toml' --exclude='*' "$src/" "$dest/"
  done
  if cmp -s "$src/meta.json" "$snap/meta.json"; then
    break
  fi
  if [ "$attempt" = 3 ]; then
    echo "sync-index: the index in $src kept changing during the copy (is a build running?); nothing switched" >&2
    exit 1
  fi
  echo "sync-index: a build committed during the copy; copying again" >&2
done

# 2. The switch: meta.json last, alone.
for dest in "$@"; do
  rsync --archive --ignore-times "$snap/meta.json" "$dest/meta.json"
done
echo "sync-index: $(date -u +%FT%TZ) switched $# replica(s) to $(grep -o '"opstamp":[0-9]*' "$snap/meta.json" | head -n1)" >&2

# 3. After the grace period, the files the new commit no longer uses. Skipped when a build
# committed meanwhile: the next sync removes them.
sleep "$grace"
if cmp -s "$src/meta.json" "$snap/meta.json"; then
  for dest in "$@"; do
    rsync "${common[@]}" --exclude=meta.json --delete --existing --ignore-existing "$src/" "$dest/"
  done
else
  echo "sync-index: a build committed after the switch; old files are left for the next sync" >&2
fi
