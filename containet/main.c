/* containet: an io_uring ethernet switch for container taps.  Options and wiring only. */
#include "client.h"
#include "cleanup.h"
#include "lab/labcli.h"
#include "log.h"
#include "parse.h"
#include "sdnotify.h"
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
	/* clang-format off */
	fprintf(f,
		"Usage: containet -s SOCK [OPTIONS]            run the switch\n"
		"       containet -s SOCK COMMAND              ask a running switch\n"
		"       containet lab COMMAND [OPTIONS]        run a lab (containet lab --help)\n"
		"\n"
		"Commands:\n"
		"  ports [--json]                  ports, their segment, kind, MAC and counters\n"
		"  fdb [--json]                    learned addresses by segment and VLAN\n"
		"  segments [--json]               segments, their MTU and how many ports use them\n"
		"  segment add NAME [--mtu N] [--subnet A/L] [--service A] [--gateway A]\n"
		"              [--dhcp FIRST-LAST] [--ipv6 PREFIX/64] [--dns] [--domain D]\n"
		"              [--slice I/N] [--no-services]\n"
		"                                  a new segment (a broadcast domain of its own)\n"
		"  segment del NAME                remove a segment no port uses\n"
		"  host add NAME [--segment S] [--ipv4 A/L] [--ipv6 A/L] [--masquerade]\n"
		"                                  a tap NAME in the switch's namespace, in segment S\n"
		"  host del NAME                   remove it\n"
		"  capture [PORT|SEGMENT]... [-w FILE|-] [-c N] [--duration S] [--snaplen N]\n"
		"                                  pcapng of those ports and segments (all if none)\n"
		"                                  until Ctrl-C, N frames or S seconds\n"
		"  link set PORT|SEGMENT [--dir egress|ingress|both] SETTING... | down | up | clear\n"
		"                                  impair a port's link, or each port's of a segment:\n"
		"                                  delay=20ms jitter=2ms distribution=uniform|normal\n"
		"                                  loss=1%% loss_ge=p,r,1-h,1-k duplicate=1%% corrupt=1%%\n"
		"                                  reorder=5%% rate=10mbit limit=1000 seed=7; down/up\n"
		"                                  pull/plug the cable; clear: back to a plain link\n"
		"  link show [PORT|SEGMENT] [--json]  settings and counters of links\n"
		"  leases [SEGMENT] [--json]       addresses handed out (auto, static, DHCP)\n"
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
		"      --state DIR       where the leases live (/var/lib/containet/switch-<SOCK name>)\n"
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
		"      --no-vxlan-gro    VXLAN: one datagram per receive, no UDP_GRO, no merging\n"
		"      --json            client mode: print the raw JSON reply\n"
		"      --mtu N           segment add: the segment's MTU (1500)\n"
		"      --subnet A/L      segment add: its IPv4 subnet; attach may ask for \"auto\"\n"
		"      --service A       segment add: the switch's address there (ARP, ping, DHCP, DNS)\n"
		"      --gateway A       segment add: the default route nodes get (a router node)\n"
		"      --dhcp FIRST-LAST segment add: serve DHCPv4 from this range\n"
		"      --dns             segment add: answer DNS for the nodes' names\n"
		"      --domain D        segment add: nodes are also NODE.D in DNS; DHCP and attach\n"
		"                        hand D out as the search domain\n"
		"      --slice I/N       segment add: auto and DHCP hand out addresses from part I\n"
		"                        of N equal parts of the pool (one part per machine)\n"
		"      --no-services     segment add: another machine's switch runs the service\n"
		"                        address, DHCP, DNS and RA of this (stretched) segment\n"
		"      --segment S       host add: the segment (default)\n"
		"      --ipv4 A/L        host add: the host's IPv4 address on the segment\n"
		"      --ipv6 A/L        host add: the host's IPv6 address on the segment;\n"
		"                        segment add: a /64 prefix announced for SLAAC\n"
		"      --masquerade      host add: the segment reaches the host's networks by NAT\n"
		"  -w, --write FILE      capture: write to FILE, or '-' for standard output\n"
		"  -c, --count N         capture: stop after N frames\n"
		"      --duration S      capture: stop after S seconds (decimals allowed)\n"
		"      --snaplen N       capture: keep the first N bytes of each frame (262144)\n"
		"      --dir D           link set: egress (to the node, the default), ingress\n"
		"                        (from the node) or both\n"
		"      --vni N           vxlan add: the VXLAN network identifier (0-16777215)\n"
		"      --remote IP[,IP]  vxlan add: the remote hosts; fdb add: the one behind it\n"
		"      --local IP        vxlan add: the local address to bind (any)\n"
		"      --dstport N       vxlan add: the UDP port, here and at the remotes (4789)\n"
		"      --port NAME       fdb add: the port the address sits behind\n"
		"  -h, --help            this text\n"
		"      --version         the version\n");
	/* clang-format on */
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
	OPT_DURATION,
	OPT_SNAPLEN,
	OPT_DIR,
	OPT_STATE,
	OPT_SUBNET,
	OPT_SERVICE,
	OPT_GATEWAY,
	OPT_DHCP,
	OPT_DNS,
	OPT_DOMAIN,
	OPT_SLICE,
	OPT_NO_SERVICES,
	OPT_VXLAN,
	OPT_NO_VXLAN_GSO,
	OPT_NO_VXLAN_GRO,
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
	{ "write", required_argument, NULL, 'w' },
	{ "count", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "service", required_argument, NULL, OPT_SERVICE },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "dhcp", required_argument, NULL, OPT_DHCP },
	{ "dns", no_argument, NULL, OPT_DNS },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "slice", required_argument, NULL, OPT_SLICE },
	{ "no-services", no_argument, NULL, OPT_NO_SERVICES },
	{ "vxlan", required_argument, NULL, OPT_VXLAN },
	{ "no-vxlan-gso", no_argument, NULL, OPT_NO_VXLAN_GSO },
	{ "no-vxlan-gro", no_argument, NULL, OPT_NO_VXLAN_GRO },
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

/* Copies a client option's value into ret (size bytes); false after a usage error. */
static bool
string_option(const char *name, const char *arg, char *ret, size_t size)
{
	if (strlen(arg) >= size) {
		log_usage_error("--%s: '%s' is too long", name, arg);
		return false;
	}
	strcpy(ret, arg);
	return true;
}

/* The default state directory: /var/lib/containet/switch-<basename of the socket>. */
static char *
default_state_dir(const char *socket_path)
{
	const char *base = strrchr(socket_path, '/');
	char *dir;

	base = base ? base + 1 : socket_path;
	if (asprintf(&dir, "/var/lib/containet/switch-%s", base) < 0)
		return NULL;
	return dir;
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
	if (lease_init(&sw) < 0)
		goto out;
	log_info("listening on %s", cfg->socket_path);
	/* Under systemd (Type=notify): clients may connect from now on. */
	r = sdnotify_send("READY=1");
	if (r < 0)
		log_warn_errno(r, "tell the service manager at '$NOTIFY_SOCKET' that the switch is "
		                  "ready, ignoring");
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
		.tun_gro = true,
	};
	struct ctl_request copts = {}, vx[VXLAN_START_MAX] = {}, *cur = &copts;
	struct client_capture_opts capopts = {};
	unsigned nvx = 0;
	bool json = false, client_opts = false, capture_opts = false;
	char *end;
	double secs;
	_cleanup_free_ char *state_default = NULL;
	unsigned long n;
	struct group *gr;
	int c;

	log_init("containet");
	/* The lab runner is a program of its own that runs this one as its switch. */
	if (argc > 1 && strcmp(argv[1], "lab") == 0)
		return labcli_main(argc - 1, argv + 1);
	opterr = 0; /* getopt's own messages off: one line, in the house format */
	while ((c = getopt_long(argc, argv, ":s:vhw:c:", options, NULL)) != -1) {
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
				return log_usage_error(
				        "'%s' is not a segment name (1-31 of A-Z a-z "
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
		case 'w':
			capopts.write = optarg;
			capture_opts = true;
			break;
		case 'c':
			if (!number_option("count", optarg, 1, 1000000000000000UL, &n))
				return 2;
			copts.count = n;
			capture_opts = true;
			break;
		case OPT_DURATION:
			errno = 0;
			secs = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(secs > 0 && secs <= 86400 * 365))
				return log_usage_error(
				        "--duration wants seconds (such as 10 or 0.5), "
				        "not '%s'",
				        optarg);
			capopts.duration_ms = (uint64_t)(secs * 1000 + 0.5);
			if (!capopts.duration_ms)
				capopts.duration_ms = 1;
			capture_opts = true;
			break;
		case OPT_SNAPLEN:
			if (!number_option("snaplen", optarg, 64, CTL_SNAPLEN_DEFAULT, &n))
				return 2;
			copts.snaplen = n;
			capture_opts = true;
			break;
		case OPT_DIR:
			if (!strcmp(optarg, "egress"))
				copts.dir = CTL_DIR_EGRESS;
			else if (!strcmp(optarg, "ingress"))
				copts.dir = CTL_DIR_INGRESS;
			else if (!strcmp(optarg, "both"))
				copts.dir = CTL_DIR_BOTH;
			else
				return log_usage_error(
				        "--dir wants egress, ingress or both, not '%s'", optarg);
			client_opts = true;
			break;
		case OPT_STATE:
			if (!optarg[0])
				return log_usage_error("%s", "--state wants a directory");
			cfg.state_dir = optarg;
			break;
		case OPT_SUBNET:
			if (!string_option("subnet", optarg, copts.subnet, sizeof(copts.subnet)))
				return 2;
			client_opts = true;
			break;
		case OPT_SERVICE:
			if (!string_option("service", optarg, copts.service, sizeof(copts.service)))
				return 2;
			client_opts = true;
			break;
		case OPT_GATEWAY:
			if (!string_option("gateway", optarg, copts.gateway, sizeof(copts.gateway)))
				return 2;
			client_opts = true;
			break;
		case OPT_DHCP:
			if (!string_option("dhcp", optarg, copts.dhcp, sizeof(copts.dhcp)))
				return 2;
			client_opts = true;
			break;
		case OPT_DNS:
			copts.dns = true;
			client_opts = true;
			break;
		case OPT_DOMAIN:
			if (!string_option("domain", optarg, copts.domain, sizeof(copts.domain)))
				return 2;
			client_opts = true;
			break;
		case OPT_SLICE:
			if (!string_option("slice", optarg, copts.slice, sizeof(copts.slice)))
				return 2;
			client_opts = true;
			break;
		case OPT_NO_SERVICES:
			copts.no_services = true;
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
		case OPT_NO_VXLAN_GRO:
			cfg.tun_gro = false;
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
				return log_usage_error("--local: '%s' is not an IP address",
				                       optarg);
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
	if (optind < argc && !strcmp(argv[optind], "capture")) {
		if (json || client_opts)
			return log_usage_error("%s",
			                       "capture takes -w, -c, --duration and --snaplen");
		return client_capture(cfg.socket_path, argv + optind + 1, &copts, &capopts);
	}
	if (capture_opts)
		return log_usage_error("%s", "-w, -c, --duration and --snaplen go with 'capture'");
	if (optind < argc) {
		if (nvx)
			return log_usage_error("%s",
			                       "--vxlan starts the switch with a port: not with "
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
		return log_usage_error("%s",
		                       "--mtu, --segment, --ipv4, --ipv6, --masquerade, --dir, "
		                       "--subnet, --service, --gateway, --dhcp, --dns, --domain, "
		                       "--slice, --no-services, --vni, "
		                       "--remote, --local, --dstport and --port go with a client "
		                       "command, or after --vxlan NAME");
	if (!cfg.state_dir) {
		state_default = default_state_dir(cfg.socket_path);
		if (!state_default)
			return log_usage_error("%s", "out of memory");
		cfg.state_dir = state_default;
	}
	return serve(&cfg, vx, nvx);
}
