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
		"       containet -s SOCK COMMAND              ask a running switch\n"
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
		"  vxlan add NAME --vni N --remote IP[,IP...] [--local IP] [--dstport N] [--segment S]\n"
		"                                  a VXLAN port: segment S stretched to other hosts\n"
		"  vxlan del NAME                  remove it\n"
		"  fdb add MAC --port NAME [--remote IP]\n"
		"                                  a static address behind a port (and its remote)\n"
		"  fdb del MAC [--segment S]       remove an address from the table\n"
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
		"      --vxlan NAME      start with VXLAN port NAME; the --vni, --remote, --local,\n"
		"                        --dstport and --segment after it describe it (repeatable)\n"
		"      --no-vxlan-gso    VXLAN: one sendmsg per segment, not one with UDP_SEGMENT\n"
		"      --json            client mode: print the raw JSON reply\n"
		"      --mtu N           segment add: the segment's MTU (1500)\n"
		"      --segment S       host add: the segment (default)\n"
		"      --ipv4 A/L        host add: the host's IPv4 address on the segment\n"
		"      --ipv6 A/L        host add: the host's IPv6 address on the segment\n"
		"      --masquerade      host add: the segment reaches the host's networks by NAT\n"
		"      --vni N           vxlan add: the VXLAN network identifier (0-16777215)\n"
		"      --remote IP[,IP]  vxlan add: the remote hosts; fdb add: the one behind it\n"
		"      --local IP        vxlan add: the local address to bind (any)\n"
		"      --dstport N       vxlan add: the UDP port, here and at the remotes (4789)\n"
		"      --port NAME       fdb add: the port the address sits behind\n"
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
	OPT_VXLAN,
	OPT_NO_VXLAN_GSO,
	OPT_VNI,
	OPT_REMOTE,
	OPT_LOCAL,
	OPT_DSTPORT,
	OPT_PORT,
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
	{ "vxlan", required_argument, NULL, OPT_VXLAN },
	{ "no-vxlan-gso", no_argument, NULL, OPT_NO_VXLAN_GSO },
	{ "vni", required_argument, NULL, OPT_VNI },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "local", required_argument, NULL, OPT_LOCAL },
	{ "dstport", required_argument, NULL, OPT_DSTPORT },
	{ "port", required_argument, NULL, OPT_PORT },
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

/* Splits "IP[,IP...]" into req's remotes; false after a usage error. */
static bool
remote_option(const char *arg, struct ctl_request *req)
{
	const char *p = arg;

	req->nremote = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= CTL_ADDR_MAX) {
			log_usage_error("--remote: '%s' is not a list of IP addresses", arg);
			return false;
		}
		if (req->nremote == CTL_REMOTES_MAX) {
			log_usage_error("--remote: at most %d remotes", CTL_REMOTES_MAX);
			return false;
		}
		memcpy(req->remote[req->nremote], p, n);
		req->remote[req->nremote++][n] = '\0';
		if (!p[n])
			return true;
		p += n + 1;
	}
}

#define VXLAN_START_MAX 16

/*
 * The VXLAN ports of the command line, before the loop runs: a segment they name that
 * does not exist is made with the MTU their underlay allows, so a host's switch comes
 * up joined.
 */
static int
start_vxlan(struct sw *sw, const struct ctl_request *vx, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const char *name;
		char err[512];
		uint32_t seg;
		int r;

		if (vx[i].segment[0] && segment_find(sw, vx[i].segment) == UINT32_MAX) {
			uint32_t mtu;

			r = vxport_max_mtu(&vx[i], &mtu, err, sizeof(err));
			if (r < 0) {
				log_error("vxlan port '%s': %s", vx[i].name, err);
				return r;
			}
			r = segment_add(sw, vx[i].segment, mtu, &seg);
			if (r < 0) {
				log_error_errno(r, "vxlan port '%s': make segment '%s'", vx[i].name,
						vx[i].segment);
				return r;
			}
			log_info("segment %s added for vxlan port %s (mtu %u)", vx[i].segment,
				 vx[i].name, mtu);
		}
		r = vxport_add(sw, &vx[i], &name, err, sizeof(err));
		if (r < 0) {
			log_error("vxlan port '%s': %s", vx[i].name, err);
			return r;
		}
	}
	return 0;
}

static int
serve(const struct sw_config *cfg, const struct ctl_request *vx, unsigned nvx)
{
	struct sw sw;
	int r, status = 1;

	raise_fd_limit();
	r = sw_init(&sw, cfg);
	if (r < 0) {
		log_error_errno(r, "set up the io_uring event loop");
		goto out;
	}
	if (start_vxlan(&sw, vx, nvx) < 0)
		goto out;
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
		.tun_gso = true,
	};
	struct ctl_request copts = {}, vx[VXLAN_START_MAX] = {}, *cur = &copts;
	unsigned nvx = 0;
	bool json = false, client_opts = false;
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
			strcpy(cur->segment, optarg);
			client_opts |= cur == &copts;
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
		case OPT_VXLAN:
			if (nvx == VXLAN_START_MAX)
				return log_usage_error("at most %d --vxlan ports", VXLAN_START_MAX);
			if (!*optarg || strlen(optarg) >= IFNAMSIZ)
				return log_usage_error("--vxlan: '%s' is not a port name (1-15 "
						       "characters)",
						       optarg);
			cur = &vx[nvx++];
			cur->op = CTL_VXLAN_ADD;
			strcpy(cur->name, optarg);
			break;
		case OPT_NO_VXLAN_GSO:
			cfg.tun_gso = false;
			break;
		case OPT_VNI:
			if (!number_option("vni", optarg, 0, CTL_VNI_MAX, &n))
				return 2;
			cur->vni = n;
			cur->has_vni = true;
			client_opts |= cur == &copts;
			break;
		case OPT_REMOTE:
			if (!remote_option(optarg, cur))
				return 2;
			client_opts |= cur == &copts;
			break;
		case OPT_LOCAL:
			if (strlen(optarg) >= CTL_ADDR_MAX)
				return log_usage_error("--local: '%s' is not an IP address", optarg);
			strcpy(cur->local, optarg);
			client_opts |= cur == &copts;
			break;
		case OPT_DSTPORT:
			if (!number_option("dstport", optarg, 1, 65535, &n))
				return 2;
			cur->dstport = n;
			client_opts |= cur == &copts;
			break;
		case OPT_PORT:
			if (strlen(optarg) >= CTL_PORT_NAME_MAX)
				return log_usage_error("--port: '%s' is too long", optarg);
			strcpy(copts.port, optarg);
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
	if (optind < argc) {
		if (nvx)
			return log_usage_error("%s", "--vxlan starts the switch with a port: not with "
						     "a client command");
		return client_run(cfg.socket_path, argv + optind, &copts, json);
	}
	for (unsigned i = 0; i < nvx; i++)
		if (!vx[i].has_vni || !vx[i].nremote)
			return log_usage_error("--vxlan %s needs --vni N and --remote IP after it",
					       vx[i].name);
	if (json)
		return log_usage_error("%s", "--json goes with a client command (ports, fdb, ...)");
	if (client_opts)
		return log_usage_error("%s", "--mtu, --segment, --ipv4, --ipv6, --masquerade, --vni, "
					     "--remote, --local, --dstport and --port go with a "
					     "client command, or after --vxlan NAME");
	return serve(&cfg, vx, nvx);
}
