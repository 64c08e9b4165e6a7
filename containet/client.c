/* Client mode: one request to a running switch, its reply printed as a table or as JSON. */
#include "client.h"

#include "ctl.h"
#include "log.h"
#include "monotime.h"
#include "unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* Widens *w to the length of text. */
static void
widen(int *w, const char *text)
{
	if ((int)strlen(text) > *w)
		*w = strlen(text);
}

static void
print_ports(const cJSON *reply)
{
	const cJSON *list = ctl_reply_list_get(reply, CTL_PORTS), *e;
	int wn = strlen("PORT"), ws = strlen("SEGMENT"), wv = strlen("VLAN");
	char role[96];

	cJSON_ArrayForEach(e, list)
	{
		struct ctl_port p;

		if (ctl_port_from_json(e, &p) < 0)
			continue;
		ctl_vlan_describe(&p.vlan, role, sizeof(role));
		widen(&wv, role);
		widen(&wn, p.name);
		widen(&ws, p.segment);
	}
	/* The role last: the earlier columns stay where scripts expect them. */
	printf("%-*s %-*s %-5s %-17s %-10s %12s %14s %12s %14s %8s %-*s\n", wn, "PORT", ws,
	       "SEGMENT", "KIND", "MAC", "STATE", "RX-FRAMES", "RX-BYTES", "TX-FRAMES", "TX-BYTES",
	       "DROPS", wv, "VLAN");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_port p;
		char mac[MAC_STRLEN] = "-";

		if (ctl_port_from_json(e, &p) < 0)
			continue;
		if (p.has_mac)
			mac_format(p.mac, mac);
		ctl_vlan_describe(&p.vlan, role, sizeof(role));
		printf("%-*s %-*s %-5s %-17s %-10s %12llu %14llu %12llu %14llu %8llu %-*s\n", wn,
		       p.name, ws, p.segment[0] ? p.segment : "-", p.kind[0] ? p.kind : "-", mac,
		       p.state, (unsigned long long)p.rx_frames, (unsigned long long)p.rx_bytes,
		       (unsigned long long)p.tx_frames, (unsigned long long)p.tx_bytes,
		       (unsigned long long)p.drops, wv, role);
	}
}

static void
print_fdb(const cJSON *reply)
{
	const cJSON *list = ctl_reply_list_get(reply, CTL_FDB), *e;
	int wp = strlen("PORT"), ws = strlen("SEGMENT"), wr = strlen("REMOTE");

	cJSON_ArrayForEach(e, list)
	{
		struct ctl_fdb_entry f;

		if (ctl_fdb_from_json(e, &f) < 0)
			continue;
		widen(&wp, f.port);
		widen(&ws, f.segment);
		widen(&wr, f.remote);
	}

	printf("%-*s %4s %-17s %-*s %6s %-*s\n", ws, "SEGMENT", "VLAN", "MAC", wp, "PORT", "AGE",
	       wr, "REMOTE");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_fdb_entry f;
		char mac[MAC_STRLEN];

		if (ctl_fdb_from_json(e, &f) < 0)
			continue;
		mac_format(f.mac, mac);
		if (f.fixed)
			printf("%-*s %4u %-17s %-*s %6s %-*s\n", ws, f.segment[0] ? f.segment : "-",
			       f.vlan, mac, wp, f.port, "static", wr, f.remote[0] ? f.remote : "-");
		else
			printf("%-*s %4u %-17s %-*s %5us %-*s\n", ws,
			       f.segment[0] ? f.segment : "-", f.vlan, mac, wp, f.port, f.age, wr,
			       f.remote[0] ? f.remote : "-");
	}
}

/* What a segment's local endpoint serves, for the SERVES column, with its domain and its
 * slice of the pool. */
static void
segment_serves(const struct ctl_segment *s, char *ret, size_t size)
{
	int n;

	if (s->no_services)
		n = snprintf(ret, size, "another switch ");
	else
		n = snprintf(ret, size, "%s%s%s%s%s", s->dhcp[0] ? "dhcp " : "",
		             s->dns ? "dns " : "", s->ipv6[0] ? "ra " : "", s->ipv6,
		             s->ipv6[0] ? " " : "");
	if (n >= 0 && (size_t)n < size && s->domain[0])
		n += snprintf(ret + n, size - n, "domain %s ", s->domain);
	if (n >= 0 && (size_t)n < size && s->slice[0])
		n += snprintf(ret + n, size - n, "slice %s ", s->slice);
	if (n > 0 && (size_t)n < size)
		ret[n - 1] = '\0'; /* the last space */
	if (!ret[0])
		snprintf(ret, size, "-");
}

static void
print_segments(const cJSON *reply)
{
	const cJSON *list = ctl_reply_list_get(reply, CTL_SEGMENTS), *e;
	int ws = strlen("SEGMENT"), wv = strlen("SERVES");
	struct ctl_segment s;
	char serves[CTL_DOMAIN_MAX + 128];

	/* Every row as wide as the header: the last column is padded to its widest. */
	cJSON_ArrayForEach(e, list)
	{
		if (ctl_segment_from_json(e, &s) < 0)
			continue;
		segment_serves(&s, serves, sizeof(serves));
		widen(&wv, serves);
		widen(&ws, s.name);
	}
	printf("%-*s %6s %6s %-18s %-15s %-11s %-*s\n", ws, "SEGMENT", "MTU", "PORTS", "SUBNET",
	       "SERVICE", "LEASED", wv, "SERVES");
	cJSON_ArrayForEach(e, list)
	{
		char used[32] = "-";

		if (ctl_segment_from_json(e, &s) < 0)
			continue;
		if (s.subnet[0])
			snprintf(used, sizeof(used), "%u/%u", s.leased, s.addresses);
		segment_serves(&s, serves, sizeof(serves));
		printf("%-*s %6u %6u %-18s %-15s %-11s %-*s\n", ws, s.name, s.mtu, s.ports,
		       s.subnet[0] ? s.subnet : "-", s.service[0] ? s.service : "-", used, wv,
		       serves);
	}
}

static void
print_leases(const cJSON *reply)
{
	const cJSON *list = ctl_reply_list_get(reply, CTL_LEASES), *e;
	int ws = strlen("SEGMENT"), wn = strlen("NODE");

	cJSON_ArrayForEach(e, list)
	{
		struct ctl_lease l;

		if (ctl_lease_from_json(e, &l) < 0)
			continue;
		widen(&ws, l.segment);
		widen(&wn, l.node);
	}

	printf("%-*s %-15s %-6s %-*s %-15s %-17s %s\n", ws, "SEGMENT", "IPV4", "KIND", wn, "NODE",
	       "IFNAME", "MAC", "STATE");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_lease l;
		char state[32];

		if (ctl_lease_from_json(e, &l) < 0)
			continue;
		if (l.mac[0])
			snprintf(state, sizeof(state), "expires in %llus",
			         (unsigned long long)l.expires);
		else
			snprintf(state, sizeof(state), "%s", l.attached ? "attached" : "kept");
		printf("%-*s %-15s %-6s %-*s %-15s %-17s %s\n", ws, l.segment, l.ipv4, l.kind, wn,
		       l.node[0] ? l.node : "-", l.ifname[0] ? l.ifname : "-",
		       l.mac[0] ? l.mac : "-", state);
	}
}

/* One row per link and direction: the settings in the CLI's words, then the counters. */
static void
print_links(const cJSON *reply)
{
	const cJSON *segs = ctl_reply_list_get(reply, CTL_SEGMENTS);
	const cJSON *links = ctl_reply_list_get(reply, CTL_LINK_SHOW), *e;
	static const char *const dirs[] = { "egress", "ingress" };
	int wn = strlen("LINK"), wsg = strlen("LINK");
	char settings[512];

	cJSON_ArrayForEach(e, links)
	{
		struct ctl_link_entry l;

		if (ctl_link_from_json(e, &l) == 0)
			widen(&wn, l.port);
	}
	cJSON_ArrayForEach(e, segs)
	{
		struct ctl_link_entry l;

		if (ctl_link_from_json(e, &l) == 0)
			widen(&wsg, l.segment);
	}
	if (wsg + 8 > wn)
		wn = wsg + 8;
	printf("%-*s %-7s %-7s %10s %10s %10s %10s %10s %8s  %s\n", wn, "LINK", "CARRIER", "DIR",
	       "DELAYED", "LOST", "QDROPPED", "DUPLICATED", "CORRUPTED", "QUEUED", "SETTINGS");
	cJSON_ArrayForEach(e, segs)
	{
		struct ctl_link_entry l;
		char name[CTL_SEGMENT_MAX + 9];

		if (ctl_link_from_json(e, &l) < 0)
			continue;
		snprintf(name, sizeof(name), "segment %s", l.segment);
		for (int d = 0; d < 2; d++) {
			ctl_link_format(&l.dir[d], settings, sizeof(settings));
			printf("%-*s %-7s %-7s %10s %10s %10s %10s %10s %8s  %s\n", wn, name, "-",
			       dirs[d], "-", "-", "-", "-", "-", "-", settings);
		}
	}
	cJSON_ArrayForEach(e, links)
	{
		struct ctl_link_entry l;

		if (ctl_link_from_json(e, &l) < 0)
			continue;
		for (int d = 0; d < 2; d++) {
			const struct ctl_link_counters *c = &l.cnt[d];

			ctl_link_format(&l.dir[d], settings, sizeof(settings));
			printf("%-*s %-7s %-7s %10llu %10llu %10llu %10llu %10llu %8llu  %s\n", wn,
			       l.port, l.carrier_down ? "down" : "up", dirs[d],
			       (unsigned long long)c->delayed, (unsigned long long)c->dropped_loss,
			       (unsigned long long)c->dropped_queue,
			       (unsigned long long)c->duplicated, (unsigned long long)c->corrupted,
			       (unsigned long long)c->queued, settings);
		}
	}
}

/* Copies a command's NAME argument into ret (size bytes); false after a usage error. */
static bool
name_argument(const char *what, const char *arg, char *ret, size_t size)
{
	if (!arg) {
		log_usage_error("%s needs a NAME", what);
		return false;
	}
	if (strlen(arg) >= size) {
		log_usage_error("%s: name '%s' too long", what, arg);
		return false;
	}
	strcpy(ret, arg);
	return true;
}

/* "link set NAME WORD...": the words are settings, "down", "up" or "clear". */
static int
link_request(char **args, struct ctl_request *ret)
{
	const char *err;

	ret->op = CTL_LINK_SET;
	if (!name_argument("link set", args[0], ret->port, sizeof(ret->port)))
		return 2;
	if (!args[1])
		return log_usage_error("%s", "link set needs settings (delay=20ms loss=1% ...), "
		                             "down, up or clear");
	for (char **w = args + 1; *w; w++) {
		if (!strcmp(*w, "down") || !strcmp(*w, "up")) {
			ret->carrier = !strcmp(*w, "up") ? CTL_CARRIER_UP : CTL_CARRIER_DOWN;
		} else if (!strcmp(*w, "clear")) {
			ret->clear = true;
		} else if (ctl_link_parse_word(*w, &ret->link, &err) < 0) {
			return log_usage_error("link set: %s", err);
		}
	}
	return 0;
}

/*
 * A link request names a port or a segment, and the CLI takes either: a name that is
 * not a port's is taken for a segment's.
 */
static int
link_resolve(int fd, struct ctl_request *req)
{
	struct ctl_request ports = { .op = CTL_PORTS };
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL;
	const cJSON *e;
	int r;

	if (!req->port[0])
		return 0;
	r = ctl_call(fd, &ports, -1, &reply, &err);
	if (r < 0)
		return r;
	cJSON_ArrayForEach(e, ctl_reply_list_get(reply, CTL_PORTS))
	{
		struct ctl_port p;

		if (ctl_port_from_json(e, &p) == 0 && !strcmp(p.name, req->port))
			return 0;
	}
	if (ctl_segment_valid(req->port)) {
		strcpy(req->segment, req->port);
		req->port[0] = '\0';
	}
	return 0;
}

/*
 * The request for the command in args (NULL-terminated); opts holds what the options
 * gave.  Returns 0, or 2 after a usage error.
 */
static int
client_request(char **args, const struct ctl_request *opts, struct ctl_request *ret)
{
	const char *cmd = args[0], *sub = cmd ? args[1] : NULL;
	bool host_opts = opts->segment[0] || opts->ipv4[0] || opts->masquerade;
	bool addr_opts = opts->subnet[0] || opts->service[0] || opts->gateway[0] || opts->dhcp[0] ||
	                 opts->dns || opts->domain[0] || opts->slice[0] || opts->no_services;
	bool vxlan_opts = opts->has_vni || opts->local[0] || opts->dstport;
	int nargs = 0;

	while (args[nargs])
		nargs++;
	*ret = (struct ctl_request){};
	if (!strcmp(cmd, "vxlan") && sub && (!strcmp(sub, "add") || !strcmp(sub, "del"))) {
		ret->op = !strcmp(sub, "add") ? CTL_VXLAN_ADD : CTL_VXLAN_DEL;
		if (!name_argument("vxlan", args[2], ret->name, IFNAMSIZ))
			return 2;
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_VXLAN_DEL && (vxlan_opts || opts->nremote || opts->segment[0]))
			return log_usage_error("%s", "--vni, --remote, --local, --dstport and "
			                             "--segment go with 'vxlan add'");
		if (ret->op == CTL_VXLAN_ADD && (!opts->has_vni || !opts->nremote))
			return log_usage_error("%s", "vxlan add needs --vni N and --remote IP");
		strcpy(ret->segment, opts->segment);
		ret->vni = opts->vni;
		ret->has_vni = opts->has_vni;
		memcpy(ret->remote, opts->remote, sizeof(ret->remote));
		ret->nremote = opts->nremote;
		strcpy(ret->local, opts->local);
		ret->dstport = opts->dstport;
		return 0;
	}
	if (!strcmp(cmd, "fdb") && sub && (!strcmp(sub, "add") || !strcmp(sub, "del"))) {
		ret->op = !strcmp(sub, "add") ? CTL_FDB_ADD : CTL_FDB_DEL;
		if (!args[2] || mac_parse(args[2], ret->mac) < 0)
			return log_usage_error("fdb %s needs a MAC address (xx:xx:xx:xx:xx:xx)",
			                       sub);
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_FDB_ADD && !opts->port[0])
			return log_usage_error("%s", "fdb add needs --port NAME");
		if (ret->op == CTL_FDB_DEL && (opts->port[0] || opts->nremote))
			return log_usage_error("%s", "--port and --remote go with 'fdb add'");
		if (ret->op == CTL_FDB_ADD && opts->segment[0])
			return log_usage_error("%s",
			                       "fdb add takes the port's segment: no --segment");
		if (opts->nremote > 1)
			return log_usage_error("%s", "fdb add takes one --remote");
		strcpy(ret->port, opts->port);
		strcpy(ret->segment, opts->segment);
		memcpy(ret->remote, opts->remote, sizeof(ret->remote));
		ret->nremote = opts->nremote;
		if (vxlan_opts || opts->ipv4[0] || opts->ipv6[0] || opts->masquerade || opts->mtu ||
		    addr_opts)
			return log_usage_error("%s",
			                       "fdb add|del takes --port, --remote, --segment");
		return 0;
	}
	if (vxlan_opts || opts->nremote || opts->port[0])
		return log_usage_error("%s", "--vni, --remote, --local and --dstport go with "
		                             "'vxlan add', --port with 'fdb add'");
	if (!strcmp(cmd, "ports") || !strcmp(cmd, "fdb") || !strcmp(cmd, "segments")) {
		ret->op = !strcmp(cmd, "ports") ? CTL_PORTS
		          : !strcmp(cmd, "fdb") ? CTL_FDB
		                                : CTL_SEGMENTS;
		if (nargs > 1)
			return log_usage_error("unexpected argument '%s'", args[1]);
	} else if (!strcmp(cmd, "segment") && sub && (!strcmp(sub, "add") || !strcmp(sub, "del"))) {
		ret->op = !strcmp(sub, "add") ? CTL_SEGMENT_ADD : CTL_SEGMENT_DEL;
		if (!name_argument("segment", args[2], ret->name, sizeof(ret->name)))
			return 2;
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_SEGMENT_DEL && (opts->mtu || addr_opts || opts->ipv6[0]))
			return log_usage_error("%s",
			                       "--mtu, --subnet, --service, --gateway, --dhcp, "
			                       "--ipv6, --dns, --domain, --slice and "
			                       "--no-services go with 'segment add'");
		ret->mtu = opts->mtu;
		strcpy(ret->subnet, opts->subnet);
		strcpy(ret->service, opts->service);
		strcpy(ret->gateway, opts->gateway);
		strcpy(ret->dhcp, opts->dhcp);
		strcpy(ret->ipv6, opts->ipv6);
		ret->dns = opts->dns;
		strcpy(ret->domain, opts->domain);
		strcpy(ret->slice, opts->slice);
		ret->no_services = opts->no_services;
	} else if (!strcmp(cmd, "host") && sub && (!strcmp(sub, "add") || !strcmp(sub, "del"))) {
		ret->op = !strcmp(sub, "add") ? CTL_HOST_ADD : CTL_HOST_DEL;
		if (!name_argument("host", args[2], ret->name, IFNAMSIZ))
			return 2;
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_HOST_DEL && (host_opts || opts->ipv6[0]))
			return log_usage_error("%s",
			                       "--segment, --ipv4, --ipv6 and --masquerade go "
			                       "with 'host add'");
		strcpy(ret->segment, opts->segment);
		strcpy(ret->ipv4, opts->ipv4);
		strcpy(ret->ipv6, opts->ipv6);
		ret->masquerade = opts->masquerade;
	} else if (!strcmp(cmd, "link") && sub && !strcmp(sub, "set")) {
		int r = link_request(args + 2, ret);

		if (r)
			return r;
		ret->dir = opts->dir ? opts->dir : CTL_DIR_EGRESS;
	} else if (!strcmp(cmd, "leases")) {
		ret->op = CTL_LEASES;
		if (sub && !ctl_segment_valid(sub))
			return log_usage_error("'%s' is not a segment name", sub);
		if (sub)
			strcpy(ret->segment, sub);
		if (nargs > 2)
			return log_usage_error("unexpected argument '%s'", args[2]);
	} else if (!strcmp(cmd, "link") && sub && !strcmp(sub, "show")) {
		ret->op = CTL_LINK_SHOW;
		if (args[2] && !name_argument("link show", args[2], ret->port, sizeof(ret->port)))
			return 2;
		if (args[2] && args[3])
			return log_usage_error("unexpected argument '%s'", args[3]);
	} else {
		return log_usage_error(
		        "unknown command '%s' (try ports, fdb, segments, segment "
		        "add|del, host add|del, capture, link set|show, leases, vxlan "
		        "add|del, fdb add|del)",
		        cmd);
	}
	if (opts->dir && ret->op != CTL_LINK_SET)
		return log_usage_error("%s", "--dir goes with 'link set'");
	if (opts->mtu && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--mtu goes with 'segment add'");
	if (host_opts && ret->op != CTL_HOST_ADD)
		return log_usage_error("%s", "--segment, --ipv4 and --masquerade go with "
		                             "'host add'");
	if (opts->ipv6[0] && ret->op != CTL_HOST_ADD && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--ipv6 goes with 'host add' or 'segment add'");
	if (addr_opts && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s",
		                       "--subnet, --service, --gateway, --dhcp, --dns, --domain, "
		                       "--slice and --no-services go with 'segment add'");
	return 0;
}

int
client_run(const char *socket_path, char **args, const struct ctl_request *opts, bool json)
{
	struct ctl_request req;
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	const char *what;
	int r;

	r = client_request(args, opts, &req);
	if (r)
		return r;
	what = ctl_op_name(req.op);
	fd = unix_connect(socket_path);
	if (fd < 0) {
		log_error_errno(fd, "connect to '%s'", socket_path);
		return 1;
	}
	if (req.op == CTL_LINK_SET || req.op == CTL_LINK_SHOW) {
		r = link_resolve(fd, &req);
		if (r < 0) {
			log_error_errno(r, "%s on '%s'", what, socket_path);
			return 1;
		}
	}
	r = ctl_call(fd, &req, -1, &reply, &err);
	if (r == -EREMOTEIO) {
		log_error("%s: %s", what, err);
		return 1;
	}
	if (r < 0) {
		log_error_errno(r, "%s on '%s'", what, socket_path);
		return 1;
	}
	if (json) {
		text = cJSON_PrintUnformatted(reply);
		if (!text)
			return 1;
		puts(text);
	} else if (req.op == CTL_PORTS) {
		print_ports(reply);
	} else if (req.op == CTL_FDB) {
		print_fdb(reply);
	} else if (req.op == CTL_SEGMENTS) {
		print_segments(reply);
	} else if (req.op == CTL_LINK_SHOW) {
		print_links(reply);
	} else if (req.op == CTL_LEASES) {
		print_leases(reply);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

/* Sorts the capture's names into segments (those the switch has) and ports. */
static int
capture_names(int sock, char **args, struct ctl_request *req)
{
	struct ctl_request ask = { .op = CTL_SEGMENTS };
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL;
	const cJSON *list, *e;
	int r;

	if (!args[0])
		return 0;
	r = ctl_call(sock, &ask, -1, &reply, &err);
	if (r < 0) {
		log_error("capture: list the segments: %s", err ? err : strerror(-r));
		return 1;
	}
	list = ctl_reply_list_get(reply, CTL_SEGMENTS);
	for (; *args; args++) {
		bool seg = false;

		cJSON_ArrayForEach(e, list)
		{
			struct ctl_segment s;

			seg |= ctl_segment_from_json(e, &s) == 0 && !strcmp(s.name, *args);
		}
		if (seg ? req->n_cap_segments == CTL_CAPTURE_NAMES
		        : req->n_cap_ports == CTL_CAPTURE_NAMES)
			return log_usage_error("capture names at most %d ports and %d segments",
			                       CTL_CAPTURE_NAMES, CTL_CAPTURE_NAMES);
		if (strlen(*args) >= (seg ? CTL_SEGMENT_MAX : CTL_PORT_NAME_MAX))
			return log_usage_error("capture: name '%s' too long", *args);
		if (seg)
			strcpy(req->cap_segments[req->n_cap_segments++], *args);
		else
			strcpy(req->cap_ports[req->n_cap_ports++], *args);
	}
	return 0;
}

/* Whether capture id recorded its count (the switch says so in "captures"). */
static int
capture_done(int sock, uint32_t id, bool *ret_done)
{
	struct ctl_request ask = { .op = CTL_CAPTURES };
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL;
	const cJSON *e;
	int r = ctl_call(sock, &ask, -1, &reply, &err);

	if (r < 0)
		return r;
	*ret_done = true; /* gone: done too */
	cJSON_ArrayForEach(e, ctl_reply_list_get(reply, CTL_CAPTURES))
	{
		struct ctl_capture c;

		if (ctl_capture_from_json(e, &c) == 0 && c.id == id)
			*ret_done = c.done;
	}
	return 0;
}

/* Waits for Ctrl-C (or SIGTERM), the duration, the count, or the switch's end. */
static int
capture_wait(int sock, int sigfd, uint32_t id, const struct ctl_request *req,
             const struct client_capture_opts *copts)
{
	uint64_t start = (uint64_t)monotime_ms();

	for (;;) {
		struct pollfd pfd[2] = { { .fd = sigfd, .events = POLLIN },
			                 { .fd = sock, .events = POLLIN } };
		int timeout = req->count ? 100 : -1;
		bool done = false;

		if (copts->duration_ms) {
			uint64_t spent = (uint64_t)monotime_ms() - start;

			if (spent >= copts->duration_ms)
				return 0;
			if (timeout < 0 || copts->duration_ms - spent < (uint64_t)timeout)
				timeout = (int)(copts->duration_ms - spent);
		}
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return -errno;
		if (pfd[0].revents)
			return 0;
		if (pfd[1].revents)
			return -ECONNRESET; /* the switch hung up, or spoke out of turn */
		if (req->count) {
			int r = capture_done(sock, id, &done);

			if (r < 0)
				return r;
			if (done)
				return 0;
		}
	}
}

int
client_capture(const char *socket_path, char **args, const struct ctl_request *opts,
               const struct client_capture_opts *copts)
{
	struct ctl_request req = { .op = CTL_CAPTURE,
		                   .snaplen = opts->snaplen,
		                   .count = opts->count };
	_cleanup_json_ cJSON *reply = NULL, *stopped = NULL;
	_cleanup_free_ char *err = NULL;
	_cleanup_close_ int sock = -1, file = -1, sigfd = -1;
	const char *path = copts->write;
	sigset_t mask;
	struct ctl_capture done;
	uint32_t id;
	int r, out;

	if (!path) {
		if (isatty(STDOUT_FILENO))
			return log_usage_error("%s", "capture writes pcapng: give -w FILE, or -w - "
			                             "to write to a pipe");
		path = "-";
	}
	sock = unix_connect(socket_path);
	if (sock < 0) {
		log_error_errno(sock, "connect to '%s'", socket_path);
		return 1;
	}
	r = capture_names(sock, args, &req);
	if (r)
		return r;
	if (strcmp(path, "-")) {
		file = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (file < 0) {
			log_error_errno(-errno, "open '%s'", path);
			return 1;
		}
	}
	out = file >= 0 ? file : STDOUT_FILENO;
	/* Ctrl-C ends the capture, not the client: the summary still comes. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (sigfd = signalfd(-1, &mask, SFD_CLOEXEC)) < 0) {
		log_error_errno(-errno, "signalfd");
		return 1;
	}
	r = ctl_call(sock, &req, out, &reply, &err);
	if (r < 0) {
		log_error("capture: %s", r == -EREMOTEIO ? err : strerror(-r));
		return 1;
	}
	if (ctl_reply_capture_id(reply, &id) < 0) {
		log_error("capture: the switch's reply has no capture ID");
		return 1;
	}
	/* The switch writes through its own copy; ours would only delay the reader's end. */
	file = safe_close(file);
	r = capture_wait(sock, sigfd, id, &req, copts);
	if (r == -ECONNRESET) {
		log_error("capture: the switch at '%s' hung up", socket_path);
		return 1;
	}
	if (r < 0) {
		log_error_errno(r, "capture on '%s'", socket_path);
		return 1;
	}
	req = (struct ctl_request){ .op = CTL_CAPTURE_STOP, .capture = id };
	free(err);
	err = NULL;
	r = ctl_call(sock, &req, -1, &stopped, &err);
	if (r < 0) {
		log_error("capture-stop: %s", r == -EREMOTEIO ? err : strerror(-r));
		return 1;
	}
	if (ctl_capture_from_json(stopped, &done) < 0) {
		log_error("capture-stop: the switch's reply has no counts");
		return 1;
	}
	fprintf(stderr, "%llu frames captured, %llu dropped\n", (unsigned long long)done.frames,
	        (unsigned long long)done.dropped);
	return 0;
}
