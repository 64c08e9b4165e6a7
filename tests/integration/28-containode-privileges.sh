#!/usr/bin/env bash
# containode's privileges: capabilities (--cap-add, --cap-drop, --privileged), Docker's
# default seccomp profile (--seccomp), the node's own /proc/sys/net and --sysctl; and the
# terminal: a hung-up shell and a second Ctrl-C end the node and free its port.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

CONTAINET=$BIN/containet
[[ -x $CONTAINET ]] || skip "the switch ($CONTAINET) is not built"
ROOT=$TEST_TMP/root
make_root "$ROOT"
RUN=("$CONTAINODE" -q -r "$ROOT" --ephemeral)
EPERM="Operation not permitted"

# --- seccomp: Docker's default profile ---------------------------------------------------
status=$("${RUN[@]}" cat /proc/self/status) || true
assert_match $'Seccomp:\t2' "$status" "the default profile is loaded as a filter"
# unshare(CLONE_NEWUSER) needs no capability: only the profile stops it.
assert_exit 1 "the default profile denies unshare without SYS_ADMIN" "${RUN[@]}" unshare -U true
assert_match "$EPERM" "$(cat "$TEST_TMP/last.out")" "with EPERM"
assert_ok "with SYS_ADMIN the profile allows it" "${RUN[@]}" --cap-add SYS_ADMIN unshare -U true
assert_ok "--seccomp unconfined lifts the filter" "${RUN[@]}" --seccomp unconfined unshare -U true
assert_match $'Seccomp:\t0' "$("${RUN[@]}" --seccomp unconfined cat /proc/self/status)" \
	"and no filter is loaded"
assert_ok "allowed calls work under the profile: a shell, ping, the payload" "${RUN[@]}" \
	sh -c 'ping -c 1 -W 2 127.0.0.1 >/dev/null && payload pid | grep -q "^pid=[0-9]* ppid=1$"'
assert_ok "--init works under the profile" "${RUN[@]}" --init sh -c 'sleep 0 & wait'

echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["getpid"],"action":"SCMP_ACT_NOPE"}]}' \
	>"$TEST_TMP/bad.json"
assert_exit 125 "a malformed profile is refused" "${RUN[@]}" --seccomp "$TEST_TMP/bad.json" true
assert_match "seccomp profile '$TEST_TMP/bad.json': syscalls\[0\]\.action: unknown action" \
	"$(cat "$TEST_TMP/last.out")" "naming the file and the reason"
assert_exit 125 "a missing profile is refused" "${RUN[@]}" --seccomp "$TEST_TMP/none.json" true
assert_match "seccomp profile '$TEST_TMP/none.json': No such file" "$(cat "$TEST_TMP/last.out")" \
	"naming the file"
# A profile of one's own: everything allowed but making directories.
echo '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}' \
	>"$TEST_TMP/own.json"
assert_exit 1 "--seccomp FILE uses that profile" "${RUN[@]}" --seccomp "$TEST_TMP/own.json" mkdir /tmp/d
assert_match "$EPERM" "$(cat "$TEST_TMP/last.out")" "its rule answers EPERM"
assert_ok "and not the default one" "${RUN[@]}" --seccomp "$TEST_TMP/own.json" unshare -U true

# --- the compiled filters, kept between starts ------------------------------------------
CACHE=$TEST_TMP/cache
CRUN=(env CONTAINODE_SECCOMP_CACHE="$CACHE" "$CONTAINODE" -vv -q -r "$ROOT" --ephemeral)
entries() { find "$CACHE" -name '*.bpf' 2>/dev/null | wc -l; }
assert_exit 1 "a first start compiles the filter" "${CRUN[@]}" unshare -U true
assert_match "compiled, kept in '$CACHE'" "$(cat "$TEST_TMP/last.out")" "and keeps it"
assert_eq 1 "$(entries)" "one entry"
assert_eq "700 0:0" "$(stat -c '%a %u:%g' "$CACHE")" "the cache directory is root's alone"
entry=$(find "$CACHE" -name '*.bpf')
assert_eq "600 0:0" "$(stat -c '%a %u:%g' "$entry")" "so is the entry"
assert_exit 1 "a second start uses it, and the node is filtered the same" "${CRUN[@]}" unshare -U true
assert_match "from the cache '$CACHE'" "$(cat "$TEST_TMP/last.out")" "the entry is used"
assert_match "$EPERM" "$(cat "$TEST_TMP/last.out")" "unshare still answers EPERM"
assert_ok "other capabilities make another filter" "${CRUN[@]}" --cap-add SYS_ADMIN unshare -U true
assert_match "compiled" "$(cat "$TEST_TMP/last.out")" "compiled for them"
assert_eq 2 "$(entries)" "kept beside the first"
# A damaged entry is never loaded: compiled again, and the node filtered as it must be
printf 'X' | dd of="$entry" bs=1 seek=200 conv=notrunc status=none
assert_exit 1 "a damaged entry is not used" "${CRUN[@]}" unshare -U true
assert_match "entry .* not used: Bad message.*compiled" "$(tr '\n' ' ' <"$TEST_TMP/last.out")" \
	"it is found damaged and replaced"
assert_exit 1 "the replaced entry is used again" "${CRUN[@]}" unshare -U true
assert_match "from the cache" "$(cat "$TEST_TMP/last.out")" "from the cache"
chmod 666 "$entry"
assert_exit 1 "an entry others may write is not used" "${CRUN[@]}" unshare -U true
assert_match "not used: Operation not permitted" "$(cat "$TEST_TMP/last.out")" "it is refused"
assert_eq "600" "$(stat -c '%a' "$entry")" "and replaced by one of root's"
chmod 777 "$CACHE"
rm -f "$CACHE"/*.bpf
assert_exit 1 "a cache directory others may write is not used" "${CRUN[@]}" unshare -U true
assert_match "seccomp cache '$CACHE' not used: Operation not permitted" "$(cat "$TEST_TMP/last.out")" \
	"it is refused"
assert_eq 0 "$(entries)" "and nothing is written there"
chmod 700 "$CACHE"
# A profile changed in place gives another filter, never the old one
OWN=$TEST_TMP/own-cached.json
cp "$TEST_TMP/own.json" "$OWN"
assert_exit 1 "a profile of one's own, kept" "${CRUN[@]}" --seccomp "$OWN" mkdir /tmp/d
sed -i 's/"mkdir","mkdirat"/"rmdir"/' "$OWN"
assert_exit 0 "the same profile changed: its new rules hold" "${CRUN[@]}" --seccomp "$OWN" mkdir /tmp/d
assert_match "compiled" "$(cat "$TEST_TMP/last.out")" "compiled anew"
assert_exit 0 "CONTAINODE_SECCOMP_CACHE= keeps nothing" \
	env CONTAINODE_SECCOMP_CACHE= "$CONTAINODE" -vv -q -r "$ROOT" --ephemeral --cap-add NET_ADMIN true
assert_no_match "cache" "$(cat "$TEST_TMP/last.out")" "and says nothing of a cache"

# --- capabilities -------------------------------------------------------------------------
assert_match $'CapEff:\t0000000000002000' \
	"$("${RUN[@]}" --cap-drop ALL --cap-add net_raw cat /proc/self/status)" \
	"--cap-drop ALL --cap-add NET_RAW: only NET_RAW"
status=$("${RUN[@]}" --cap-drop ALL sh -c 'cat /proc/self/status; echo ran') || true
assert_match $'CapEff:\t0000000000000000' "$status" "--cap-drop ALL: no capability left"
assert_match $'CapBnd:\t0000000000000000' "$status" "none in the bounding set either"
assert_match $'\nran$' "$status" "and the command runs"
assert_match $'CapBnd:\t00000000a80425f9' \
	"$("${RUN[@]}" --cap-drop CAP_DAC_OVERRIDE cat /proc/self/status)" \
	"--cap-drop takes one from Docker's default set"
assert_exit 2 "an unknown capability is a usage error" "${RUN[@]}" --cap-add NET_FOO true

# --- the network: NET_ADMIN, /proc/sys/net, --sysctl ---------------------------------------
NET=("${RUN[@]}" -4 10.77.0.1/24)
net_ops=(
	"ip route add 10.9.0.0/16 via 10.77.0.2"
	"ip link set eth0 down"
	"ip -6 addr add fd00:77::1/64 dev eth0"
	"echo 1 >/proc/sys/net/ipv4/ip_forward"
)
for op in "${net_ops[@]}"; do
	assert_ok "with NET_ADMIN: $op" "${NET[@]}" --cap-add NET_ADMIN sh -c "$op"
	assert_fails "without it: $op" "${NET[@]}" sh -c "$op"
done
assert_eq 1 "$("${NET[@]}" --cap-add NET_ADMIN sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward; cat /proc/sys/net/ipv4/ip_forward')" \
	"the written value holds in the node"
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
assert_fails "with NET_ADMIN the rest of /proc/sys stays read-only" "${NET[@]}" --cap-add NET_ADMIN \
	sh -c 'echo x >/proc/sys/kernel/domainname'
assert_eq 1 "$("${NET[@]}" --sysctl net.ipv4.ip_forward=1 cat /proc/sys/net/ipv4/ip_forward)" \
	"--sysctl net.ipv4.ip_forward=1 is in effect when the command starts"
assert_eq "1 0" "$("${NET[@]}" --sysctl net.ipv4.conf.all.forwarding=1 --sysctl net.ipv6.conf.lo.disable_ipv6=0 \
	sh -c 'echo $(cat /proc/sys/net/ipv4/conf/all/forwarding /proc/sys/net/ipv6/conf/lo/disable_ipv6)')" \
	"several --sysctl, dotted keys become paths"
assert_eq "$host_fwd" "$(cat /proc/sys/net/ipv4/ip_forward)" "the host's value is untouched"
assert_exit 2 "--sysctl kernel.x=1 is refused" "${RUN[@]}" --sysctl kernel.x=1 true
assert_match "only net\.\* keys" "$(cat "$TEST_TMP/last.out")" "saying which keys can be set"
assert_exit 2 "--sysctl with the host's network is refused" "$CONTAINODE" -N --sysctl net.ipv4.ip_forward=1 true
assert_exit 2 "--sysctl with a path out of net is refused" "${RUN[@]}" --sysctl net.../kernel.x=1 true
assert_exit 125 "an unknown net key fails the start" "${NET[@]}" --sysctl net.ipv4.nope=1 true
assert_match "/proc/sys/net/ipv4/nope" "$(cat "$TEST_TMP/last.out")" "naming the file"

# --- --privileged --------------------------------------------------------------------------
status=$("${RUN[@]}" --privileged cat /proc/self/status) || true
assert_match $'Seccomp:\t0' "$status" "--privileged: no seccomp"
assert_match "CapEff:"$'\t'"$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)" "$status" \
	"--privileged: every capability containode has"
assert_ok "--privileged: /proc/sys writable" "${RUN[@]}" --privileged sh -c 'echo x >/proc/sys/kernel/domainname'
assert_match "sysfs on /sys type sysfs \(rw" "$("${RUN[@]}" --privileged mount)" "--privileged: /sys writable"
assert_exit 2 "--privileged with a profile is refused" "${RUN[@]}" --privileged --seccomp "$TEST_TMP/own.json" true

# --- the terminal goes away; a second Ctrl-C -------------------------------------------------
SOCK=$TEST_TMP/switch.sock
ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
has_port() { ports_json | grep -q "\"name\":\"$1-eth0\""; }
no_port() { ! has_port "$1"; }
spawn switch "$CONTAINET" -s "$SOCK"
wait_until 5 ports_json || die "the switch does not answer: $(cat "$TEST_TMP/switch.log")"

if command -v script >/dev/null; then
	# An interactive shell (PID 1, which ignores SIGHUP) on script's terminal; the
	# terminal's input stays open until script is killed, as a closed terminal window.
	H=${TEST_ID}h
	mkfifo "$TEST_TMP/tty.in"
	exec {keep}<>"$TEST_TMP/tty.in"
	# Not through spawn: a command started with & takes /dev/null as its input unless its
	# own redirection says otherwise, and script answers that end of input with a ^D
	# that ends the shell.
	script -qfec "echo \$\$ >$TEST_TMP/node.pid; exec ${RUN[*]} -s $SOCK -i $H -4 10.77.0.5/24 /bin/sh -i" \
		/dev/null <"$TEST_TMP/tty.in" >"$TEST_TMP/script.log" 2>&1 &
	SCRIPT=$!
	defer kill_wait "$SCRIPT"
	# Generous: the wait ends as soon as the port is there.
	wait_until 30 has_port "$H" ||
		die "the interactive node's port did not appear: $(cat "$TEST_TMP/script.log")" \
			"ports: $(ports_json 2>&1)" "switch: $(tail -n 20 "$TEST_TMP/switch.log")"
	NODE=$(cat "$TEST_TMP/node.pid")
	defer kill_wait "$NODE" KILL
	kill -KILL "$SCRIPT"
	exec {keep}>&-
	if wait_until 10 no_port "$H"; then ok "a hung-up interactive shell frees its port"; else
		fail "port $H-eth0 outlived the terminal: $(ports_json)"
	fi
	if wait_until 10 sh -c "! kill -0 $NODE"; then ok "and containode is gone"; else
		fail "containode $NODE outlived the terminal"
	fi
else
	echo "SKIP: script (bsdutils) is not installed: no hang-up test"
fi

# sleep as PID 1 ignores SIGINT; the second one within a short time kills it.
I=${TEST_ID}i
spawn int "${RUN[@]}" -vv -s "$SOCK" -i "$I" -4 10.77.0.6/24 sleep 300
INT=$SPAWNED
wait_until 5 has_port "$I" || die "the node's port did not appear: $(cat "$TEST_TMP/int.log")"
kill -INT "$INT"
# Signals of one kind do not queue: the second is sent once containode has the first.
wait_until 5 grep -q "forwarding signal 2" "$TEST_TMP/int.log" || fail "the first SIGINT was not forwarded"
kill -INT "$INT"
rc=0
if wait_until 10 sh -c "! kill -0 $INT"; then wait "$INT" || rc=$?; fi
assert_eq 137 "$rc" "a second Ctrl-C kills the node"
assert_match "interrupted again: killing the node" "$(cat "$TEST_TMP/int.log")" "and containode says so"
if wait_until 5 no_port "$I"; then ok "its port is freed"; else fail "port $I-eth0 is still there"; fi

