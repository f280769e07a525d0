#!/usr/bin/env bash
# Installs every Debian bookworm package Dozvon needs to build, test and run the demo.
# Idempotent: when all packages are present it does nothing (no network, no root needed).
# Both `make demo` and `make test` (and so CI) call this script; nothing else installs anything.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake pkg-config ninja-build clang-format
  # core and storage
  libhowardhinnant-date-dev tzdata libsqlite3-dev sqlite3
  # import: phone numbers, CSV; python3-phonenumbers supplies the prefix -> time zone map at build time
  # (libre2-dev: the import fast path matches libphonenumber's own patterns with RE2, see src/import/phone.h)
  libphonenumber-dev libprotobuf-dev libicu-dev libboost-dev libcsv-dev libre2-dev python3 python3-phonenumbers
  # app glue
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  # telephony and media
  # (liburing-dev: RTP for many calls is sent and received in batches, see src/telephony/rtp_io.h)
  libre-dev libspandsp-dev libsndfile1-dev libspeexdsp-dev libespeak-ng-dev espeak-ng-data liburing-dev
  # tests and external SIP peers
  # (dnsmasq-base: a loopback DNS server for trunks given by name, SRV included;
  #  gdb: a timed-out end-to-end wait prints where each live process is stuck;
  #  rt-tests: bench/telephony measures the machine's own wake-up delay with cyclictest)
  libgtest-dev libgmock-dev sip-tester baresip dnsmasq-base gdb procps rt-tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
  else
    echo "deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq </dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "deps: done"
