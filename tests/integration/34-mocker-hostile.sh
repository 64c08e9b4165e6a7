#!/usr/bin/env bash
# Hostile layers pulled from a registry: absolute paths, "..", writes through a symlink
# (planted by the same layer or an earlier one), hard links out of the root.  Each pull
# fails with a clear error, the canary outside is untouched, no rootfs and no image appear.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"

registry_start
export CONTAINET_STORE=$TEST_TMP/store
canary=$TEST_TMP/canary
mkdir -p "$canary"
echo keep >"$canary/canary"
canary_state() { (cd "$canary" && find . -printf '%p %y %m %s\n' | sort && cat canary); }
canary_state >"$TEST_TMP/canary.before"

declare -A why=(
	[abs]="absolute path"
	[dotdot]='\.\.'
	[symlink]="symbolic link"
	[symlink-lower]="symbolic link"
	[hardlink]="hard link"
)
for kind in abs dotdot symlink symlink-lower hardlink; do
	image_build "$TEST_TMP/h-$kind" "hostile-$kind" --canary "$canary"
	image_push "$TEST_TMP/h-$kind" "test/hostile:$kind"
	assert_exit 1 "$kind: the pull fails" "$MOCKER" pull "$REG/test/hostile:$kind"
	assert_match "${why[$kind]}" "$(cat "$TEST_TMP/last.out")" "$kind: the error says why"
	canary_state >"$TEST_TMP/canary.after"
	assert_ok "$kind: nothing outside the root was touched" \
		cmp "$TEST_TMP/canary.before" "$TEST_TMP/canary.after"
	assert_eq "" "$(ls -A "$CONTAINET_STORE/rootfs")" "$kind: no rootfs, not even half of one"
	assert_eq "" "$("$MOCKER" images -q)" "$kind: the image is not recorded"
	assert_ok "$kind: the store is valid" store_valid "$CONTAINET_STORE"
done
