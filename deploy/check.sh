#!/usr/bin/env bash
# Checks the deployment files of docs/deploy.md without installing them:
#   - every systemd unit in deploy/systemd/ passes `systemd-analyze verify`, alone and with the
#     replica drop-ins, in a scratch root holding the binaries and scripts the units start, and
#     each service's sandbox scores an exposure level of 2.0 or less (`systemd-analyze security`);
#   - the nginx site passes `nginx -t`, with the snippets it includes, under a minimal main
#     configuration in a scratch prefix (no root needed: without it, ports 80 and 443 are
#     replaced by free high ports, as nginx -t opens the listening sockets);
#   - the logrotate file passes `logrotate --debug`;
#   - the scripts pass `bash -n`.
#
#   deploy/check.sh [--bin DIR]
#
# DIR holds the built site-gen, search-server and intake (default: target/release, or
# $CARGO_TARGET_DIR/release); without them the units are checked against stand-ins. As root, the
# tools that are missing (nginx, systemd-analyze, openssl, logrotate) are installed from Debian;
# otherwise each check whose tool is missing is skipped with a line saying so. .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"

bin="${CARGO_TARGET_DIR:-target}/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "check: unknown argument $1" >&2; exit 2 ;;
  esac
done

need=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v systemd-analyze >/dev/null || need+=(systemd)
command -v openssl >/dev/null || need+=(openssl)
command -v logrotate >/dev/null || [ -x /usr/sbin/logrotate ] || need+=(logrotate)
if [ ${#need[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "== installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin:/sbin"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=0

echo "== bash -n deploy/*.sh" >&2
for s in deploy/*.sh; do
  bash -n "$s" || { echo "check: $s: syntax error" >&2; failed=1; }
done

# --- systemd -------------------------------------------------------------------------------
verify_units() {
  local root="$1"; shift
  local out
  # verify's exit code misses a misspelt setting (it warns and goes on): any output fails.
  if ! out="$(systemd-analyze verify --root="$root" "$@" 2>&1)" || [ -n "$out" ]; then
    echo "$out" >&2
    return 1
  fi
}

if command -v systemd-analyze >/dev/null; then
  echo "== systemd-analyze verify deploy/systemd/*" >&2
  root="$scratch/root"
  units_dir=""
  for d in /usr/lib/systemd/system /lib/systemd/system; do
    [ -f "$d/multi-user.target" ] && { units_dir="$d"; break; }
  done
  if [ -z "$units_dir" ]; then
    echo "check: systemd's own units (multi-user.target) are not installed; apt-get install systemd" >&2
    exit 1
  fi
  mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system" "$root/opt/yangguang/current/bin" \
    "$root/opt/yangguang/current/deploy"
  cp -r "$units_dir" "$root/usr/lib/systemd/system"
  for b in site-gen search-server intake; do
    if [ -x "$bin/$b" ]; then
      cp "$bin/$b" "$root/opt/yangguang/current/bin/$b"
    else
      printf '#!/bin/sh\nexit 0\n' > "$root/opt/yangguang/current/bin/$b"
      chmod +x "$root/opt/yangguang/current/bin/$b"
      stand_in=1
    fi
  done
  [ -z "${stand_in:-}" ] || echo "   ($bin has no built binaries: checking against stand-ins)" >&2
  cp deploy/*.sh "$root/opt/yangguang/current/deploy/"
  cp deploy/systemd/*.service deploy/systemd/*.path deploy/systemd/*.timer "$root/etc/systemd/system/"
  units=()
  for u in deploy/systemd/*.service deploy/systemd/*.path deploy/systemd/*.timer; do
    units+=("$(basename "$u")")
  done
  if verify_units "$root" "${units[@]}"; then
    echo "   ${#units[@]} units: ok" >&2
  else
    echo "check: systemd-analyze verify failed" >&2; failed=1
  fi
  # The sandbox stays tight: systemd's exposure level (0 safe … 10 unsafe) at most 2.0 each.
  services=()
  for u in deploy/systemd/*.service; do services+=("$(basename "$u")"); done
  if out="$(systemd-analyze security --offline=true --threshold=20 --root="$root" "${services[@]}" 2>&1)"; then
    echo "   exposure: $(grep -o 'Overall exposure level for [^:]*: [0-9.]*' <<<"$out" |
      sed 's/Overall exposure level for //' | paste -sd ',' | sed 's/,/, /g')" >&2
  else
    grep 'Overall exposure' <<<"$out" >&2 || echo "$out" >&2
    echo "check: a service's exposure level is above 2.0 (systemd-analyze security)" >&2; failed=1
  fi
  # The replica drop-ins, installed where docs/deploy.md puts them.
  mkdir -p "$root/etc/systemd/system/yangguang-build.service.d" \
    "$root/etc/systemd/system/yangguang-search.service.d"
  cp deploy/systemd/replicas/sync-replicas.conf "$root/etc/systemd/system/yangguang-build.service.d/"
  cp deploy/systemd/replicas/replica-listen.conf "$root/etc/systemd/system/yangguang-search.service.d/"
  if verify_units "$root" yangguang-build.service yangguang-search.service; then
    echo "   with the replica drop-ins: ok" >&2
  else
    echo "check: systemd-analyze verify failed with the replica drop-ins" >&2; failed=1
  fi
else
  echo "== systemd-analyze is not installed: units NOT checked (as root this script installs it)" >&2
fi

# --- nginx ---------------------------------------------------------------------------------
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  echo "== nginx -t deploy/nginx/yangguang.conf" >&2
  prefix="$scratch/nginx"
  mkdir -p "$prefix/ssl" "$prefix/log" "$prefix/sites"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=ggzy.example.gov.cn \
    -keyout "$prefix/ssl/privkey.pem" -out "$prefix/ssl/fullchain.pem" 2>/dev/null
  # The site file as installed, with the installed paths pointed into the scratch prefix.
  sed -e "s#/etc/nginx/snippets/#$repo/deploy/nginx/#g" \
      -e "s#/etc/ssl/yangguang/#$prefix/ssl/#g" \
      -e "s#/var/log/yangguang/#$prefix/log/#g" \
      deploy/nginx/yangguang.conf > "$prefix/sites/yangguang.conf"
  # nginx -t opens the listening sockets: without root, ports 80 and 443 become free high ones.
  if [ "$(id -u)" != 0 ]; then
    p80=$((20000 + RANDOM % 20000)); p443=$((p80 + 1))
    sed -i -E -e "s/listen (\[::\]:)?80;/listen \1$p80;/" \
      -e "s/listen (\[::\]:)?443 /listen \1$p443 /" "$prefix/sites/yangguang.conf"
  fi
  if grep -nE '/etc/nginx/snippets|/etc/ssl/yangguang|/var/log/yangguang' "$prefix/sites/yangguang.conf"; then
    echo "check: a path of the site file was not redirected for the test" >&2; failed=1
  fi
  cat > "$prefix/nginx.conf" <<CONF
pid $prefix/nginx.pid;
error_log $prefix/log/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $prefix/log/access.log;
    client_body_temp_path $prefix/body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    include $prefix/sites/yangguang.conf;
}
CONF
  if out="$(nginx -t -p "$prefix" -e "$prefix/log/error.log" -c "$prefix/nginx.conf" 2>&1)"; then
    echo "   ok" >&2
  else
    echo "$out" >&2
    echo "check: nginx -t failed" >&2; failed=1
  fi
else
  echo "== nginx or openssl is not installed: the nginx site NOT checked (as root this script installs them)" >&2
fi

# --- logrotate -----------------------------------------------------------------------------
if command -v logrotate >/dev/null; then
  echo "== logrotate --debug deploy/logs/logrotate-yangguang" >&2
  if out="$(logrotate --debug --state "$scratch/logrotate.state" deploy/logs/logrotate-yangguang 2>&1)" &&
     ! grep -qiE '^error|unknown option|bad line' <<<"$out"; then
    echo "   ok" >&2
  else
    echo "$out" >&2
    echo "check: logrotate rejects deploy/logs/logrotate-yangguang" >&2; failed=1
  fi
else
  echo "== logrotate is not installed: NOT checked" >&2
fi

exit "$failed"
