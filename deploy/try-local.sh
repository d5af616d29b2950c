#!/usr/bin/env bash
# The whole stack of docs/deploy.md on this machine's loopback, as the guide sets it up, then a
# submission and a search through nginx, then the backup and the restore drill; then it all
# goes away. Nothing is installed or left behind, no port outside 127.0.0.1 is opened.
#
#   deploy/try-local.sh [--bin DIR] [--keep]
#
# DIR holds the built site-gen, search-server and intake (default target/release, or
# $CARGO_TARGET_DIR/release: `cargo build --release --workspace`; tests pass target/debug).
# --keep leaves the stack running until Enter is pressed (to look around in a browser).
# Steps, each printed as it passes:
#   1. site-gen builds a copy of content/ into a scratch folder (site, index, signals);
#   2. search-server and intake start on loopback ports, trusting nginx as their proxy;
#   3. nginx (unprivileged, scratch prefix) serves the site and proxies both with the guide's
#      snippets deploy/nginx/yangguang-http.conf and yangguang-locations.conf;
#   4. through nginx: the home page, a feed's type, a folder's redirect, the 404 page, the health
#      checks, a JSON submission (201 and a tracking number), tracking it, the body limits and a
#      refused attachment, the per-client limit by the address nginx saw (a forged
#      X-Forwarded-For does not help), a search that finds the demo's company;
#   5. the access log holds no access key; deploy/backup.sh, then deploy/restore-drill.sh finds
#      the submitted case in the backup.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

bin="${CARGO_TARGET_DIR:-target}/release"
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "try-local: unknown argument $1" >&2; exit 2 ;;
  esac
done
bin="$(cd "$bin" 2>/dev/null && pwd)" || { echo "try-local: no folder $bin; build first: cargo build --release --workspace" >&2; exit 2; }
for b in site-gen search-server intake; do
  [ -x "$bin/$b" ] || { echo "try-local: $bin/$b is missing; build first: cargo build --release --workspace" >&2; exit 2; }
done
export PATH="$PATH:/usr/sbin:/sbin"
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "try-local: needs ${need[*]}: sudo apt-get install -y ${need[*]}" >&2
    exit 2
  fi
fi

tmp="$(mktemp -d)"
# nginx's workers (nobody, when started as root) read the site from here.
chmod 755 "$tmp"
pids=()
nginx_up=""
teardown() {
  if [ -n "$nginx_up" ]; then nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" -s quit 2>/dev/null || true; fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap teardown EXIT
ok() { echo "try-local: ok: $*" >&2; }
fail() {
  echo "try-local: FAILED: $*" >&2
  for f in "$tmp"/*.log "$tmp"/nginx/error.log; do
    [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }
  done
  exit 1
}
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  return 1
}
# curl through nginx: -s silent, -S errors, never a proxy from the environment.
c() { curl -sS --noproxy '*' --max-time 30 "$@"; }

# 1. The build.
cp -r content "$tmp/content"
site="$tmp/site"
"$bin/site-gen" build --quiet --content "$tmp/content" --out "$site/public" --index "$site/index" \
  --signals "$site/signals" > "$tmp/build.log" 2>&1 || fail "site-gen build"
[ -f "$site/public/index.html" ] && [ -f "$site/index/meta.json" ] || fail "the build wrote no site or index"
ok "site-gen build: $(find "$site/public" -name '*.html' | wc -l) pages, index in $site/index"

# 2. The services, on loopback, trusting nginx (127.0.0.1) as their proxy.
search_port="$(free_port)"; intake_port="$(free_port)"; nginx_port="$(free_port)"
"$bin/search-server" --index "$site/index" --listen "127.0.0.1:$search_port" --trusted-proxy 127.0.0.1 \
  > "$tmp/search.log" 2>&1 &
pids+=($!)
mkdir -p "$tmp/intake"
cat > "$tmp/intake.toml" <<CONF
trusted_proxies = ["127.0.0.1"]
[mail]
outbox_dir = "$tmp/intake/outbox"
[storage]
attachments_dir = "$tmp/intake/attachments"
[staff]
secure_cookies = false
CONF
"$bin/intake" --content "$tmp/content" --db "$tmp/intake/intake.sqlite3" --config "$tmp/intake.toml" \
  --signals "$site/signals" --listen "127.0.0.1:$intake_port" > "$tmp/intake.log" 2>&1 &
pids+=($!)

# 3. nginx with the guide's snippets; only the listen address, root and upstream ports differ
# from deploy/nginx/yangguang.conf (no TLS on loopback).
mkdir -p "$tmp/nginx/log"
cat > "$tmp/nginx/nginx.conf" <<CONF
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
worker_processes 1;
events {}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    include $repo/deploy/nginx/yangguang-http.conf;
    upstream yangguang_search { server 127.0.0.1:$search_port; keepalive 4; }
    upstream yangguang_intake { server 127.0.0.1:$intake_port; keepalive 4; }
    server {
        listen 127.0.0.1:$nginx_port;
        server_name localhost;
        set \$yangguang_hsts "";
        access_log $tmp/nginx/log/access.log yangguang;
        root $site/public;
        include $repo/deploy/nginx/yangguang-locations.conf;
    }
}
CONF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" || fail "nginx did not start"
nginx_up=1
base="http://127.0.0.1:$nginx_port"

up() {
  for _ in $(seq 1 300); do
    if c -o /dev/null -f "$base$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}
up /healthz || fail "search-server did not answer /healthz through nginx"
up /submit/healthz || fail "intake did not answer /submit/healthz through nginx"
ok "nginx on $base; search-server and intake answer their health checks through it"

# 4. Through nginx.
home="$(c -f "$base/")" || fail "GET /"
grep -q 'lang="zh-CN"' <<<"$home" || fail "the home page is not the built site"
type="$(c -o /dev/null -w '%{content_type}' -f "$base/feeds/all.xml")" || fail "GET /feeds/all.xml"
[[ "$type" == application/rss+xml* ]] || fail "the feed is served as $type"
loc="$(c -o /dev/null -w '%{http_code} %{redirect_url}' "$base/notices")"
[[ "$loc" == "301 "*"/notices/" ]] || fail "/notices answered $loc, not a redirect to /notices/"
s="$(c -o "$tmp/404.html" -w '%{http_code}' "$base/no-such-page/")"
[ "$s" = 404 ] && grep -q 'lang="zh-CN"' "$tmp/404.html" || fail "a missing page answered $s without the site's 404 page"
ok "static site: /, /feeds/all.xml ($type), /notices → /notices/, the site's 404 page"

answer="$(c -w '\n%{http_code}' -H 'Content-Type: application/json' \
  --data '{"kind":"suggestion","title":"关于部署验证的建议","content":"通过本机 nginx 提交的一条建议，用于验证部署。"}' \
  "$base/api/submissions")"
status="${answer##*$'\n'}"; body="${answer%$'\n'*}"
[ "$status" = 201 ] || fail "POST /api/submissions answered $status: $body"
number="$(sed -n 's/.*"tracking_number":"\([^"]*\)".*/\1/p' <<<"$body")"
key="$(sed -n 's/.*"access_key":"\([^"]*\)".*/\1/p' <<<"$body")"
[ -n "$number" ] && [ -n "$key" ] || fail "no tracking number in $body"
ok "submission through nginx: 201, tracking number $number"

tracked="$(c -f -G "$base/api/track" --data-urlencode "number=$number" --data-urlencode "key=$key")" ||
  fail "GET /api/track"
grep -q "\"tracking_number\":\"$number\"" <<<"$tracked" || fail "tracking answered $tracked"
ok "tracking through nginx finds $number"

# Body limits: nginx refuses what intake would refuse for its size, in intake's words (intake
# answers an oversized body at once and closes; nginx, still sending, would report 502). Under
# the limit, the body reaches intake (this one is not JSON: intake's 400).
json_status() {
  head -c "$1" /dev/zero | tr '\0' 'a' > "$tmp/body.json"
  c -o "$tmp/answer.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    --data-binary "@$tmp/body.json" "$base/api/submissions"
}
s="$(json_status 200000)"
[ "$s" = 400 ] && grep -q '"请求有误' "$tmp/answer.json" || fail "a 200 KB body: $s $(head -c 200 "$tmp/answer.json")"
for size in 300000 2000000; do
  s="$(json_status "$size")"
  [ "$s" = 413 ] && grep -q '"error":"提交的内容过大：请求体不能超过 256 KB"' "$tmp/answer.json" ||
    fail "a $size-byte JSON body: $s $(head -c 200 "$tmp/answer.json")"
done
# An attachment intake refuses by its first bytes: the form again with the error, never a 502.
head -c 3000000 /dev/urandom > "$tmp/not-a-pdf.pdf"
s="$(c -o "$tmp/answer.html" -w '%{http_code}' -F kind=suggestion -F title=附件验证 -F content=验证附件类型。 \
  -F "attachments=@$tmp/not-a-pdf.pdf;type=application/pdf" "$base/submit")"
[ "$s" = 422 ] || [ "$s" = 415 ] || [ "$s" = 400 ] || fail "a 3 MB attachment of a refused type: $s $(head -c 200 "$tmp/answer.html")"
ok "body limits: 200 KB reaches intake; 300 KB and 2 MB JSON refused by nginx in intake's words (413); a refused attachment answered $s"

# The client address intake limits by: nginx's X-Forwarded-For, the address it saw. A client
# (127.0.0.3; all of 127/8 is loopback) naming itself anew in X-Forwarded-For each time still
# runs out of its allowance, while another client (127.0.0.4) still has its own.
submit_as() {
  c -o /dev/null -w '%{http_code}' --interface "$1" -H 'Content-Type: application/json' -H "X-Forwarded-For: $2" \
    --data '{"kind":"suggestion","title":"限流验证","content":"验证按客户端地址限流。"}' "$base/api/submissions"
}
limited=""
for i in $(seq 1 30); do
  s="$(submit_as 127.0.0.3 "198.51.100.$i")"
  if [ "$s" = 429 ]; then limited=$i; break; fi
  [ "$s" = 201 ] || fail "submission $i from 127.0.0.3 answered $s"
done
[ -n "$limited" ] || fail "30 submissions from one client with a forged X-Forwarded-For each were all accepted"
s="$(submit_as 127.0.0.4 198.51.100.1)"
[ "$s" = 201 ] || fail "another client (127.0.0.4) answered $s: intake does not tell clients apart behind nginx"
ok "rate limit by client behind nginx: 127.0.0.3 limited at submission $limited despite forged X-Forwarded-For; 127.0.0.4 served"

found="$(c -f -G "$base/api/search" --data-urlencode "q=鹰城建设")" || fail "GET /api/search"
total="$(grep -o '"total":[0-9]*' <<<"$found" | head -n1 | cut -d: -f2)"
[ -n "$total" ] && [ "$total" -gt 0 ] && grep -q '"hits":\[{' <<<"$found" || fail "the search found nothing: $(head -c 300 <<<"$found")"
page="$(c -f -G "$base/search" --data-urlencode "q=鹰城建设")" || fail "GET /search"
grep -q '<mark>' <<<"$page" || fail "the search page shows no highlighted hit"
css="$(grep -o '/assets/[^"]*\.css' <<<"$page" | head -n1)"
[ -n "$css" ] && c -f -o /dev/null "$base$css" || fail "the search page's stylesheet $css is not served"
ok "search through nginx: 鹰城建设 → $total hits, HTML page with highlights and its stylesheet"

# 5. The log, the backup and the drill.
if grep -q -- "$key" "$tmp/nginx/log/access.log"; then fail "the access log holds the access key"; fi
grep -q 'GET /api/track?\[redacted\]' "$tmp/nginx/log/access.log" || fail "the access log has no redacted tracking line"
ok "access log: tracking logged without its key"

deploy/backup.sh --bin "$bin" --db "$tmp/intake/intake.sqlite3" --attachments "$tmp/intake/attachments" \
  --content "$tmp/content" "$tmp/backups" 2> "$tmp/backup.log" || fail "deploy/backup.sh"
backup="$(find "$tmp/backups" -mindepth 1 -maxdepth 1 -type d | head -n1)"
deploy/restore-drill.sh --bin "$bin" --track "$number" "$key" "$backup" 2> "$tmp/drill.log" ||
  fail "deploy/restore-drill.sh: $(tail -n 3 "$tmp/drill.log")"
ok "backup $(basename "$backup") restores, and the drill finds $number in it"

if [ -n "$keep" ]; then
  echo "try-local: the stack runs on $base/ — press Enter to stop it" >&2
  read -r _
fi
echo "try-local: all steps passed" >&2
