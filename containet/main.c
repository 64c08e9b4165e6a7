/* containet: an io_uring ethernet switch for container taps.  Options and wiring only. */
#include "client.h"
#include "lab/labcli.h"
#include "log.h"
#include "parse.h"
#include "switch.h"
#include "unixsock.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: containet -s SOCK [OPTIONS]            run the switch\n"
		"       containet -s SOCK COMMAND              ask a running switch\n"
		"       containet lab COMMAND [OPTIONS]        run a lab (containet lab --help)\n"
		"\n"
		"Commands:\n"
		"  ports [--json]                  ports, their segment, kind, MAC and counters\n"
		"  fdb [--json]                    learned addresses by segment and VLAN\n"
		"  segments [--json]               segments, their MTU and how many ports use them\n"
		"  segment add NAME [--mtu N]      a new segment (a broadcast domain of its own)\n"
		"  segment del NAME                remove a segment no port uses\n"
		"  host add NAME [--segment S] [--ipv4 A/L] [--ipv6 A/L] [--masquerade]\n"
		"                                  a tap NAME in the switch's namespace, in segment S\n"
		"  host del NAME                   remove it\n"
		"\n"
		"  -s, --socket PATH     control socket (SOCK_SEQPACKET), created mode 0660\n"
		"  -v, --verbose         more messages; repeat for more\n"
		"      --group NAME      members of group NAME may use the socket\n"
		"      --age SECONDS     forget a station not heard from for this long (300)\n"
		"      --max-ports N     at most N ports (1024)\n"
		"      --fdb-max N       at most N learned addresses (8192)\n"
		"      --buffers N       frame buffers of 68 KiB in the shared pool (256)\n"
		"      --inflight N      writes in flight per port before dropping (3/4 of --buffers)\n"
		"      --no-offload      do not enable checksum/TSO offloads on ports\n"
		"      --no-multishot    re-arm a read per frame even if the kernel has multishot\n"
		"      --json            client mode: print the raw JSON reply\n"
		"      --mtu N           segment add: the segment's MTU (1500)\n"
		"      --segment S       host add: the segment (default)\n"
		"      --ipv4 A/L        host add: the host's IPv4 address on the segment\n"
		"      --ipv6 A/L        host add: the host's IPv6 address on the segment\n"
		"      --masquerade      host add: the segment reaches the host's networks by NAT\n"
		"  -h, --help            this text\n"
		"      --version         the version\n");
}

enum {
	OPT_GROUP = 256,
	OPT_AGE,
	OPT_MAX_PORTS,
	OPT_FDB_MAX,
	OPT_BUFFERS,
	OPT_INFLIGHT,
	OPT_NO_OFFLOAD,
	OPT_NO_MULTISHOT,
	OPT_JSON,
	OPT_MTU,
	OPT_SEGMENT,
	OPT_IPV4,
	OPT_IPV6,
	OPT_MASQUERADE,
	OPT_VERSION,
};

static const struct option options[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "age", required_argument, NULL, OPT_AGE },
	{ "max-ports", required_argument, NULL, OPT_MAX_PORTS },
	{ "fdb-max", required_argument, NULL, OPT_FDB_MAX },
	{ "buffers", required_argument, NULL, OPT_BUFFERS },
	{ "inflight", required_argument, NULL, OPT_INFLIGHT },
	{ "no-offload", no_argument, NULL, OPT_NO_OFFLOAD },
	{ "no-multishot", no_argument, NULL, OPT_NO_MULTISHOT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "segment", required_argument, NULL, OPT_SEGMENT },
	{ "ipv4", required_argument, NULL, OPT_IPV4 },
	{ "ipv6", required_argument, NULL, OPT_IPV6 },
	{ "masquerade", no_argument, NULL, OPT_MASQUERADE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{},
};

/* Parses a number option into *ret within [min, max]; false (after a usage error) when bad. */
static bool
number_option(const char *name, const char *arg, unsigned long min, unsigned long max,
	      unsigned long *ret)
{
	if (parse_uint(arg, min, max, ret) == 0)
		return true;
	log_usage_error("--%s wants a number from %lu to %lu, not '%s'", name, min, max, arg);
	return false;
}

/*
 * Every port and control connection is a descriptor: the soft limit (often 1024) goes
 * up to the hard one, which the administrator chose.
 */
static void
raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn_errno(-errno, "raise the descriptor limit to %llu, ignoring",
			       (unsigned long long)rl.rlim_max);
}

static int
serve(const struct sw_config *cfg)
{
	struct sw sw;
	int r, status = 1;

	raise_fd_limit();
	r = sw_init(&sw, cfg);
	if (r < 0) {
		log_error_errno(r, "set up the io_uring event loop");
		goto out;
	}
	sw.listen_fd = unix_listen(cfg->socket_path, 0660, cfg->group, ctl_probe);
	if (sw.listen_fd < 0) {
		r = sw.listen_fd;
		if (r == -EADDRINUSE)
			log_error("'%s': another switch is listening there", cfg->socket_path);
		else
			log_error_errno(r, "listen on '%s'", cfg->socket_path);
		goto out;
	}
	log_info("listening on %s", cfg->socket_path);
	r = sw_run(&sw);
	if (r < 0)
		log_error_errno(r, "event loop");
	else
		status = 0;
	unlink(cfg->socket_path);
out:
	sw_free(&sw);
	return status;
}

int
main(int argc, char **argv)
{
	struct sw_config cfg = {
		.group = (gid_t)-1,
		.ageing_s = 300,
		.max_ports = 1024,
		.fdb_max = 8192,
		.nbufs = 256,
		.offload = true,
		.multishot = true,
	};
	struct ctl_request copts = {};
	bool json = false, client_opts = false;
	unsigned long n;
	struct group *gr;
	int c;

	log_init("containet");
	/* The lab runner is a program of its own that runs this one as its switch. */
	if (argc > 1 && strcmp(argv[1], "lab") == 0)
		return labcli_main(argc - 1, argv + 1);
	opterr = 0; /* getopt's own messages off: one line, in the house format */
	while ((c = getopt_long(argc, argv, ":s:vh", options, NULL)) != -1) {
		switch (c) {
		case 's':
			cfg.socket_path = optarg;
			break;
		case 'v':
			if (log_max_level < LOG_TRACE)
				log_max_level++;
			break;
		case OPT_GROUP:
			gr = getgrnam(optarg);
			if (!gr)
				return log_usage_error("no such group '%s'", optarg);
			cfg.group = gr->gr_gid;
			break;
		case OPT_AGE:
			if (!number_option("age", optarg, 1, 86400 * 365, &n))
				return 2;
			cfg.ageing_s = n;
			break;
		case OPT_MAX_PORTS:
			if (!number_option("max-ports", optarg, 2, 65536, &n))
				return 2;
			cfg.max_ports = n;
			break;
		case OPT_FDB_MAX:
			if (!number_option("fdb-max", optarg, 1, 1 << 20, &n))
				return 2;
			cfg.fdb_max = n;
			break;
		case OPT_BUFFERS:
			if (!number_option("buffers", optarg, 8, 32768, &n))
				return 2;
			if (n & (n - 1))
				return log_usage_error("--buffers must be a power of two");
			cfg.nbufs = n;
			break;
		case OPT_INFLIGHT:
			if (!number_option("inflight", optarg, 1, 65535, &n))
				return 2;
			cfg.inflight_cap = n;
			break;
		case OPT_NO_OFFLOAD:
			cfg.offload = false;
			break;
		case OPT_NO_MULTISHOT:
			cfg.multishot = false;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_MTU:
			if (!number_option("mtu", optarg, CTL_MTU_MIN, CTL_MTU_MAX, &n))
				return 2;
			copts.mtu = n;
			client_opts = true;
			break;
		case OPT_SEGMENT:
			if (!ctl_segment_valid(optarg))
				return log_usage_error("'%s' is not a segment name (1-31 of A-Z a-z "
						       "0-9 _ - .)",
						       optarg);
			strcpy(copts.segment, optarg);
			client_opts = true;
			break;
		case OPT_IPV4:
		case OPT_IPV6:
			if (strlen(optarg) >= CTL_PREFIX_MAX)
				return log_usage_error("--%s: '%s' is too long",
						       c == OPT_IPV4 ? "ipv4" : "ipv6", optarg);
			strcpy(c == OPT_IPV4 ? copts.ipv4 : copts.ipv6, optarg);
			client_opts = true;
			break;
		case OPT_MASQUERADE:
			copts.masquerade = true;
			client_opts = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("containet %s\n", VERSION);
			return 0;
		case ':':
			return log_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return log_usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (!cfg.socket_path)
		return log_usage_error("%s", "missing -s SOCK");
	if (optind < argc)
		return client_run(cfg.socket_path, argv + optind, &copts, json);
	if (json)
		return log_usage_error("%s", "--json goes with a client command (ports, fdb, ...)");
	if (client_opts)
		return log_usage_error("%s", "--mtu, --segment, --ipv4, --ipv6 and --masquerade go "
					     "with a client command");
	return serve(&cfg);
}
