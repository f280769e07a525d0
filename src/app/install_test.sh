#!/usr/bin/env bash
# `make install`'s rules, staged into a temporary DESTDIR: the binary runs from there, and the
# examples a deployment starts from (systemd unit, compliance presets, demo) come with it.
set -euo pipefail
BUILD=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

DESTDIR="$T/stage" cmake --install "$BUILD" --prefix /opt/dozvon > "$T/log" || fail "cmake --install: $(cat "$T/log")"
R="$T/stage/opt/dozvon"
[ -x "$R/bin/dozvon" ] || fail "no bin/dozvon"
[ "$("$R/bin/dozvon" --version)" = "dozvon 0.1.0" ] || fail "installed binary: $("$R/bin/dozvon" --version)"
D="$R/share/doc/dozvon"
for f in examples/dozvon.service examples/ru-230fz.toml examples/demo/reminder.toml README.md docs/serve.md; do
  [ -s "$D/$f" ] || fail "not installed: share/doc/dozvon/$f"
done
grep -q '^ExecStart=/usr/local/bin/dozvon serve' "$D/examples/dozvon.service" || fail "unit's ExecStart"
echo "install: ok"
