# What the containode tests share: the binaries, and a busybox root with the payload.
# Source after lib.sh.

CONTAINODE=$BIN/containode
PAYLOAD=$HELPERS/containode_payload
[[ -x $CONTAINODE && -x $PAYLOAD ]] || die "build containode and its payload first"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"

# make_root DIR: a busybox root file system with the payload as /bin/payload.
make_root() {
	mkdir -p "$1"/{bin,etc,proc,sys,dev,tmp,root,run}
	cp /bin/busybox "$1/bin/busybox"
	chroot "$1" /bin/busybox --install -s /bin
	# Never through a symlink: busybox --install makes absolute ones, to the host's busybox.
	rm -f "$1/bin/payload"
	cp "$PAYLOAD" "$1/bin/payload"
}
