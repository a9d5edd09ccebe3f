#!/usr/bin/env bash
# Installs (once) and starts the project's local services on loopback, idempotently.
# Shared by `cargo xtask run` and `cargo xtask test`; safe to re-run while they run.
#
#   scripts/services.sh deps        install the Debian packages and Rust tools that are missing
#   scripts/services.sh test-deps   and what only the tests use
#   scripts/services.sh dist-deps   and what `cargo xtask dist` uses (musl target, musl-gcc)
#   scripts/services.sh start       start Postgres+PostGIS, Redis and the SMTP sink (unless DATABASE_URL /
#                                   REDIS_URL / THESET_SMTP_URL are set)
#   scripts/services.sh stop        stop what `start` started
#   scripts/services.sh env         print the services' environment as KEY=VALUE lines
#
# State lives in target/services/ of the checkout (THESET_SERVICES_DIR overrides).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${THESET_SERVICES_DIR:-$ROOT/target/services}"
PG_PORT="${THESET_PG_PORT:-55432}"
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$DIR/pg"
REDIS_PORT="${THESET_REDIS_PORT:-56379}"
REDIS_DIR="$DIR/redis"
SMTP_PORT="${THESET_SMTP_PORT:-56025}"
MAIL_DIR="$DIR/mail"
PY_DIR="$DIR/py"

log() { printf '\033[1;34m[services]\033[0m %s\n' "$*" >&2; }

# What running the product needs (`cargo xtask run`): the databases, the desktop app's build and a
# window to open it in (Xvfb when there is no display), the mail sink, the web app's build.
run_packages=(
  postgresql-15 postgresql-15-postgis-3 postgresql-contrib redis-server
  # desktop app (Tauri 2 / WebKitGTK); Xvfb for a machine without a display
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libsoup-3.0-dev
  libssl-dev pkg-config build-essential file xvfb xauth
  # `import -display :99 …`: the run command's hint for looking at the app in Xvfb
  imagemagick
  # the local SMTP sink (aiosmtpd) lives in a Python venv
  python3 python3-venv
  # the web app: SQLite's C source built for wasm (clang), its wasm shrunk (binaryen's wasm-opt)
  clang binaryen
)
# What only the tests need (`cargo xtask test`): the window tests' WebDriver and screenshots, a
# real reverse proxy (the trusted-proxy tests), the phone tests' browser and its WebDriver.
test_packages=(
  x11-utils webkit2gtk-driver nginx chromium chromium-driver
  # promtool checks and unit-tests the alerting rules (ops/alerts.yml)
  prometheus
  # the backend's static build (musl-gcc for ring's C) and its container image, checked by the
  # test command as `cargo xtask dist` builds them: readelf, systemd-analyze, curl
  musl-tools podman binutils systemd curl
)
# What `cargo xtask dist` needs: the static (musl) backend.
dist_packages=(musl-tools)

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq
    # Packages with a service (postgresql, redis, nginx) must not start system-wide daemons:
    # the project runs its own on loopback. policy-rc.d tells the installers so.
    local policy=/usr/sbin/policy-rc.d placed=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && placed=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ -n "$placed" ]; then rm -f "$policy"; fi
  fi
}

deps() {
  apt_install "${run_packages[@]}"
  rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
  local want have
  want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
  if [ -n "$want" ] && [ "$want" != "$have" ]; then
    log "installing wasm-bindgen-cli $want (a few minutes, once)"
    cargo install wasm-bindgen-cli --version "$want" --quiet
  fi
  python_tools aiosmtpd==1.4.6
}

dist_deps() {
  deps
  apt_install "${dist_packages[@]}"
  rustup target list --installed 2>/dev/null | grep -q x86_64-unknown-linux-musl \
    || rustup target add x86_64-unknown-linux-musl
}

# Everything `deps` installs, and the tools only the test suite uses.
test_deps() {
  dist_deps
  apt_install "${test_packages[@]}"
  python_tools schemathesis==4.32.5
  axe_core
  if ! cargo fuzz --version >/dev/null 2>&1; then
    log "installing cargo-fuzz (once)"
    cargo install cargo-fuzz --locked --quiet
  fi
  if ! command -v tauri-driver >/dev/null 2>&1; then
    log "installing tauri-driver (once)"
    cargo install tauri-driver --version '^2' --locked --quiet
  fi
}

# axe-core, the accessibility checker the phone tests run inside Chromium: one pinned file from the
# npm registry, checked against its hash.
axe_core() {
  local version=4.14.1 sum=e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745
  local dir="$DIR/axe-core-$version"
  if [ ! -f "$dir/axe.min.js" ]; then
    log "fetching axe-core $version (once)"
    mkdir -p "$dir"
    curl -fsSL -o "$dir/axe.tgz" "https://registry.npmjs.org/axe-core/-/axe-core-$version.tgz"
    echo "$sum  $dir/axe.tgz" | sha256sum -c --quiet
    tar -xzf "$dir/axe.tgz" -C "$dir" --strip-components=1 package/axe.min.js
    rm -f "$dir/axe.tgz"
  fi
}

# Python tools in a venv of their own, pinned: aiosmtpd (SMTP sink; running), schemathesis (API
# fuzzing; tests). Each pin is installed once and remembered, one a line, in .installed.
python_tools() {
  local missing=()
  for want in "$@"; do
    grep -qxF "$want" "$PY_DIR/.installed" 2>/dev/null || missing+=("$want")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]} into $PY_DIR (once)"
    [ -x "$PY_DIR/bin/pip" ] || /usr/bin/python3 -m venv "$PY_DIR"
    "$PY_DIR/bin/pip" install --quiet --disable-pip-version-check "${missing[@]}"
    printf '%s\n' "${missing[@]}" >> "$PY_DIR/.installed"
  fi
}

# A real SMTP server on loopback that files every message into a Maildir ($MAIL_DIR/new/).
start_smtp() {
  if [ -n "${THESET_SMTP_URL:-}" ]; then
    return
  fi
  [ -x "$PY_DIR/bin/python" ] || python_tools aiosmtpd==1.4.6
  mkdir -p "$MAIL_DIR/tmp" "$MAIL_DIR/new" "$MAIL_DIR/cur"
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then
    log "starting the SMTP sink on 127.0.0.1:$SMTP_PORT (mail lands in $MAIL_DIR/new)"
    nohup "$PY_DIR/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" \
      -c aiosmtpd.handlers.Mailbox "$MAIL_DIR" >"$DIR/smtp.log" 2>&1 &
    echo $! > "$DIR/smtp.pid"
    for _ in $(seq 1 50); do
      (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && return
      sleep 0.1
    done
    log "the SMTP sink did not start; see $DIR/smtp.log"
    exit 1
  fi
}

pg_ctl() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=${THESET_PG_FSYNC:-on}" "$@"
}

start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "DATABASE_URL is set: using that server"
    return
  fi
  mkdir -p "$PG_DIR"
  # The postgres user must traverse every parent of the data folder.
  local p="$PG_DIR"
  while [ "$p" != "/" ]; do chmod o+x "$p" 2>/dev/null || true; p="$(dirname "$p")"; done
  chown postgres:postgres "$PG_DIR"
  if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
    log "initialising a Postgres cluster in $PG_DIR"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  fi
  if ! pg_ctl status >/dev/null 2>&1; then
    log "starting Postgres on 127.0.0.1:$PG_PORT"
    if ! pg_ctl start >/dev/null; then
      tail -n 5 "$PG_DIR/log" >&2
      log "Postgres did not start. Another cluster on port $PG_PORT? Stop it, or set THESET_PG_PORT."
      exit 1
    fi
  fi
  local url="postgres://postgres@127.0.0.1:$PG_PORT"
  psql "$url/postgres" -qtAc "select 1 from pg_database where datname='theset'" | grep -q 1 \
    || psql "$url/postgres" -qc 'create database theset' >/dev/null
  # PostGIS in template1 so every test database created by sqlx::test has it ready.
  psql "$url/template1" -qc 'create extension if not exists postgis' >/dev/null 2>&1 || true
}

start_redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    return
  fi
  mkdir -p "$REDIS_DIR"
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/log" >/dev/null
  fi
}

stop() {
  if [ -f "$DIR/smtp.pid" ] && kill "$(cat "$DIR/smtp.pid")" 2>/dev/null; then
    rm -f "$DIR/smtp.pid"
    log "SMTP sink stopped"
  fi
  if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
    log "Redis stopped"
  fi
  if [ -f "$PG_DIR/data/PG_VERSION" ] && pg_ctl status >/dev/null 2>&1; then
    pg_ctl stop -m fast >/dev/null && log "Postgres stopped"
  fi
}

# KEY=VALUE lines: `export $(scripts/services.sh env)` in a shell; cargo xtask parses them.
env_out() {
  echo "DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:$PG_PORT/theset}"
  echo "REDIS_URL=${REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/}"
  echo "THESET_SMTP_URL=${THESET_SMTP_URL:-smtp://127.0.0.1:$SMTP_PORT}"
  echo "THESET_MAIL_DIR=${THESET_MAIL_DIR:-$MAIL_DIR}"
  echo "THESET_PY_DIR=$PY_DIR"
  echo "THESET_AXE=$DIR/axe-core-4.14.1/axe.min.js"
}

case "${1:-start}" in
  deps) deps ;;
  test-deps) test_deps ;;
  dist-deps) dist_deps ;;
  start) start; start_redis; start_smtp ;;
  stop) stop ;;
  # The reliability suite restarts the database under load (fast shutdown: like a crash for
  # every open connection).
  restart-pg) pg_ctl restart -m fast >/dev/null && log "Postgres restarted" ;;
  env) env_out ;;
  *) echo "usage: $0 deps|test-deps|dist-deps|start|stop|restart-pg|env" >&2; exit 2 ;;
esac
