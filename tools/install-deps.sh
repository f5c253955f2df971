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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# postfix is installed only for its smtp-sink test peer: keep it unconfigured and stopped.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
