# Root file systems for lab nodes, assembled from the installed files of Debian packages
# (dpkg -L) and of everything they depend on, plus busybox for the usual commands: the
# stand-ins of Kathara's images (kathara/base, kathara/frr) that the lab tests run.
# Source after lib.sh.

# deb_closure PKG...: the packages and, recursively, what they depend on (Depends and
# Pre-Depends; of alternatives, the first one installed), from one read of dpkg's database.
deb_closure() {
	local -A deps=() seen=()
	local queue=("$@") p st d alt list
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
			for d in "${alt[@]}"; do
				d=${d%%(*}
				d=${d// /}
				d=${d%:any}
				if [[ -n $d && -n ${deps[$d]+x} ]]; then
					queue+=("$d")
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
# with frr.
LAB_BASE_PACKAGES="bash coreutils procps iproute2 iputils-ping libpam-modules libpam-runtime"

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
	dpkg-query -L $(deb_closure "$@" busybox-static) 2>/dev/null | grep '^/.' | sort -u |
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

# lab_image_base STORE, lab_image_frr STORE: the stand-ins of kathara/base and
# kathara/frr, imported into mocker's store STORE as local/kathara-base and
# local/kathara-frr (their roots are built in $TEST_TMP).
lab_image_base() {
	deb_root "$TEST_TMP/img-base" $LAB_BASE_PACKAGES
	"$BIN/mocker" --store "$1" import "$TEST_TMP/img-base" local/kathara-base \
		--change 'CMD ["/bin/bash"]' >/dev/null
}

lab_image_frr() {
	deb_root "$TEST_TMP/img-frr" $LAB_BASE_PACKAGES frr
	# Kathara's images have a systemctl that starts services: so has the stand-in.
	cat >"$TEST_TMP/img-frr/usr/bin/systemctl" <<'SH'
#!/bin/sh
# systemctl start|stop|restart|status SERVICE: the service's init script.
[ $# -eq 2 ] && [ -x "/etc/init.d/$2" ] || { echo "systemctl: $*: not supported" >&2; exit 1; }
exec "/etc/init.d/$2" "$1"
SH
	chmod 755 "$TEST_TMP/img-frr/usr/bin/systemctl"
	"$BIN/mocker" --store "$1" import "$TEST_TMP/img-frr" local/kathara-frr \
		--change 'CMD ["/bin/bash"]' >/dev/null
}
