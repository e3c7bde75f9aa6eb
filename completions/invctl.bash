# bash completion for invctl(1). invctl itself names the candidates
# ("invctl __complete WORDS..."), from the same table that parses commands.

_invctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local prev=${COMP_WORDS[COMP_CWORD-1]}
	local IFS=$'\n'

	if [[ $prev == --socket ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	COMPREPLY=($("${COMP_WORDS[0]}" __complete \
	    "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}

complete -F _invctl invctl
