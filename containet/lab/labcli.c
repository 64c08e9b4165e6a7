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
#include "labgraph.h"
#include "labhost.h"
#include "labjson.h"
#include "labload.h"
#include "labmgmtrun.h"
#include "labnet.h"
#include "labnode.h"
#include "labops.h"
#include "labplan.h"
#include "labproc.h"
#include "labrun.h"
#include "labtest.h"
#include "labtopo.h"
#include "labwatch.h"
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
#include <sys/mman.h>
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
	        "  up --host NAME            this machine's part of a lab split over the\n"
	        "                            machines of LAB_HOSTS (lab.ext): its own nodes;\n"
	        "                            segments with nodes elsewhere too are stretched\n"
	        "                            over VXLAN (without --host: the machine whose\n"
	        "                            LAB_HOSTS address is here)\n"
	        "  up --switch SOCK          the lab on a switch that runs (its segments and\n"
	        "                            nodes' ports), not on a switch of its own\n"
	        "  down                      stop the lab and remove everything it made (a\n"
	        "                            --switch it was up on keeps running)\n"
	        "  ps [--json]               the lab's nodes\n"
	        "  exec NODE -- CMD [ARG]... run CMD in a node\n"
	        "  console NODE              an interactive shell in a node\n"
	        "  show [DIR|FILE.json]      the resolved topology (--json: as JSON)\n"
	        "  wait [NODE -- CMD...]     until every node runs, or CMD succeeds in NODE\n"
	        "                            (tried every 100 ms; exit 1 at --timeout)\n"
	        "  pingall                   ping every ordered pair of nodes, -j at once, from\n"
	        "                            a socket in each node's network: a matrix (X\n"
	        "                            reached, . not) and a summary; exit 1 when a\n"
	        "                            pair was not reached; the nodes' neighbour\n"
	        "                            tables are left as it found them\n"
	        "  capture [NAME]...         the switch's capture (pcapng) of segments or node\n"
	        "                            interfaces (all if none): NAME is SEGMENT, NODE\n"
	        "                            (its eth0) or NODE:IF; until Ctrl-C, -c or "
	        "--duration\n"
	        "  link NAME [SETTING...]    impair a segment's or a node interface's link:\n"
	        "                            delay=20ms jitter=2ms loss=1%% rate=10mbit ... (as\n"
	        "                            containet's link set), down, up, clear; without a\n"
	        "                            SETTING its settings and counters\n"
	        "  graph [DIR|FILE.json]     the topology in Graphviz's DOT (-o FILE: .dot, or\n"
	        "                            an image by its suffix through 'dot': .png, .svg)\n"
	        "  test                      store each node's signature (addresses, routes,\n"
	        "                            listening sockets) and _test/NODE.test's output\n"
	        "  test --verify             compare them with the stored ones: the difference\n"
	        "                            per node; exit 1 when a node differs\n"
	        "  hosts [--json]            lines for /etc/hosts: ADDR NODE.DOMAIN NODE (a\n"
	        "                            bridged node's management address first)\n"
	        "  node add NAME --segment S [--segment S2]... [--ip ADDR/LEN]... [--image REF]\n"
	        "                            start one more node in the lab that is up: eth0\n"
	        "                            on S (a segment the lab lacks is made), eth1 on\n"
	        "                            S2, the --ip's in order (auto: from the subnet)\n"
	        "  node del NAME             stop a node and remove it from the lab\n"
	        "\n"
	        "Options:\n"
	        "  -d, --dir DIR             the lab directory (default: the current one)\n"
	        "      --name NAME           the lab's name (default: user and a hash of DIR)\n"
	        "      --host NAME           up, down, show: this machine, one of LAB_HOSTS\n"
	        "      --topo SPEC           single,N | linear,N | tree,DEPTH[,FANOUT]\n"
	        "      --image REF           image of the nodes that name none (default: the\n"
	        "                            host's root, read-only, with a private layer)\n"
	        "      --image-map FROM=TO   run image TO where the lab says FROM (repeatable)\n"
	        "  -j, --jobs N              start at most N nodes at once (CPUs x 4);\n"
	        "                            pingall: pairs under way at once (32)\n"
	        "      --startup-timeout S   up: wait at most S seconds for a node's startup (60)\n"
	        "      --no-startup          up: do not run the startup scripts\n"
	        "      --write-hosts         up, hosts: the bridged nodes' names into /etc/hosts,\n"
	        "                            in a block of the lab's own that down removes\n"
	        "      --segment S           node add: the next interface's segment\n"
	        "      --ip ADDR/LEN         node add: the next interface's address, or auto\n"
	        "      --timeout S           wait: give up after S seconds (60); pingall: each\n"
	        "                            ping ends after S seconds (ping -w)\n"
	        "  -c, --count N             pingall: pings per pair (1, at most 1000);\n"
	        "                            capture: stop after N frames\n"
	        "  -w, --write FILE          capture: pcapng into FILE, '-' for stdout\n"
	        "      --duration S          capture: stop after S seconds (decimals allowed)\n"
	        "      --snaplen N           capture: keep the first N bytes of each frame\n"
	        "      --direction D         link: egress (towards the node, the default),\n"
	        "                            ingress (from it) or both\n"
	        "  -o, --output FILE         graph: write FILE instead of DOT on stdout\n"
	        "      --verify              test: compare with the stored signatures\n"
	        "      --tap                 test: the report in TAP\n"
	        "      --junit FILE          test: a JUnit XML report in FILE too\n"
	        "      --switch SOCK         up: use the switch on SOCK instead of starting one\n"
	        "      --pull missing|never  up: pull a node's image that is not in the store\n"
	        "                            (mocker), or not (the default)\n"
	        "      --json                up, down, ps, show, wait, pingall, link, test,\n"
	        "                            hosts, node: the result as JSON (not graph: DOT)\n"
	        "  -h, --help                this text\n"
	        "\n"
	        "Environment: CONTAINET_LAB_ROOT (the labs' state, default " LABPLAN_ROOT_DEFAULT
	        "),\n"
	        "CONTAINODE (the containode program, default: beside containet, else PATH),\n"
	        "CONTAINET_HOSTS_FILE (what --write-hosts and down edit, default /etc/hosts).\n");
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
	OPT_DURATION,
	OPT_SNAPLEN,
	OPT_DIRECTION,
	OPT_VERIFY,
	OPT_TAP,
	OPT_JUNIT,
	OPT_WRITE_HOSTS,
	OPT_SEGMENT,
	OPT_IP,
	OPT_HOST,
	OPT_SWITCH,
	OPT_PULL,
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
	{ "write", required_argument, NULL, 'w' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "direction", required_argument, NULL, OPT_DIRECTION },
	{ "output", required_argument, NULL, 'o' },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "tap", no_argument, NULL, OPT_TAP },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "write-hosts", no_argument, NULL, OPT_WRITE_HOSTS },
	{ "segment", required_argument, NULL, OPT_SEGMENT },
	{ "ip", required_argument, NULL, OPT_IP },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "switch", required_argument, NULL, OPT_SWITCH },
	{ "pull", required_argument, NULL, OPT_PULL },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

struct cli {
	const char *verb;
	const char *dir;  /* -d or the positional DIR of up/show */
	const char *name; /* --name */
	const char *host; /* --host */
	const char *sw;   /* --switch */
	const char *pull; /* --pull */
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
	struct labwatch_capture capture; /* -w, --duration, --snaplen (count: -c) */
	const char *direction;
	const char *output;
	struct labtest_opts test;
	bool write_hosts;
	char *segments[LAB_IFACES_MAX]; /* node add */
	size_t n_segments;
	char *ips[LAB_IFACES_MAX];
	size_t n_ips;
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
	while ((opt = getopt_long(argc, argv, ":d:j:c:w:o:vh", options, NULL)) != -1) {
		char *eq;

		switch (opt) {
		case 'd':
			c->dir = optarg;
			break;
		case OPT_NAME:
			c->name = optarg;
			break;
		case OPT_SWITCH:
			c->sw = optarg;
			break;
		case OPT_PULL:
			if (strcmp(optarg, "missing") != 0 && strcmp(optarg, "never") != 0)
				return log_usage_error("--pull: 'missing' or 'never', not '%s'",
				                       optarg);
			c->pull = optarg;
			break;
		case OPT_HOST:
			c->host = optarg;
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
				        "--timeout wants seconds from 1 to 86400, not '%s'",
				        optarg);
			break;
		case 'c':
			if (parse_uint(optarg, 1, 1000000000000UL, &c->count) < 0)
				return log_usage_error("--count wants a positive number, not '%s'",
				                       optarg);
			break;
		case 'w':
			c->capture.write = optarg;
			break;
		case OPT_DURATION: {
			char *end;
			double secs;

			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs > 0 && secs <= 86400 * 365))
				return log_usage_error(
				        "--duration wants seconds (such as 10 or 0.5), not '%s'",
				        optarg);
			c->capture.duration = optarg;
			break;
		}
		case OPT_SNAPLEN:
			if (parse_uint(optarg, 64, 262144, &c->capture.snaplen) < 0)
				return log_usage_error(
				        "--snaplen wants a number from 64 to 262144, not '%s'",
				        optarg);
			break;
		case OPT_DIRECTION:
			if (strcmp(optarg, "egress") != 0 && strcmp(optarg, "ingress") != 0 &&
			    strcmp(optarg, "both") != 0)
				return log_usage_error(
				        "--direction wants egress, ingress or both, not '%s'",
				        optarg);
			c->direction = optarg;
			break;
		case 'o':
			c->output = optarg;
			break;
		case OPT_VERIFY:
			c->test.verify = true;
			break;
		case OPT_TAP:
			c->test.tap = true;
			break;
		case OPT_JUNIT:
			c->test.junit = optarg;
			break;
		case OPT_WRITE_HOSTS:
			c->write_hosts = true;
			break;
		case OPT_SEGMENT:
			if (c->n_segments == LAB_IFACES_MAX)
				return log_usage_error("more than %d --segment", LAB_IFACES_MAX);
			c->segments[c->n_segments++] = optarg;
			break;
		case OPT_IP:
			if (c->n_ips == LAB_IFACES_MAX)
				return log_usage_error("more than %d --ip", LAB_IFACES_MAX);
			c->ips[c->n_ips++] = optarg;
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

/* A lab split over machines (LAB_HOSTS), as this machine sees it. */
struct split {
	char **addrs;                   /* of LAB_HOSTS */
	struct labhost *h;              /* the plan for h->self */
	bool self;                      /* this machine is known (--host, or its address) */
	struct lab *part;               /* this machine's part */
	struct labnet_stretch *stretch; /* per segment of part */
};

static void
split_done(struct split *sp)
{
	strv_free(sp->addrs);
	if (sp->part)
		labnet_stretch_free(sp->stretch, sp->part->n_segments);
	labconf_free(sp->part);
	labhost_free(sp->h);
}

static int
split_fail(int r, const char *err, const char *what)
{
	if (err)
		log_error("%s", err);
	else
		log_error_errno(r, "%s", what);
	return 1;
}

/*
 * Which of LAB_HOSTS this machine is (--host, else the one whose address is here; up
 * needs one, show does without), the plan, this machine's part and its stretched
 * segments.  The exit status.
 */
static int
split_lab(const struct cli *c, const struct lab *lab, bool need_self, struct split *sp)
{
	_cleanup_free_ char *err = NULL;
	const char *self = c->host;
	size_t i;
	int r;

	if (!lab->n_hosts)
		return LAB_FAIL(1,
		                log_error("--host %s: the lab has no LAB_HOSTS in its lab.ext to "
		                          "split it over machines",
		                          c->host));
	r = labnet_addresses(lab, &sp->addrs, &err);
	if (r == 0 && !self && (r = labnet_local_host(lab, sp->addrs, &i, &err)) == 1)
		self = lab->hosts[i], r = 0;
	if (r < 0)
		return split_fail(r, err, "LAB_HOSTS");
	if (!self && need_self)
		return LAB_FAIL(1, log_error("lab.ext:%u: the lab is split over the machines of "
		                             "LAB_HOSTS, and none of their addresses is here: say "
		                             "which one this is with --host NAME",
		                             lab->hosts_line));
	sp->self = self != NULL;
	r = labhost_plan(lab, self ? self : lab->hosts[0], &sp->h, &err);
	if (r == 0 && sp->self)
		r = labhost_part(lab, sp->h, &sp->part, &err);
	if (r == 0 && sp->self)
		r = labnet_stretch(lab, sp->h, sp->addrs, sp->part, &sp->stretch, &err);
	if (r < 0)
		return split_fail(r, err, "split the lab");
	return 0;
}

/* How the machine sees segment si of lab, or NULL (not here, or not stretched). */
static const struct labnet_stretch *
split_stretch(const struct split *sp, const struct lab *lab, size_t si)
{
	ssize_t pi = sp->part ? labconf_segment_index(sp->part, lab->segments[si].name) : -1;

	return pi >= 0 && sp->stretch[pi].on ? &sp->stretch[pi] : NULL;
}

static void
show_machines(const struct lab *lab, const struct split *sp)
{
	const struct labhost *h = sp->h;

	printf("machines (VXLAN over UDP port %u):", h->port);
	for (size_t i = 0; i < lab->n_hosts; i++)
		printf(" %s=%s%s", lab->hosts[i], sp->addrs[i],
		       sp->self && i == h->self ? " (here)" : "");
	printf("\n");
	for (size_t s = 0; s < lab->n_segments; s++) {
		const struct labhost_segment *g = &h->segments[s];
		const struct labnet_stretch *vx = split_stretch(sp, lab, s);

		printf("  %-16s", lab->segments[s].name);
		if (g->machines < 2) {
			printf(" on %s only\n", lab->hosts[g->owner]);
			continue;
		}
		printf(" VNI %u over", g->vni);
		for (size_t i = 0, n = 0; i < lab->n_hosts; i++)
			if (h->on[s * lab->n_hosts + i])
				printf("%s%s", n++ ? "," : " ", lab->hosts[i]);
		printf(", services on %s", lab->hosts[g->owner]);
		if (vx && vx->mtu_given)
			printf(", mtu %u (lab.ext; underlay %u)", vx->mtu, vx->underlay);
		else if (vx)
			printf(", mtu %u (underlay %u less the VXLAN headers)", vx->mtu,
			       vx->underlay);
		if (vx)
			printf(", slice %u/%u here", vx->slice, vx->slices);
		printf("\n");
	}
}

static int
show_text(const struct lab *lab, const struct labplan *p, const struct split *sp)
{
	printf("lab %s: %zu node%s, %zu segment%s, %u wave%s\n", p->name, lab->n_nodes,
	       lab->n_nodes == 1 ? "" : "s", lab->n_segments, lab->n_segments == 1 ? "" : "s",
	       lab->n_waves, lab->n_waves == 1 ? "" : "s");
	for (size_t i = 0; i < lab->n_nodes; i++) {
		const struct lab_node *n = &lab->nodes[i];
		const char *image = labplan_image(lab, n, p);

		printf("  %-16s %-24s", n->name, image ? image : "(host root)");
		if (sp->h)
			printf(" @%s", lab->hosts[sp->h->node_host[i]]);
		for (size_t k = 0; k < n->n_ifaces; k++)
			printf(" eth%u=%s%s%s", n->ifaces[k].index,
			       lab->segments[n->ifaces[k].segment].name,
			       n->ifaces[k].ipv4 ? "," : "",
			       n->ifaces[k].ipv4 ? n->ifaces[k].ipv4 : "");
		printf("\n");
	}
	if (sp->h)
		show_machines(lab, sp);
	return 0;
}

/* show --json: the lab, each node's machine and "machines": the split as seen from here. */
static cJSON *
show_json(const struct lab *lab, const struct split *sp)
{
	_cleanup_json_ cJSON *o = labjson_render(lab);
	const struct labhost *h = sp->h;
	cJSON *m, *arr, *nodes = o ? cJSON_GetObjectItemCaseSensitive(o, "nodes") : NULL, *n;
	size_t i = 0;

	if (!o || !h)
		return TAKE_PTR(o);
	cJSON_ArrayForEach(n, nodes)
	{
		cJSON_DeleteItemFromObjectCaseSensitive(n, "host");
		if (!cJSON_AddStringToObject(n, "host", lab->hosts[h->node_host[i++]]))
			return NULL;
	}
	m = cJSON_AddObjectToObject(o, "machines");
	if (!m ||
	    !(sp->self ? cJSON_AddStringToObject(m, "this", lab->hosts[h->self])
	               : cJSON_AddNullToObject(m, "this")) ||
	    !cJSON_AddNumberToObject(m, "vxlan_port", h->port) ||
	    !(arr = cJSON_AddArrayToObject(m, "hosts")))
		return NULL;
	for (i = 0; i < lab->n_hosts; i++) {
		cJSON *e = cJSON_CreateObject();

		if (!cJSON_AddItemToArray(arr, e) ||
		    !cJSON_AddStringToObject(e, "name", lab->hosts[i]) ||
		    !cJSON_AddStringToObject(e, "address", sp->addrs[i]))
			return NULL;
	}
	if (!(arr = cJSON_AddArrayToObject(m, "segments")))
		return NULL;
	for (size_t s = 0; s < lab->n_segments; s++) {
		const struct labhost_segment *g = &h->segments[s];
		const struct labnet_stretch *vx = split_stretch(sp, lab, s);
		cJSON *e = cJSON_CreateObject(), *on, *peers;

		if (!cJSON_AddItemToArray(arr, e) ||
		    !cJSON_AddStringToObject(e, "name", lab->segments[s].name) ||
		    !cJSON_AddNumberToObject(e, "vni", g->vni) ||
		    !(on = cJSON_AddArrayToObject(e, "hosts")) ||
		    !cJSON_AddStringToObject(e, "owner", lab->hosts[g->owner]) ||
		    !cJSON_AddBoolToObject(e, "stretched", g->machines > 1))
			return NULL;
		for (i = 0; i < lab->n_hosts; i++)
			if (h->on[s * lab->n_hosts + i] &&
			    !cJSON_AddItemToArray(on, cJSON_CreateString(lab->hosts[i])))
				return NULL;
		if (!sp->self || !h->on[s * lab->n_hosts + h->self])
			continue;
		if (!(peers = cJSON_AddArrayToObject(e, "peers")) ||
		    !cJSON_AddBoolToObject(e, "services", g->owner == h->self))
			return NULL;
		for (i = 0; i < lab->n_hosts; i++)
			if (i != h->self && h->on[s * lab->n_hosts + i] &&
			    !cJSON_AddItemToArray(peers, cJSON_CreateString(sp->addrs[i])))
				return NULL;
		if (vx) {
			char slice[32];

			snprintf(slice, sizeof(slice), "%u/%u", vx->slice, vx->slices);
			if (!cJSON_AddNumberToObject(e, "mtu", vx->mtu) ||
			    !cJSON_AddNumberToObject(e, "underlay_mtu", vx->underlay) ||
			    !cJSON_AddStringToObject(e, "slice", slice))
				return NULL;
		}
	}
	return TAKE_PTR(o);
}

/* What up does of the split: this machine, and the segments it stretches. */
static void
up_says(const struct split *sp, const char *name)
{
	const struct lab *part = sp->part;

	printf("lab %s: machine %s's part\n", name, part->hosts[sp->h->self]);
	for (size_t i = 0; i < part->n_segments; i++) {
		const struct labnet_stretch *vx = &sp->stretch[i];

		if (vx->on)
			printf("  segment %s: over VXLAN to %s (VNI %u, UDP %u, mtu %u, slice "
			       "%u/%u%s)\n",
			       part->segments[i].name, vx->remotes, vx->vni, vx->port, vx->mtu,
			       vx->slice, vx->slices, vx->services ? ", its services here" : "");
	}
	fflush(stdout);
}

/* down --host NAME: the lab that is up here is that machine's part. */
static int
check_host(const char *state, const char *host)
{
	_cleanup_free_ char *path = NULL, *buf = NULL;
	_cleanup_json_ cJSON *o = NULL;
	const char *was;
	size_t len = 0;

	if (asprintf(&path, "%s/lab.json", state) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	if (read_file_at(AT_FDCWD, path, LAB_FILE_MAX, &buf, &len) < 0)
		return 0; /* nothing up, or state that down clears whatever it was */
	o = cJSON_ParseWithLength(buf, len);
	was = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(o, "lab"), "host"));
	if (!was)
		return LAB_FAIL(1, log_error("--host %s: the lab that is up here is not split "
		                             "over machines",
		                             host));
	if (strcmp(was, host) != 0)
		return LAB_FAIL(1, log_error("--host %s: the lab that is up here is the part "
		                             "of machine '%s'",
		                             host, was));
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

static const char *const verbs[] = { "up",    "down", "ps",      "exec",    "console",
	                             "show",  "wait", "pingall", "capture", "link",
	                             "graph", "test", "hosts",   "node" };

static bool
verb_known(const char *verb)
{
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verb, verbs[i]) == 0)
			return true;
	return false;
}

/* wait --json: its outcome (what failed is said on stderr). */
static int
wait_json(const char *lab, const char *node, int status)
{
	_cleanup_json_ cJSON *o = cJSON_CreateObject();
	_cleanup_free_ char *text = NULL;

	if (!o || !cJSON_AddStringToObject(o, "lab", lab) ||
	    (node && !cJSON_AddStringToObject(o, "node", node)) ||
	    !cJSON_AddStringToObject(o, "outcome", status == 0 ? "ready" : "not ready") ||
	    !cJSON_AddNumberToObject(o, "status", status) || !(text = cJSON_Print(o)))
		return LAB_FAIL(1, log_error("out of memory"));
	printf("%s\n", text);
	return status;
}

/* Options that belong to one command only: a usage error with any other. */
static int
verb_options(const struct cli *c)
{
	bool capture = strcmp(c->verb, "capture") == 0, test = strcmp(c->verb, "test") == 0;

	if (c->count && !capture && strcmp(c->verb, "pingall") != 0)
		return log_usage_error("%s", "--count goes with pingall and capture");
	if (c->count > 1000 && !capture)
		return log_usage_error("pingall: --count wants a number from 1 to 1000, not %lu",
		                       c->count);
	if ((c->capture.write || c->capture.duration || c->capture.snaplen) && !capture)
		return log_usage_error("%s", "--write, --duration and --snaplen go with capture");
	if (c->direction && strcmp(c->verb, "link") != 0)
		return log_usage_error("%s", "--direction goes with link");
	if (c->output && strcmp(c->verb, "graph") != 0)
		return log_usage_error("%s", "--output goes with graph");
	if ((c->test.verify || c->test.tap || c->test.junit) && !test)
		return log_usage_error("%s", "--verify, --tap and --junit go with test");
	if (c->test.tap && c->json)
		return log_usage_error("%s", "--tap and --json exclude each other");
	if (c->write_hosts && strcmp(c->verb, "up") != 0 && strcmp(c->verb, "hosts") != 0)
		return log_usage_error("%s", "--write-hosts goes with up and hosts");
	if ((c->n_segments || c->n_ips) && strcmp(c->verb, "node") != 0)
		return log_usage_error("%s", "--segment and --ip go with node add");
	if (c->pull && strcmp(c->verb, "up") != 0)
		return log_usage_error("%s", "--pull goes with up");
	if (c->sw && strcmp(c->verb, "up") != 0)
		return log_usage_error("%s", "--switch goes with up");
	if (c->sw && c->host)
		return log_usage_error("%s", "--switch does not go with --host");
	if (c->json && (strcmp(c->verb, "graph") == 0 || strcmp(c->verb, "exec") == 0 ||
	                strcmp(c->verb, "console") == 0 || strcmp(c->verb, "capture") == 0))
		return log_usage_error("--json does not go with %s: %s", c->verb,
		                       strcmp(c->verb, "graph") == 0
		                               ? "it writes DOT (show --json has the topology)"
		                       : strcmp(c->verb, "capture") == 0
		                               ? "it writes pcapng"
		                               : "the node's command has its own output");
	if (c->host && strcmp(c->verb, "up") != 0 && strcmp(c->verb, "down") != 0 &&
	    strcmp(c->verb, "show") != 0)
		return log_usage_error("%s", "--host goes with up, down and show");
	return 0;
}

/* The DOT text into c->output: as it is for .dot and .gv, else through Graphviz's dot. */
static int
graph_write(const char *dot, const char *output)
{
	const char *ext = strrchr(output, '.');
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *fmt = NULL;
	int e, st;

	if (ext && strchr(ext, '/'))
		ext = NULL;
	if (!ext || !ext[1])
		return log_usage_error("graph: '%s' has no suffix (.dot, .gv, .png, .svg, .pdf) "
		                       "to say what to write",
		                       output);
	if (strcmp(ext, ".dot") == 0 || strcmp(ext, ".gv") == 0) {
		e = write_file_atomic(output, dot, strlen(dot), 0);
		if (e < 0)
			return LAB_FAIL(1, log_error_errno(e, "write '%s'", output));
		return 0;
	}
	if (strspn(ext + 1, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(ext + 1))
		return log_usage_error("graph: '%s' is not a format of Graphviz", ext + 1);
	fd = memfd_create("labgraph", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, dot, strlen(dot)) < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return LAB_FAIL(1, log_error_errno(-errno, "graph: keep the DOT text"));
	if (asprintf(&fmt, "-T%s", ext + 1) < 0)
		return LAB_FAIL(1, log_error("out of memory"));
	{
		char *argv[] = { "dot", fmt, "-o", (char *)output, NULL };
		pid_t pid;

		e = labproc_spawn(argv, fd, -1, -1, &pid);
		if (e == -ENOENT)
			return LAB_FAIL(1, log_error("graph: writing '%s' needs Graphviz's 'dot', "
			                             "which is not installed (apt-get install "
			                             "graphviz); '-o FILE.dot' writes the DOT text",
			                             output));
		if (e == 0)
			e = labproc_wait(pid, -1, &st);
		if (e < 0)
			return LAB_FAIL(1, log_error_errno(e, "graph: run 'dot'"));
		if (st != 0)
			return LAB_FAIL(1, log_error("graph: 'dot -T%s' failed with status %d (no "
			                             "such format?)",
			                             ext + 1, st));
	}
	return 0;
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
	_cleanup_(split_done) struct split sp = {};
	struct labrun r = {};
	int status;
	long cpus;

	log_init("containet lab");
	if (argc < 2)
		return log_usage_error("%s", "missing COMMAND (up, down, ps, exec, console, show, "
		                             "wait, pingall, capture, link, graph, test, hosts, "
		                             "node)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	c.verb = argv[1];
	status = parse_options(argc - 1, argv + 1, &c);
	if (status)
		return status;
	if (!verb_known(c.verb))
		return log_usage_error("unknown command '%s'", c.verb);
	status = verb_options(&c);
	if (status)
		return status;
	/* up, show and graph take the lab as an argument too. */
	if ((strcmp(c.verb, "up") == 0 || strcmp(c.verb, "show") == 0 ||
	     strcmp(c.verb, "graph") == 0) &&
	    c.n_args > 0) {
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
		          .startups = !c.no_startup,
		          .pull = c.pull },
		.containet = self,
		.containode = containode,
		.jobs = c.jobs ? c.jobs : (cpus > 0 ? (unsigned)cpus * 4 : 4),
		.startup_timeout_s = c.startup_timeout,
		.write_hosts = c.write_hosts,
		.json = c.json,
	};

	if (strcmp(c.verb, "up") == 0 || strcmp(c.verb, "show") == 0) {
		char real[PATH_MAX];

		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		status = load_lab(&c, &lab);
		if (status)
			return status;
		r.lab = lab;
		if (lab->n_hosts || c.host) {
			status = split_lab(&c, lab, strcmp(c.verb, "up") == 0, &sp);
			if (status)
				return status;
		}
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

			/* The warnings as up gives them, on stderr: stdout stays the topology. */
			for (size_t i = 0; i < lab->n_warnings; i++)
				log_warn("%s", lab->warnings[i]);
			if (!c.json)
				status = show_text(lab, &r.plan, &sp);
			else if (!(o = show_json(lab, &sp)) || !(text = cJSON_Print(o)))
				status = LAB_FAIL(1, log_error("out of memory"));
			else
				printf("%s\n", text);
		} else {
			if (c.sw) {
				_cleanup_free_ char *sw = realpath(c.sw, NULL);

				if (!sw) {
					free((char *)r.plan.lab_dir);
					return LAB_FAIL(
					        1, log_error_errno(-errno, "--switch '%s'", c.sw));
				}
				for (size_t i = 0; i < lab->n_nodes; i++)
					if (labconf_node_flag(&lab->nodes[i], LAB_NODE_BRIDGED,
					                      false)) {
						free((char *)r.plan.lab_dir);
						return LAB_FAIL(1,
						                log_error("--switch: node '%s' is "
						                          "bridged, and the "
						                          "management segment "
						                          "wants the lab's own "
						                          "switch",
						                          lab->nodes[i].name));
					}
				r.switch_sock = sw;
				status = labrun_up(&r);
				free((char *)r.plan.lab_dir);
				return status;
			}
			if (sp.part) {
				r.lab = sp.part;
				r.stretch = sp.stretch;
				r.host = lab->hosts[sp.h->self];
				up_says(&sp, name);
			}
			status = labrun_up(&r);
		}
		free((char *)r.plan.lab_dir);
		return status;
	}
	if (strcmp(c.verb, "graph") == 0) {
		_cleanup_free_ char *dot = NULL;

		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		/* The lab that is up, unless a lab is named by its files. */
		if (!c.topo && !c.dir && access(state, F_OK) == 0)
			status = labops_state_lab(&r, &lab);
		else
			status = load_lab(&c, &lab);
		if (status)
			return status;
		dot = labgraph_dot(lab, name);
		if (!dot)
			return LAB_FAIL(1, log_error("out of memory"));
		if (c.output)
			return graph_write(dot, c.output);
		fputs(dot, stdout);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strcmp(c.verb, "capture") == 0) {
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		c.capture.count = c.count;
		return labwatch_capture(&r, c.args, &c.capture);
	}
	if (strcmp(c.verb, "link") == 0) {
		if (c.n_args < 1)
			return log_usage_error("%s", "link wants NAME [SETTING...|down|up|clear]");
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		return labwatch_link(&r, c.args[0], c.args + 1, c.direction, c.json);
	}
	if (strcmp(c.verb, "hosts") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		if (c.write_hosts) {
			_cleanup_(labconf_freep) struct lab *up = NULL;
			struct labmgmt m;
			int e = labops_state_lab(&r, &up);

			if (e)
				return e;
			e = labmgmtrun_read(&r, &m);
			if (e < 0)
				return 1;
			if (e == 0)
				return LAB_FAIL(1, log_error("lab '%s' has no bridged node: "
				                             "nothing for /etc/hosts",
				                             name));
			return labmgmtrun_hosts(&r, up, &m, false) < 0 ? 1 : 0;
		}
		return labops_hosts(&r, c.json);
	}
	if (strcmp(c.verb, "node") == 0) {
		bool add = c.n_args > 0 && strcmp(c.args[0], "add") == 0;

		if (c.n_args != 2 || (!add && strcmp(c.args[0], "del") != 0))
			return log_usage_error("%s",
			                       "node wants add NAME --segment S ... or del NAME");
		if (add && c.n_segments == 0)
			return log_usage_error("%s", "node add wants at least one --segment");
		if (!add && (c.n_segments || c.n_ips || c.image))
			return log_usage_error("%s",
			                       "node del takes no --segment, --ip or --image");
		if (c.n_ips > c.n_segments)
			return log_usage_error("%s", "node add: more --ip than --segment");
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		if (!add)
			return labnode_del(&r, c.args[1], c.json);
		r.plan.default_image = NULL;
		struct labnode_add a = { .name = c.args[1],
			                 .segments = c.segments,
			                 .n_segments = c.n_segments,
			                 .ips = c.ips,
			                 .n_ips = c.n_ips,
			                 .image = c.image };
		return labnode_add(&r, &a, c.json);
	}
	if (strcmp(c.verb, "test") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		c.test.json = c.json;
		return labtest_run(&r, &c.test);
	}
	if (strcmp(c.verb, "down") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (c.host && (status = check_host(state, c.host)))
			return status;
		return labrun_down(&r);
	}
	if (strcmp(c.verb, "pingall") == 0) {
		if (c.n_args > 0)
			return log_usage_error("unexpected '%s'", c.args[0]);
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		if (!c.jobs)
			r.jobs = LABOPS_PAIRS_AT_ONCE;
		return labops_pingall(&r, c.count ? (unsigned)c.count : 1, (unsigned)c.timeout,
		                      c.json);
	}
	if (strcmp(c.verb, "wait") == 0) {
		if (c.n_args == 1 || (c.n_args > 0 && !labplan_node_name_valid(c.args[0])))
			return log_usage_error("%s",
			                       "wait wants no argument, or NODE -- CMD [ARG]...");
		if (access(state, F_OK) < 0)
			return LAB_FAIL(1, log_error("lab '%s' is not up", name));
		status = labops_wait(&r, c.timeout ? (unsigned)c.timeout : 60,
		                     c.n_args ? c.args[0] : NULL, c.n_args ? c.args + 1 : NULL);
		return c.json ? wait_json(name, c.n_args ? c.args[0] : NULL, status) : status;
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
	status = labops_node_check(&r, c.args[0]);
	if (status)
		return status;
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
