#!/usr/bin/env bash
# Runs before `npm test` (pretest): the suite drives Debian's Chromium (browser tests),
# starts redis-server (shared rate limits) and calls curl (the reference's curl example).
# Installs whichever is missing with apt-get when it can (root, or passwordless sudo),
# otherwise says what to install and fails, rather than letting tests skip.
set -uo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v curl >/dev/null 2>&1 || missing+=(curl)
[ ${#missing[@]} -eq 0 ] && exit 0

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
if command -v apt-get >/dev/null 2>&1 && (as_root true) 2>/dev/null; then
  echo "segmint tests: installing Debian packages: ${missing[*]}" >&2
  as_root apt-get update -qq >/dev/null &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null && exit 0
fi
echo "segmint tests need these Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
exit 1
