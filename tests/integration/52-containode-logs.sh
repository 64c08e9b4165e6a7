#!/usr/bin/env bash
# containode logs: what a detached node wrote, stdout and stderr in the order they came,
# partial lines joined; --tail, --timestamps; -f follows (a line reaches the reader well
# within 100 ms, median) and ends with the node; the log is bounded by rotation and still
# ends with the newest lines.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v jq >/dev/null || skip "jq is not installed"
detached_setup

"${RUN[@]}" --name order sh -c 'echo 1; echo 2 >&2; echo 3; echo 4 >&2; printf abc; sleep 0.2;
	echo def; printf tail-without-newline' >/dev/null
wait_until 5 is_status order exited || fail "the node did not end"
assert_eq $'1\n2\n3\n4\nabcdef\ntail-without-newline' "$("$C" logs order)" \
	"stdout and stderr in the order they came, a line written in two parts whole"
assert_eq $'abcdef\ntail-without-newline' "$("$C" logs --tail 2 order)" "--tail 2"
assert_eq "" "$("$C" logs --tail 0 order)" "--tail 0"
assert_eq 6 "$("$C" logs --tail all order | wc -l)" "--tail all"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z 1$' \
	"$("$C" logs --timestamps order | sed -n 1p)" "--timestamps: RFC 3339 with nanoseconds, UTC"
assert_exit 2 "--tail with a bad number" "$C" logs --tail x order
assert_exit 1 "logs of an unknown node" "$C" logs nosuch
assert_match "no node 'nosuch'" "$(cat "$TEST_TMP/last.out")" "the error names it"

# -f: each line's stamp (when the supervisor wrote it) against when the reader saw it.
"${RUN[@]}" --name ticker sh -c 'i=0; while [ $i -lt 20 ]; do echo tick-$i; i=$((i+1));
	sleep 0.1; done; sleep 1000' >/dev/null
lat=()
while read -r stamp line; do
	now=${EPOCHREALTIME//[.,]/}
	t=$(date -d "$stamp" +%s%6N)
	lat+=($(((now - t) / 1000)))
	[[ $line == tick-19 ]] && break
done < <(timeout 20 "$C" logs -f --timestamps ticker)
assert_eq 20 "${#lat[@]}" "logs -f sees every line as it comes"
median=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 10p)
echo "logs -f latency: median $median ms, max $(printf '%s\n' "${lat[@]}" | sort -n | tail -1) ms"
if ((median < 100)); then ok "logs -f: a line reaches the reader within 100 ms (median)"; else
	fail "logs -f median latency $median ms"; fi
spawn follow "$C" logs -f ticker
fpid=$SPAWNED
sleep 0.2
"$C" stop -t 0 ticker >/dev/null
wait_until 5 sh -c "! kill -0 $fpid" && ok "logs -f ends when the node ends" ||
	fail "logs -f outlived its node"
assert_eq tick-19 "$(tail -1 "$TEST_TMP/follow.log")" "and showed everything first"

# Bounded: 300000 lines (about 11 MB with the stamps) leave at most two files of 4 MiB.
"${RUN[@]}" --name flood sh -c 'seq 1 300000; echo last-line' >/dev/null
wait_until 30 is_status flood exited || fail "the flood did not end"
size=$(($(stat -c %s "$CONTAINODE_STATE/flood/log") + $(stat -c %s "$CONTAINODE_STATE/flood/log.1")))
if ((size <= 2 * 4194304 + 4096)); then ok "the log is bounded ($size bytes in log and log.1)"; else
	fail "the log holds $size bytes"; fi
assert_eq "last-line" "$("$C" logs --tail 1 flood)" "it keeps the newest lines"
assert_eq $'299999\n300000\nlast-line' "$("$C" logs --tail 3 flood)" "in order"
"$C" logs flood >"$TEST_TMP/flood.out"
first=$(head -1 "$TEST_TMP/flood.out")
if ((first > 1 && first < 300000)); then ok "the oldest lines went first (it starts at $first)"; else
	fail "the log starts at '$first'"; fi
assert_eq $((300000 - first + 2)) "$(wc -l <"$TEST_TMP/flood.out")" "no line lost or doubled in between"
