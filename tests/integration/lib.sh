# shellcheck shell=bash disable=SC2034  # variables for the tests that source this
# Shared helpers of the integration tests: assertions, and a cleanup that undoes, in
# reverse order, everything the test registered (processes, namespaces, mounts, files),
# on success, on failure and on a signal.  Source it first thing:
#   . "$(dirname "$0")/lib.sh"
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
BIN=$TOP/$BUILD/bin
HELPERS=$TOP/$BUILD/tests/helpers
# Short and unique, so that names derived from it fit IFNAMSIZ and never collide.
TEST_ID=t$$
TEST_TMP=$(mktemp -d "/tmp/containet-test.XXXXXX")
_failures=0
_cleanups=()

((EUID == 0)) || {
	echo "SKIP: needs root"
	exit 77
}

# defer CMD...: run CMD at exit (last registered runs first).
defer() {
	local q
	printf -v q '%q ' "$@"
	_cleanups+=("$q")
}

_cleanup() {
	local rc=$? i
	set +e
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1
	done
	rm -rf "$TEST_TMP"
	if ((rc == 0 && _failures)); then
		rc=1
	fi
	exit "$rc"
}
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ok() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	_failures=$((_failures + 1))
}
skip() {
	echo "SKIP: $*"
	exit 77
}
# Stops the test at once: for setup steps without which nothing else means anything.
die() {
	fail "$*"
	exit 1
}

assert_eq() { # EXPECTED ACTUAL DESCRIPTION
	if [[ $1 == "$2" ]]; then ok "$3"; else fail "$3: expected '$1', got '$2'"; fi
}
assert_match() { # REGEX TEXT DESCRIPTION
	if [[ $2 =~ $1 ]]; then ok "$3"; else fail "$3: '$2' does not match /$1/"; fi
}
assert_no_match() { # REGEX TEXT DESCRIPTION
	if [[ $2 =~ $1 ]]; then fail "$3: '$2' matches /$1/"; else ok "$3"; fi
}
assert_ok() { # DESCRIPTION CMD...: CMD succeeds
	local d=$1
	shift
	if "$@" >"$TEST_TMP/last.out" 2>&1; then ok "$d"; else
		fail "$d: '$*' failed: $(tail -n 3 "$TEST_TMP/last.out")"
	fi
}
assert_fails() { # DESCRIPTION CMD...: CMD fails
	local d=$1
	shift
	if "$@" >"$TEST_TMP/last.out" 2>&1; then fail "$d: '$*' succeeded"; else ok "$d"; fi
}
assert_exit() { # CODE DESCRIPTION CMD...: CMD exits with CODE; output in $TEST_TMP/last.out
	local code=$1 d=$2 rc=0
	shift 2
	"$@" >"$TEST_TMP/last.out" 2>&1 || rc=$?
	if ((rc == code)); then ok "$d"; else
		fail "$d: exit $rc, expected $code: $(tail -n 3 "$TEST_TMP/last.out")"
	fi
}

# wait_until SECONDS CMD...: polls CMD every 50 ms; false on timeout.  SECONDS is what a
# quiet machine needs; a loaded CI machine or a sanitized build can be several times
# slower, so the wait stretches by WAIT_FACTOR (3).  It ends as soon as CMD succeeds.
WAIT_FACTOR=${WAIT_FACTOR:-3}
wait_until() {
	# Microseconds, not $SECONDS: that counts whole seconds, so "1" could mean 1 ms.
	local now deadline
	now=${EPOCHREALTIME//[.,]/}
	deadline=$((now + $1 * WAIT_FACTOR * 1000000))
	shift
	until "$@" >/dev/null 2>&1; do
		now=${EPOCHREALTIME//[.,]/}
		((now < deadline)) || return 1
		sleep 0.05
	done
}

# netns_add NAME: a network namespace with lo up, deleted at exit.
netns_add() {
	ip netns add "$1"
	defer ip netns delete "$1"
	ip -n "$1" link set lo up
}

# spawn NAME CMD...: runs CMD in the background with output in $TEST_TMP/NAME.log;
# its PID is in $SPAWNED; it is killed at exit (by PID, never by name).  Its input is
# /dev/null whatever the call redirects (bash gives a command started with & no other).
spawn() {
	local name=$1
	shift
	# Emptied here, not only by the background child, which a loaded machine may run late:
	# a wait_until on the log must not read what an earlier spawn of that name wrote.
	: >"$TEST_TMP/$name.log"
	"$@" >"$TEST_TMP/$name.log" 2>&1 &
	SPAWNED=$!
	defer kill_wait "$SPAWNED"
}

# kill_wait PID [SIGNAL]: signals PID and waits for it to be gone.
kill_wait() {
	kill "-${2:-TERM}" "$1" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# hostile DESCRIPTION EXPECTED-ERROR-REGEX MESSAGE [ctltool options]: sends MESSAGE to the
# switch at $SOCK and asserts an error reply matching the regex (the switch goes on).
hostile() {
	local d=$1 want=$2 msg=$3 out
	shift 3
	if out=$("$HELPERS/ctltool" send "$SOCK" "$msg" "$@" 2>&1); then
		assert_match "\"ok\":false,\"error\":\".*$want" "$out" "hostile: $d gets an error reply"
	else
		fail "hostile: $d: no reply: $out"
	fi
}

# nobody CMD...: runs CMD as uid and gid 65534 with no groups.  Through a shell: setpriv
# itself still has root's capabilities when it looks CMD up.
nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups -- sh -c 'exec "$@"' sh "$@"; }
