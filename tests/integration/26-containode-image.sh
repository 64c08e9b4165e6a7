#!/usr/bin/env bash
# containode --image: an image of mocker's store, its config applied as Docker applies it
# (Entrypoint, Cmd, Env, WorkingDir, User by name with its groups), the options that win
# over it, --pull missing, a store never written to, the rootfs kept by rmi and prune
# while a node runs on it; and what goes with it: -u by name, --hostname, -r /.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/registry.sh"
. "$(dirname "$0")/containode.sh"

registry_start
image_build "$TEST_TMP/img" runconfig
image_push "$TEST_TMP/img" test/run:v1
export CONTAINET_STORE=$TEST_TMP/store
STORE=$CONTAINET_STORE
IMG=$REG/test/run:v1
# The command's output alone (containode's and mocker's messages go to stderr).
node() { "$CONTAINODE" -N -q "$@" 2>"$TEST_TMP/node.err"; }
tree_sum() { (cd "$1" && find . -printf '%p %y %s %m %T@ %l\n' | sort | md5sum); }

# An image that is not in the store: the error names the pull to run.
assert_exit 125 "an image not in the store is an error" "$CONTAINODE" -N --image "$IMG"
assert_eq "containode: image '$IMG' is not in the store '$STORE': run 'mocker --store $STORE pull $IMG' (or use --pull missing)" \
	"$(cat "$TEST_TMP/last.out")" "the error names the image, the store and the pull to run"
assert_exit 2 "--pull takes 'missing' or 'never'" "$CONTAINODE" --pull always --image "$IMG"
assert_exit 2 "--entrypoint needs --image" "$CONTAINODE" --entrypoint /bin/id true

# --pull missing: mocker pulls it, and the image's command runs.
assert_eq "ep cmd" "$(node --pull missing --image "$IMG")" \
	"--pull missing pulls the image and runs Entrypoint + Cmd"
digest=$(manifest_digest_of test/run:v1)
ROOTFS=$STORE/rootfs/$digest
[[ -d $ROOTFS ]] && ok "the pull unpacked the rootfs" || fail "no $ROOTFS"
rootfs_sum=$(tree_sum "$ROOTFS")
store_list=$(ls -A "$STORE/rootfs")

# The command: ARGS replace Cmd; --entrypoint replaces Entrypoint and drops Cmd.
assert_eq "ep cmd" "$(node --image "$IMG")" "a stored image runs without --pull"
assert_eq "ep x y" "$(node --image "$IMG" x y)" "ARGS replace Cmd"
assert_eq "" "$(node --image "$IMG" --entrypoint /bin/echo)" "--entrypoint drops Cmd"
assert_eq "a b" "$(node --image "$IMG" --entrypoint /bin/echo a b)" \
	"--entrypoint takes ARGS as its arguments"

# The user: the image's name, with its groups, from the image's /etc/passwd and /etc/group.
assert_eq "uid=1001(app) gid=1002(app) groups=1002(app),1003(extra),1004(more)" \
	"$(node --image "$IMG" --entrypoint /bin/id)" "the image's User by name, with its groups"
assert_eq "uid=1000(user) gid=1000(user) groups=1000(user),1004(more)" \
	"$(node --image "$IMG" --entrypoint /bin/id -u user)" "-u NAME wins over the image's User"
assert_eq "uid=0(root) gid=1003(extra) groups=1003(extra)" \
	"$(node --image "$IMG" --entrypoint /bin/id -u 0:extra)" "-u UID:GROUP"
assert_eq "uid=1001(app) gid=1004(more) groups=1004(more)" \
	"$(node --image "$IMG" --entrypoint /bin/id -u app:1004)" "-u NAME:GID"
assert_eq "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)" \
	"$(node --image "$IMG" --entrypoint /bin/id -u nobody)" "-u nobody"
assert_exit 125 "an unknown user is an error" "$CONTAINODE" -N --image "$IMG" -u ghost
assert_match "user 'ghost'" "$(cat "$TEST_TMP/last.out")" "the error names the user"

# The environment: the image's, then -e; HOME from passwd; HOSTNAME.
assert_eq "image cli x /home/app" \
	"$(node --image "$IMG" -e B=cli -e C=x --entrypoint /bin/sh -- -c 'echo $A $B $C $HOME')" \
	"Env: the image's first, then -e; HOME is the user's"
assert_eq "PATH=/bin" "$(node --image "$IMG" --entrypoint /bin/env | grep ^PATH=)" \
	"the image's PATH"

# The working directory: the image's, created when missing; -w wins.
assert_eq "/work/dir" "$(node --image "$IMG" --entrypoint /bin/pwd)" \
	"WorkingDir is created and entered"
assert_eq "/tmp/new" "$(node --image "$IMG" -w /tmp/new --entrypoint /bin/pwd)" "-w wins"

# --hostname apart from the identity.
assert_eq "r1 r1 HOSTNAME=r1" "$(node --image "$IMG" -i "node-$TEST_ID" --hostname r1 \
	--entrypoint /bin/sh -- -c 'echo $(hostname) $(cat /etc/hostname) $(env | grep ^HOSTNAME=)')" \
	"--hostname names the node inside, apart from its identity"
assert_match $'\tr1' "$(node --image "$IMG" --hostname r1 --entrypoint /bin/cat /etc/hosts)" \
	"/etc/hosts has the host name"
assert_exit 2 "an invalid --hostname is a usage error" "$CONTAINODE" --hostname 'a/b' true

# Nothing is written under the store: the upper layer is in memory, or -t's.
assert_exit 0 "a node writes to its root" "$CONTAINODE" -N -q --image "$IMG" -u root \
	--entrypoint /bin/sh -- -c 'echo x > /root/f && echo y > /work/dir/g'
assert_eq "$store_list" "$(ls -A "$STORE/rootfs")" "no upper directory is made in the store"
assert_eq "$rootfs_sum" "$(tree_sum "$ROOTFS")" "the image's rootfs is untouched"
assert_exit 0 "-t keeps the changes of an image's node" "$CONTAINODE" -N -t "$TEST_TMP/top" \
	-u root --image "$IMG" --entrypoint /bin/sh -- -c 'echo kept > /root/f'
assert_eq "fs modifications saved to $TEST_TMP/top" "$(cat "$TEST_TMP/last.out")" \
	"the message names -t's TOP"
assert_eq kept "$(cat "$TEST_TMP/top/root/f" 2>&1)" "TOP has the change"
assert_eq kept "$(node -t "$TEST_TMP/top" --image "$IMG" --entrypoint /bin/cat /root/f)" \
	"a second run on TOP sees it"
assert_eq "$store_list" "$(ls -A "$STORE/rootfs")" "still nothing new in the store"
assert_eq "$rootfs_sum" "$(tree_sum "$ROOTFS")" "the rootfs is still untouched"

# -r naming the image's tree (mocker rootfs): nothing written beside it either.
assert_exit 0 "-r on the image's rootfs" "$CONTAINODE" -N -q -r "$ROOTFS" -i "r-$TEST_ID" \
	/bin/sh -c 'echo x > /root/f'
assert_eq "$store_list" "$(ls -A "$STORE/rootfs")" "-r on a store's rootfs makes no ROOT.ID in the store"

# rmi and prune while a node runs on the image keep its rootfs; after it, prune removes it.
spawn node1 "$CONTAINODE" -N -q -t "$TEST_TMP/top1" --image "$IMG" -u root \
	--entrypoint /bin/sh -- -c 'touch /started; exec sleep 600'
node_pid=$SPAWNED
wait_until 30 test -e "$TEST_TMP/top1/started" || die "the node did not start: $(cat "$TEST_TMP/node1.log")"
out=$("$MOCKER" rmi "$IMG" 2>&1)
assert_match "Untagged: $IMG" "$out" "rmi untags the image"
assert_match "in use by a node, kept until it exits: $ROOTFS" "$out" "rmi says the rootfs is in use"
out=$("$MOCKER" prune 2>&1)
assert_match "kept: $ROOTFS \(in use\)" "$out" "prune says it keeps the rootfs in use"
[[ -d $ROOTFS/bin ]] && ok "prune keeps the rootfs while the node runs" || fail "the node's rootfs is gone"
assert_eq "" "$(ls -A "$STORE/images/blobs/sha256")" "prune removes the image's blobs all the same"
kill -0 "$node_pid" && ok "the node still runs" || fail "the node died"
kill_wait "$node_pid"
out=$("$MOCKER" prune 2>&1)
assert_match "deleted: $ROOTFS" "$out" "after the node, prune removes the rootfs"
[[ ! -e $ROOTFS ]] && ok "the rootfs is gone" || fail "$ROOTFS is still there"
assert_exit 125 "the image is gone" "$CONTAINODE" -N --image "$IMG" true

# -u by name on a plain root: resolved in that root's /etc/passwd.
ROOT=$TEST_TMP/root
make_root "$ROOT"
printf 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$ROOT/etc/group"
status=$("$CONTAINODE" -N -q -r "$ROOT" --ephemeral -u nobody cat /proc/self/status 2>&1)
assert_match $'Uid:\t65534\t65534' "$status" "-u nobody is resolved in the root's /etc/passwd"
assert_match $'Gid:\t65534\t65534' "$status" "-u nobody gets its group"

# -r /: the host's root, read-only below a private layer (in memory, or -t).
assert_eq "inside" "$("$CONTAINODE" -N -q -r / -i "eph-$TEST_ID" -- /bin/sh -c \
	"echo inside > /etc/containode-$TEST_ID && cat /etc/containode-$TEST_ID" 2>&1)" \
	"-r / runs with an upper layer in memory"
[[ ! -e /etc/containode-$TEST_ID && ! -e /.eph-$TEST_ID && ! -e /..eph-$TEST_ID.work ]] &&
	ok "-r / writes nothing to the host" || fail "-r / wrote to the host's root"
assert_exit 0 "-r / with -t" "$CONTAINODE" -N -q -r / -t "$TEST_TMP/hosttop" -- /bin/sh -c \
	"echo kept > /etc/containode-$TEST_ID"
assert_eq kept "$(cat "$TEST_TMP/hosttop/etc/containode-$TEST_ID" 2>&1)" "-r / -t keeps the change in TOP"
[[ ! -e /etc/containode-$TEST_ID ]] && ok "and not in the host's root" || fail "written to the host"
exit 0
