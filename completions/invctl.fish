# fish completion for invctl(1). invctl itself names the candidates
# ("invctl __complete WORDS..."), from the same table that parses commands.

function __invctl_complete
	set -l words (commandline -opc)
	set -l cur (commandline -ct)
	set -l prog $words[1]
	set -e words[1]
	$prog __complete $words "$cur" 2>/dev/null
end

complete -c invctl -f -n 'not __fish_seen_argument -l socket; or not string match -q -- --socket (commandline -opc)[-1]' -a '(__invctl_complete)'
complete -c invctl -n 'string match -q -- --socket (commandline -opc)[-1]' -F
