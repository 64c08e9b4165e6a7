#!/usr/bin/env bash
# Every example lab of demo/labs/, one at a time, on a copy: up, what the lab needs before
# its test (routing converged), lab test --verify against the signatures committed in its
# _test/, the checks of its own below (extra_<lab>), down, and nothing of it left: no
# state, process, mount or cgroup of the lab, no network or mount namespace of its nodes
# (their taps lived there). two-lans is 65-67's (67 runs its _test/), two-host-vxlan 69's.
# A lab on kathara/frr runs on the stand-in built from Debian's frr, and is skipped, with
# the reason, when frr is not installed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lab.sh"
. "$(dirname "$0")/labimage.sh"
lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
command -v jq >/dev/null || skip "jq is not installed"

export CONTAINET_STORE=$LAB_STORE
DEMO=$TOP/demo/labs
MAP=()

# The stand-in of kathara/base with ISC's dhclient (Debian's isc-dhcp-client), and the
# /etc/fstab that Debian's images have and its dhclient-script reads.
lab_image_dhcp() {
	local root
	# shellcheck disable=SC2086
	root=$(lab_root kathara-dhcp $LAB_BASE_PACKAGES isc-dhcp-client)
	[[ -e $root/etc/fstab ]] || : >"$root/etc/fstab"
	lab_image kathara-dhcp "$root" "$LAB_STORE"
}

# ns_of NAME: the network and mount namespaces of NAME's nodes, one "net:[N]" a line.
ns_of() {
	local pid
	for pid in $(lab ps --name "$1" --json | jq -r '.[].pid'); do
		readlink "/proc/$pid/ns/net" "/proc/$pid/ns/mnt" 2>/dev/null || true
	done
}

# ns_left TICKS NS...: those of the namespaces that a process started before TICKS (clock
# ticks since boot, as /proc/PID/stat counts them) still holds. A namespace's inode number
# is reused once it is gone, by whatever another test starts next: those are not ours.
ns_left() {
	local before=$1 p x start
	shift
	find /proc/[0-9]*/ns/net /proc/[0-9]*/ns/mnt -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
		while read -r p x; do
			[[ " $* " == *" $x "* ]] || continue
			p=${p%/ns/*}
			start=$(start_time "${p#/proc/}") || continue
			if [[ -n $start ]] && ((start < before)); then
				echo "$x held by ${p#/proc/}: $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
			fi
		done
	return 0
}

# ticks: clock ticks since boot (USER_HZ, 100 on Linux), rounded down.
ticks() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * $(getconf CLK_TCK)))
}

# median_min: "MIN MEDIAN" in ms of the times ping printed on stdin.
median_min() {
	sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | sort -n |
		awk '{ t[NR] = $1 } END { if (NR) printf "%s %s %d\n", t[1], t[int((NR + 1) / 2)], NR }'
}

# wan: the RTT across the WAN, measured again here with its figures: lab.ext's 20 ms each
# way, +-2 ms: at least 2 x 18 ms, a median under 2 x 22 ms plus 30 ms of slack.
extra_wan() {
	local n=$1 min med cnt
	read -r min med cnt < <(lab exec --name "$n" pc1 -- ping -c 20 -i 0.05 -W 2 10.2.0.2 | median_min)
	[[ -n ${cnt:-} ]] || {
		fail "wan: no ping across the WAN answered"
		return
	}
	assert_ok "wan: min RTT $min ms >= 36 ms (2 x (delay - jitter)), $cnt of 20 answered" \
		awk -v m="$min" 'BEGIN { exit !(m >= 36) }'
	assert_ok "wan: median RTT $med ms < 74 ms (2 x (delay + jitter) + 30)" \
		awk -v m="$med" 'BEGIN { exit !(m < 74) }'
	read -r min med cnt < <(lab exec --name "$n" pc1 -- ping -c 10 -i 0.05 -W 2 10.1.0.1 | median_min)
	assert_ok "wan: the LAN is not delayed (median $med ms to r1)" \
		awk -v m="$med" 'BEGIN { exit !(m < 15) }'
}

# dhcp-dns: the leases in the lab's own state (gone with it); pc2 finds pc1 by name; then
# the same lab with every node on the stand-in image (dhclient from Debian's package in a
# node of its own image) passes the same signatures.
extra_dhcp_dns() {
	local n=$1
	assert_match "lan dhcp .* 10\.5\.0\.100 .* pc1" "$(cat "$CONTAINET_LAB_ROOT/$n/switch/leases")" \
		"dhcp-dns: pc1's lease is in the lab's state directory, under pc1's name"
	assert_match "10\.5\.0\.100 +pc1\.lan\.example" \
		"$(lab exec --name "$n" pc2 -- getent hosts pc1.lan.example)" \
		"dhcp-dns: pc2 (dhclient's resolv.conf) resolves pc1.lan.example"
}

extra_dhcp_dns_image() {
	local lab=$1 n=d-dhcp-img
	lab_image_dhcp || {
		fail "dhcp-dns: the stand-in with isc-dhcp-client could not be built"
		return
	}
	assert_ok "dhcp-dns on the stand-in image: up" lab up --name "$n" --image local/kathara-dhcp "$lab"
	assert_match "local/kathara-dhcp" "$(lab ps --name "$n" | grep "$n-pc2")" "pc2 runs the image"
	assert_ok "dhcp-dns on the stand-in image: verify, dhclient from the image" \
		lab test --name "$n" --verify
	assert_ok "dhcp-dns on the stand-in image: down" lab down --name "$n"
	assert_eq "" "$(leftovers "$n")" "dhcp-dns on the stand-in image: nothing left"
}

# vlan-trunk: the trunk carries VLAN 20 tagged: what patch's eth1 sees of b1's pings to b2.
extra_vlan_trunk() {
	local n=$1
	command -v tcpdump >/dev/null || {
		ok "vlan-trunk: tcpdump is not installed, the tags are not looked at"
		return
	}
	lab exec --name "$n" patch -- timeout 10 tcpdump -enl -i eth1 -c 1 icmp \
		>"$TEST_TMP/tags.out" 2>/dev/null &
	local pid=$!
	wait_until 10 sh -c "'$CONTAINET' lab exec --name $n b1 -- ping -c 1 -W 1 192.168.0.22 && ! kill -0 $pid" ||
		true
	wait "$pid" || true
	assert_match "802\.1Q .*vlan 20.* 192\.168\.0\.21 > 192\.168\.0\.22: ICMP echo request" \
		"$(cat "$TEST_TMP/tags.out")" "vlan-trunk: b1's ping crosses the trunk tagged with VLAN 20"
}

# routing: converged is each router's way to the far LAN through the cheap links (a ping
# succeeds earlier, over the backup r1-r3); cutting r1-r2 moves lan1 -> lan3 onto it.
ready_routing() {
	local n=$1
	lab wait --name "$n" --timeout 60 r1 -- sh -c 'ip route show 10.0.3.0/24 | grep -q "via 10.0.12.2"' &&
		lab wait --name "$n" --timeout 60 r2 -- sh -c 'ip route show 10.0.3.0/24 | grep -q "via 10.0.23.3"' &&
		lab wait --name "$n" --timeout 60 r3 -- sh -c 'ip route show 10.0.1.0/24 | grep -q "via 10.0.23.2"'
}

extra_routing() {
	local n=$1
	assert_ok "routing: r1-r2 cut (r1:eth1 down)" lab link --name "$n" r1:eth1 down
	assert_ok "routing: r1 reroutes lan3 over the backup" \
		lab wait --name "$n" --timeout 30 r1 -- sh -c 'ip route show 10.0.3.0/24 | grep -q "via 10.0.13.3"'
	assert_ok "routing: pc1 reaches pc3 over the backup" \
		lab wait --name "$n" --timeout 30 pc1 -- ping -c 1 -W 1 10.0.3.2
	assert_ok "routing: r1-r2 back up" lab link --name "$n" r1:eth1 up
	assert_ok "routing: lan3 through r2 again" ready_routing "$n"
}

for dir in "$DEMO"/*/; do
	name=$(basename "$dir")
	case $name in
	two-lans) continue ;;       # 67 runs its _test/ (and verifies ten runs in a row)
	two-host-vxlan) continue ;; # 69 runs it over two "machines"
	esac
	[[ -d $dir/_test/signature ]] || {
		fail "$name: no _test/signature to verify against"
		continue
	}
	if grep -q '^[^#]*\[image\]="kathara/frr"' "$dir/lab.conf"; then
		if [[ ! -x /usr/lib/frr/zebra ]]; then
			echo "SKIP: $name: frr is not installed (tests/deps.sh)"
			continue
		fi
		lab_image_frr || die "the kathara/frr stand-in could not be built"
		MAP=(--image-map kathara/frr=local/kathara-frr)
	else
		MAP=()
	fi
	lab=$TEST_TMP/$name
	cp -r "$dir" "$lab"
	rm -rf "$lab/_test/results"
	n=d-$name
	fn=${name//-/_}

	assert_ok "$name: up" lab up --name "$n" "${MAP[@]}" "$lab"
	if declare -F "ready_$fn" >/dev/null; then
		assert_ok "$name: ready (lab wait)" "ready_$fn" "$n"
	fi
	mapfile -t ns < <(ns_of "$n")
	sigs=("$lab"/_test/signature/*.default)
	nodes=${#sigs[@]}
	if lab test --name "$n" --verify >"$TEST_TMP/verify.out" 2>&1; then
		assert_match "lab $n: $nodes of $nodes nodes as their signature" \
			"$(cat "$TEST_TMP/verify.out")" "$name: lab test --verify: its $nodes nodes as _test/signature"
	else
		fail "$name: lab test --verify: $(cat "$TEST_TMP/verify.out")"
	fi
	if declare -F "extra_$fn" >/dev/null; then
		"extra_$fn" "$n"
	fi
	t0=$(ticks)
	assert_ok "$name: down" lab down --name "$n"
	assert_eq "" "$(leftovers "$n")" "$name: no state, process, mount or cgroup left"
	assert_eq "" "$(ns_left "$t0" "${ns[@]}")" "$name: none of its ${#ns[@]} node namespaces left"
	if declare -F "extra_${fn}_image" >/dev/null; then
		"extra_${fn}_image" "$lab"
	fi
done
