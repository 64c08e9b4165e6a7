/*
 * containode: runs a command in a container: its own mount, PID, UTS, IPC, network and
 * cgroup namespaces, an overlay of a root directory, a tap attached to the containet
 * switch.  main.c holds the options and the top-level flow only.
 */
#include "caps.h"
#include "cgroup.h"
#include "child.h"
#include "childmsg.h"
#include "cleanup.h"
#include "commit.h"
#include "cp.h"
#include "fileio.h"
#include "devices.h"
#include "image.h"
#include "imagestore.h"
#include "log.h"
#include "mounts.h"
#include "life.h"
#include "network.h"
#include "ns.h"
#include "parse.h"
#include "plan.h"
#include "publish.h"
#include "rmtree.h"
#include "security.h"
#include "supervise.h"
#include "switchport.h"
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	ARG_EPHEMERAL = 0x100,
	ARG_VOLATILE,
	ARG_INIT,
	ARG_VERSION,
	ARG_NET,
	ARG_ROUTE,
	/* privileges */
	ARG_CAP_ADD,
	ARG_CAP_DROP,
	ARG_PRIVILEGED,
	ARG_SECCOMP,
	ARG_SYSCTL,
	ARG_VOLUME,
};

/* Resources (cgroup.c); 0x200 and on are image.h's */
enum {
	ARG_MEMORY = 0x300,
	ARG_CPUS,
	ARG_PIDS_LIMIT,
	ARG_CGROUP_PARENT,
};

/* clang-format off */
static const char usage_text[] =
	"Usage: containode [run] [OPTION]... [--] [CMD [ARG]...]\n"
	"  or:  containode VERB [OPTION]... ID...   (VERB --help for its options)\n"
	"Run CMD (default /bin/sh) in a container, optionally attached to a containet switch.\n"
	"\n"
	"Verbs for detached nodes (run -d): ps, inspect, logs, exec, stop, kill, pause,\n"
	"resume, rm, commit (an image of the node), cp (files in and out).  A command named\n"
	"like a verb runs after '--': containode -- ps.\n"
	"\n"
	"  -d, --detach          run in the background: print the node's identity once its\n"
	"                        command runs; its output goes to its log (containode logs)\n"
	"      --name=NAME       the node's identity, as -i (unique among the state's nodes)\n"
	"      --state-dir=DIR   where detached nodes keep their state (default\n"
	"                        $CONTAINODE_STATE or " STATE_DIR_DEFAULT ")\n"
	"      --net=KEY=VAL,... one more interface (repeatable), its own port on its switch;\n"
	"                        keys: switch=SOCK segment=NAME ifname=NAME ipv4=ADDR[/LEN]\n"
	"                        ipv6=ADDR/LEN mac=MAC mtu=N (default name: the first free ethN);\n"
	"                        ipv4=auto, ipv6=auto: from the switch's segment (address,\n"
	"                        gateway, DNS; IPv6 by SLAAC); the MTU is the segment's\n"
	"                        unless mtu= (not above the segment's) is given\n"
	"                        access=VLAN, or trunk=VLAN,VLAN,... [native=VLAN]: the port's\n"
	"                        VLAN role on its switch\n"
	"  -s, --switch=SOCK     the first interface's switch (as --net switch=SOCK)\n"
	"  -4, --ipv4=ADDR[/LEN] its IPv4 address (without LEN: the classful prefix), or auto\n"
	"  -6, --ipv6=ADDR/LEN   its IPv6 address, or auto\n"
	"  -n, --ifname=NAME     its name (default eth0)\n"
	"  -g, --gateway=GW      IPv4 default route via GW\n"
	"      --route='DEST via GW'  route to DEST (ADDR[/LEN] or default, v4 or v6) via GW\n"
	"                        (repeatable)\n"
	"  -r, --root=ROOT       overlay ROOT (read-only) as the root file system\n"
	"  -t, --top=TOP         upper layer keeping the changes (default ROOT.ID; in\n"
	"                        memory for --image, -r / and a store's rootfs)\n"
	"      --volatile        TOP is never synced (not at exit, not on the node's\n"
	"                        fsync): faster starts and stops, changes written back\n"
	"                        by the kernel, a crash of the machine may lose them\n"
	"      --ephemeral       upper layer in memory, thrown away at exit\n"
	"      --volume=SRC:DST[:ro]  bind the host's file or directory SRC on DST in the\n"
	"                        node (made there if missing), nosuid and nodev; read-only\n"
	"                        with :ro (repeatable)\n"
	"  -i, --id=ID           identity: switch node, default hostname (default random)\n"
	"  -N, --host-net        keep the host's network namespace\n"
	"  -I, --host-ipc        keep the host's IPC namespace\n"
	"  -e, --env=K[=V]       set K in the environment (no V: the host's value)\n"
	"  -w, --workdir=DIR     working directory of CMD (default /)\n"
	"  -u, --user=USER[:GRP] run CMD as USER (name or uid; GRP name or gid), resolved\n"
	"                        in the node's /etc/passwd and /etc/group\n"
	"      --image=REF       run image REF of mocker's store: its rootfs is ROOT, its\n"
	"                        config gives CMD, environment, directory and user\n"
	"      --entrypoint=CMD  with --image: replace the image's Entrypoint (and Cmd)\n"
	"      --pull=WHEN       with --image: 'missing' pulls an image not stored (mocker\n"
	"                        pull), 'never' (default) is an error naming the pull to run\n"
	"      --store=DIR       mocker's store (default $CONTAINET_STORE or\n"
	"                        " IMAGESTORE_DEFAULT ")\n"
	"      --hostname=NAME   host name inside the node (default the identity)\n"
	"      --init            run a tiny init as PID 1 that reaps and forwards signals\n"
	"      --cap-add=CAP[,CAP]   give the node capabilities (Docker's names, or ALL)\n"
	"      --cap-drop=CAP[,CAP]  take capabilities from it (Docker's default 14)\n"
	"      --privileged      every capability, no seccomp, writable /sys, /proc/sys\n"
	"      --seccomp=FILE    seccomp profile in Docker's format (default: Docker's\n"
	"                        own), or 'unconfined' for none\n"
	"      --sysctl=net.K=V  set a sysctl of the node's network before CMD starts\n"
	"                        (repeatable)\n"
	"      --memory=BYTES    memory limit (k, m, g suffixes), swap included\n"
	"      --cpus=N.N        CPU time limit, in CPUs (0.5: half of one)\n"
	"      --pids-limit=N    at most N processes and threads\n"
	"      --cgroup-parent=PATH  the nodes' cgroups go in PATH, below containode's own\n"
	"                        cgroup, or below the top with a leading / (default containet)\n"
	"  -p, --publish=[IP:]HOSTPORT:PORT[/udp]  relay the host's HOSTPORT (on IP, IPv6\n"
	"                        in brackets; default every address) to PORT in the node\n"
	"                        (repeatable; tcp by default)\n"
	"  -q, --quiet           do not say where the changes were saved\n"
	"  -v, --verbose         more messages (repeat for more)\n"
	"  -h, --help            show this help and exit\n"
	"      --version         show the version and exit\n"
	"\n"
	"Exit status: CMD's status (128+N when killed by signal N); 125 when containode\n"
	"failed, 126 when CMD cannot be run, 127 when it was not found, 2 on usage errors;\n"
	"137, with \"out of memory\" said, when the OOM killer killed it.\n";
/* clang-format on */

static const struct option options[] = {
	{ "switch", required_argument, NULL, 's' },
	{ "ipv4", required_argument, NULL, '4' },
	{ "ipv6", required_argument, NULL, '6' },
	{ "net", required_argument, NULL, ARG_NET },
	{ "route", required_argument, NULL, ARG_ROUTE },
	{ "gateway", required_argument, NULL, 'g' },
	{ "ifname", required_argument, NULL, 'n' },
	{ "root", required_argument, NULL, 'r' },
	{ "top", required_argument, NULL, 't' },
	{ "ephemeral", no_argument, NULL, ARG_EPHEMERAL },
	{ "volatile", no_argument, NULL, ARG_VOLATILE },
	{ "volume", required_argument, NULL, ARG_VOLUME },
	{ "id", required_argument, NULL, 'i' },
	{ "host-net", no_argument, NULL, 'N' },
	{ "host-ipc", no_argument, NULL, 'I' },
	{ "env", required_argument, NULL, 'e' },
	{ "workdir", required_argument, NULL, 'w' },
	{ "user", required_argument, NULL, 'u' },
	{ "init", no_argument, NULL, ARG_INIT },
	{ "cap-add", required_argument, NULL, ARG_CAP_ADD },
	{ "cap-drop", required_argument, NULL, ARG_CAP_DROP },
	{ "privileged", no_argument, NULL, ARG_PRIVILEGED },
	{ "seccomp", required_argument, NULL, ARG_SECCOMP },
	{ "sysctl", required_argument, NULL, ARG_SYSCTL },
	{ "memory", required_argument, NULL, ARG_MEMORY },
	{ "cpus", required_argument, NULL, ARG_CPUS },
	{ "pids-limit", required_argument, NULL, ARG_PIDS_LIMIT },
	{ "cgroup-parent", required_argument, NULL, ARG_CGROUP_PARENT },
	{ "detach", no_argument, NULL, 'd' },
	{ "publish", required_argument, NULL, 'p' },
	{ "name", required_argument, NULL, 'i' },
	{ "state-dir", required_argument, NULL, LIFE_OPT_STATE_DIR },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, ARG_VERSION },
	/* The image's options: containode/image.c. */
	{ "image", required_argument, NULL, IMAGE_OPT_IMAGE },
	{ "entrypoint", required_argument, NULL, IMAGE_OPT_ENTRYPOINT },
	{ "pull", required_argument, NULL, IMAGE_OPT_PULL },
	{ "store", required_argument, NULL, IMAGE_OPT_STORE },
	{ "hostname", required_argument, NULL, IMAGE_OPT_HOSTNAME },
	{},
};

static char *default_argv[] = { "/bin/sh", NULL };

/* run -d: the node's supervisor lives on in the background (containode/life.c). */
static bool detach;
static const char *state_dir_opt;
static struct life_run *detached_run;

/* -e options wait here until the base environment exists (NULL-terminated). */
struct env_args {
	const char *v[PLAN_ENV_MAX + 1];
	size_t n;
};

/* One line with the hint, then -EINVAL: main turns that into exit status 2. */
#define usage_error(...) (log_usage_error(__VA_ARGS__), -EINVAL)

/* Logs "what failed: why" once and hands r back, for "return log_fail(r, ...)". */
static int log_fail(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
log_fail(int r, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_error_errno(r, "%s", buf);
	return r < 0 ? r : -r;
}

static char **parsed_argv;

/* The argument getopt just looked at, for messages about it. */
static const char *
argv_at(int i)
{
	return parsed_argv ? parsed_argv[i] : "?";
}

/*
 * The network's options: --net, --route, and the first interface's shorthand (-s -4 -6
 * -n, given once each: a second interface is --net's) with -g.
 */
static int
parse_net(struct plan *p, int c, const char *arg)
{
	static const struct {
		const char *key;
		unsigned bit;
	} shorthand[128] = {
		['s'] = { "switch", PLAN_NET_SWITCH },
		['4'] = { "ipv4", PLAN_NET_IPV4 },
		['6'] = { "ipv6", PLAN_NET_IPV6 },
		['n'] = { "ifname", PLAN_NET_IFNAME },
	};
	struct plan_net n = {};
	char why[PLAN_WHY_MAX];
	int r;

	switch (c) {
	case ARG_NET:
		r = plan_net_parse(&n, arg, why);
		if (r >= 0 && (r = plan_net_add(p, &n)) < 0) {
			plan_net_free(&n);
			snprintf(why, sizeof(why), "more than %d interfaces", PLAN_NET_MAX);
		}
		if (r == -ENOMEM)
			return log_fail(r, "--net");
		return r < 0 ? usage_error("--net %s: %s", arg, why) : 0;
	case ARG_ROUTE:
		r = plan_route_add(p, arg, why);
		return r < 0 ? usage_error("--route %s: %s", arg, why) : 0;
	case 'g':
		r = plan_gateway_add(p, arg, why);
		return r < 0 ? usage_error("-g %s: %s", arg, why) : 0;
	default:
		if (p->first.keys & shorthand[c].bit)
			return usage_error(
			        "-%c given twice: a second interface is --net KEY=VALUE,...", c);
		r = plan_net_set(&p->first, shorthand[c].key, arg, why);
		if (r == -ENOMEM)
			return log_fail(r, "-%c", c);
		return r < 0 ? usage_error("-%c: %s", c, why) : 0;
	}
}

/* The privilege options: capabilities, seccomp, sysctls. */
static int
parse_privilege(struct plan *p, int c, const char *arg)
{
	const char *why;

	switch (c) {
	case ARG_CAP_ADD:
		if (plan_parse_caps(arg, &p->cap_add, &p->cap_add_all) < 0)
			return usage_error("--cap-add: unknown capability in '%s'", arg);
		return 0;
	case ARG_CAP_DROP:
		if (plan_parse_caps(arg, &p->cap_drop, &p->cap_drop_all) < 0)
			return usage_error("--cap-drop: unknown capability in '%s'", arg);
		return 0;
	case ARG_PRIVILEGED:
		p->privileged = true;
		return 0;
	case ARG_SECCOMP:
		if (!*arg)
			return usage_error("--seccomp: empty file name");
		p->seccomp = arg;
		return 0;
	default: /* ARG_SYSCTL */
		why = plan_sysctl_check(arg);
		if (why)
			return usage_error("%s: '%s'", why, arg);
		if (p->n_sysctl >= PLAN_SYSCTL_MAX)
			return usage_error("--sysctl: more than %d", PLAN_SYSCTL_MAX);
		p->sysctl[p->n_sysctl++] = arg;
		return 0;
	}
}

/* A resource option (cgroup.c) into the plan. */
static int
parse_resource(struct plan *p, int c, const char *arg)
{
	unsigned long n;

	switch (c) {
	case ARG_MEMORY:
		if (cgroup_parse_bytes(arg, &p->limits.memory) < 0)
			return usage_error("--memory: invalid size '%s' (BYTES[k|m|g])", arg);
		return 0;
	case ARG_CPUS:
		if (cgroup_parse_cpus(arg, &p->limits.cpu_quota) < 0)
			return usage_error("--cpus: invalid number '%s' (0.01 to 1024)", arg);
		return 0;
	case ARG_PIDS_LIMIT:
		if (parse_uint(arg, 1, 1ul << 22, &n) < 0)
			return usage_error("--pids-limit: invalid number '%s'", arg);
		p->limits.pids = n;
		return 0;
	default: /* ARG_CGROUP_PARENT */
		if (!cgroup_parent_valid(arg))
			return usage_error("--cgroup-parent: invalid cgroup path '%s'", arg);
		p->cgroup_parent = arg;
		return 0;
	}
}

/* -p [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]. */
static int
parse_publish(struct plan *p, const char *arg)
{
	char why[160];

	if (p->n_publish >= PORTSPEC_MAX)
		return usage_error("-p: more than %d published ports", PORTSPEC_MAX);
	if (portspec_parse(arg, &p->publish[p->n_publish], why, sizeof(why)) < 0)
		return usage_error("-p %s: %s", arg, why);
	p->n_publish++;
	return 0;
}

/* One option into the plan; -EINVAL (after saying why) for a bad one. */
static int
parse_one(struct plan *p, struct env_args *env, int c, const char *arg)
{
	int r = image_parse_option(p, c, arg);

	if (r <= 0)
		return r;
	switch (c) {
	case 's':
	case '4':
	case '6':
	case 'n':
	case 'g':
	case ARG_NET:
	case ARG_ROUTE:
		return parse_net(p, c, arg);
	case 'r':
		free(p->root);
		p->root = plan_strip_slashes(arg);
		return p->root ? 0 : -ENOMEM;
	case 't':
		free(p->top);
		p->top = plan_strip_slashes(arg);
		return p->top ? 0 : -ENOMEM;
	case ARG_EPHEMERAL:
		p->ephemeral = true;
		return 0;
	case ARG_VOLATILE:
		p->volatile_upper = true;
		return 0;
	case ARG_VOLUME: {
		char why[PLAN_WHY_MAX];

		r = plan_volume_add(p, arg, why);
		if (r == -ENOMEM)
			return log_fail(r, "--volume");
		return r < 0 ? usage_error("--volume %s: %s", arg, why) : 0;
	}
	case 'd':
		detach = true;
		return 0;
	case 'p':
		return parse_publish(p, arg);
	case LIFE_OPT_STATE_DIR:
		if (!*arg)
			return usage_error("--state-dir: empty directory name");
		state_dir_opt = arg;
		return 0;
	case 'i':
		if (!ident_valid(arg))
			return usage_error("-i/--name: invalid identity '%s'", arg);
		strcpy(p->id, arg);
		return 0;
	case 'N':
		p->host_net = true;
		return 0;
	case 'I':
		p->host_ipc = true;
		return 0;
	case 'e':
		if (env->n >= PLAN_ENV_MAX || !*arg || *arg == '=')
			return usage_error("-e: invalid or too many variables at '%s'", arg);
		env->v[env->n++] = arg;
		return 0;
	case 'w':
		if (arg[0] != '/')
			return usage_error("-w: not an absolute path: '%s'", arg);
		p->cwd = arg;
		return 0;
	case ARG_INIT:
		p->init = true;
		return 0;
	case ARG_CAP_ADD:
	case ARG_CAP_DROP:
	case ARG_PRIVILEGED:
	case ARG_SECCOMP:
	case ARG_SYSCTL:
		return parse_privilege(p, c, arg);
	case ARG_MEMORY:
	case ARG_CPUS:
	case ARG_PIDS_LIMIT:
	case ARG_CGROUP_PARENT:
		return parse_resource(p, c, arg);
	case 'q':
		p->quiet = true;
		return 0;
	case 'v':
		if (log_max_level < LOG_TRACE)
			log_max_level++;
		return 0;
	case ':':
		return usage_error("option '%s' needs an argument", argv_at(optind - 1));
	default:
		/* getopt's own messages are off: one line, in the house format. */
		return usage_error("unrecognized option '%s'", argv_at(optind - 1));
	}
}

/* Returns 0 to go on, 1 when done (help, version), -EINVAL on a usage error. */
static int
parse_args(int argc, char **argv, struct plan *p, struct env_args *env)
{
	char net_why[PLAN_WHY_MAX];
	const char *why;
	int c, r;

	opterr = 0;
	parsed_argv = argv;
	while ((c = getopt_long(argc, argv, "+:s:4:6:g:n:r:t:i:NIe:w:u:dp:qvh", options, NULL)) !=
	       -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return 1;
		}
		if (c == ARG_VERSION) {
			printf("containode %s\n", VERSION);
			return 1;
		}
		r = parse_one(p, env, c, optarg);
		if (r < 0)
			return r;
	}
	/* NULL for none: the image's Cmd, or default_argv. */
	p->argv = optind < argc ? argv + optind : NULL;
	why = plan_check(p);
	if (why)
		return usage_error("%s", why);
	if (p->n_publish && p->host_net)
		return usage_error("-p needs the node's own network: not with -N");
	if (plan_net_finish(p, net_why) < 0)
		return usage_error("%s", net_why);
	return 0;
}

/* The host's file, or "" when it cannot be read. */
static char *
read_text(const char *path)
{
	char *text;

	return read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL) < 0 ? strdup("") : text;
}

/* The node's capabilities; one asked for by name that containode lacks is an error. */
static int
privileges_complete(struct plan *p)
{
	uint64_t all = security_caps_all(), missing = p->cap_add & ~all;

	p->caps = plan_caps(p, security_caps_default(), all);
	for (int cap = 0; cap < 64 && !p->privileged; cap++) {
		if (!(missing & (UINT64_C(1) << cap)))
			continue;
		if (caps_name(cap))
			log_error("--cap-add: containode itself does not have cap_%s",
			          caps_name(cap));
		else
			log_error("--cap-add: containode itself does not have capability %d", cap);
		return -EPERM;
	}
	return 0;
}

/* Defaults that depend on other options: identity, TOP, environment, /etc files. */
static int
plan_complete(struct plan *p, const struct env_args *env)
{
	_cleanup_free_ char *host_resolv = NULL;
	int r;

	if (!p->id[0] && (r = ident_random(p->id)) < 0)
		return log_fail(r, "make a random identity");
	r = privileges_complete(p);
	if (r < 0)
		return r;
	p->tty = isatty(STDIN_FILENO);
	/* The host's root is never written: its upper layer is in memory unless -t. */
	if (p->root && strcmp(p->root, "/") == 0 && !p->top)
		p->ephemeral = true;
	if (p->image ? image_plan(p, (char *const *)env->v) < 0 : image_plan_root(p) < 0)
		return -EINVAL;
	if (!p->image && p->user_spec && image_plan_user(p, p->user_spec) < 0)
		return -EINVAL;
	if (!p->argv)
		p->argv = default_argv;
	if (p->root && !p->ephemeral) {
		if (!p->top)
			p->top = plan_default_top(p->root, p->id);
		p->work = p->top ? plan_work_dir(p->top) : NULL;
		if (!p->work)
			return log_fail(-ENOMEM, "plan the top directory");
	}
	r = p->image ? 0 : plan_env_base(p, getenv("TERM"));
	for (size_t i = 0; r >= 0 && !p->image && i < env->n; i++) {
		const char *eq = strchr(env->v[i], '=');
		_cleanup_free_ char *key = eq ? NULL : strdup(env->v[i]);

		r = plan_env_set(p, env->v[i], eq ? NULL : getenv(key ? key : ""));
	}
	if (r < 0)
		return log_fail(r, "build the environment");
	host_resolv = read_text("/etc/resolv.conf");
	p->resolv_conf = host_resolv ? plan_resolv_conf(host_resolv, p->host_net) : NULL;
	if (!p->resolv_conf)
		return log_fail(-ENOMEM, "read /etc/resolv.conf");
	return 0;
}

/* Host-side preparation that can fail cleanly before any container exists. */
static int
prepare(const struct plan *p, struct switchport ports[PLAN_NET_MAX], int *ret_sigfd,
        int *ret_work_lock)
{
	sigset_t set;
	int r;

	supervise_sigset(&set);
	for (size_t i = 0; i < p->n_net; i++) {
		const struct plan_net *n = &p->net[i];

		if (n->sock &&
		    (r = switchport_connect(&ports[i], n->sock, p->id, n->ifname, n->segment)) < 0)
			return log_fail(r, "connect to the switch at '%s'", n->sock);
		ports[i].vlan = &n->vlan;
		if (n->sock)
			switchport_addresses(&ports[i], n, plan_hostname(p));
	}
	if (p->root && (r = mounts_check_root(p)) < 0)
		return log_fail(r, "root '%s'", p->root);
	r = p->root ? mounts_prepare_top(p, ret_work_lock) : 0;
	if (r == -EBUSY)
		return log_fail(r,
		                "upper layer '%s': another node uses it (its work dir '%s' is "
		                "locked)",
		                p->top, p->work);
	if (r == -EUCLEAN) {
		log_error("upper layer '%s': the machine went down while a node used it, and "
		          "what the node wrote last may not have reached the disk; check it, then "
		          "remove '%s' to use it again",
		          p->top, p->work);
		return r;
	}
	if (r < 0)
		return log_fail(r, "create top '%s' and its work dir '%s'", p->top, p->work);
	/*
	 * Queued for the signalfd even when whoever started containode ignored them (bash
	 * does so with SIGINT and SIGQUIT for background commands): they are the container's.
	 */
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&set, sig))
			signal(sig, SIG_DFL);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (*ret_sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return log_fail(-errno, "set up signal handling");
	return 0;
}

/* The published ports' listeners, on the host, before the node exists. */
static int
prepare_publish(const struct plan *p, struct publish **ret)
{
	char why[256];

	if (!p->n_publish)
		return 0;
	if (publish_open(p->publish, p->n_publish, ret, why, sizeof(why)) < 0) {
		log_error("%s", why);
		return -EADDRINUSE;
	}
	return 0;
}

/* A tap: attached to its interface's switch, or only kept open. */
static int
handshake_tap(const struct plan_net *n, struct switchport *pt, int fd, int sock)
{
	_cleanup_free_ char *error = NULL;
	struct ctl_assign assign = {};
	int r;

	if (!n->sock) {
		/* The device lives as long as an fd for it: kept for the container's life. */
		pt->tap = fd;
		return 0;
	}
	r = switchport_attach(pt, fd, &assign, &error);
	if (r < 0 && error)
		log_error("attach to the switch at '%s' (%s): %s", n->sock, n->ifname, error);
	else if (r < 0)
		log_error_errno(r, "attach to the switch at '%s' (%s)", n->sock, n->ifname);
	if (r < 0)
		return r;
	/* mtu= wins over the segment's, but a frame larger than the segment's cannot cross it. */
	if (n->mtu && assign.mtu && n->mtu > assign.mtu) {
		log_error("%s: mtu=%u is larger than the MTU %u of segment '%s'", n->ifname, n->mtu,
		          assign.mtu, n->segment[0] ? n->segment : CTL_SEGMENT_DEFAULT);
		return -EINVAL;
	}
	/* The child waits for what the switch handed out (its MTU at least), to configure it. */
	if (send(sock, &assign, sizeof(assign), MSG_NOSIGNAL) != (ssize_t)sizeof(assign)) {
		log_error_errno(errno, "hand the addresses of '%s' to the container", n->ifname);
		return -errno;
	}
	return 0;
}

/*
 * A detached node's caller may go as soon as the node's exec closes its end of the ready
 * pipe: from here on only the child can fail, and it says so there (life_detach).  Not
 * with published ports, which are the supervisor's to open first.
 */
static void
release_caller(const struct plan *p)
{
	if (detached_run && !p->n_publish)
		life_release(detached_run);
}

/*
 * What the child said when it failed, if it did and said it already (no waiting): after a
 * failed send to it, its error says more than the send's.  Returns its exit code then,
 * else 0.
 */
static int
child_failure(int sock)
{
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct child_msg m;
	int fd = -1;

	if (poll(&pfd, 1, 0) != 1 || child_msg_recv(sock, &m, &fd) <= 0 || m.type != CHILD_ERROR) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	log_error_errno(m.err, "%s", m.what);
	return m.code ?: EXIT_LAUNCHER;
}

/*
 * The node's network: made here while the child mounts its file system (a new network
 * namespace takes about a millisecond, and the child has as much to do meanwhile), handed
 * to the child, then each tap attached to its switch, whose answer the child waits for.
 * Returns 0, or the exit code to use (the failure already reported).
 */
static int
handshake_network(const struct plan *p, int sock, struct switchport ports[PLAN_NET_MAX])
{
	struct setup_error e = {};
	int taps[PLAN_NET_MAX], netns, r;

	r = network_create(p, taps, &netns, &e);
	if (r < 0) {
		log_error_errno(r, "%s", e.what);
		return EXIT_LAUNCHER;
	}
	if (netns < 0)
		return 0;
	r = child_msg_send(sock, &(struct child_msg){ .type = CHILD_NETNS }, netns);
	close(netns);
	if (r < 0 && !child_failure(sock))
		log_error_errno(r, "hand the network namespace to the container");
	for (size_t i = 0; i < p->n_net; i++) {
		if (r < 0) {
			close(taps[i]);
			continue;
		}
		/* The port owns the tap from here, attached or not; a failure is reported. */
		r = handshake_tap(&p->net[i], &ports[i], taps[i], sock);
		if (r < 0)
			(void)child_failure(sock);
	}
	return r < 0 ? EXIT_LAUNCHER : 0;
}

/*
 * The rest of the parent's side of the child pipe, once the network is the child's: take
 * the device nodes' tmpfs (in *dev_fs) and the pty and relay, then let the child go and
 * learn whether its exec worked.  Returns 0 when the command runs, else the exit code to
 * use (the failure already reported).
 */
static int
handshake(const struct plan *p, int sock, struct tty_relay *tty, int work_lock, int *dev_fs)
{
	bool go = p->tty;
	struct child_msg m;
	int fd, r;

	if (!go)
		release_caller(p);
	/* While the child sets itself up: once the caller is released, never before. */
	if ((r = mounts_sweep_work(work_lock)) < 0)
		log_warn_errno(r, "remove what earlier runs left in '%s', ignoring", p->work);
	for (;;) {
		r = child_msg_recv(sock, &m, &fd);
		/* With no go to give, the child says nothing: its exec closes the pipe. */
		if (r == 0 && !go)
			return 0;
		if (r <= 0) {
			log_error_errno(r ?: EPIPE, "container setup ended unexpectedly");
			return EXIT_LAUNCHER;
		}
		if (m.type == CHILD_ERROR) {
			log_error_errno(m.err, "%s", m.what);
			return m.code;
		}
		if (m.type == CHILD_READY)
			break;
		if (m.type == CHILD_DEVFS && fd >= 0) {
			safe_close(*dev_fs);
			*dev_fs = fd;
		} else if (m.type == CHILD_PTY && fd >= 0 && tty_relay_start(tty, fd) < 0) {
			log_warn_errno(errno, "set the terminal to raw mode, ignoring");
		} else if (m.type != CHILD_PTY && fd >= 0) {
			close(fd);
		}
	}
	if (go && send(sock, "g", 1, MSG_NOSIGNAL) != 1) {
		log_error_errno(errno, "start the container");
		return EXIT_LAUNCHER;
	}
	if (go)
		release_caller(p);
	r = child_msg_recv(sock, &m, &fd);
	if (r > 0 && m.type == CHILD_ERROR) {
		log_error_errno(m.err, "%s", m.what);
		return m.code;
	}
	return 0;
}

/*
 * The node's cgroup, with the device allow-list and the limits in place before any of it
 * runs; a v2 one too wherever v2 is mounted, for cgroup.kill and cgroup.freeze.
 */
static int
prepare_cgroup(const struct plan *p, struct cgroup_node *cg)
{
	const char *parent = p->cgroup_parent ? p->cgroup_parent : CGROUP_PARENT;
	unsigned limits = cgroup_limits_mask(&p->limits);
	/* Only where the node will be in it (devices.c): each write there costs. */
	bool devices = devices_cgroup_needed(p);
	int r;

	r = cgroup_node_create(cg, parent, p->id,
	                       (devices ? CGROUP_MASK(CGROUP_DEVICES) : 0) |
	                               CGROUP_MASK(CGROUP_UNIFIED) | limits);
	if (r == -ENOENT)
		return log_fail(r, "find the cgroup controllers of node '%s' (devices%s)", p->id,
		                limits ? ", and memory, cpu or pids for its limits" : "");
	if (r == -EBUSY)
		return log_fail(
		        r,
		        "create the cgroup of node '%s' in '%s' (v2 hands controllers "
		        "down only from cgroups without processes: try --cgroup-parent /%s)",
		        p->id, parent, CGROUP_PARENT);
	if (r < 0)
		return log_fail(r, "create the cgroup of node '%s' in '%s'", p->id, parent);
	r = devices ? cgroup_node_allow_devices(cg, devices_allow, devices_allow_len) : 0;
	if (r < 0)
		return log_fail(r, "set the device allow-list of cgroup '%s'",
		                cgroup_node_path(cg));
	r = cgroup_node_set_limits(cg, &p->limits);
	if (r < 0)
		return log_fail(r, "set the limits of cgroup '%s'", cgroup_node_path(cg));
	return 0;
}

/* One line when the OOM killer killed any of the node: its counter, not a guess from SIGKILL. */
static void
report_oom(const struct plan *p, const struct cgroup_node *cg)
{
	int64_t n;

	if (!p->limits.memory)
		return;
	n = cgroup_node_oom_kills(cg);
	if (n < 0 && n != -ENOENT) /* ENOENT: no cgroup, the node never ran */
		log_warn_errno(n, "read the OOM kills of node '%s', ignoring", p->id);
	else if (n > 0)
		log_error("node '%s' ran out of memory: the OOM killer killed %" PRId64
		          " process%s "
		          "(--memory %" PRIu64 ")",
		          p->id, n, n == 1 ? "" : "es", p->limits.memory);
}

static int
run_node(struct plan *p, const struct cgroup_node *cg)
{
	struct tty_relay tty = { .master = -1 };
	struct switchport ports[PLAN_NET_MAX];
	struct supervisor s = { .pidfd = -1, .sigfd = -1, .log_fd = -1 };
	struct publish *pub = NULL;
	_cleanup_close_ int work_lock = -1, dev_fs = -1;
	int pair[2], code, status, r;
	bool ran;

	for (size_t i = 0; i < PLAN_NET_MAX; i++)
		ports[i] = (struct switchport){ .tap = -1, .conn = -1 };
	if (prepare(p, ports, &s.sigfd, &work_lock) < 0 || prepare_publish(p, &pub) < 0) {
		for (size_t i = 0; i < PLAN_NET_MAX; i++)
			switchport_close(&ports[i]);
		return EXIT_LAUNCHER;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
		log_error_errno(errno, "create the child pipe");
		return EXIT_LAUNCHER;
	}
	/* Without its network namespace, which the handshake makes meanwhile. */
	s.pid = ns_clone(plan_clone_flags(p) & ~(unsigned long)CLONE_NEWNET, cg, &s.pidfd);
	if (s.pid < 0) {
		log_error_errno(s.pid, "create the container's namespaces");
		return EXIT_LAUNCHER;
	}
	if (s.pid == 0) {
		close(pair[0]);
		child_run(p, cg, pair[1]);
	}
	close(pair[1]);
	/*
	 * What the child waits for first, then the state while it sets up; the caller goes
	 * once it runs.
	 */
	code = handshake_network(p, pair[0], ports);
	if (!code && detached_run && life_started(detached_run, p, s.pid, cg) < 0)
		code = EXIT_LAUNCHER;
	if (!code)
		code = handshake(p, pair[0], &tty, work_lock, &dev_fs);
	/* Now that the node runs or is gone: this waits for an RCU grace period. */
	dev_fs = safe_close(dev_fs);
	if (!code && pub && (r = publish_start(pub, s.pid)) < 0) {
		log_error_errno(r, "find the network of node '%s' for its published ports", p->id);
		code = EXIT_LAUNCHER;
	}
	if (!code && detached_run)
		life_ready(detached_run);
	ran = code == 0;
	close(pair[0]);
	if (code)
		kill(s.pid, SIGKILL);
	if (code && detached_run)
		life_start_failed(detached_run); /* before the supervisor's clean-up */
	s.ports = ports;
	s.n_ports = p->n_net;
	s.tty = tty.master >= 0 ? &tty : NULL;
	s.publish = pub;
	if (detached_run) {
		s.detached = true;
		s.log_fd = detached_run->log_r;
		s.log = &detached_run->log;
	}
	status = supervise_run(&s);
	publish_free(pub);
	tty_relay_stop(&tty);
	for (size_t i = 0; i < PLAN_NET_MAX; i++)
		switchport_close(&ports[i]);
	if (status < 0) {
		log_error_errno(status, "wait for the container");
		code = EXIT_LAUNCHER;
	} else if (!code)
		code = plan_exit_code(status);
	if (detached_run)
		life_ended(detached_run, code);
	if (p->root && !p->ephemeral) {
		if ((r = mounts_remove_work(p, work_lock)) < 0)
			log_warn_errno(r, "set aside what overlayfs left in '%s', ignoring",
			               p->work);
		/* A failed start keeps nothing it made: the work dir, TOP if still empty. */
		if (!ran && work_lock >= 0 && (r = rm_rf_at(AT_FDCWD, p->work)) < 0)
			log_warn_errno(r, "remove work dir '%s', ignoring", p->work);
		if (!ran)
			(void)rmdir(p->top);
		else if (!p->quiet)
			fprintf(stderr, "fs modifications saved to %s\n", p->top);
	}
	return code;
}

static int
run(struct plan *p)
{
	struct cgroup_node cg = {};
	_cleanup_free_ char *error = NULL;
	int code, r;

	/* The filter is built here, so that a bad profile stops containode before any node. */
	r = security_seccomp_prepare(p, &error);
	if (r < 0) {
		if (error)
			log_error("%s", error);
		else
			log_error_errno(r, "read the seccomp profile");
		return EXIT_LAUNCHER;
	}
	code = prepare_cgroup(p, &cg) < 0 ? EXIT_LAUNCHER : run_node(p, &cg);
	security_seccomp_release(p);
	report_oom(p, &cg);
	r = cgroup_node_remove(&cg);
	if (r < 0)
		log_warn_errno(r, "remove the cgroup of node '%s', ignoring", p->id);
	return code;
}

/* The interfaces' MACs, once the identity is known; -EINVAL after a usage error. */
static int
plan_net_macs_or_usage(struct plan *p)
{
	char why[PLAN_WHY_MAX];

	return plan_net_macs(p, why) < 0 ? usage_error("%s", why) : 0;
}

/* fds 0, 1 and 2 exist, so that nothing else ever takes their numbers. */
static void
std_fds_open(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			_exit(EXIT_LAUNCHER);
}

/* The form without a verb, and `run`: a node in the foreground, or detached with -d. */
static int
run_main(int argc, char **argv)
{
	struct env_args env = {};
	struct life_run lr;
	bool top_given;
	struct plan p;
	int r, code;

	plan_init(&p);
	r = parse_args(argc, argv, &p, &env);
	if (r != 0) {
		plan_free(&p);
		return r > 0 ? 0 : EXIT_USAGE;
	}
	top_given = p.top != NULL;
	r = plan_complete(&p, &env);
	if (r < 0)
		r = EXIT_LAUNCHER;
	else if (plan_net_macs_or_usage(&p) < 0)
		r = EXIT_USAGE;
	else if (!detach)
		r = run(&p);
	else if ((r = life_detach(&lr, life_state_dir(state_dir_opt), &p, &code)) < 0)
		r = EXIT_LAUNCHER;
	else if (r == 1)
		r = code; /* the caller's side: the node runs, or failed to start */
	else {
		/* The supervisor: no terminal, and a state others read. */
		p.tty = false;
		lr.state.top_owned = !top_given;
		detached_run = &lr;
		r = run(&p);
		/* Still holding the caller: the start failed before it could be released. */
		life_start_failed(&lr);
	}
	plan_free(&p);
	return r;
}

static const struct {
	const char *name;
	int (*fn)(const char *state_dir, int argc, char **argv);
} verbs[] = {
	{ "ps", life_ps },         { "inspect", life_inspect }, { "logs", life_logs },
	{ "exec", exec_main },     { "stop", life_stop },       { "kill", life_kill },
	{ "pause", life_pause },   { "resume", life_pause },    { "rm", life_rm },
	{ "commit", commit_main }, { "cp", cp_main },
};

int
main(int argc, char **argv)
{
	int first = 1;

	std_fds_open();
	log_init("containode");
	/* --state-dir may come before the verb. */
	while (first < argc) {
		if (strcmp(argv[first], "--state-dir") == 0 && first + 1 < argc) {
			state_dir_opt = argv[first + 1];
			first += 2;
		} else if (strncmp(argv[first], "--state-dir=", 12) == 0) {
			state_dir_opt = argv[first] + 12;
			first++;
		} else {
			break;
		}
	}
	if (state_dir_opt && !*state_dir_opt)
		return log_usage_error("--state-dir: empty directory name"), EXIT_USAGE;
	if (first < argc && strcmp(argv[first], "run") == 0)
		return run_main(argc - first, argv + first);
	for (size_t i = 0; first < argc && i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strcmp(argv[first], verbs[i].name) == 0)
			return verbs[i].fn(state_dir_opt, argc - first, argv + first);
	/* The form without a verb: argv as it is (a --state-dir before it is skipped). */
	if (first > 1) {
		argv[first - 1] = argv[0];
		return run_main(argc - first + 1, argv + first - 1);
	}
	return run_main(argc, argv);
}
