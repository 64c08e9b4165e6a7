#!/usr/bin/env bash
# The unit-test step of a packager's build, as an unprivileged user: a copy of the source
# tree owned by nobody, where `make check-unit` builds and runs the unit suites (mocker's
# unpacker and tree removal included) without root and without installing anything.
# Run as root (CI does); ends with run.sh's "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

((EUID == 0)) || { echo "nonroot.sh: run it as root: it becomes nobody itself" >&2; exit 2; }
tmp=$(mktemp -d /tmp/containet-nonroot.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z -c -o --exclude-standard | xargs -0 cp --parents -t "$tmp"
chown -R 65534:65534 "$tmp"
chmod 0755 "$tmp"
# Through a shell: setpriv itself still has root's capabilities when it looks make up.
setpriv --reuid 65534 --regid 65534 --clear-groups -- \
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$tmp" LANG=C.UTF-8 \
	sh -c 'cd "$1" && shift && exec make --no-print-directory check-unit "$@"' sh "$tmp" "$@"
