#!/usr/bin/env bash
# The site-build benchmark (issue 2): generates N disclosures with gen-corpus, then measures
#   1. a clean `site-gen build` without the search index (pages, feeds, JSON and log),
#   2. the same build with the search index,
#   3. the clean build without the index and without company pages (issue 11 allows them 15%),
#      and without the supervision signals (issue 12 allows them 10%),
#   4. a rebuild after one file changed (four different changes, one after another),
#   5. Hugo (Debian's `hugo`) building the same corpus with minimal templates (bench/hugo/),
# each with wall time, pages per second, peak RSS and the time it started, in one run on this
# machine (the builds compared with each other run next to each other: see below); then
#   6. the floor of each clean build: the same corpus read and the same files written, with no
#      parsing or rendering in between (bench write-floor), on all cores and on one,
# and the ratios the issues set targets for.
# Usage: bench/site.sh [N]   (default 100000; BENCH_DIR to choose the scratch folder, which is
# kept after the run for inspection and deleted by the next run; BENCH_HUGO=no skips Hugo)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${BENCH_DIR:-/tmp/yg-bench-$n}
# Hugo runs after minutes of builds (between the two site-gen clean builds it is compared with):
# its absence is told before any of them.
if [ "${BENCH_HUGO:-yes}" != no ] && ! command -v hugo >/dev/null; then
  echo "bench/site.sh: hugo is not installed: apt-get install hugo (Debian's 0.111 is the one measured), or BENCH_HUGO=no to run without it" >&2
  exit 2
fi
cargo build --release --quiet -p site-gen -p bench --bins
bin=target/release
# ext4 skips inodes freed in the last few minutes when it allocates new ones (`recently_deleted`
# in fs/ext4/ialloc.c: 60 s, 360 s while the inode table block is dirty), so creating 300,000
# files right after deleting a previous run's 700,000 measures that scan, not the build: the same C
# loop that makes 100,000 folders and 200,000 files took 7.5 s on a quiet disk and 98 s a minute
# after such a deletion. So the previous run's files go first, and the run waits until they are
# forgotten (the time of the last deletion is kept in $stamp).
stamp=${TMPDIR:-/tmp}/yg-bench-deleted-at
if [ -e "$dir" ]; then
  rm -rf "$dir"
  sync
  date +%s >"$stamp"
fi
if [ -e "$stamp" ]; then
  wait_s=$(($(cat "$stamp") + 400 - $(date +%s)))
  if [ "$wait_s" -gt 0 ]; then
    echo "waiting ${wait_s} s for the file system to forget the files deleted before this run"
    sleep "$wait_s"
  fi
fi
mkdir -p "$dir"
echo "generating $n disclosures in $dir/content"
"$bin/gen-corpus" --n "$n" --out "$dir/content"

# Every timed run starts with the disk quiet: the previous run's writes flushed, and the blocks
# of deleted files given back (this file system discards them, slowly, at each journal commit).
# A clean build, ours or Hugo's, also starts with free memory: the page cache is emptied and the
# content read back into it. Each run leaves its 1-2 GB of output cached, and a run that had to
# evict the previous runs' pages took up to twice as long (needs root; else the cache is kept).
settle() {
  sync
  if [ "${SETTLE:-}" = clean ] && [ -w /proc/sys/vm/drop_caches ]; then
    echo 3 >/proc/sys/vm/drop_caches
    find "$dir/content" -type f -print0 | xargs -0 cat >/dev/null
  fi
  sleep 2
}

# run LABEL OUT CMD…: runs CMD under /usr/bin/time, then prints its wall time, the HTML pages in
# $dir/OUT per second, its peak RSS, its user and system CPU time, when it started and what it
# printed.
run() {
  local label=$1 out=$2
  shift 2
  settle
  local at
  at=$(date +%T)
  /usr/bin/time -f "%e %M %U %S" -o "$dir/time" "$@" >"$dir/stdout" 2>"$dir/stderr" || {
    cat "$dir/stderr" >&2
    return 1
  }
  read -r wall rss_kb user sys <"$dir/time"
  walls[$label]=$wall
  local pages
  pages=$(find "$dir/$out" -name '*.html' 2>/dev/null | wc -l)
  awk -v l="$label" -v at="$at" -v w="$wall" -v p="$pages" -v r="$rss_kb" -v u="$user" -v s="$sys" 'BEGIN {
    printf "%-34s %8.2f s %9d pages %9.0f pages/s %7.0f MiB peak RSS %7.2f s user %6.2f s sys  (%s)\n",
      l, w, p, (w > 0 ? p / w : 0), r / 1024, u, s, at }' 
  sed 's/^/    /' "$dir/stdout"
}

declare -A walls

# floor LABEL BUILT: times write-floor making a fresh copy of $dir/BUILT from the corpus, starting
# as the clean builds do (page cache emptied, content read back), on all cores and then on one
# (on this disk two threads making files in the same folders often take longer than one); the
# lower wall time is kept as the floor. Each copy goes to a folder of its own, deleted at the
# end of the run: deleting one before the next is made would slow that one.
floor() {
  local label=$1 built=$2 best=
  for threads in "$(nproc)" 1; do
    SETTLE=clean settle
    "$bin/write-floor" --read "$dir/content" --like "$dir/$built" --out "$dir/floor-$built-$threads" \
      --threads "$threads" >"$dir/stdout"
    local line wall
    line=$(tail -n 1 "$dir/stdout")
    wall=$(awk '{print $2}' <<<"$line")
    printf '%-34s %8.2f s   on %d thread(s): %s\n' "$label" "$wall" "$threads" "${line#floor: }"
    if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
      best=$wall
    fi
  done
  walls[$label]=$best
}

# ratio A B: A's wall time over B's.
ratio() { awk -v a="${walls[$1]}" -v b="${walls[$2]}" 'BEGIN { printf "%.2f", a / b }'; }

# This machine's CPU and disk speed drift by a third within a quarter of an hour, so the builds
# compared with each other run next to each other: the two builds without company pages and
# without signals just before the build they are compared with, then that build and its floor,
# Hugo and its floor, and the build with the index right after them (the rebuilds follow it).
# When Hugo ran last, twelve minutes after site-gen's clean builds, its ratio to them moved
# between 1.6x and 2.9x from one run to the next with nothing in the build changed.
echo
echo "== site-gen, N=$n, $(nproc) cores"
# Without company pages: SITE_GEN_BENCH_NO_COMPANY_PAGES is read by site-gen for this comparison
# only (issue 11 allows them 15%).
rm -rf "$dir/public-nocompanies" "$dir/.public-nocompanies.site-gen-cache"
SITE_GEN_BENCH_NO_COMPANY_PAGES=1 SETTLE=clean run "site-gen build (clean, no index, no companies)" \
  public-nocompanies "$bin/site-gen" build --clean --timings --no-index \
  --content "$dir/content" --out "$dir/public-nocompanies" --today 2026-11-26
# Without the supervision signals (issue 12 allows them 10%): `--no-signals`.
rm -rf "$dir/public-nosignals" "$dir/.public-nosignals.site-gen-cache"
SETTLE=clean run "site-gen build (clean, no index, no signals)" \
  public-nosignals "$bin/site-gen" build --clean --timings --no-index --no-signals \
  --content "$dir/content" --out "$dir/public-nosignals" --today 2026-11-26
rm -rf "$dir/public-noindex" "$dir/.public-noindex.site-gen-cache"
SETTLE=clean run "site-gen build (clean, no index)" public-noindex "$bin/site-gen" build --clean --timings --no-index \
  --content "$dir/content" --out "$dir/public-noindex" --today 2026-11-26
# Its floor at once, on the same disk: the corpus read and the same files written, nothing else.
floor "floor of site-gen's output" public-noindex

if [ "${BENCH_HUGO:-yes}" != no ]; then
  echo
  echo "== hugo $(hugo version | awk '{print $2}'), same corpus, minimal templates (bench/hugo)"
  SETTLE=clean run "hugo" hugo-public hugo --quiet --source bench/hugo --contentDir "$dir/content" \
    --destination "$dir/hugo-public"
  floor "floor of Hugo's output" hugo-public
  echo
fi

# The build with the index last: the rebuilds below then run on the site it has just written, as
# they would after `site-gen serve` built it (emptying the page cache before another clean build
# would make them read it all back from disk).
SETTLE=clean run "site-gen build (clean, with index)" public "$bin/site-gen" build --clean --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26
du -sh "$dir/index" | sed 's/^/    index size: /'

# One file changed, four times over: a notice's body, a result's title, another notice's date
# (which moves it down every list it is on), a public penalty's text (its subject's company page
# and the results it won, with their projects, are rendered again).
notice=$(find "$dir/content/notices" -name '*.md' | sort | sed -n 1p)
result=$(find "$dir/content/results" -name '*.md' | sort | sed -n 1p)
moved=$(find "$dir/content/notices" -name '*.md' | sort | sed -n 2p)
penalty=$(grep -rlE '^public_until = 20(2[7-9]|[3-9][0-9])' "$dir/content/penalties" | sort | sed -n 1p)
printf '\n补充说明：本公告内容不变。\n' >>"$notice"
run "site-gen build (a notice's body)" public "$bin/site-gen" build --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26
sed -i '0,/^title = "/s//title = "（更正）/' "$result"
run "site-gen build (a result's title)" public "$bin/site-gen" build --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26
sed -i '0,/^date = [0-9]\{4\}/s//date = 2016/' "$moved"
run "site-gen build (a notice's date)" public "$bin/site-gen" build --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26
sed -i '0,/^penalty = "/s//penalty = "（更正）/' "$penalty"
run "site-gen build (a penalty's text)" public "$bin/site-gen" build --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26

# The floors' copies go last (see `floor`); the next run waits for the file system to forget them.
forget_floors() {
  rm -rf "$dir"/floor-*
  sync
  date +%s >"$stamp"
}

forget_floors
if [ "${BENCH_HUGO:-yes}" = no ]; then
  exit 0
fi

echo
echo "== ratios (issue 13: Hugo at least 2x the build with the index, 4x the build without it)"
echo "Hugo / site-gen with the index:    $(ratio hugo "site-gen build (clean, with index)")x"
echo "Hugo / site-gen without the index: $(ratio hugo "site-gen build (clean, no index)")x"
echo "Hugo / the floor of site-gen's output: $(ratio hugo "floor of site-gen's output")x (the most any build of these files could reach)"
echo "site-gen without the index / its floor: $(ratio "site-gen build (clean, no index)" "floor of site-gen's output")x"
echo "Hugo / the floor of its own output: $(ratio hugo "floor of Hugo's output")x"
