#!/usr/bin/env bash
# Installs the Debian packages that building, testing, the demo and the benchmarks need,
# when any is missing.  Quiet and quick when everything is there.
set -euo pipefail

packages=(
	# build
	gcc make pkg-config clang libclang-rt-14-dev
	# make format-check (CI)
	clang-format
	liburing-dev libcurl4-openssl-dev libssl-dev libarchive-dev libcjson-dev check
	libseccomp-dev libmnl-dev
	# tests and demo (containers-common: the system seccomp profile)
	iproute2 iputils-ping busybox-static kmod nftables curl isc-dhcp-client wget
	docker-registry skopeo umoci python3-jwt python3-cryptography openssl zstd jq xz-utils
	golang-github-containers-common
	# readers of capture files (capinfos is in wireshark-common)
	tshark wireshark-common tcpdump
	# the VXLAN test's third host: Open vSwitch in userspace
	openvswitch-switch ethtool
	# benchmarks
	iperf3 crun runc bubblewrap vde2 hyperfine gnuplot-nox
	# labs: a routing daemon for the lab nodes' images (its service never runs on the host,
	# see below); Mininet and the bridge tools it runs with, the lab benchmark's reference
	frr mininet bridge-utils
	# the Kathara labs' ifconfig/route/arp in the kathara/base stand-in (busybox's ifconfig
	# takes no ADDR/LEN)
	net-tools
	# lab graph -o FILE.png
	graphviz
)

missing=()
for p in "${packages[@]}"; do
	# ${Status} is dpkg-query's field, not a shell variable.
	# shellcheck disable=SC2016
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ $status == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]})) || exit 0

if ((EUID != 0)); then
	echo "deps: missing Debian packages: ${missing[*]}" >&2
	echo "deps: run as root, or: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# frr (and Mininet's Open vSwitch, were it recommended) are services: installed for the
# lab images' files, never started on the host.  A policy-rc.d that says 101 ("action
# forbidden") keeps invoke-rc.d from starting them, for this install only.
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\n# containet deps.sh: no service starts while it installs\nexit 101\n' \
		>"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Nor at the next boot: frr's unit is enabled by its package.
if [[ " ${missing[*]} " == *" frr "* ]] && command -v systemctl >/dev/null; then
	systemctl disable --quiet frr.service 2>/dev/null || true
fi
# The registry package starts a system service on port 5000; tests start their own.
if systemctl is-active --quiet docker-registry 2>/dev/null; then
	systemctl stop docker-registry || true
fi
