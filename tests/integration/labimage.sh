# shellcheck shell=bash disable=SC2034  # K and MAP are for the tests that source this
# Root file systems for lab nodes, assembled from the installed files of Debian packages
# (dpkg -L) and of everything they depend on, plus busybox for the usual commands: the
# stand-ins of Kathara's images (kathara/base, kathara/frr) that the lab tests run.
# Source after lib.sh.

# deb_closure PKG...: the packages and, recursively, what they depend on (Depends and
# Pre-Depends; of alternatives, the first one installed), from one read of dpkg's database.
deb_closure() {
	local -A deps=() seen=()
	local queue=("$@") p st d a alt list
	# ${Package} and the like are dpkg-query's fields, not shell variables.
	# shellcheck disable=SC2016
	while IFS=$'\t' read -r p st d; do
		[[ $st == *" installed" ]] && deps[${p%:*}]=$d
	done < <(dpkg-query -W -f='${Package}\t${Status}\t${Depends}, ${Pre-Depends}\n')
	while ((${#queue[@]})); do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		[[ -n ${seen[$p]:-} || -z ${deps[$p]+x} ]] && continue
		seen[$p]=1
		IFS=, read -ra list <<<"${deps[$p]}"
		for d in "${list[@]}"; do
			IFS='|' read -ra alt <<<"$d"
			for a in "${alt[@]}"; do
				a=${a%%(*}
				a=${a// /}
				a=${a%:any}
				if [[ -n $a && -n ${deps[$a]+x} ]]; then
					queue+=("$a")
					break
				fi
			done
		done
	done
	printf '%s\n' "${!seen[@]}" | sort
}

# deb_root DIR PKG...: a root file system in DIR with the files of PKG and its closure,
# busybox's applets for commands none of them has, and /etc/passwd, group and shadow with
# root and the system users the packages made on the host (frr, ...).
#
# The stand-ins: kathara/base is deb_root DIR $LAB_BASE_PACKAGES, kathara/frr the same
# with frr. dash is /bin/sh, as in Kathara's images: busybox's sh runs its own applets
# before the programs on PATH (its ip has no -j, which lab test's probe needs).
LAB_BASE_PACKAGES="bash dash coreutils procps iproute2 iputils-ping libpam-modules libpam-runtime
	bridge-utils net-tools"

deb_root() {
	local dir=$1 p u applet
	shift
	mkdir -p "$dir"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,var/log}
	# Debian 12 is merged-/usr: dpkg lists /bin/x, which lives in /usr/bin.
	for p in bin sbin lib lib64; do
		[[ -L $dir/$p ]] || ln -s "usr/$p" "$dir/$p"
	done
	chmod 1777 "$dir/tmp"
	# dpkg -L's paths (directories included, created as on the host), each once; tar
	# passes over what a diversion moved.
	# shellcheck disable=SC2046
	# Documentation, manuals and translations stay out: a node never reads them.
	dpkg-query -L $(deb_closure "$@" busybox-static) 2>/dev/null | grep '^/.' |
		grep -Ev '^/usr/share/(doc|man|info|locale|lintian|bug)/' | sort -u |
		sed 's|^/||' >"$dir.files"
	tar -C / --no-recursion -cf - -T "$dir.files" 2>/dev/null |
		tar -C "$dir" --keep-directory-symlink -xf -
	rm -f "$dir.files"
	for applet in $("$dir/bin/busybox" --list); do
		if [[ ! -e $dir/usr/bin/$applet && ! -e $dir/usr/sbin/$applet ]]; then
			ln -s busybox "$dir/usr/bin/$applet"
		fi
	done
	grep '^root:' /etc/passwd >"$dir/etc/passwd"
	grep '^root:' /etc/group >"$dir/etc/group"
	echo 'root:*:19000:0:99999:7:::' >"$dir/etc/shadow"
	for u in frr frrvty; do
		if grep "^$u:" /etc/passwd >>"$dir/etc/passwd"; then
			echo "$u:*:19000:0:99999:7:::" >>"$dir/etc/shadow"
		fi
		grep "^$u:" /etc/group >>"$dir/etc/group" || true
	done
	chmod 640 "$dir/etc/shadow"
	echo 'hosts: files dns' >"$dir/etc/nsswitch.conf"
	# pam-auth-update writes these at install time: dpkg -L does not list them.
	if [[ -d $dir/etc/pam.d ]]; then
		cp /etc/pam.d/common-* "$dir/etc/pam.d/" 2>/dev/null || true
	fi
}

# lab_root NAME PKG...: deb_root's tree for NAME, kept in $TOP/$BUILD/lab-images/ and
# built again only when the packages' installed versions or this file changed.
lab_root() {
	local name=$1 cache=$TOP/$BUILD/lab-images key
	shift
	# shellcheck disable=SC2016,SC2046
	key=$({
		dpkg-query -W -f='${Package} ${Version}\n' $(deb_closure "$@" busybox-static)
		# This file's text, not its name: a test and a script that source it by two
		# paths share one tree.
		sha256sum <"${BASH_SOURCE[0]}"
	} | sha256sum | cut -c1-16)
	if [[ ! -d $cache/$name || $(cat "$cache/$name.key" 2>/dev/null) != "$key" ]]; then
		mkdir -p "$cache"
		rm -rf "${cache:?}/$name" "$cache/$name.key"
		deb_root "$cache/$name.tmp" "$@"
		mv "$cache/$name.tmp" "$cache/$name"
		echo "$key" >"$cache/$name.key"
	fi
	echo "$cache/$name"
}

# lab_image NAME ROOT STORE: imports ROOT as local/NAME into STORE, unless STORE holds
# that very tree already (an image tagged with the tree's key).
lab_image() {
	local name=$1 root=$2 store=$3 key
	key=$(cat "$root.key")
	if ! "$BIN/mocker" --store "$store" inspect "local/$name:$key" >/dev/null 2>&1; then
		"$BIN/mocker" --store "$store" import "$root" "local/$name:$key" \
			--change 'CMD ["/bin/bash"]' >/dev/null
	fi
	"$BIN/mocker" --store "$store" tag "local/$name:$key" "local/$name" >/dev/null
}

# The store the lab tests share: importing a tree of 50 MB takes a while.
LAB_STORE=$TOP/$BUILD/lab-images/store

# lab_systemctl ROOT: Kathara's images have a systemctl that starts services without
# systemd (frr's dependencies bring systemd's own, which needs systemd as PID 1): so have
# the stand-ins.
lab_systemctl() {
	rm -f "$1/usr/bin/systemctl"
	cat >"$1/usr/bin/systemctl" <<'SH'
#!/bin/sh
# systemctl start|stop|restart|status SERVICE: the service's init script.
[ $# -eq 2 ] && [ -x "/etc/init.d/$2" ] || { echo "systemctl: $*: not supported" >&2; exit 1; }
exec "/etc/init.d/$2" "$1"
SH
	chmod 755 "$1/usr/bin/systemctl"
}

# lab_image_base, lab_image_frr: the stand-ins of kathara/base and kathara/frr in
# $LAB_STORE as local/kathara-base and local/kathara-frr.
lab_image_base() {
	local root
	root=$(lab_root kathara-base $LAB_BASE_PACKAGES)
	lab_systemctl "$root"
	lab_image kathara-base "$root" "$LAB_STORE"
}

lab_image_frr() {
	local root
	root=$(lab_root kathara-frr $LAB_BASE_PACKAGES frr)
	lab_frr_tree "$root"
	lab_image kathara-frr "$root" "$LAB_STORE"
}

# lab_frr_tree ROOT: what the FRR stand-ins have of Kathara's kathara/frr: systemctl,
# and no frr.conf and no integrated configuration, so that each daemon reads its own
# file (bgpd.conf) when a lab gives no frr.conf.
lab_frr_tree() {
	lab_systemctl "$1"
	rm -f "$1/etc/frr/frr.conf"
	sed -i 's/^service integrated-vtysh-config/no &/' "$1/etc/frr/vtysh.conf"
}

# lab_image_quagga: the stand-in of kathara/quagga in $LAB_STORE as local/kathara-quagga.
# Kathara's image is Quagga built from source with Debian's init script; this one is the
# frr stand-in (FRR is Quagga's fork and reads its configuration language) with
# Kathara's layout: /etc/quagga holding a zebra.conf, /etc/zebra a link to it, the
# logs in /var/log/quagga (and /var/log/zebra) open to all, a quagga user whose group
# FRR's user is in (a node's startup makes /etc/quagga quagga's, mode 640), and an init
# script /etc/init.d/quagga (and zebra) that starts the FRR daemons /etc/quagga/daemons
# names with their /etc/quagga/DAEMON.conf.
lab_image_quagga() {
	local root
	root=$(lab_root kathara-quagga $LAB_BASE_PACKAGES frr)
	lab_frr_tree "$root"
	if ! grep -q '^quagga:' "$root/etc/passwd"; then
		echo 'quagga:x:120:120:Quagga routing suite:/nonexistent:/usr/sbin/nologin' \
			>>"$root/etc/passwd"
		echo 'quagga:*:19000:0:99999:7:::' >>"$root/etc/shadow"
		echo 'quagga:x:120:frr' >>"$root/etc/group"
	fi
	mkdir -p "$root/etc/quagga" "$root/var/log/quagga" "$root/etc/init.d"
	chmod 777 "$root/var/log/quagga"
	ln -sfn quagga "$root/etc/zebra"
	ln -sfn quagga "$root/var/log/zebra"
	printf '%s\n' 'hostname Router' 'password zebra' 'enable password zebra' \
		>"$root/etc/quagga/zebra.conf"
	chown 120:120 "$root/etc/quagga/zebra.conf"
	chmod 640 "$root/etc/quagga/zebra.conf"
	lab_quagga_init >"$root/etc/init.d/quagga"
	chmod 755 "$root/etc/init.d/quagga"
	ln -sfn quagga "$root/etc/init.d/zebra"
	lab_image kathara-quagga "$root" "$LAB_STORE"
}

# lab_quagga_init: the stand-in's /etc/init.d/quagga.
lab_quagga_init() {
	cat <<'SH'
#!/bin/sh
# /etc/init.d/quagga start|stop|restart|status: Quagga's daemons, played by FRR's. The
# daemons are those /etc/quagga/daemons sets to other than "no" (zebra=yes, ospfd=yes),
# zebra first, each with its /etc/quagga/DAEMON.conf (none: not started, as Quagga's
# script does); without /etc/quagga/daemons there is nothing to do. A lab that gives
# /etc/zebra/ of its own (the old layout) covers this image's link to /etc/quagga, so
# that directory is read when /etc/quagga has no daemons file.
C=/etc/quagga
[ -r $C/daemons ] || [ ! -r /etc/zebra/daemons ] || C=/etc/zebra
[ -r $C/daemons ] || exit 0
. $C/daemons
RUN=/var/run/frr
DAEMONS="zebra bgpd ripd ripngd ospfd ospf6d isisd"

wanted() { eval "v=\${$1:-no}"; [ "$v" != no ] && [ "$v" != 0 ]; }
running() { [ -r $RUN/$1.pid ] && kill -0 "$(cat $RUN/$1.pid)" 2>/dev/null; }

start_one() { # DAEMON CONFIG
	running "$1" && return 0
	case $1 in ripngd | ospf6d) a=::1 ;; *) a=127.0.0.1 ;; esac
	/usr/lib/frr/"$1" -d -f "$2" -A $a -i $RUN/"$1".pid
}

start() {
	mkdir -p $RUN /var/log/quagga
	chown frr:frr $RUN
	for d in $DAEMONS; do
		wanted $d || continue
		if [ ! -r $C/$d.conf ]; then
			echo "quagga: $d not started without $C/$d.conf" >&2
			continue
		fi
		f=$C/$d.conf
		if [ $d = bgpd ]; then
			# Quagga's bgpd sends and takes routes on eBGP sessions without
			# policies and announces "network" prefixes absent from the table;
			# FRR's needs these two lines for that.
			f=$RUN/bgpd.conf
			sed '/^[[:space:]]*router bgp/a\
 no bgp ebgp-requires-policy\
 no bgp network import-check' $C/bgpd.conf >$f
			chown frr:frr $f
		fi
		start_one $d $f || rc=1
		# Static routes are staticd's in FRR, zebra's in Quagga.
		[ $d = zebra ] && { start_one staticd /dev/null || rc=1; }
	done
	return ${rc:-0}
}

stop() {
	for d in isisd ospf6d ospfd ripngd ripd bgpd staticd zebra; do
		running $d || continue
		p=$(cat $RUN/$d.pid)
		kill "$p"
		while kill -0 "$p" 2>/dev/null; do sleep 0.1; done
		rm -f $RUN/$d.pid
	done
}

case $1 in
start) start ;;
stop) stop ;;
restart | force-reload) stop && start ;;
status)
	for d in zebra staticd ${DAEMONS#zebra }; do running $d && echo $d; done
	;;
*)
	echo "usage: /etc/init.d/quagga start|stop|restart|status" >&2
	exit 1
	;;
esac
SH
}

# lab_kathara_setup IMAGE...: the prologue of the tests that run labs of the Kathara
# collection on the stand-ins IMAGE (base, frr, quagga): skips where they cannot be built,
# builds them in $LAB_STORE, the store containet lab reads, and sets K, the directory of
# the labs, and MAP, the --image-map options of kathara/IMAGE to them.
lab_kathara_setup() {
	local i
	lab_nodes_supported || skip "containode has no detached life cycle (run -d) yet"
	[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
	export CONTAINET_STORE=$LAB_STORE
	K=$TOP/tests/fixtures/kathara-labs
	MAP=()
	if [[ " $* " != " base " && ! -x /usr/lib/frr/zebra ]]; then
		skip "frr is not installed (tests/deps.sh)"
	fi
	for i in "$@"; do
		"lab_image_$i" || die "the kathara/$i stand-in could not be built"
		MAP+=(--image-map "kathara/$i=local/kathara-$i")
	done
}
