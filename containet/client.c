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

	printf("%-*s %-*s %-5s %-17s %-10s %12s %14s %12s %14s %8s\n", wn, "PORT", ws, "SEGMENT",
	       "KIND", "MAC", "STATE", "RX-FRAMES", "RX-BYTES", "TX-FRAMES", "TX-BYTES", "DROPS");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_port p;
		char mac[MAC_STRLEN] = "-";

		if (ctl_port_from_json(e, &p) < 0)
			continue;
		if (p.has_mac)
			mac_format(p.mac, mac);
		printf("%-*s %-*s %-5s %-17s %-10s %12llu %14llu %12llu %14llu %8llu\n", wn, p.name,
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
	int wr = column_width(list, "remote", "REMOTE");

	printf("%-*s %4s %-17s %-*s %6s %-*s\n", ws, "SEGMENT", "VLAN", "MAC", wp, "PORT", "AGE", wr,
	       "REMOTE");
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
			printf("%-*s %4u %-17s %-*s %5us %-*s\n", ws, f.segment[0] ? f.segment : "-",
			       f.vlan, mac, wp, f.port, f.age, wr, f.remote[0] ? f.remote : "-");
	}
}

static void
print_segments(const cJSON *reply)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(reply, "segments"), *e;
	int ws = column_width(list, "name", "SEGMENT");

	printf("%-*s %6s %6s\n", ws, "SEGMENT", "MTU", "PORTS");
	cJSON_ArrayForEach(e, list)
	{
		struct ctl_segment s;

		if (ctl_segment_from_json(e, &s) < 0)
			continue;
		printf("%-*s %6u %6u\n", ws, s.name, s.mtu, s.ports);
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
	bool host_opts = opts->ipv4[0] || opts->ipv6[0] || opts->masquerade;
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
			return log_usage_error("fdb %s needs a MAC address (xx:xx:xx:xx:xx:xx)", sub);
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_FDB_ADD && !opts->port[0])
			return log_usage_error("%s", "fdb add needs --port NAME");
		if (ret->op == CTL_FDB_DEL && (opts->port[0] || opts->nremote))
			return log_usage_error("%s", "--port and --remote go with 'fdb add'");
		if (ret->op == CTL_FDB_ADD && opts->segment[0])
			return log_usage_error("%s", "fdb add takes the port's segment: no --segment");
		if (opts->nremote > 1)
			return log_usage_error("%s", "fdb add takes one --remote");
		strcpy(ret->port, opts->port);
		strcpy(ret->segment, opts->segment);
		memcpy(ret->remote, opts->remote, sizeof(ret->remote));
		ret->nremote = opts->nremote;
		if (vxlan_opts || host_opts || opts->mtu)
			return log_usage_error("%s", "fdb add|del takes --port, --remote, --segment");
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
		if (ret->op == CTL_SEGMENT_DEL && opts->mtu)
			return log_usage_error("%s", "--mtu goes with 'segment add'");
		ret->mtu = opts->mtu;
	} else if (!strcmp(cmd, "host") && sub && (!strcmp(sub, "add") || !strcmp(sub, "del"))) {
		ret->op = !strcmp(sub, "add") ? CTL_HOST_ADD : CTL_HOST_DEL;
		if (!name_argument("host", args[2], ret->name, IFNAMSIZ))
			return 2;
		if (nargs > 3)
			return log_usage_error("unexpected argument '%s'", args[3]);
		if (ret->op == CTL_HOST_DEL && (host_opts || opts->segment[0]))
			return log_usage_error("%s",
			                       "--segment, --ipv4, --ipv6 and --masquerade go "
			                       "with 'host add'");
		strcpy(ret->segment, opts->segment);
		strcpy(ret->ipv4, opts->ipv4);
		strcpy(ret->ipv6, opts->ipv6);
		ret->masquerade = opts->masquerade;
	} else {
		return log_usage_error("unknown command '%s' (try ports, fdb, segments, segment "
		                       "add|del, host add|del, vxlan add|del, fdb add|del)",
		                       cmd);
	}
	if (opts->mtu && ret->op != CTL_SEGMENT_ADD)
		return log_usage_error("%s", "--mtu goes with 'segment add'");
	if ((host_opts || opts->segment[0]) && ret->op != CTL_HOST_ADD)
		return log_usage_error("%s", "--segment, --ipv4, --ipv6 and --masquerade go with "
		                             "'host add'");
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
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
