#include "client.h"

#include "ctl.h"
#include "log.h"
#include "unixsock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void
print_ports(const cJSON *reply)
{
	const cJSON *e;

	printf("%-28s %-10s %12s %14s %12s %14s %8s\n", "PORT", "STATE", "RX-FRAMES", "RX-BYTES",
	       "TX-FRAMES", "TX-BYTES", "DROPS");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(reply, "ports"))
	{
		struct ctl_port p;

		if (ctl_port_from_json(e, &p) < 0)
			continue;
		printf("%-28s %-10s %12llu %14llu %12llu %14llu %8llu\n", p.name, p.state,
		       (unsigned long long)p.rx_frames, (unsigned long long)p.rx_bytes,
		       (unsigned long long)p.tx_frames, (unsigned long long)p.tx_bytes,
		       (unsigned long long)p.drops);
	}
}

static void
print_fdb(const cJSON *reply)
{
	const cJSON *e;

	printf("%-18s %-28s %6s\n", "MAC", "PORT", "AGE");
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(reply, "fdb"))
	{
		struct ctl_fdb_entry f;
		char mac[MAC_STRLEN];

		if (ctl_fdb_from_json(e, &f) < 0)
			continue;
		mac_format(f.mac, mac);
		printf("%-18s %-28s %5us\n", mac, f.port, f.age);
	}
}

int
client_run(const char *socket_path, const char *command, bool json)
{
	struct ctl_request req = {};
	_cleanup_json_ cJSON *reply = NULL;
	_cleanup_free_ char *err = NULL, *text = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	if (!strcmp(command, "ports"))
		req.op = CTL_PORTS;
	else if (!strcmp(command, "fdb"))
		req.op = CTL_FDB;
	else {
		log_error("unknown command '%s' (try 'ports' or 'fdb')", command);
		return 2;
	}
	fd = unix_connect(socket_path);
	if (fd < 0) {
		log_error_errno(fd, "connect to '%s'", socket_path);
		return 1;
	}
	r = ctl_call(fd, &req, -1, &reply, &err);
	if (r == -EREMOTEIO) {
		log_error("%s: %s", command, err);
		return 1;
	}
	if (r < 0) {
		log_error_errno(r, "%s on '%s'", command, socket_path);
		return 1;
	}
	if (json) {
		text = cJSON_PrintUnformatted(reply);
		if (!text)
			return 1;
		puts(text);
	} else if (req.op == CTL_PORTS) {
		print_ports(reply);
	} else {
		print_fdb(reply);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
