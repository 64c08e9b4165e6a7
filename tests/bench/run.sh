#!/usr/bin/env bash
# make bench: runs every benchmark part (or those named: switch, launcher, pull, addr).
# Each part prints its own table, every figure beside a reference measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/../.."
export BUILD=${BUILD:-build}
parts=("$@")
((${#parts[@]})) || parts=(switch launcher pull addr)
rc=0
for p in "${parts[@]}"; do
	if [[ ! -f tests/bench/$p.sh ]]; then
		echo "bench: no such part '$p' (have: $(cd tests/bench && ls -- *.sh | grep -v run.sh | sed 's/\.sh$//' | tr '\n' ' '))" >&2
		exit 2
	fi
	echo "== bench: $p"
	bash "tests/bench/$p.sh" || rc=1
done
exit "$rc"
