/* containode commit: an image of a node, made by mocker (the store's only writer) from the
 * node's image (or root) and its upper layer, with the node's config. */
#include "commit.h"

#include "cleanup.h"
#include "image.h"
#include "imagestore.h"
#include "json.h"
#include "life.h"
#include "log.h"
#include "plan.h"
#include "state.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMMIT_OPT_STORE 0x500
#define COMMIT_OPT_CHANGE 0x501

/* clang-format off */
static const char commit_usage[] =
        "Usage: containode commit [OPTIONS] ID REF\n"
        "Make image REF of mocker's store from the node: its image (or root) with the node's\n"
        "upper layer on top as one more layer, and the node's command, environment, working\n"
        "directory, user and stop signal.  The node needs its upper layer on disk (-t).\n"
        "      --change=LINE     a Dockerfile instruction for the config, after the node's\n"
        "                        (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER,\n"
        "                        VOLUME, WORKDIR; as mocker import --change)\n"
        "      --store=DIR       mocker's store (default $CONTAINET_STORE or " IMAGESTORE_DEFAULT
        ")\n"
        "  -q, --quiet           print only the manifest digest\n"
        "      --state-dir=DIR   the nodes' states (default $CONTAINODE_STATE or " STATE_DIR_DEFAULT
        ")\n";
/* clang-format on */

static const char *const commit_mount_points[] = { "etc/hostname", "etc/hosts", "etc/resolv.conf" };

/* mocker ARGV, its stdout ours; 0 when it succeeded. */
static int
commit_run_mocker(char **argv)
{
	char path[PATH_MAX];
	int status;
	pid_t pid;

	image_mocker_path(path, sizeof(path));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(path, argv);
		fprintf(stderr, "containode: run '%s': %s\n", path, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/* "PREFIX TEXT" pushed onto v. */
static int
push_change(char ***v, const char *prefix, const char *text)
{
	char *s = NULL;

	if (asprintf(&s, "%s %s", prefix, text) < 0)
		return -ENOMEM;
	return strv_push(v, s);
}

/* A value as a double-quoted Dockerfile word. */
static char *
quote(const char *s)
{
	char *out = malloc(2 * strlen(s) + 3), *o = out;

	if (!out)
		return NULL;
	*o++ = '"';
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* Entrypoint + Cmd of the image's config: what the node runs when nothing overrides it. */
static bool
same_command(const char *store, const char *image, char **command)
{
	_cleanup_(imagestore_image_done) struct imagestore_image img = { 0 };
	_cleanup_json_ cJSON *cfg = NULL;
	_cleanup_free_ char *why = NULL;
	const cJSON *c, *it;
	size_t i = 0;

	if (imagestore_open(store, image, &img, &why) < 0 ||
	    json_has_nul(img.config, img.config_len) ||
	    !(cfg = cJSON_ParseWithLength(img.config, img.config_len)))
		return false;
	c = cJSON_GetObjectItemCaseSensitive(cfg, "config");
	for (int k = 0; k < 2; k++) {
		cJSON_ArrayForEach(it,
		                   cJSON_GetObjectItemCaseSensitive(c, k ? "Cmd" : "Entrypoint"))
		{
			if (!cJSON_IsString(it) || !command[i] ||
			    strcmp(command[i], it->valuestring))
				return false;
			i++;
		}
	}
	return command[i] == NULL;
}

/* The node's config as --change lines for mocker import. */
static int
node_changes(const struct node_state *st, const char *store, char ***v)
{
	char num[64];
	int r = 0;

	if (st->command && (!st->image || !same_command(store, st->image, st->command))) {
		_cleanup_json_ cJSON *a = cJSON_CreateStringArray((const char *const *)st->command,
		                                                  (int)strv_len(st->command));
		_cleanup_free_ char *text = a ? cJSON_PrintUnformatted(a) : NULL;
		if (!text)
			return -ENOMEM;
		r = push_change(v, "ENTRYPOINT", "[]");
		if (r >= 0)
			r = push_change(v, "CMD", text);
	}
	for (char **e = st->env; r >= 0 && e && *e; e++) {
		const char *eq = strchr(*e, '=');
		_cleanup_free_ char *key = NULL, *val = NULL, *line = NULL;

		/* The identity's name is the next node's to set. */
		if (!eq || eq == *e || strncmp(*e, "HOSTNAME=", 9) == 0 || strpbrk(*e, "\n\r"))
			continue;
		key = strndup(*e, (size_t)(eq - *e));
		val = quote(eq + 1);
		if (!key || !val || strpbrk(key, " \t\"'\\") ||
		    asprintf(&line, "%s=%s", key, val) < 0) {
			if (!key || !val)
				return -ENOMEM;
			continue;
		}
		r = push_change(v, "ENV", line);
	}
	if (r >= 0 && st->cwd && st->cwd[0] == '/')
		r = push_change(v, "WORKDIR", st->cwd);
	if (r >= 0 && st->have_user) {
		snprintf(num, sizeof(num), "%u:%u", (unsigned)st->uid, (unsigned)st->gid);
		r = push_change(v, "USER", num);
	}
	if (r >= 0 && st->stop_signal > 0 && st->stop_signal != SIGTERM) {
		snprintf(num, sizeof(num), "%d", st->stop_signal);
		r = push_change(v, "STOPSIGNAL", num);
	}
	return r;
}

static int
commit_node(const struct node_state *st, const char *store, const char *ref, char **changes,
            bool quiet)
{
	_cleanup_strv_ char **argv = NULL, **node = NULL;
	const char *base = st->image;
	int r;

	if (!st->top) {
		log_error("node '%s' keeps its changes in memory: run it with -t DIR to commit it",
		          st->id);
		return -EINVAL;
	}
	if (!base && (!st->root || strcmp(st->root, "/") == 0)) {
		log_error("node '%s' runs on the host's root: there is no image to commit it onto",
		          st->id);
		return -EINVAL;
	}
	r = node_changes(st, store, &node);
	if (r < 0)
		return r;
	if (!base) {
		/* A root directory: it becomes the first layer, under REF for a moment. */
		char *first[] = { "mocker", "--store", (char *)store, "-q", "--no-unpack",
			          "import", st->root,  (char *)ref,   NULL };
		int fd = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);

		if (fd >= 0 && null >= 0)
			dup2(null, STDOUT_FILENO);
		r = commit_run_mocker(first);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			close(fd);
		}
		if (null >= 0)
			close(null);
		if (r < 0) {
			log_error("commit '%s': importing its root '%s' failed", st->id, st->root);
			return r;
		}
		base = ref;
	}
	if (strv_push(&argv, strdup("mocker")) < 0 || strv_push(&argv, strdup("--store")) < 0 ||
	    strv_push(&argv, strdup(store)) < 0 || (quiet && strv_push(&argv, strdup("-q")) < 0) ||
	    strv_push(&argv, strdup("import")) < 0 || strv_push(&argv, strdup("--overlay")) < 0 ||
	    strv_push(&argv, strdup("--base")) < 0 || strv_push(&argv, strdup(base)) < 0)
		return -ENOMEM;
	/* The files containode binds over in every node: its mount points, not its changes. */
	for (size_t i = 0; i < sizeof(commit_mount_points) / sizeof(*commit_mount_points); i++)
		if (strv_push(&argv, strdup("--exclude")) < 0 ||
		    strv_push(&argv, strdup(commit_mount_points[i])) < 0)
			return -ENOMEM;
	for (int k = 0; k < 2; k++)
		for (char **c = k ? changes : node; c && *c; c++)
			if (strv_push(&argv, strdup("--change")) < 0 ||
			    strv_push(&argv, strdup(*c)) < 0)
				return -ENOMEM;
	if (strv_push(&argv, strdup("--")) < 0 || strv_push(&argv, strdup(st->top)) < 0 ||
	    strv_push(&argv, strdup(ref)) < 0)
		return -ENOMEM;
	r = commit_run_mocker(argv);
	if (r < 0)
		log_error("commit '%s' as '%s': mocker import failed", st->id, ref);
	return r;
}

int
commit_main(const char *state_dir, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "change", required_argument, NULL, COMMIT_OPT_CHANGE },
		{ "store", required_argument, NULL, COMMIT_OPT_STORE },
		{ "quiet", no_argument, NULL, 'q' },
		{ "state-dir", required_argument, NULL, LIFE_OPT_STATE_DIR },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_strv_ char **changes = NULL;
	const char *store = getenv("CONTAINET_STORE");
	struct node_state st;
	bool quiet = false;
	int c, r;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:qh", opts, NULL)) != -1) {
		switch (c) {
		case COMMIT_OPT_CHANGE:
			if (strv_push(&changes, strdup(optarg)) < 0)
				return EXIT_LAUNCHER;
			break;
		case COMMIT_OPT_STORE:
			store = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case LIFE_OPT_STATE_DIR:
			state_dir = optarg;
			break;
		case 'h':
			fputs(commit_usage, stdout);
			return 0;
		case ':':
			log_usage_error("commit: option '%s' needs an argument", argv[optind - 1]);
			return EXIT_USAGE;
		default:
			log_usage_error("commit: unrecognized option '%s'", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		log_usage_error("commit: want a node and a reference (ID REF)");
		return EXIT_USAGE;
	}
	if (!store || !*store)
		store = IMAGESTORE_DEFAULT;
	state_init(&st);
	r = life_load(life_state_dir(state_dir), argv[optind], &st, NULL);
	if (r >= 0)
		r = commit_node(&st, store, argv[optind + 1], changes, quiet);
	state_free(&st);
	return r < 0 ? 1 : 0;
}
