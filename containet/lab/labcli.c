/*
 * `containet lab`: options, which lab a command means, and the verbs.  The lab's files
 * are read by labload/labtopo, the plan made by labplan, executed by labrun.
 */
#include "labcli.h"

#include "cleanup.h"
#include "errtext.h"
#include "fileio.h"
#include "json.h"
#include "labconf.h"
#include "labjson.h"
#include "labload.h"
#include "labops.h"
#include "labplan.h"
#include "labrun.h"
#include "labtopo.h"
#include "log.h"
#include "parse.h"
#include "strv.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

static void
usage(FILE *f)
{
	fprintf(f,
	        "Usage: containet lab COMMAND [OPTIONS]\n"
	        "\n"
	        "A lab is a Kathara lab directory (lab.conf, lab.ext, lab.dep, NODE/,\n"
	        "NODE.startup, NODE.shutdown, shared/), its JSON rendering (show --json) in\n"
	        "a FILE.json, or a Mininet topology (--topo).\n"
	        "\n"
	        "Commands:\n"
	        "  up [DIR|FILE.json]        start the lab: its switch, segments and nodes\n"
	        "  down                      stop the lab and remove everything it made\n"
	        "  ps [--json]               the lab's nodes\n"
	        "  exec NODE -- CMD [ARG]... run CMD in a node\n"
	        "  console NODE              an interactive shell in a node\n"
	        "  show [DIR|FILE.json]      the resolved topology (--json: as JSON)\n"
	        "  wait [NODE -- CMD...]     until every node runs, or CMD succeeds in NODE\n"
	        "                            (tried every 100 ms; exit 1 at --timeout)\n"
	        "  pingall                   ping every ordered pair of nodes, -j at once: a\n"
	        "                            matrix (X reached, . not) and a summary; exit 1\n"
	        "                            when a pair was not reached\n"
	        "\n"
	        "Options:\n"
	        "  -d, --dir DIR             the lab directory (default: the current one)\n"
	        "      --name NAME           the lab's name (default: user and a hash of DIR)\n"
	        "      --topo SPEC           single,N | linear,N | tree,DEPTH[,FANOUT]\n"
	        "      --image REF           image of the nodes that name none (default: the\n"
	        "                            host's root, read-only, with a private layer)\n"
	        "      --image-map FROM=TO   run image TO where the lab says FROM (repeatable)\n"
	        "  -j, --jobs N              start at most N nodes (pingall: pings) at once\n"
	        "                            (CPUs x 4)\n"
	        "      --startup-timeout S   up: wait at most S seconds for a node's startup (60)\n"
	        "      --no-startup          up: do not run the startup scripts\n"
	        "      --timeout S           wait: give up after S seconds (60); pingall: each\n"
	        "                            ping ends after S seconds (ping -w)\n"
	        "  -c, --count N             pingall: pings per pair (1)\n"
	        "      --json                ps, show, pingall: JSON\n"
	        "  -h, --help                this text\n"
	        "\n"
	        "Environment: CONTAINET_LAB_ROOT (the labs' state, default " LABPLAN_ROOT_DEFAULT
	        "),\n"
	        "CONTAINODE (the containode program, default: beside containet, else PATH).\n");
}

enum {
	OPT_NAME = 256,
	OPT_TOPO,
	OPT_IMAGE,
	OPT_IMAGE_MAP,
	OPT_STARTUP_TIMEOUT,
	OPT_NO_STARTUP,
	OPT_JSON,
	OPT_TIMEOUT,
};

static const struct option options[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "topo", required_argument, NULL, OPT_TOPO },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "image-map", required_argument, NULL, OPT_IMAGE_MAP },
	{ "jobs", required_argument, NULL, 'j' },
	{ "startup-timeout", required_argument, NULL, OPT_STARTUP_TIMEOUT },
	{ "no-startup", no_argument, NULL, OPT_NO_STARTUP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "count", required_argument, NULL, 'c' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

struct cli {
	const char *verb;
	const char *dir;  /* -d or the positional DIR of up/show */
	const char *name; /* --name */
	const char *topo;
	const char *image;
	struct lab_pair map[LAB_LIST_MAX];
	size_t n_map;
	unsigned long jobs;
	unsigned long startup_timeout;
	bool no_startup;
	bool json;
	unsigned long timeout; /* 0: not given */
	unsigned long count;
	char **args; /* what follows the options */
	int n_args;
};

/* The programs: this one (the switch) and containode beside it, else from PATH. */
static char *
self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return strdup("containet");
	buf[n] = '\0';
	return strdup(buf);
}

static char *
containode_path(const char *self)
{
	const char *env = getenv("CONTAINODE");
	_cleanup_free_ char *dir = strdup(self);
	char *slash, *p;

	if (env && *env)
		return strdup(env);
	if (!dir)
		return NULL;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		if (asprintf(&p, "%s/containode", dir) < 0)
			return NULL;
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return strdup("containode");
}

static bool
is_json_file(const char *path)
{
	size_t n = strlen(path);
	struct stat st;

	return n > 5 && strcmp(path + n - 5, ".json") == 0 && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode);
}

/* The lab's name: --name, else the user's and a hash of what the lab comes from. */
static int
lab_name(const struct cli *c, char ret[LABPLAN_NAME_MAX + 1])
{
	_cleanup_free_ char *key = NULL;
	const char *user = getenv("SUDO_USER");
	struct passwd *pw;
	char real[PATH_MAX];

	if (c->name) {
		if (!labplan_name_valid(c->name))
			return log_usage_error(
			        "--name: '%s' is not a lab name (1-%d of A-Z a-z 0-9 "
			        "_ - ., not starting with - or .)",
			        c->name, LABPLAN_NAME_MAX);
		strcpy(ret, c->name);
		return 0;
	}
	if (c->topo) {
		if (asprintf(&key, "topo:%s", c->topo) < 0)
			return LAB_FAIL(1, log_error("out of memory"));
	} else {
		const char *dir = c->dir ? c->dir : ".";

		if (!realpath(dir, real))
			return LAB_FAIL(1, log_error_errno(-errno, "'%s'", dir));
		key = strdup(real);
		if (!key)
			return LAB_FAIL(1, log_error("out of memory"));
	}
	if (!user || !*user) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "user";
	}
	labplan_default_name(user, key, ret);
	return 0;
}

/* The lab itself, from --topo, a FILE.json (show --json's rendering) or the directory. */
static int
load_lab(const struct cli *c, struct lab **ret)
{
	_cleanup_free_ char *err = NULL;
	int r;

	if (c->topo)
		r = labtopo_lab(c->topo, ret, &err);
	else if (c->dir && is_json_file(c->dir)) {
		_cleanup_free_ char *buf = NULL;
		size_t len = 0;

		r = read_file_at(AT_FDCWD, c->dir, LAB_FILE_MAX, &buf, &len);
		if (r == -EFBIG)
			return LAB_FAIL(
			        1, log_error("'%s': larger than %d bytes", c->dir, LAB_FILE_MAX));
		if (r < 0)
			return LAB_FAIL(1, log_error_errno(r, "read '%s'", c->dir));
		r = labjson_parse(buf, len, c->dir, ret, &err);
	} else
		r = labload_dir(c->dir ? c->dir : ".", ret, &err);
	if (r < 0) {
		if (err)
			log_error("%s", err);
		else
			log_error_errno(r, "read the lab");
		return 1;
	}
	return 0;
}

static int
parse_options(int argc, char **argv, struct cli *c)
{
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:j:c:vh", options, NULL)) != -1) {
		char *eq;

		switch (opt) {
		case 'd':
			c->dir = optarg;
			break;
		case OPT_NAME:
			c->name = optarg;
			break;
		case OPT_TOPO:
			c->topo = optarg;
			break;
		case OPT_IMAGE:
			c->image = optarg;
			break;
		case OPT_IMAGE_MAP:
			eq = strchr(optarg, '=');
			if (!eq || eq == optarg || !eq[1])
				return log_usage_error("--image-map wants FROM=TO, not '%s'",
				                       optarg);
			if (c->n_map == LAB_LIST_MAX)
				return log_usage_error("more than %d --image-map", LAB_LIST_MAX);
			*eq = '\0';
			c->map[c->n_map++] = (struct lab_pair){ optarg, eq + 1 };
			break;
		case 'j':
			if (parse_uint(optarg, 1, 4096, &c->jobs) < 0)
				return log_usage_error(
				        "--jobs wants a number from 1 to 4096, not '%s'", optarg);
			break;
		case OPT_STARTUP_TIMEOUT:
			if (parse_uint(optarg, 1, 86400, &c->startup_timeout) < 0)
				return log_usage_error("--startup-timeout wants seconds from 1 to "
				                       "86400, not '%s'",
				                       optarg);
			break;
		case OPT_NO_STARTUP:
			c->no_startup = true;
			break;
		case OPT_JSON:
			c->json = true;
			break;
		case OPT_TIMEOUT:
			if (parse_uint(optarg, 1, 86400, &c->timeout) < 0)
				return log_usage_error(
				        "--timeout wants seconds from 1 to 86400, not '%s'", optarg);
			break;
		case 'c':
			if (parse_uint(optarg, 1, 1000, &c->count) < 0)
				return log_usage_error(
				        "--count wants a number from 1 to 1000, not '%s'", optarg);
			break;
		case 'v':
			if (log_max_level < LOG_TRACE)
				log_max_level++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case ':':
			return log_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return log_usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	c->args = argv + optind;
	c->n_args = argc - optind;
	return 0;
}

static int
show_text(const struct lab *lab, const struct labplan *p)
{
	printf("lab %s: %zu node%s, %zu segment%s, %u wave%s\n", p->name, lab->n_nodes,
	       lab->n_nodes == 1 ? "" : "s", lab->n_segments, lab->n_segments == 1 ? "" : "s",
	       lab->n_waves, lab->n_waves == 1 ? "" : "s");
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];
		const char *image = labplan_image(lab, n, p);

		printf("  %-16s %-24s", n->name, image ? image : "(host root)");
		for (size_t k = 0; k < n->n_ifaces; k++)
			printf(" eth%u=%s%s%s", n->ifaces[k].index,
			       lab->segments[n->ifaces[k].segment].name,
			       n->ifaces[k].ipv4 ? "," : "",
			       n->ifaces[k].ipv4 ? n->ifaces[k].ipv4 : "");
		printf("\n");
	}
	return 0;
}

/* Replaces this process with containode on the lab's node (exec, console, ps). */
static int
exec_containode(const struct labrun *r, char **argv)
{
	fflush(NULL);
	execvp(argv[0], argv);
	log_error_errno(-errno, "run '%s'", argv[0]);
	return 127;
}

int
labcli_main(int argc, char **argv)
{
	struct cli c = { .startup_timeout = 60 };
	_cleanup_(labconf_freep) struct lab *lab = NULL;
	_cleanup_free_ char *self = NULL, *containode = NULL, *state = NULL;
	_cleanup_strv_ char **cmd = NULL;
	const char *root = getenv("CONTAINET_LAB_ROOT");
	char name[LABPLAN_NAME_MAX + 1];
	struct labrun r = {};
	int status;
	long cpus;

	log_init("containet lab");
	if (argc < 2)
		return log_usage_error("%s", "missing COMMAND (up, down, ps, exec, console, show, wait, pingall)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	c.verb = argv[1];
	status = parse_options(argc - 1, argv + 1, &c);
	if (status)
		return status;
	if (strcmp(c.verb, "up") != 0 && strcmp(c.verb, "down") != 0 && strcmp(c.verb, "ps") != 0 &&
	    strcmp(c.verb, "exec") != 0 && strcmp(c.verb, "console") != 0 &&
	    strcmp(c.verb, "show") != 0 && strcmp(c.verb, "wait") != 0 &&
	    strcmp(c.verb, "pingall") != 0)
		return log_usage_error("unknown command '%s'", c.verb);
	/* up and show take the lab as an argument too. */
	if ((strcmp(c.verb, "up") == 0 || strcmp(c.verb, "show") == 0) && c.n_args > 0) {
		if (c.dir || c.n_args > 1)
			return log_usage_error("%s takes one lab (DIR or -d DIR)", c.verb);
		c.dir = c.args[0];
		c.n_args = 0;
	}
	if (c.topo && c.dir)
		return log_usage_error("%s", "--topo and a lab directory exclude each other");
	status = lab_name(&c, name);
	if (status)
		return status;
	if (!root || !*root)
		root = LABPLAN_ROOT_DEFAULT;
	if (asprintf(&state, "%s/%s", root, name) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	self = self_path();
	containode = self ? containode_path(self) : NULL;
	if (!containode)
		return LAB_FAIL(1, log_error("out of memory"));
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	r = (struct labrun){
		.plan = { .name = name,
		          .state_dir = state,
		          .default_image = c.image,
		          .image_map = c.map,
		          .n_image_map = c.n_map,
		          .startups = !c.no_startup },
		.containet = self,
		.containode = containode,
		.jobs = c.jobs ? c.jobs : (cpus > 0 ? (unsigned)cpus * 4 : 4),
		.startup_timeout_s = c.startup_timeout,
	};

	if (strcmp(c.verb, "up") == 0 || strcmp(c.verb, "show") == 0) {
		char real[PATH_MAX];

		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		status = load_lab(&c, &lab);
		if (status)
			return status;
		r.lab = lab;
		if (!c.topo && !(c.dir && is_json_file(c.dir)) &&
		    realpath(c.dir ? c.dir : ".", real)) {
			_cleanup_free_ char *shared = NULL;
			struct stat st;

			r.plan.lab_dir = strdup(real);
			if (!r.plan.lab_dir || asprintf(&shared, "%s/shared", real) < 0)
				return LAB_FAIL(1, log_error("out of memory"));
			r.plan.shared = stat(shared, &st) == 0 && S_ISDIR(st.st_mode);
		}
		if (strcmp(c.verb, "show") == 0) {
			_cleanup_json_ cJSON *o = NULL;
			_cleanup_free_ char *text = NULL;

			if (!c.json)
				status = show_text(lab, &r.plan);
			else if (!(o = labjson_render(lab)) || !(text = cJSON_Print(o)))
				status = LAB_FAIL(1, log_error("out of memory"));
			else
				printf("%s\n", text);
		} else {
			status = labrun_up(&r);
		}
		free((char *)r.plan.lab_dir);
		return status;
	}
	if (strcmp(c.verb, "down") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		return labrun_down(&r);
	}
	if (strcmp(c.verb, "pingall") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		return labops_pingall(&r, c.count ? (unsigned)c.count : 1, (unsigned)c.timeout,
		                      c.json);
	}
	if (strcmp(c.verb, "wait") == 0) {
		if (c.n_args == 1 || (c.n_args > 0 && !labplan_node_name_valid(c.args[0])))
			return log_usage_error("%s", "wait wants no argument, or NODE -- CMD [ARG]...");
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		return labops_wait(&r, c.timeout ? (unsigned)c.timeout : 60,
		                   c.n_args ? c.args[0] : NULL, c.n_args ? c.args + 1 : NULL);
	}
	if (strcmp(c.verb, "ps") == 0) {
		char *ps[] = { containode, NULL, "ps", "-a", c.json ? "--json" : NULL, NULL };
		_cleanup_free_ char *sd = NULL;

		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (asprintf(&sd, "--state-dir=%s/nodes", state) < 0)
			return LAB_FAIL(1, log_error("out of memory"));
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		ps[1] = sd;
		return exec_containode(&r, ps);
	}
	/* exec NODE -- CMD..., console NODE */
	if (c.n_args < 1)
		return log_usage_error("%s wants a NODE", c.verb);
	if (!labplan_node_name_valid(c.args[0]))
		return log_usage_error("'%s' is not a node name", c.args[0]);
	if (strcmp(c.verb, "console") == 0 ? c.n_args > 1 : c.n_args < 2)
		return log_usage_error("%s", strcmp(c.verb, "console") == 0
		                                     ? "console wants one NODE"
		                                     : "exec wants NODE -- CMD [ARG]...");
	if (access(state, F_OK) < 0)
		return LAB_FAIL(1, log_error("lab '%s' is not up", name));
	if (strcmp(c.verb, "console") == 0) {
		char *sh[] = { "/bin/sh", "-c",
			       "[ -x /bin/bash ] && exec /bin/bash -l; exec /bin/sh -l", NULL };

		if (labplan_exec_argv(&r.plan, containode, c.args[0], true, sh, &cmd) < 0)
			return LAB_FAIL(1, log_error("out of memory"));
		return exec_containode(&r, cmd);
	}
	if (labplan_exec_argv(&r.plan, containode, c.args[0], false, c.args + 1, &cmd) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	return exec_containode(&r, cmd);
}
