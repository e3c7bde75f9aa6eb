/*
 * Completion driven by the command table: nouns, verbs, option names,
 * status names, and ids asked of the running daemon (Knot's rmt_lookup).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/json.h"
#include "common/model.h"
#include "invctl/client.h"
#include "invctl/complete.h"

/* Seconds to wait for ids: completion must never hang the shell. */
#define LOOKUP_TIMEOUT	1

static const char *const shell_words[] = { "help", "quit", "exit", NULL };

static int
list_add(struct complete_list *l, const char *s)
{
	char	**v;
	size_t	  i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((v = realloc(l->v, l->cap * sizeof *v)) == NULL)
			return -1;
		l->v = v;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

/* Add s when it starts with prefix. */
static int
list_match(struct complete_list *l, const char *prefix, const char *s)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		return 0;
	return list_add(l, s);
}

void
complete_list_free(struct complete_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static int
add_opts(struct complete_list *l, const char *prefix,
    const struct opt_spec *opts, const int *used)
{
	char	name[80];
	int	i;

	for (i = 0; opts[i].name != NULL; i++) {
		if (opts[i].flags & OPT_POSITIONAL)
			continue;
		if (used != NULL && used[i])
			continue;
		snprintf(name, sizeof name, "--%s", opts[i].name);
		if (list_match(l, prefix, name) == -1)
			return -1;
	}
	return 0;
}

/* Ids from the first page of path, when invd answers quickly. */
static int
add_ids(struct ctl *ctl, struct complete_list *l, const char *prefix,
    const char *path)
{
	struct client_conf	 conf;
	struct client_reply	 reply;
	struct json_object	*arr = NULL, *id;
	struct inv_error	 err;
	char			 query[128];
	size_t			 i, n;
	int			 ret = 0;

	if (ctl == NULL || ctl->client.display == NULL)
		return 0;
	conf = ctl->client;
	conf.timeout = LOOKUP_TIMEOUT;
	client_reply_init(&reply);
	snprintf(query, sizeof query, "%s?limit=%d", path, INV_LIST_MAX);
	if (client_request(&conf, "GET", query, NULL, &reply, &err) == -1 ||
	    reply.status != 200 ||
	    json_parse_strict(buf_str(&reply.body), reply.body.len, &arr,
	    &err) == -1 || !json_object_is_type(arr, json_type_array))
		goto out;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(arr,
		    i), "id", &id) || id == NULL)
			continue;
		if (list_match(l, prefix, json_object_get_string(id)) == -1) {
			ret = -1;
			goto out;
		}
	}
out:
	json_object_put(arr);
	client_reply_deinit(&reply);
	return ret;
}

/* Values for an option's argument. */
static int
add_values(struct ctl *ctl, struct complete_list *l, const char *prefix,
    const struct opt_spec *o)
{
	char	word[64];
	int	s;

	if (o->type == ARG_STATUS) {
		for (s = 0; s < ORDER_NSTATUS; s++)
			if (list_match(l, prefix,
			    order_status_name((enum order_status)s)) == -1)
				return -1;
		return 0;
	}
	if (o->type == ARG_EVENT) {
		for (s = 0; s < PAYMENT_NEVENTS; s++)
			if (list_match(l, prefix,
			    payment_event_name((enum payment_event)s)) == -1)
				return -1;
		return 0;
	}
	if (o->type == ARG_CHOICE) {
		for (s = 0; commands_choice(o, s, word, sizeof word) != -1;
		    s++)
			if (list_match(l, prefix, word) == -1)
				return -1;
		return 0;
	}
	if (o->type == ARG_ID && o->lookup != NULL)
		return add_ids(ctl, l, prefix, o->lookup);
	return 0;
}

/* Whether spec o takes a value (so the next word is that value). */
static int
takes_value(const struct opt_spec *o)
{
	return o != NULL && o->type != ARG_FLAG;
}

/* Candidates once the command is known: words[0..argc-1), cur last. */
static int
complete_args(struct ctl *ctl, const struct cmd_entry *e, int argc,
    char **argv, const char *cur, struct complete_list *l)
{
	const struct opt_spec	*o = NULL;
	int			 used[16], npos = 0, i, k;

	memset(used, 0, sizeof used);
	for (i = 0; i < argc; i++) {
		if (argv[i][0] != '-') {
			npos++;
			continue;
		}
		for (k = 0; e->opts[k].name != NULL && k < 16; k++)
			if (!(e->opts[k].flags & OPT_POSITIONAL) &&
			    strcmp(e->opts[k].name, argv[i] + 2) == 0)
				used[k] = 1;
		o = commands_opt(e, argv[i]);
		if (takes_value(o) && strchr(argv[i], '=') == NULL &&
		    i + 1 < argc)
			i++;
		else if (takes_value(o) && strchr(argv[i], '=') == NULL) {
			/* cur is this option's value. */
			return add_values(ctl, l, cur, o);
		}
	}
	if (cur[0] != '-') {
		/* An unfilled positional argument: offer its ids. */
		for (k = 0; e->opts[k].name != NULL; k++) {
			if (!(e->opts[k].flags & OPT_POSITIONAL))
				continue;
			if (npos-- > 0)
				continue;
			return add_values(ctl, l, cur, &e->opts[k]);
		}
		if (cur[0] != '\0')
			return 0;
	}
	if (add_opts(l, cur, e->opts, used) == -1 ||
	    add_opts(l, cur, cmd_common_opts, NULL) == -1)
		return -1;
	return 0;
}

int
complete_words(struct ctl *ctl, int argc, char **argv, int shell,
    struct complete_list *l)
{
	const struct cmd_entry	*c;
	const struct opt_spec	*o;
	const char		*cur = argc > 0 ? argv[argc - 1] : "";
	const char		*noun, *verb = NULL;
	int			 i = 0, amb, k;

	/* Skip global options and their values: --socket PATH, --json. */
	while (!shell && i < argc - 1 && argv[i][0] == '-') {
		for (k = 0, o = NULL; cmd_global_opts[k].name != NULL; k++)
			if (strcmp(cmd_global_opts[k].name, argv[i] + 2) == 0)
				o = &cmd_global_opts[k];
		i += takes_value(o) ? 2 : 1;
	}
	if (i > argc - 1)
		return 0;
	if (i == argc - 1) {
		if (!shell && cur[0] == '-')
			return add_opts(l, cur, cmd_global_opts, NULL);
		for (c = cmd_table; c->noun != NULL; c++)
			if (list_match(l, cur, c->noun) == -1)
				return -1;
		for (k = 0; shell && shell_words[k] != NULL; k++)
			if (list_match(l, cur, shell_words[k]) == -1)
				return -1;
		return 0;
	}
	if (strcmp(argv[i], "help") == 0) {
		/* "help product a": complete like the command's words. */
		i++;
		if (i == argc - 1) {
			for (c = cmd_table; c->noun != NULL; c++)
				if (list_match(l, cur, c->noun) == -1)
					return -1;
			return 0;
		}
		if ((noun = commands_find_word(NULL, argv[i], &amb)) == NULL ||
		    !commands_noun_has_verbs(noun) || i + 1 != argc - 1)
			return 0;
		for (c = cmd_table; c->noun != NULL; c++)
			if (strcmp(c->noun, noun) == 0 &&
			    list_match(l, cur, c->verb) == -1)
				return -1;
		return 0;
	}
	if ((noun = commands_find_word(NULL, argv[i], &amb)) == NULL)
		return 0;
	i++;
	if (commands_noun_has_verbs(noun)) {
		if (i == argc - 1) {
			for (c = cmd_table; c->noun != NULL; c++)
				if (strcmp(c->noun, noun) == 0 &&
				    list_match(l, cur, c->verb) == -1)
					return -1;
			return 0;
		}
		if ((verb = commands_find_word(noun, argv[i], &amb)) == NULL)
			return 0;
		i++;
	}
	if ((c = commands_find(noun, verb)) == NULL)
		return 0;
	return complete_args(ctl, c, argc - 1 - i, argv + i, cur, l);
}

int
complete_print(struct ctl *ctl, int argc, char **argv)
{
	struct complete_list	 l = { NULL, 0, 0 };
	struct inv_error	 err;
	char			*empty[] = { (char *)"" };
	size_t			 i;
	int			 k;

	/* A target among the words is the one to ask for ids. */
	for (k = 0; k + 1 < argc - 1; k++) {
		if (strcmp(argv[k], "--socket") == 0)
			client_conf_socket(&ctl->client, argv[k + 1], &err);
		else if (strcmp(argv[k], "--url") == 0)
			client_conf_url(&ctl->client, argv[k + 1], &err);
		else if (argv[k][0] != '-')
			break;
	}
	if (argc == 0) {
		argc = 1;
		argv = empty;
	}
	if (complete_words(ctl, argc, argv, 0, &l) == -1) {
		complete_list_free(&l);
		return 1;
	}
	for (i = 0; i < l.n; i++)
		printf("%s\n", l.v[i]);
	complete_list_free(&l);
	return 0;
}
