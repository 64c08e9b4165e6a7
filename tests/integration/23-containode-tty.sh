#!/usr/bin/env bash
# containode with a terminal on stdin: the container gets a pty of its own devpts,
# containode relays it; an interactive shell has job control; the status comes through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v script >/dev/null || skip "script (bsdutils) is not installed"
ROOT=$TEST_TMP/root
make_root "$ROOT"
RUN="$CONTAINODE -q -r $ROOT --ephemeral"

# in_tty INPUT COMMAND: runs COMMAND with a terminal (script's pty) as its stdin,
# feeding INPUT; output (CRs removed) in $OUT, status in $RC.  At the end of its input
# script writes an EOF character to the terminal, which a raw terminal passes on as a
# byte: the container's pty echoes it as "^@" (a real terminal never does this).
in_tty() {
	RC=0
	OUT=$(printf '%b' "$1" | script -qec "$2" /dev/null | tr -d '\r' | sed -e 's/\^@//g' -e '/^$/d') ||
		RC=$?
}

in_tty "" "$RUN payload isatty"
assert_eq "stdin=1 stdout=1" "$OUT" "stdin and stdout are a terminal in the container"
in_tty "" "$RUN sh -c 'tty; stat -c %t:%T \$(tty) /dev/console; ls -1 /dev/pts'"
expected=$'/dev/pts/0\n88:0\n88:0\n0\nptmx'
assert_eq "$expected" "$OUT" "the pty is the container's own /dev/pts/0, also bound on /dev/console"
in_tty "" "$RUN --init sh -c 'tty; cat /proc/self/stat | cut -d\" \" -f7'"
assert_match '^/dev/pts/0'$'\n''34816$' "$OUT" "with --init the command has the pty as controlling terminal"
in_tty "" "$RUN sh -c 'exit 5'"
assert_eq 5 "$RC" "the status comes through the terminal relay"
in_tty "" "$RUN payload fds"
assert_eq "0 1 2" "$(echo "$OUT" | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" \
	"with a terminal still only fds 0, 1, 2 are open"

# An interactive shell: PID 1, job control on, input and output relayed
in_tty 'echo pid=$$ flags=$-\nsleep 30 &\njobs\nkill %1\nwait\necho done\nexit 3\n' "$RUN /bin/sh -i"
assert_eq 3 "$RC" "the interactive shell's exit status"
assert_match 'pid=1 flags=[a-z]*m' "$OUT" "the shell is PID 1 with job control (set -m)"
assert_match '\[1\]\+ +Running +sleep 30' "$OUT" "a background job shows in jobs"
# (busybox's sleep may run in the forked shell, which reports "Done" instead)
assert_match '\[1\]\+ +(Terminated|Done) +sleep 30' "$OUT" "job control: kill %1 ends the background job"
assert_match $'\ndone' "$OUT" "input reaches the shell and its output comes back"

# The window size is copied to the pty
in_tty "" "stty rows 33 cols 101; $RUN stty size"
assert_eq "33 101" "$OUT" "the terminal's window size is the pty's"

# The terminal is restored afterwards
in_tty "" "stty -g > $TEST_TMP/before; $RUN true; stty -g > $TEST_TMP/after"
assert_eq "$(cat "$TEST_TMP/before")" "$(cat "$TEST_TMP/after")" "the terminal's mode is restored at exit"
