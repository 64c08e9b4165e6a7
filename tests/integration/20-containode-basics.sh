#!/usr/bin/env bash
# containode: what the command sees inside: identity, PID 1, environment, devices,
# mounts and masks, capabilities, no_new_privs, open fds, namespaces, network setup.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

ROOT=$TEST_TMP/root
make_root "$ROOT"
run() { "$CONTAINODE" -q -r "$ROOT" --ephemeral "$@"; }

# Identity
assert_eq basics1 "$(run -i basics1 hostname)" "hostname is the identity"
assert_eq basics1 "$(run -i basics1 cat /etc/hostname)" "/etc/hostname holds the identity"
assert_match $'127.0.0.1\tlocalhost' "$(run -i basics1 cat /etc/hosts)" "/etc/hosts has localhost"
assert_match $'127.0.1.1\tbasics1' "$(run -i basics1 cat /etc/hosts)" "/etc/hosts names the container"
assert_match '^[0-9A-Za-z]{11}$' "$(run hostname)" "the default identity is 11 base62 characters"
a=$(run hostname) b=$(run hostname)
[[ $a != "$b" ]] && ok "two default identities differ" || fail "identity '$a' twice"

# PID 1, and the init
assert_eq "pid=1 ppid=0" "$(run payload pid)" "the command is PID 1"
assert_eq "pid=2 ppid=1" "$(run --init payload pid)" "with --init the command is PID 2, child of the init"
assert_eq "1" "$(run payload dumpable | cut -d= -f2)" "after exec the command is dumpable again"

# Environment: clean, then -e
expected=$'FOO=bar\nHOME=/root\nHOSTNAME=envtest\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nTERM=vt100'
assert_eq "$expected" "$(SECRET=x run -i envtest -e FOO=bar -e TERM=vt100 env | sort)" \
	"a clean environment plus -e"
assert_eq "HOME=/" "$(run -u 1000 env | grep ^HOME=)" "HOME is / for a user other than root"
assert_eq "SECRET=x" "$(SECRET=x run -e SECRET env | grep ^SECRET=)" "-e KEY takes the host's value"
assert_eq "/tmp" "$(run -w /tmp pwd)" "-w sets the working directory"
assert_eq "/" "$(run pwd)" "the working directory defaults to /"

# Devices: exactly the static table, with the right numbers and modes
expected='/dev/full c 1:7 666
/dev/null c 1:3 666
/dev/random c 1:8 666
/dev/tty c 5:0 666
/dev/urandom c 1:9 666
/dev/zero c 1:5 666'
# shellcheck disable=SC2016
got=$(run sh -c 'for f in /dev/full /dev/null /dev/random /dev/tty /dev/urandom /dev/zero; do
	echo "$f $(stat -c %F $f | cut -c1) $((0x$(stat -c %t $f))):$((0x$(stat -c %T $f))) $(stat -c %a $f)"; done')
assert_eq "$expected" "$got" "device nodes, major:minor and modes"
assert_eq "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
	"$(run ls /dev | tr '\n' ' ' | sed 's/ $//')" "/dev holds nothing else"
assert_eq "pts/ptmx" "$(run readlink /dev/ptmx)" "/dev/ptmx points into the container's devpts"
assert_fails "no /dev/console without a terminal" run test -e /dev/console
assert_eq "0" "$(run sh -c 'head -c 4 /dev/zero | tr -d "\0" | wc -c')" "/dev/zero reads zeros"

# Mounts
mounts=$(run cat /proc/mounts)
assert_match '(^|'$'\n'')overlay / overlay rw' "$mounts" "the root is an overlay"
assert_match 'proc /proc proc rw,nosuid,nodev,noexec' "$mounts" "/proc with nosuid,nodev,noexec"
assert_match 'tmpfs /dev tmpfs rw,nosuid' "$mounts" "/dev is a tmpfs"
assert_match 'devpts /dev/pts devpts rw,nosuid,noexec,[^ ]*ptmxmode=666' "$mounts" "/dev/pts is a new devpts instance"
assert_match 'shm /dev/shm tmpfs rw,nosuid,nodev,noexec' "$mounts" "/dev/shm"
assert_match 'sysfs /sys sysfs ro,' "$mounts" "/sys is read-only"
assert_match 'tmpfs /run tmpfs rw,nosuid,nodev' "$mounts" "/run is a tmpfs"
assert_no_match "$TEST_TMP|/work|/home" "$mounts" "no host path is visible in the mount table"
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
	[[ -e $f ]] || continue
	assert_eq 0 "$(run sh -c "cat $f | wc -c")" "$f is masked"
done
for d in /sys/firmware /proc/acpi /proc/scsi; do
	[[ -d $d ]] || continue
	assert_eq "" "$(run ls -A $d)" "$d is masked"
	assert_fails "$d cannot be written" run touch $d/x
done
for p in /proc/sys /proc/irq /proc/bus /proc/sysrq-trigger; do
	[[ -e $p ]] || continue
	assert_match "proc $p proc ro," "$mounts" "$p is read-only"
done
assert_fails "/proc/sys cannot be written" run sh -c 'echo x > /proc/sys/kernel/domainname'
assert_fails "/sys cannot be written" run sh -c 'echo 1 > /sys/kernel/uevent_helper'

# Capabilities (Docker's 14: 0xa80425fb) and no_new_privs
status=$(run cat /proc/self/status)
for f in CapBnd CapPrm CapEff; do
	assert_match "$f:"$'\t''00000000a80425fb' "$status" "$f is Docker's default set"
done
assert_match $'CapInh:\t0000000000000000' "$status" "the inheritable set is empty"
assert_match $'CapAmb:\t0000000000000000' "$status" "the ambient set is empty"
assert_match $'NoNewPrivs:\t1' "$status" "no_new_privs is set"
assert_match $'Seccomp:\t2' "$status" "the default seccomp filter is on"
assert_fails "no CAP_SYS_ADMIN: mount fails" run mount -t tmpfs none /mnt
status=$(run -u 1000:1001 cat /proc/self/status)
assert_match $'Uid:\t1000\t1000\t1000\t1000' "$status" "-u sets the user"
assert_match $'Gid:\t1001\t1001\t1001\t1001' "$status" "-u sets the group"
assert_match $'Groups:[ \t]*1001[ \t]*\n' "$status" "-u UID:GID: the group is the only one, as runc"
assert_match $'CapEff:\t0000000000000000' "$status" "-u leaves no effective capabilities"
status=$(setpriv --groups 1234,5678 -- "$CONTAINODE" -q -r "$ROOT" --ephemeral cat /proc/self/status)
assert_match $'\nGroups:[ \t]*\n' "$status" "without -u the caller's supplementary groups are dropped too"
status=$(setpriv --groups 1234,5678 -- "$CONTAINODE" -q -r "$ROOT" --ephemeral -u 0:0 cat /proc/self/status)
assert_match $'\nGroups:[ \t]*0[ \t]*\n' "$status" "with -u 0:0 the caller's supplementary groups are dropped"

# No fd but 0, 1, 2 reaches the command: not the caller's, the tap's, the pipe's
fds=$(run -4 10.9.9.2/24 payload fds 7</dev/null 9>"$TEST_TMP/nine" | cut -d' ' -f1 | tr '\n' ' ')
assert_eq "0 1 2 " "$fds" "only fds 0, 1, 2 are open in the container (with a tap)"
fds=$(run --init payload fds 7</dev/null | cut -d' ' -f1 | tr '\n' ' ')
assert_eq "0 1 2 " "$fds" "only fds 0, 1, 2 are open in the container (with --init)"
assert_eq "0 1 2" "$(run --init ls /proc/1/fd 9</dev/null | tr '\n' ' ' | sed 's/ $//')" \
	"the init holds only fds 0, 1, 2 too"

# Namespaces: all new, or kept with -N / -I
for ns in mnt pid uts ipc net cgroup; do
	host=$(readlink /proc/self/ns/$ns)
	inside=$(run readlink /proc/self/ns/$ns)
	[[ $inside != "$host" && -n $inside ]] && ok "own $ns namespace" || fail "$ns namespace is the host's"
done
assert_eq "$(readlink /proc/self/ns/net)" "$(run -N readlink /proc/self/ns/net)" "-N keeps the host's network"
assert_eq "$(readlink /proc/self/ns/ipc)" "$(run -I readlink /proc/self/ns/ipc)" "-I keeps the host's IPC"

# Network without a switch: lo only, or a tap with address, MAC and route
assert_eq "lo" "$(run ls /sys/class/net)" "without -4 or -s only lo exists"
assert_match 'UP' "$(run ip link show lo)" "lo is up"
net=$(run -i mactest -4 10.1.2.3/24 -g 10.1.2.1 sh -c 'ip -4 addr show eth0; ip route; cat /sys/class/net/eth0/address; cat /sys/class/net/eth0/tun_flags; cat /etc/hosts')
assert_match 'inet 10\.1\.2\.3/24' "$net" "-4 sets the address and prefix"
assert_match 'default via 10\.1\.2\.1 dev eth0' "$net" "-g sets the default route"
assert_match '10\.1\.2\.0/24 dev eth0' "$net" "the subnet route exists"
assert_match $'\n02:[0-9a-f:]{14}\n' "$net" "the MAC is locally administered"
flags=$(echo "$net" | grep -E '^0x[0-9a-f]+$')
# IFF_TUN 0x1, IFF_TAP 0x2, IFF_NO_PI 0x1000, IFF_VNET_HDR 0x4000 (IFF_PERSIST 0x800 may be set)
assert_eq $((0x5002)) $((flags & 0x5003)) "the tap has IFF_TAP|IFF_NO_PI|IFF_VNET_HDR"
assert_match $'10.1.2.3\tmactest' "$net" "/etc/hosts names the container's address"
mac1=$(run -i mactest -4 10.1.2.3/24 cat /sys/class/net/eth0/address)
assert_eq "$mac1" "$(run -i mactest -4 10.7.7.7/24 cat /sys/class/net/eth0/address)" \
	"the same identity gets the same MAC"
[[ $mac1 != "$(run -i othermac -4 10.1.2.3/24 cat /sys/class/net/eth0/address)" ]] &&
	ok "another identity gets another MAC" || fail "two identities share MAC $mac1"
assert_match 'inet 10\.1\.2\.3/8' "$(run -4 10.1.2.3 ip -4 addr show eth0)" "without /LEN the classful prefix"
assert_match 'eth1' "$(run -n eth1 -4 10.1.2.3/24 ls /sys/class/net)" "-n names the interface"

# Help and version
assert_match 'Usage: containode' "$("$CONTAINODE" --help)" "--help prints the usage on stdout"
assert_match '^containode [0-9]+\.[0-9]+' "$("$CONTAINODE" --version)" "--version"
