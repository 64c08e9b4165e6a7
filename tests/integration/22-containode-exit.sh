#!/usr/bin/env bash
# containode: exit statuses, signals, SIGKILL of containode, and the one-line errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

ROOT=$TEST_TMP/root
make_root "$ROOT"
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral)
run() { "${RUN[@]}" "$@"; }
# Mount points the container's setup touches (others' tests may mount elsewhere, e.g. /run/netns).
our_mounts() { awk '{print $5}' /proc/self/mountinfo | grep -E "^($TEST_TMP|/proc|/dev|/sys|/etc)" | sort; }
mounts_before=$(our_mounts)

# one_line CODE DESCRIPTION CMD...: exits CODE with exactly one line on stderr, kept in $LINE
one_line() {
	local code=$1 d=$2 rc=0
	shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || rc=$?
	LINE=$(cat "$TEST_TMP/err")
	if ((rc == code)) && [[ $(wc -l <"$TEST_TMP/err") == 1 && ! -s $TEST_TMP/out ]]; then
		ok "$d"
	else
		fail "$d: exit $rc (expected $code), stderr: $LINE"
	fi
}

# The command's status
assert_exit 0 "status 0" run payload exit 0
assert_exit 7 "status 7" run payload exit 7
assert_exit 7 "status 7 through --init" run --init payload exit 7
assert_exit 139 "killed by SIGSEGV: 128+11" run payload segv
assert_exit 137 "killed by SIGKILL under --init: 128+9" run --init payload kill 9
assert_exit 143 "killed by SIGTERM under --init: 128+15" run --init payload kill 15
one_line 127 "a command not found: 127" run nosuchcommand
assert_eq "containode: exec 'nosuchcommand': No such file or directory" "$LINE" "not found: the message"
one_line 127 "a missing path: 127" run /no/such/file
one_line 126 "a file that is not executable: 126" run /etc/hostname
assert_eq "containode: exec '/etc/hostname': Permission denied" "$LINE" "not executable: the message"
one_line 126 "a directory: 126" run /bin
one_line 127 "not found under --init: 127" run --init nosuchcommand

# Signals sent to containode reach the command (PID 1 with a handler), even INT and QUIT,
# which bash makes ignored in its background commands
for sig in INT TERM HUP QUIT; do
	num=$(kill -l "$sig")
	spawn "trap-$sig" "${RUN[@]}" payload trap
	pid=$SPAWNED
	wait_until 10 grep -q waiting "$TEST_TMP/trap-$sig.log" || fail "payload did not start"
	kill "-$sig" "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_eq "$num" "$rc" "SIG$sig reaches the command, which exits with its number"
	assert_match "got $num" "$(cat "$TEST_TMP/trap-$sig.log")" "the command saw SIG$sig"
done

# child_of PID: the first child of PID (from /proc, procps may not be installed)
child_of() {
	local f stat
	for f in /proc/[0-9]*/stat; do
		stat=$(cat "$f" 2>/dev/null) || continue
		stat=${stat##*) }
		read -r _ ppid _ <<<"$stat"
		if [[ $ppid == "$1" ]]; then
			f=${f#/proc/}
			echo "${f%/stat}"
			return 0
		fi
	done
	return 1
}
# comm_is PID NAME
comm_is() { [[ $(cat "/proc/$1/comm" 2>/dev/null) == "$2" ]]; }

# Through --init, to a command without a handler: the default action kills it
spawn init-term "${RUN[@]}" --init sleep 100
pid=$SPAWNED
# The command is the init's child, the init is containode's.
started_under_init() {
	local init cmd
	init=$(child_of "$pid") && cmd=$(child_of "$init") && comm_is "$cmd" sleep
}
wait_until 10 started_under_init || fail "sleep did not start under the init"
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
assert_eq 143 "$rc" "SIGTERM through --init kills the command: 143"

# SIGKILL of containode takes the container down with it
spawn killed "${RUN[@]}" -i killme sleep 100
pid=$SPAWNED
started() { child=$(child_of "$pid") && comm_is "$child" sleep; }
wait_until 10 started || fail "sleep did not start"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
if wait_until 10 sh -c "! kill -0 $child 2>/dev/null"; then
	ok "the container dies with containode"
else
	fail "container process $child outlived containode"
fi

# Errors of containode itself: one line each, and the documented code
one_line 2 "a malformed address: 2" "$CONTAINODE" -4 10.0.0.300/24 true
assert_eq "containode: -4: invalid IPv4 address '10.0.0.300/24' (try 'containode --help')" "$LINE" \
	"a malformed address: the message"
one_line 2 "a prefix too long: 2" "$CONTAINODE" -4 10.0.0.1/33 true
one_line 2 "a malformed gateway: 2" "$CONTAINODE" -4 10.0.0.1/24 -g 10.0.0 true
one_line 2 "a gateway off the subnet: 2" "$CONTAINODE" -4 10.0.0.1/24 -g 10.1.0.1 true
one_line 2 "-g without -4: 2" "$CONTAINODE" -g 10.0.0.1 true
one_line 2 "a bad identity: 2" "$CONTAINODE" -i 'a/b' true
one_line 2 "a bad user: 2" "$CONTAINODE" -u 1: true
one_line 2 "-N with -s: 2" "$CONTAINODE" -N -s "$TEST_TMP/sock" true
one_line 2 "--ephemeral without -r: 2" "$CONTAINODE" --ephemeral true
one_line 2 "an unknown option: 2" "$CONTAINODE" --no-such-option true
one_line 125 "a missing root: 125" "$CONTAINODE" -r "$TEST_TMP/nonexistent" true
assert_eq "containode: root '$TEST_TMP/nonexistent': No such file or directory" "$LINE" \
	"a missing root: the message"
one_line 125 "an unreachable socket: 125" "$CONTAINODE" -s "$TEST_TMP/nosock" -r "$ROOT" --ephemeral true
assert_eq "containode: connect to the switch at '$TEST_TMP/nosock': No such file or directory" "$LINE" \
	"an unreachable socket: the message"
/usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET); s.bind(sys.argv[1])" "$TEST_TMP/deadsock"
one_line 125 "a socket nobody listens on: 125" "$CONTAINODE" -s "$TEST_TMP/deadsock" true
assert_match "Connection refused" "$LINE" "a dead socket: the message"
one_line 125 "a missing working directory: 125" run -w /no/such/dir true
assert_eq "containode: change to directory '/no/such/dir': No such file or directory" "$LINE" \
	"a missing working directory: the message"

assert_eq "$mounts_before" "$(our_mounts)" "nothing stays mounted on the host"
left=()
for f in "$TEST_TMP"/* "$TEST_TMP"/.[!.]*; do
	[[ -e $f ]] || continue
	case ${f##*/} in root | out | err | last.out | *.log | deadsock) ;; *) left+=("$f") ;; esac
done
((${#left[@]} == 0)) && ok "no TOP or work dir left behind" || fail "left behind: ${left[*]}"
