#!/usr/bin/env bash
# containode's life cycle where only cgroup v1 is mounted: pause and resume go through the
# v1 freezer (freezer.state), and stop of a forking node that ignores SIGTERM freezes its
# cgroup and kills each of its processes, so that none escapes.  The test runs in a mount
# namespace of its own where the v2 hierarchy is unmounted, so that containode finds v1 only.
if [[ -z ${CONTAINODE_V1_ONLY:-} ]]; then
	exec env CONTAINODE_V1_ONLY=1 unshare -m --propagation private "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/containode.sh"

command -v jq >/dev/null || skip "jq is not installed"
grep -Eq ' - cgroup [^ ]+ [^ ]*(,|^| )freezer(,|$)' /proc/self/mountinfo ||
	skip "the v1 freezer is not mounted"
# Hide every v2 mount (this namespace alone sees that).
for m in $(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | sort -r); do
	umount -l "$m" || skip "cannot unmount the v2 hierarchy '$m'"
done
detached_setup
# The processes of the host that sit in a cgroup of node $1.
procs_of() { grep -l "/$1@" /proc/[0-9]*/cgroup 2>/dev/null | wc -l; }

# --- pause, resume ---
"${RUN[@]}" --name busy sh -c 'while :; do :; done' >/dev/null
assert_match '/freezer/' "$(jq -r '.cgroups[].path' "$CONTAINODE_STATE/busy/state.json")" \
	"the node has a v1 freezer cgroup"
bpid=$(field busy pid)
ticks() { awk '{ print $14 + $15 }' "/proc/$bpid/stat"; }
assert_ok "pause" "$C" pause busy
assert_eq paused "$(status_of busy)" "ps says paused"
a=$(ticks)
sleep 1
b=$(ticks)
assert_eq "$a" "$b" "a paused busy loop gets no CPU time over 1 s"
assert_ok "resume" "$C" resume busy
assert_eq running "$(status_of busy)" "ps says running again"
sleep 0.5
c=$(ticks)
if ((c > b)); then ok "the resumed loop runs ($b -> $c ticks)"; else fail "no CPU time after resume"; fi
assert_ok "a paused node stops" "$C" pause busy
assert_ok "stop of a paused node" "$C" stop -t 1 busy
assert_eq exited "$(status_of busy)" "and it is exited"

# --- stop of a forking node that ignores SIGTERM ---
"${RUN[@]}" --name forker sh -c 'trap "" TERM; while :; do sleep 1000 & sleep 0.01; done' >/dev/null
wait_until 5 sh -c "[ \$(grep -l /forker@ /proc/[0-9]*/cgroup 2>/dev/null | wc -l) -gt 5 ]" ||
	fail "the forker did not fork"
assert_ok "stop -t 1 of a forking node" "$C" stop -t 1 forker
assert_eq 137 "$(field forker exit_code)" "killed: exit code 137"
assert_eq 0 "$(procs_of forker)" "no process of it is left"
assert_ok "rm" "$C" rm busy forker
assert_eq "" "$(ls "$CONTAINODE_STATE")" "nothing is left in the state directory"
