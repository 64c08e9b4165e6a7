#!/usr/bin/env bash
# make bench-pull: mocker against skopeo + umoci, pulling from a docker-registry on
# 127.0.0.1 started for the run, same images, same machine, interleaved repetitions.
#   small   busybox-static, one layer (~1 MB)
#   big     busybox + one layer with a ~200 MB file (half random, half text)
# Per image:
#   cold    mocker pull (which downloads and unpacks), from an empty store
#           vs skopeo copy docker://... oci:... + umoci raw unpack, from an empty layout
#   cold+rootfs  the same plus a `mocker rootfs` process that prints the tree's path (the
#           whole user flow before containode -r), vs the same reference
#   second  mocker pull of the image already present (5 times per repetition)
#           vs skopeo copy of the image already present (no unpack)
# Prints medians and the ratio mocker / reference; the issue's target is <= 0.5 for cold
# and second pulls.  Environment: BUILD, BENCH_REPS (3), BENCH_BIG_MB (200).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/registry.sh"
command -v umoci >/dev/null || skip "umoci is needed"

REPS=${BENCH_REPS:-3}
BIG_MB=${BENCH_BIG_MB:-200}
registry_start
echo "  building and pushing the images (big: ${BIG_MB} MB layer)" >&2
image_build "$TEST_TMP/small" busybox
image_build "$TEST_TMP/big" big --size-mb "$BIG_MB"
image_push "$TEST_TMP/small" bench/small:v1
image_push "$TEST_TMP/big" bench/big:v1
rm -rf "$TEST_TMP/small" "$TEST_TMP/big"

# timed NAME CMD...: appends the wall time of CMD to $TEST_TMP/t.NAME ($EPOCHREALTIME: no
# process of its own inside the measured window).
timed() {
	local name=$1 t0 t1
	shift
	t0=$EPOCHREALTIME
	"$@" >/dev/null 2>"$TEST_TMP/err" || {
		cat "$TEST_TMP/err" >&2
		die "'$*' failed"
	}
	t1=$EPOCHREALTIME
	awk -v a="$t1" -v b="$t0" 'BEGIN { print a - b }' >>"$TEST_TMP/t.$name"
}
mocker_cold() {
	"$MOCKER" --store "$1" pull -q "$2"
}
mocker_cold_rootfs() {
	"$MOCKER" --store "$1" pull -q "$2" && "$MOCKER" --store "$1" rootfs "$2"
}
ref_cold() {
	skopeo copy -q --src-tls-verify=false "docker://$2" "oci:$1/oci:img" &&
		umoci raw unpack --image "$1/oci:img" "$1/rootfs"
}
ref_second() {
	skopeo copy -q --src-tls-verify=false "docker://$2" "oci:$1/oci:img"
}

for ((i = 1; i <= REPS; i++)); do
	for img in small big; do
		ref=$REG/bench/$img:v1
		rm -rf "$TEST_TMP/m" "$TEST_TMP/r"
		mkdir -p "$TEST_TMP/r"
		sync
		timed "$img.mocker.cold" mocker_cold "$TEST_TMP/m" "$ref"
		sync
		for ((k = 0; k < 5; k++)); do
			timed "$img.mocker.second" "$MOCKER" --store "$TEST_TMP/m" pull -q "$ref"
		done
		rm -rf "$TEST_TMP/m"
		sync
		timed "$img.mocker.cold+rootfs" mocker_cold_rootfs "$TEST_TMP/m" "$ref"
		sync
		timed "$img.ref.cold" ref_cold "$TEST_TMP/r" "$ref"
		sync
		for ((k = 0; k < 5; k++)); do
			timed "$img.ref.second" ref_second "$TEST_TMP/r" "$ref"
		done
	done
	echo "  repetition $i/$REPS done" >&2
done

median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '\n%-8s %-12s %12s %16s %8s %8s\n' image pull "mocker (s)" "skopeo+umoci (s)" ratio target
for img in small big; do
	for kind in cold cold+rootfs second; do
		m=$(median "$TEST_TMP/t.$img.mocker.$kind")
		r=$(median "$TEST_TMP/t.$img.ref.${kind%+rootfs}")
		ratio=$(awk -v a="$m" -v b="$r" 'BEGIN { print a / b }')
		verdict=$(awk -v x="$ratio" 'BEGIN { print (x <= 0.5) ? 1 : 0 }')
		printf '%-8s %-12s %12.3f %16.3f %8.2f %8s\n' "$img" "$kind" "$m" "$r" "$ratio" \
			"$([[ $verdict == 1 ]] && echo '<=0.5 ok' || echo '<=0.5 MISS')"
	done
done
echo "(medians of $REPS runs, of 5 x $REPS for second pulls, which follow a sync; second: the"
echo " reference is skopeo copy alone, without unpacking)"
