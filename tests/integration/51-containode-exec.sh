#!/usr/bin/env bash
# containode exec: the command lands in every namespace of the node (inode comparison)
# and its cgroup, with the node's CapEff, NoNewPrivs and seccomp mode and never more;
# -u, -w, -e, -i, -t as documented; the exit status is the command's; a node that does
# not run is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v jq >/dev/null || skip "jq is not installed"
command -v script >/dev/null || skip "script (bsdutils) is not installed"
detached_setup
echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
echo 'web:x:1000:1000:web:/home/web:/bin/sh' >>"$ROOT/etc/passwd"
printf 'root:x:0:\nweb:x:1000:\nextra:x:2000:web\n' >"$ROOT/etc/group"
status_line() { grep "^$1:" "/proc/$2/status" | cut -f2; }

"${RUN[@]}" --name n1 -w /tmp -e FOO=node sleep 1000 >/dev/null
pid=$(field n1 pid)

# --- namespaces and cgroup ---
inside=$("$C" exec n1 sh -c 'for n in mnt uts ipc net pid cgroup; do
	stat -L -c "$n %i" /proc/self/ns/$n; done')
want=""
for n in mnt uts ipc net pid cgroup; do want+="$n $(stat -L -c %i "/proc/$pid/ns/$n")"$'\n'; done
assert_eq "${want%$'\n'}" "$inside" "exec lands in the node's 6 namespaces"
assert_eq "$("$C" exec n1 cat /proc/1/cgroup)" "$("$C" exec n1 cat /proc/self/cgroup)" \
	"exec is in the node's cgroup"
epid=$("$C" exec n1 sh -c 'echo $$')
if ((epid > 1)); then ok "exec's command has a PID of the node's namespace ($epid)"; else
	fail "exec's PID is $epid"; fi
assert_eq "$("$C" exec n1 cat /proc/1/cmdline | tr '\0' ' ')" "sleep 1000 " \
	"exec sees the node's processes"
assert_eq n1 "$("$C" exec n1 hostname)" "exec sees the node's host name"

# --- privileges ---
for f in CapEff CapBnd CapPrm NoNewPrivs Seccomp; do
	assert_eq "$(status_line "$f" "$pid")" "$("$C" exec n1 grep "^$f:" /proc/self/status | cut -f2)" \
		"exec has the node's $f"
done
"${RUN[@]}" --name priv --cap-add NET_ADMIN --cap-drop CHOWN sleep 1000 >/dev/null
ppid=$(field priv pid)
assert_eq "$(status_line CapEff "$ppid")" "$("$C" exec priv grep ^CapEff: /proc/self/status | cut -f2)" \
	"exec has the node's added and dropped capabilities"
assert_fails "exec cannot chown with CHOWN dropped" "$C" exec priv chown 5 /tmp
"${RUN[@]}" --name unconf --seccomp unconfined sleep 1000 >/dev/null
assert_eq 0 "$("$C" exec unconf grep ^Seccomp: /proc/self/status | cut -f2)" \
	"a node without seccomp: exec without it"
assert_exit 1 "the seccomp filter holds in exec (unshare refused)" "$C" exec n1 unshare -U true

# --- user, directory, environment ---
assert_eq "/tmp" "$("$C" exec n1 pwd)" "the node's working directory"
assert_eq "/etc" "$("$C" exec -w /etc n1 pwd)" "-w"
assert_eq "node" "$("$C" exec n1 sh -c 'echo $FOO')" "the node's environment"
assert_eq "x y" "$("$C" exec -e FOO=x -e BAR=y n1 sh -c 'echo $FOO $BAR')" "-e"
assert_eq "1000 1000 1000 2000" "$("$C" exec -u web n1 sh -c 'echo $(id -u) $(id -g) $(id -G)')" \
	"-u NAME: its user, group and groups from the node's files"
assert_eq "0000000000000000" "$("$C" exec -u web n1 grep ^CapEff: /proc/self/status | cut -f2)" \
	"-u: no capabilities left"
assert_eq "7 8" "$("$C" exec -u 7:8 n1 sh -c 'echo $(id -u) $(id -g)')" "-u UID:GID"
assert_exit 125 "-u with an unknown name" "$C" exec -u nosuch n1 true
assert_match "nosuch" "$(cat "$TEST_TMP/last.out")" "the error names it"

# --- stdin, status, terminal ---
assert_eq "hi" "$(echo hi | "$C" exec -i n1 cat)" "-i passes stdin"
assert_eq "" "$(echo hi | "$C" exec n1 cat)" "without -i the command reads nothing"
assert_exit 7 "the command's exit status" "$C" exec n1 sh -c 'exit 7'
assert_exit 127 "a missing command: 127" "$C" exec n1 /no/such
assert_exit 126 "a command that cannot run: 126" "$C" exec n1 /etc/passwd
assert_exit 137 "a command killed by SIGKILL: 128+9" "$C" exec n1 sh -c 'kill -9 $$'
out=$(script -qec "$C exec -t n1 sh -c 'tty; echo \$TERM'" /dev/null </dev/null |
	tr -d '\r' | sed -e 's/\^@//g')
assert_match '^/dev/pts/[0-9]+' "$out" "-t: a pty of the node's /dev/pts"
rc=0
out=$(printf 'echo in-$((6*7))\nexit 5\n' | script -qec "$C exec -i -t n1 sh" /dev/null | tr -d '\r') ||
	rc=$?
assert_match 'in-42' "$out" "-i -t: an interactive shell"
assert_eq 5 "$rc" "-i -t: its exit status comes through the relay"
assert_exit 1 "-i -t with a stdin that is not a terminal is refused" \
	sh -c "echo 'echo HELLO' | '$C' exec -i -t n1 sh"
assert_match "the input device is not a TTY" "$(cat "$TEST_TMP/last.out")" "as Docker says it"
assert_eq "hi" "$(echo 'echo HELLO' | "$C" exec -t n1 echo hi | tr -d '\r')" \
	"-t without -i and without a terminal: the command runs, its stdin left alone"
assert_eq "0 1 2" "$("$C" exec n1 payload fds | cut -d' ' -f1 | tr '\n' ' ' | sed 's/ $//')" \
	"only fds 0, 1, 2 reach the command"

# --- refused ---
assert_exit 2 "no command" "$C" exec n1
assert_exit 2 "-w relative" "$C" exec -w tmp n1 true
"$C" stop -t 0 n1 >/dev/null
assert_exit 125 "exec into an exited node" "$C" exec n1 true
assert_match "exited" "$(cat "$TEST_TMP/last.out")" "says it is exited"
assert_exit 125 "exec into an unknown node" "$C" exec nosuch true
