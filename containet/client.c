/* Client mode: one request to a running switch, its reply printed as a table or as JSON. */
#include "client.h"

#include "ctl.h"
#include "log.h"
#include "unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The widest of the header and every entry's string member key. */
static int
column_width(const cJSON *list, const char *key, const char *header)
{
	int w = strlen(header);
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
	{
		const char *v = json_string(e, key);

		if (v && (int)strlen(v) > w)
			w = strlen(v);
	}
	return w;
}

static void
print_ports(const cJSON *reply)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(reply, "ports"), *e;
	int wn = column_width(list, "name", "PORT"), ws = column_width(list, "segment", "SEGMENT");

	printf("%-*s %-*s %-4s %-17s %-10s %12s %14s %12s %14s %8s\n", wn, "PORT", ws, "SEGMENT",
	       "KIND", "MAC", "STATE", "RX-FRAMES", "RX-BYTES", "TX-FRAMES", "TX-BYTES", "DROPS");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_port p;
		char mac[MAC_STRLEN] = "-";

		if (ctl_port_from_json(e, &p) < 0)
			continue;
		if (p.has_mac)
			mac_format(p.mac, mac);
		printf("%-*s %-*s %-4s %-17s %-10s %12llu %14llu %12llu %14llu %8llu\n", wn, p.name,
		       ws, p.segment[0] ? p.segment : "-", p.kind[0] ? p.kind : "-", mac, p.state,
		       (unsigned long long)p.rx_frames, (unsigned long long)p.rx_bytes,
		       (unsigned long long)p.tx_frames, (unsigned long long)p.tx_bytes,
		       (unsigned long long)p.drops);
	}
}

static void
print_fdb(const cJSON *reply)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(reply, "fdb"), *e;
	int wp = column_width(list, "port", "PORT"), ws = column_width(list, "segment", "SEGMENT");

	printf("%-*s %4s %-17s %-*s %6s\n", ws, "SEGMENT", "VLAN", "MAC", wp, "PORT", "AGE");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_fdb_entry f;
		char mac[MAC_STRLEN];

		if (ctl_fdb_from_json(e, &f) < 0)
			continue;
		mac_format(f.mac, mac);
		printf("%-*s %4u %-17s %-*s %5us\n", ws, f.segment[0] ? f.segment : "-", f.vlan,
		       mac, wp, f.port, f.age);
	}
}

/* What a segment's local endpoint serves, for the SERVES column. */
static void
segment_serves(const struct ctl_segment *s, char *ret, size_t size)
{
	snprintf(ret, size, "%s%s%s%s", s->dhcp[0] ? "dhcp " : "", s->dns ? "dns " : "",
		 s->ipv6[0] ? "ra " : "", s->ipv6);
	if (!ret[0])
		snprintf(ret, size, "-");
}

static void
print_segments(const cJSON *reply)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(reply, "segments"), *e;
	int ws = column_width(list, "name", "SEGMENT"), wv = strlen("SERVES");
	struct ctl_segment s;
	char serves[96];

	/* Every row as wide as the header: the last column is padded to its widest. */
	cJSON_ArrayForEach(e, list)
	{
		if (ctl_segment_from_json(e, &s) < 0)
			continue;
		segment_serves(&s, serves, sizeof(serves));
		if ((int)strlen(serves) > wv)
			wv = strlen(serves);
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
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(reply, "leases"), *e;
	int ws = column_width(list, "segment", "SEGMENT"), wn = column_width(list, "node", "NODE");

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
			 opts->dns;
	int nargs = 0;

	while (args[nargs])
		nargs++;
	*ret = (struct ctl_request){};
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
			return log_usage_error("%s", "--mtu, --subnet, --service, --gateway, --dhcp, "
						     "--ipv6 and --dns go with 'segment add'");
		ret->mtu = opts->mtu;
		strcpy(ret->subnet, opts->subnet);
		strcpy(ret->service, opts->service);
		strcpy(ret->gateway, opts->gateway);
		strcpy(ret->dhcp, opts->dhcp);
		strcpy(ret->ipv6, opts->ipv6);
		ret->dns = opts->dns;
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
	} else if (!strcmp(cmd, "leases")) {
		ret->op = CTL_LEASES;
		if (sub && !ctl_segment_valid(sub))
			return log_usage_error("'%s' is not a segment name", sub);
		if (sub)
			strcpy(ret->segment, sub);
		if (nargs > 2)
			return log_usage_error("unexpected argument '%s'", args[2]);
	} else {
		return log_usage_error("unknown command '%s' (try ports, fdb, segments, segment "
		                       "add|del, host add|del, leases)",
		                       cmd);
	}
	if (opts->mtu && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--mtu goes with 'segment add'");
	if (host_opts && ret->op != CTL_HOST_ADD)
		return log_usage_error("%s", "--segment, --ipv4 and --masquerade go with "
		                             "'host add'");
	if (opts->ipv6[0] && ret->op != CTL_HOST_ADD && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--ipv6 goes with 'host add' or 'segment add'");
	if (addr_opts && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--subnet, --service, --gateway, --dhcp and --dns go "
					     "with 'segment add'");
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
	} else if (req.op == CTL_LEASES) {
		print_leases(reply);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
