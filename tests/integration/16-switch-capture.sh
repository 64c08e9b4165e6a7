#!/usr/bin/env bash
# Live capture: the switch writes pcapng to a descriptor the client hands over.  Port
# captures (what a node sent and what was delivered to it) and segment captures (each
# frame once, as it enters the segment, later joiners included), read back by tcpdump
# and tshark; frame counts against the ports' counters; a pipe nobody reads (forwarding
# goes on, drops are counted and reported in the summary, in epb_dropcount and in the
# closing ISB's isb_ifdrop); several captures at once; hostile requests.
. "$(dirname "$0")/lib.sh"

CONTAINET=$BIN/containet
CTL=$HELPERS/ctltool
SOCK=$TEST_TMP/switch.sock

command -v tshark >/dev/null || skip "tshark is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"
command -v iperf3 >/dev/null || skip "iperf3 is not installed"

ports_json() { "$CONTAINET" -s "$SOCK" ports --json; }
port_field() { # PORT FIELD
	ports_json | grep -o "\"name\":\"$1\"[^}]*\"$2\":[^,}]*" | sed 's/.*://; s/"//g'
}
mac_of() { ip netns exec "$TEST_ID$1" cat /sys/class/net/eth0/address; }
frames_in() { tshark -r "$1" 2>/dev/null | wc -l; }
# What the client said at the end: "N frames captured, M dropped".
summary() { grep -Eo '[0-9]+ frames captured, [0-9]+ dropped' "$1"; }

# node NAME I [SEGMENT]: namespace $TEST_ID<NAME>, tap eth0 in SEGMENT, 10.198.0.I/24.
node() {
	local ns=$TEST_ID$1
	netns_add "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	spawn "attach-$1" ip netns exec "$ns" "$CTL" attach "$SOCK" "$1" eth0 ${3:+"$3"}
	wait_until 5 grep -q '"ok":true' "$TEST_TMP/attach-$1.log" ||
		die "attach of $1 failed: $(cat "$TEST_TMP/attach-$1.log")"
	ip -n "$ns" addr add "10.198.0.$2/24" dev eth0
	ip -n "$ns" link set eth0 up
}

# capture NAME ARGS...: a capture client in the background, its stderr in NAME.log; waits
# until the switch took it (its file has the section header).
capture_bg() {
	local name=$1
	shift
	spawn "$name" "$CONTAINET" -s "$SOCK" capture "$@"
	eval "CAP_${name//-/_}=$SPAWNED"
	wait_until 5 grep -q 'capture [0-9]* started' "$TEST_TMP/switch.log" || true
}
# stop NAME: Ctrl-C to a capture client; waits for its summary.
stop() {
	local pid
	eval "pid=\$CAP_${1//-/_}"
	kill -INT "$pid"
	wait_until 10 grep -q 'frames captured' "$TEST_TMP/$1.log" ||
		fail "capture $1 gave no summary: $(cat "$TEST_TMP/$1.log")"
	wait "$pid" 2>/dev/null || true
}

SWNS=${TEST_ID}sw
netns_add "$SWNS"
spawn switch ip netns exec "$SWNS" "$CONTAINET" -s "$SOCK" -v
SWITCH=$SPAWNED
wait_until 5 ports_json >/dev/null || die "the switch does not answer"
"$CONTAINET" -s "$SOCK" segment add lan1 >/dev/null
node a1 1 lan1
node a2 2 lan1
node b1 3
ip netns exec "${TEST_ID}a1" ping -c 1 -W 2 10.198.0.2 >/dev/null || die "a1 does not reach a2"

# --- A port capture with a count, decoded by tcpdump and tshark ---------------------
F=$TEST_TMP/count.pcapng
spawn count "$CONTAINET" -s "$SOCK" capture a1-eth0 -w "$F" -c 6
COUNT=$SPAWNED
wait_until 5 test -s "$F" || die "the capture did not start: $(cat "$TEST_TMP/count.log")"
ip netns exec "${TEST_ID}a1" ping -c 5 -i 0.1 -W 2 10.198.0.2 >/dev/null
wait_until 10 eval '! kill -0 $COUNT' || fail "capture -c 6 did not end by itself"
assert_match '^6 frames captured, 0 dropped$' "$(summary "$TEST_TMP/count.log")" \
	"capture -c 6 ends after 6 frames and says so on stderr"
assert_eq 6 "$(tcpdump -nn -r "$F" 2>/dev/null | wc -l)" "tcpdump -r decodes 6 frames"
assert_eq 6 "$(tcpdump -nn -r "$F" 2>/dev/null | grep -c 'ICMP echo')" "... all of them ICMP echoes"
assert_eq "a1-eth0" "$(tshark -r "$F" -T fields -e frame.interface_name 2>/dev/null | sort -u)" \
	"tshark names the port's interface"
assert_match "$(mac_of a1) → $(mac_of a2)|$(mac_of a1) -> $(mac_of a2)|ICMP" \
	"$(tshark -r "$F" 2>/dev/null | head -1)" "tshark decodes the frames"
assert_match "Number of interfaces in file: 1" "$(capinfos "$F" 2>&1)" "one interface block"
ts=$(tshark -r "$F" -T fields -e frame.time_epoch 2>/dev/null | head -1)
assert_ok "timestamps are wall-clock time, within a minute of now ($ts)" \
	/usr/bin/python3 -c "import sys, time; sys.exit(abs(float('$ts') - time.time()) > 60)"

# --- The count matches the port's counters -------------------------------------------
F=$TEST_TMP/counters.pcapng
early=$(($(port_field a1-eth0 rx_frames) + $(port_field a1-eth0 tx_frames)))
capture_bg counters a1-eth0 -w "$F"
wait_until 5 test -s "$F" || die "capture did not start"
rx=$(port_field a1-eth0 rx_frames)
tx=$(port_field a1-eth0 tx_frames)
ip netns exec "${TEST_ID}a1" ping -c 40 -i 0.02 -W 2 10.198.0.2 >/dev/null
ip netns exec "${TEST_ID}a1" ping -c 3 -b -i 0.1 -W 1 10.198.0.255 >/dev/null 2>&1 || true
sleep 0.3
# Frames move the counters while the capture starts and stops: the count lies between what
# they saw from its start to its stop at the least, and from before its start to after its
# stop at the most.
seen() { echo $(($(port_field a1-eth0 rx_frames) - rx + $(port_field a1-eth0 tx_frames) - tx)); }
want=$(seen)
stop counters
want_after=$(($(seen) + rx + tx - early))
got=$(frames_in "$F")
assert_ok "a port capture holds every frame the port's counters saw ($got, $want-$want_after)" \
	test "$got" -ge "$want" -a "$got" -le "$want_after"
assert_match "^$got frames captured, 0 dropped$" "$(summary "$TEST_TMP/counters.log")" \
	"... and the summary says so"

# --- A segment capture: each frame once, later joiners included, live through a pipe ----
F=$TEST_TMP/seg.pcapng
# Counters read before the capture starts and after: frames between the two readings may
# or may not be in it.  a3 joins later, its counters from 0: all its frames are.
early1=$(port_field a1-eth0 rx_frames)
early2=$(port_field a2-eth0 rx_frames)
capture_bg seg lan1 -w "$F"
wait_until 5 test -s "$F" || die "segment capture did not start"
rx1=$(port_field a1-eth0 rx_frames)
rx2=$(port_field a2-eth0 rx_frames)
node a3 4 lan1
rx3=0
b1_before=$(port_field b1-eth0 rx_frames)
# a1's broadcast ping floods to a2 and a3: recorded once, as it entered.
ip netns exec "${TEST_ID}a1" ping -c 3 -b -i 0.1 -W 1 10.198.0.255 >/dev/null 2>&1 || true
ip netns exec "${TEST_ID}a3" ping -c 3 -i 0.1 -W 2 10.198.0.2 >/dev/null
ip netns exec "${TEST_ID}b1" ping -c 2 -i 0.1 -W 1 10.198.0.99 >/dev/null 2>&1 || true
sleep 0.3
seg_in() {
	echo $(($(port_field a1-eth0 rx_frames) - rx1 + $(port_field a2-eth0 rx_frames) - rx2 +
		$(port_field a3-eth0 rx_frames) - rx3))
}
in_seg=$(seg_in)
stop seg
in_seg_after=$(($(seg_in) + rx1 - early1 + rx2 - early2))
got=$(frames_in "$F")
assert_ok "a segment capture holds each frame that entered the segment once ($got, $in_seg-$in_seg_after)" \
	test "$got" -ge "$in_seg" -a "$got" -le "$in_seg_after"
a1hex=$(mac_of a1)
bcast=$(tshark -r "$F" -Y "eth.src == $a1hex && eth.dst == ff:ff:ff:ff:ff:ff && icmp" 2>/dev/null | wc -l)
assert_eq 3 "$bcast" "a1's 3 flooded broadcasts appear once each, not once per port"
ifaces=$(tshark -r "$F" -T fields -e frame.interface_name 2>/dev/null | sort -u | tr '\n' ' ')
assert_match "a3-eth0" "$ifaces" "a port that joined after the capture began is in it"
assert_no_match "b1-eth0" "$ifaces" "a port of another segment is not"
assert_ok "b1 did send frames meanwhile" test "$(port_field b1-eth0 rx_frames)" -gt "$b1_before"

# Live: `capture -w - | tcpdump -r -`.
spawn live bash -c "'$CONTAINET' -s '$SOCK' capture a2-eth0 -w - -c 4 | tcpdump -nn -l -r - 2>/dev/null"
LIVE=$SPAWNED
sleep 0.5
ip netns exec "${TEST_ID}a1" ping -c 3 -i 0.1 -W 2 10.198.0.2 >/dev/null
wait_until 10 eval '! kill -0 $LIVE' || fail "the live capture did not end"
assert_eq 4 "$(grep -Ec '^[0-9]{2}:[0-9]{2}:' "$TEST_TMP/live.log")" "capture -w - -c 4 | tcpdump -r - shows 4 frames"
assert_match "ICMP echo" "$(cat "$TEST_TMP/live.log")" "... decoded (a1's pings among them)"

# --- Several captures at once ---------------------------------------------------------
capture_bg multi1 a1-eth0 -w "$TEST_TMP/m1.pcapng"
capture_bg multi2 a2-eth0 -w "$TEST_TMP/m2.pcapng"
capture_bg multi3 -w "$TEST_TMP/m3.pcapng"
wait_until 5 test -s "$TEST_TMP/m3.pcapng" || die "the third capture did not start"
ip netns exec "${TEST_ID}a1" ping -c 4 -i 0.1 -W 2 10.198.0.2 >/dev/null
ip netns exec "${TEST_ID}b1" ping -c 1 -W 1 10.198.0.99 >/dev/null 2>&1 || true
sleep 0.3
stop multi1
stop multi2
stop multi3
assert_ok "three captures at once: the first has a1's 8 echo frames" \
	test "$(tshark -r "$TEST_TMP/m1.pcapng" -Y icmp 2>/dev/null | wc -l)" -eq 8
assert_ok "... the second a2's 8" test "$(tshark -r "$TEST_TMP/m2.pcapng" -Y icmp 2>/dev/null | wc -l)" -eq 8
assert_match "b1-eth0" "$(tshark -r "$TEST_TMP/m3.pcapng" -T fields -e frame.interface_name 2>/dev/null | sort -u)" \
	"... and one naming nothing records every segment"

# --- A reader that stalls --------------------------------------------------------------
spawn iperf3-server ip netns exec "${TEST_ID}a2" iperf3 -s -B 10.198.0.2
wait_until 5 bash -c "ip netns exec ${TEST_ID}a2 ss -ltn sport = :5201 | grep -q LISTEN" ||
	die "iperf3 server did not start"
iperf() { # prints bits per second received
	ip netns exec "${TEST_ID}a1" timeout 20 iperf3 -c 10.198.0.2 -t 2 -J 7>&- |
		/usr/bin/python3 -c 'import json,sys; print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'
}
# The fifo is held open for reading by this shell, which reads nothing until told; no
# other process keeps that descriptor (7>&-), so the reader sees the end when the switch
# closes its end.
mkfifo "$TEST_TMP/stall"
exec 7<>"$TEST_TMP/stall"
defer exec 7>&-
base=$(iperf)
spawn stalled bash -c "exec '$CONTAINET' -s '$SOCK' capture lan1 -w - 2>'$TEST_TMP/stalled.err' >'$TEST_TMP/stall' 7>&-"
CAP_stalled=$SPAWNED
sleep 0.5
with=$(iperf)
echo "iperf3: $base bit/s without a capture, $with with a stalled one"
assert_ok "forwarding goes on with a stalled capture ($with against $base bit/s)" \
	test $((with * 4)) -gt "$base"
# Now read: what was queued comes out, with the drops in it.
spawn drain bash -c "exec cat <'$TEST_TMP/stall' >'$TEST_TMP/stalled.pcapng' 7>&-"
DRAIN=$SPAWNED
exec 7>&-
ip netns exec "${TEST_ID}a1" ping -c 3 -i 0.1 -W 2 10.198.0.2 >/dev/null
sleep 0.3
kill -INT "$CAP_stalled"
wait_until 10 grep -q 'frames captured' "$TEST_TMP/stalled.err" ||
	fail "the stalled capture gave no summary: $(cat "$TEST_TMP/stalled.err")"
wait_until 10 eval '! kill -0 $DRAIN' || fail "the reader never saw the end of the stream"
s=$(summary "$TEST_TMP/stalled.err")
dropped=${s##*, }
dropped=${dropped% dropped}
assert_ok "the summary reports drops ($s)" test "$dropped" -gt 0
F=$TEST_TMP/stalled.pcapng
assert_ok "tshark reads the stalled capture" tshark -r "$F" -c 1
epb_drops=$(tshark -r "$F" -T fields -e frame.drop_count 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
assert_ok "epb_dropcount reports drops ($epb_drops)" test "$epb_drops" -gt 0
isb_drops=$(/usr/bin/python3 - "$F" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
at, total = 0, 0
while at + 12 <= len(data):
    kind, length = struct.unpack_from("<II", data, at)
    if length < 12:
        break
    if kind == 5:  # Interface Statistics Block: options after 20 bytes
        o = at + 20
        while o + 4 <= at + length - 4:
            code, olen = struct.unpack_from("<HH", data, o)
            if code == 0:
                break
            if code == 5:  # isb_ifdrop
                total += struct.unpack_from("<Q", data, o + 4)[0]
            o += 4 + (olen + 3) // 4 * 4
    at += length
print(total)
PY
)
assert_eq "$dropped" "$isb_drops" "the closing ISBs' isb_ifdrop add up to the drops reported"

# --- Hostile requests -------------------------------------------------------------------
hostile "capture without a descriptor" 'capture needs the descriptor' '{"op":"capture"}'
hostile "capture to a read-only descriptor" 'not open for writing' '{"op":"capture"}' \
	--fd-file /etc/hostname
W=(--fd-wfile /dev/null)
hostile "capture of an unknown port" "no port 'nope'" '{"op":"capture","ports":["nope"]}' "${W[@]}"
hostile "capture of an unknown segment" "no segment 'nope'" '{"op":"capture","segments":["nope"]}' "${W[@]}"
hostile "capture with ports not a list" 'ports.. is not a list' '{"op":"capture","ports":"a1-eth0"}' "${W[@]}"
hostile "capture with a number for a port" 'ports.. holds' '{"op":"capture","ports":[1]}' "${W[@]}"
hostile "capture with a bad segment name" 'segments.. holds' '{"op":"capture","segments":["a b"]}' "${W[@]}"
hostile "capture with snaplen 10" 'snaplen.. is not' '{"op":"capture","snaplen":10}' "${W[@]}"
hostile "capture with count 0" 'count.. is not' '{"op":"capture","count":0}' "${W[@]}"
hostile "capture with a string count" 'count.. is not' '{"op":"capture","count":"5"}' "${W[@]}"
many=$(printf '"p%d",' $(seq 1 65))
hostile "capture of 65 ports" 'at most 64' "{\"op\":\"capture\",\"ports\":[${many%,}]}" "${W[@]}"
hostile "capture-stop without an ID" 'needs ..capture..' '{"op":"capture-stop"}'
hostile "capture-stop of an unknown ID" 'no capture 12345' '{"op":"capture-stop","capture":12345}'
hostile "capture-stop with a negative ID" 'needs ..capture..' '{"op":"capture-stop","capture":-1}'
capture_bg other a1-eth0 -w /dev/null
id=$(grep -Eo 'capture [0-9]+ started' "$TEST_TMP/switch.log" | tail -1 | tr -dc 0-9)
hostile "capture-stop of another connection's capture" "no capture $id" \
	"{\"op\":\"capture-stop\",\"capture\":$id}"
stop other
assert_ok "switch alive after hostile capture requests" kill -0 "$SWITCH"
assert_ok "lan1 still forwards" ip netns exec "${TEST_ID}a1" ping -c 1 -W 2 10.198.0.2

# --- The CLI ----------------------------------------------------------------------------
assert_exit 2 "capture -c 0 is a usage error" "$CONTAINET" -s "$SOCK" capture -w /dev/null -c 0
assert_exit 2 "a bad --duration is a usage error" "$CONTAINET" -s "$SOCK" capture -w /dev/null --duration x
assert_exit 2 "--snaplen 10 is a usage error" "$CONTAINET" -s "$SOCK" capture -w /dev/null --snaplen 10
assert_exit 2 "-w with ports is a usage error" "$CONTAINET" -s "$SOCK" ports -w /dev/null
assert_exit 1 "a capture of an unknown port fails" "$CONTAINET" -s "$SOCK" capture nope -w /dev/null
assert_match "no port 'nope'" "$(cat "$TEST_TMP/last.out")" "... naming it"
assert_exit 0 "capture --duration 0.5 ends by itself" "$CONTAINET" -s "$SOCK" capture -w /dev/null --duration 0.5
assert_match "frames captured" "$(cat "$TEST_TMP/last.out")" "... with its summary"
assert_match "capture \[PORT\|SEGMENT\]" "$("$CONTAINET" --help)" "--help lists capture"
assert_eq '{"ok":true,"captures":[]}' "$("$CTL" send "$SOCK" '{"op":"captures"}')" \
	"no capture is left running"

# --- The end: a capture still running when the switch stops --------------------------------
capture_bg last lan1 -w "$TEST_TMP/last.pcapng"
wait_until 5 test -s "$TEST_TMP/last.pcapng" || fail "the last capture did not start"
kill -TERM "$SWITCH"
rc=0
wait "$SWITCH" || rc=$?
assert_eq 0 "$rc" "the switch exits 0 with a capture running"
assert_no_match "Sanitizer|runtime error" "$(cat "$TEST_TMP/switch.log")" \
	"the switch's log has no sanitizer report"
