#!/usr/bin/env bash
# `npm test`'s set-up (its pretest script), so the README's test command works on a fresh Debian machine:
# Debian's Chromium for the browser tests (never a downloaded browser), and PostgreSQL and Redis on 127.0.0.1 for
# the scale-out tests. Installs or starts only what is missing and only when it may (root, apt, no prompt);
# otherwise it prints one line saying what to run. Harmless when everything is there.
# SETUP_DRY_RUN=1 prints the commands instead of running them (tests); CHROMIUM names the browser to look for.
set -u
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
run() {
  if [ "${SETUP_DRY_RUN:-}" = 1 ]; then echo "setup would run: $*"; else "$@"; fi
}
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
is_root() { [ "${EUID:-$(id -u)}" = 0 ]; }

if [ ! -x "$CHROMIUM" ]; then
  if is_root && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium for the browser tests"
    run env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium || echo "setup: could not install chromium"
  else
    echo "setup: the browser tests need Debian's Chromium at $CHROMIUM: run  sudo apt-get install -y chromium"
  fi
fi

if ! answers 5432 && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  if is_root; then
    run pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || echo "setup: could not start PostgreSQL"
  else
    echo "setup: PostgreSQL is not answering on 127.0.0.1:5432: run  sudo pg_ctlcluster $(ls /etc/postgresql | head -n 1) main start"
  fi
fi

if ! answers 6379 && command -v redis-server >/dev/null 2>&1; then
  run redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null || echo "setup: could not start Redis"
fi
exit 0
