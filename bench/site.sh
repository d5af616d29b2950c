#!/usr/bin/env bash
# The site-build benchmark (issue 2): generates N disclosures with gen-corpus, then measures
#   1. a clean `site-gen build` (pages, feeds, JSON, log and search index),
#   2. the same build without the search index,
#   3. a rebuild after one file changed,
#   4. Hugo (Debian's `hugo`) building the same corpus with minimal templates (bench/hugo/),
# each with wall time, pages per second and peak RSS, in one run on this machine.
# Usage: bench/site.sh [N]   (default 100000; BENCH_DIR to choose the scratch folder)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
dir=${BENCH_DIR:-/tmp/yg-bench-$n}
cargo build --release --quiet -p site-gen --bins
bin=target/release
rm -rf "$dir"
mkdir -p "$dir"
echo "generating $n disclosures in $dir/content"
"$bin/gen-corpus" --n "$n" --out "$dir/content"

# run LABEL OUT CMD…: runs CMD under /usr/bin/time, then prints its wall time, the HTML pages in
# $dir/OUT per second, its peak RSS and what it printed.
run() {
  local label=$1 out=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$dir/time" "$@" >"$dir/stdout" 2>"$dir/stderr" || {
    cat "$dir/stderr" >&2
    return 1
  }
  read -r wall rss_kb <"$dir/time"
  local pages
  pages=$(find "$dir/$out" -name '*.html' 2>/dev/null | wc -l)
  awk -v l="$label" -v w="$wall" -v p="$pages" -v r="$rss_kb" 'BEGIN {
    printf "%-34s %8.2f s %9d pages %9.0f pages/s %7.0f MiB peak RSS\n", l, w, p, (w > 0 ? p / w : 0), r / 1024 }' 
  sed 's/^/    /' "$dir/stdout"
}

echo
echo "== site-gen, N=$n, $(nproc) cores"
run "site-gen build (clean, with index)" public "$bin/site-gen" build --clean --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26
du -sh "$dir/index" | sed 's/^/    index size: /'
rm -rf "$dir/public-noindex" "$dir/.public-noindex.site-gen-cache"
run "site-gen build (clean, no index)" public-noindex "$bin/site-gen" build --clean --timings --no-index \
  --content "$dir/content" --out "$dir/public-noindex" --today 2026-11-26

one=$(find "$dir/content/notices" -name '*.md' | sort | sed -n 1p)
printf '\n补充说明：本公告内容不变。\n' >>"$one"
run "site-gen build (one file changed)" public "$bin/site-gen" build --timings \
  --content "$dir/content" --out "$dir/public" --index "$dir/index" --today 2026-11-26

echo
echo "== hugo $(hugo version | awk '{print $2}'), same corpus, minimal templates (bench/hugo)"
run "hugo" hugo-public hugo --quiet --source bench/hugo --contentDir "$dir/content" \
  --destination "$dir/hugo-public"
