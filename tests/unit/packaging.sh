#!/usr/bin/env bash
# What a packager and a daily user meet, without root: make naming missing build
# packages (and make deps), check-unit never installing anything, make install and
# uninstall of the systemd unit and the bash completions, and the completions themselves.
# Prints PASS:/FAIL: lines as the integration scripts do; run by tests/run.sh unit.
set -uo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-build}
TMP=$(mktemp -d /tmp/containet-packaging.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
failures=0
ok() { echo "PASS: $*"; }
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}
assert_match() { # REGEX TEXT DESCRIPTION
	if [[ $2 =~ $1 ]]; then ok "$3"; else fail "$3: '$2' does not match /$1/"; fi
}
assert_no_match() { # REGEX TEXT DESCRIPTION
	if [[ $2 =~ $1 ]]; then fail "$3: '$2' matches /$1/"; else ok "$3"; fi
}
# make in the source tree, free of the calling make's flags; the build this run tests.
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make --no-print-directory -C "$TOP" \
		$([[ $BUILD == */san ]] && echo SANITIZE=1) "$@"
}

# Missing build packages: one line naming the Debian packages and make deps.
mkdir -p "$TMP/pc-none" "$TMP/pc-nocheck"
out=$(PKG_CONFIG_LIBDIR=$TMP/pc-none mk -n all 2>&1)
assert_match "missing Debian packages: .*libcjson-dev.*liburing-dev.*libseccomp-dev.*libcurl4-openssl-dev.*libssl-dev" \
	"$out" "make names every missing build package"
assert_match "make deps" "$out" "and says how to install them"
assert_no_match "check( |;)" "$out" "make all does not ask for the unit tests' library"
assert_no_match "No such file|fatal error" "$out" "and it stops before the compiler"
for d in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
	[[ -d $d ]] && find "$d" -maxdepth 1 -name '*.pc' ! -name check.pc -exec ln -sf {} "$TMP/pc-nocheck/" \;
done
out=$(PKG_CONFIG_LIBDIR=$TMP/pc-nocheck mk -n check-unit 2>&1)
assert_match "missing Debian packages: check;" "$out" "check-unit without Check names only it"
out=$(PKG_CONFIG_LIBDIR=$TMP/pc-nocheck mk -n all 2>&1)
assert_no_match "missing Debian packages" "$out" "make all without Check goes on"
out=$(PKG_CONFIG_LIBDIR=$TMP/pc-none mk -n clean 2>&1)
assert_no_match "missing" "$out" "make clean checks for nothing"

# check-unit: the unit suites and nothing that installs packages; check does install them.
out=$(mk -n check-unit 2>&1)
assert_match "tests/run.sh unit" "$out" "check-unit runs the unit suites"
assert_no_match "deps.sh|apt-get" "$out" "check-unit installs nothing"
out=$(mk -n check 2>&1)
assert_match "deps.sh" "$out" "(while check installs what is missing first)"

# make install and uninstall: the unit (with the installed path) and the completions.
D=$TMP/dest
if out=$(mk -s install DESTDIR="$D" 2>&1); then
	unit=$D/usr/local/lib/systemd/system/containet.service
	assert_match "Type=notify" "$(cat "$unit" 2>&1)" "make install puts a Type=notify unit for the switch"
	assert_match "ExecStart=/usr/local/bin/containet -s /run/containet/switch.sock" \
		"$(cat "$unit" 2>&1)" "that runs the installed containet"
	assert_match "RuntimeDirectory=containet" "$(cat "$unit" 2>&1)" "in its RuntimeDirectory"
	for p in containet containode mocker; do
		f=$D/usr/local/share/bash-completion/completions/$p
		[[ -f $f ]] && ok "make install puts the bash completion of $p" || fail "no completion at $f"
	done
	if command -v systemd-analyze >/dev/null; then
		sed "s|^ExecStart=/usr/local/bin/containet|ExecStart=$TOP/$BUILD/bin/containet|" \
			"$unit" >"$TMP/containet.service"
		if out=$(systemd-analyze verify --man=no "$TMP/containet.service" 2>&1); then
			ok "systemd-analyze verify accepts the unit"
		else
			fail "systemd-analyze verify: $out"
		fi
	fi
	mk -s uninstall DESTDIR="$D" >/dev/null 2>&1
	left=$(find "$D" -type f 2>/dev/null)
	[[ -z $left ]] && ok "make uninstall removes every file" || fail "left after uninstall: $left"
else
	fail "make install DESTDIR=$D failed: $out"
fi

# The completions, as bash runs them.
# shellcheck source=../../dist/completion.bash
. "$TOP/dist/completion.bash"
PATH=$TOP/$BUILD/bin:$PATH
for p in containet containode mocker; do
	assert_match "complete -F _$p $p" "$(complete -p "$p" 2>&1)" "$p has a completion"
done
# complete_words FUNCTION WORD...: the completions of the last word.
complete_words() {
	local f=$1
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	"$f"
	echo "${COMPREPLY[*]}"
}
assert_match "(^| )segment segments( |$)" "$(complete_words _containet containet -s /x seg)" "containet: its commands"
assert_match "^add del$" "$(complete_words _containet containet -s /x segment "")" "containet: a command's subcommands"
assert_match "(^| )show( |$)" "$(complete_words _containet containet -s /x link "")" "containet: link set and show"
assert_match "^--socket$" "$(complete_words _containet containet --so)" "containet: its flags"
out=$(complete_words _containet containet lab "")
assert_match "(^| )down .*pingall .*up( |$)" "$out" "containet lab: its commands"
assert_match "(^| )--topo( |$)" "$(complete_words _containet containet lab up --to)" "containet lab: its flags"
assert_match "^exec$" "$(complete_words _containode containode ex)" "containode: its verbs"
assert_match "(^| )--json( |$)" "$(complete_words _containode containode ps --)" "containode: a verb's flags"
assert_match "(^| )--cap-add( |$)" "$(complete_words _containode containode --cap)" "containode: run's flags"
assert_match "^prune pull$" "$(complete_words _mocker mocker p)" "mocker: its commands"
assert_match "(^| )--platform( |$)" "$(complete_words _mocker mocker pull --pl)" "mocker: its flags"
assert_match "^$" "$(complete_words _mocker mocker --store /x images "")" "mocker: nothing after a command that takes no argument"

echo "$failures failed"
((failures == 0))
