/* containet: an io_uring ethernet switch for container taps.  Options and wiring only. */
#include "client.h"
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
		"       containet -s SOCK ports|fdb [--json]   ask a running switch\n"
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
	bool json = false;
	unsigned long n;
	struct group *gr;
	int c;

	log_init("containet");
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
	if (optind < argc) {
		if (optind + 1 < argc)
			return log_usage_error("unexpected argument '%s'", argv[optind + 1]);
		return client_run(cfg.socket_path, argv[optind], json);
	}
	if (json)
		return log_usage_error("%s", "--json goes with a client command (ports, fdb)");
	return serve(&cfg);
}
