#!/usr/bin/env bash
# Installs every build and test dependency of textscreen from Debian 12's packages.
# Idempotent and non-interactive: CI runs it on a clean machine with no stdin.
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev clang-format
  libevent-dev libssl-dev liblmdb-dev lmdb-utils libspf2-dev libopendkim-dev
  libboost-program-options-dev libgtest-dev libgmock-dev libbenchmark-dev
  libphonenumber-dev libc-ares-dev libfmt-dev nlohmann-json3-dev
  libopendmarc-dev libpsl-dev publicsuffix libgmime-3.0-dev libre2-dev libxml2-dev libxxhash-dev
  libhiredis-dev
  libcrypt-dev openssl
  # docs: the conf_man_doc test renders doc/textscreen.conf.5
  man-db groff-base
  # test peers
  swaks python3 python3-aiosmtpd python3-dnslib unbound postfix
  opendkim-tools python3-dkim python3-nacl
  # packaging/build-deb (CPack runs file and dpkg-shlibdeps), the manual pages
  dpkg-dev file man-db adduser
  # redis-server: the fleet test starts its own on a free loopback port
  redis-server
  # the browser tests (tests/web): Debian's Chromium, driven by playwright-core on the
  # machine's own Node.js; fonts so the screenshots show text
  chromium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  # postfix is installed only for its smtp-sink test peer: keep it unconfigured and stopped.
  echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# playwright-core for the browser tests, exactly as tests/web/package-lock.json pins it,
# with the machine's own Node.js and npm (never Debian's). npm keeps a copy of what it
# installed in node_modules/.package-lock.json: when that matches, npm is not run at all.
web="$(cd "$(dirname "$0")/.." && pwd)/tests/web"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "install-deps.sh: node and npm are needed for tests/web (the browser tests)" >&2
  exit 1
fi
if ! node -e '
  const fs = require("fs");
  const wanted = JSON.parse(fs.readFileSync(process.argv[1])).packages;
  const have = JSON.parse(fs.readFileSync(process.argv[2])).packages;
  delete wanted[""];
  process.exit(JSON.stringify(wanted) === JSON.stringify(have) ? 0 : 1);
' "$web/package-lock.json" "$web/node_modules/.package-lock.json" 2>/dev/null; then
  npm ci --prefix "$web" --no-audit --no-fund --loglevel=error
fi
