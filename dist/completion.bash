# bash completion for containet, containode and mocker: verbs and flags.  Installed once
# under each program's name, so bash-completion's lazy loader finds it for any of them.
# Flags and most verbs are read from the programs' own --help, so they never fall behind.

# _containet_help PROG [ARG...]: PROG's --help text (in its verb's words when given).
_containet_help() {
	"$@" --help 2>/dev/null
}

# _containet_flags TEXT: the long options a help text names.
_containet_flags() {
	grep -o -- '--[a-z][a-z0-9-]*' <<<"$1" | sort -u
}

# _containet_commands TEXT [WORD]: the commands of a help text's "Commands:" list; with
# WORD, the second words of WORD's lines ("segment" -> add del).
_containet_commands() {
	awk -v w="${2-}" '
		/^Commands:/ { on = 1; next }
		on && /^$/ { exit }
		on && /^  [a-z]/ {
			if (w == "") { n = split($1, v, "|"); for (i = 1; i <= n; i++) print v[i] }
			else if ($1 == w && $2 ~ /^[a-z]+$/) print $2
		}' <<<"$1" | sort -u
}

# _containet_reply WORDS...: COMPREPLY from WORDS that start with the current word.
_containet_reply() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")
}

# _containet_files: COMPREPLY from file names.
_containet_files() {
	mapfile -t COMPREPLY < <(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")
}

# The index of the first word after the program that is not an option (or an option's
# value, for the options in $1: "-s --socket ..."), or 0 when there is none before the
# current word.
_containet_verb_index() {
	local i w takes=" $1 "
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		--*=*) ;;
		-*) [[ $takes == *" $w "* ]] && ((i++)) ;;
		*) echo "$i" && return ;;
		esac
	done
	echo 0
}

_containet() {
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} help vi verb
	local takes="-s --socket --group --state --age --max-ports --fdb-max --buffers --inflight
		--vxlan --mtu --segment --ipv4 --ipv6 -w --write -c --count --duration --snaplen --dir
		--subnet --service --gateway --dhcp --vni --remote --local --dstport --port"
	COMPREPLY=()
	if ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[1]} == lab ]]; then
		help=$(_containet_help "$prog" lab)
		vi=$(
			COMP_WORDS=("${COMP_WORDS[@]:1}")
			COMP_CWORD=$((COMP_CWORD - 1))
			_containet_verb_index "-d --dir --name --host --topo --image --image-map -j --jobs
				--startup-timeout --timeout -c --count"
		)
		if [[ $cur == -* ]]; then
			_containet_reply "$(_containet_flags "$help")"
		elif ((vi == 0)); then
			case ${COMP_WORDS[COMP_CWORD - 1]} in
			-d | --dir) _containet_files ;;
			*) _containet_reply "$(_containet_commands "$help")" ;;
			esac
		elif [[ ${COMP_WORDS[vi + 1]} == up || ${COMP_WORDS[vi + 1]} == show ]]; then
			_containet_files
		fi
		return
	fi
	help=$(_containet_help "$prog")
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	-s | --socket | -w | --write | --state) _containet_files && return ;;
	esac
	if [[ $cur == -* ]]; then
		_containet_reply "$(_containet_flags "$help")"
		return
	fi
	vi=$(_containet_verb_index "$takes")
	if ((vi == 0)); then
		_containet_reply lab "$(_containet_commands "$help")"
	elif ((vi == COMP_CWORD - 1)); then
		verb=${COMP_WORDS[vi]}
		_containet_reply "$(_containet_commands "$help" "$verb")"
	fi
}

_containode() {
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} vi verb
	local verbs="run ps inspect logs exec stop kill pause resume rm commit cp"
	COMPREPLY=()
	vi=$(_containet_verb_index "--state-dir")
	verb=
	((vi)) && verb=${COMP_WORDS[vi]}
	[[ " $verbs " == *" $verb "* ]] || verb=
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	-r | --root | -t | --top | --state-dir | --seccomp | --volume) _containet_files && return ;;
	esac
	if [[ $cur == -* ]]; then
		if [[ -n $verb && $verb != run ]]; then
			_containet_reply "$(_containet_flags "$(_containet_help "$prog" "$verb")")"
		else
			_containet_reply "$(_containet_flags "$(_containet_help "$prog")")"
		fi
	elif ((vi == 0)); then
		_containet_reply "$verbs"
	fi
}

_mocker() {
	local prog=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} help vi verb
	COMPREPLY=()
	help=$(_containet_help "$prog")
	case ${COMP_WORDS[COMP_CWORD - 1]} in
	--store | -o | --output | -i | --input | --base | --cert-dir) _containet_files && return ;;
	esac
	if [[ $cur == -* ]]; then
		_containet_reply "$(_containet_flags "$help")"
		return
	fi
	vi=$(_containet_verb_index "--store --platform --insecure-registry --username
		--max-unpacked --change --base --exclude -o --output -i --input --cert-dir
		--tls-verify")
	if ((vi == 0)); then
		_containet_reply "$(_containet_commands "$help")"
		return
	fi
	verb=${COMP_WORDS[vi]}
	case $verb in
	import | extract | unpack) _containet_files ;;
	esac
}

complete -F _containet containet
complete -F _containode containode
complete -F _mocker mocker
