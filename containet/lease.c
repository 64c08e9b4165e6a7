/*
 * The segments' addressing as the switch keeps it: the lease table (ipam.c decides, this
 * file does the I/O), its state file, and what attach asks for.  The state file holds one
 * lease a line (ipam_lease_format); it is rewritten whole, temp + fsync + rename, before
 * any answer that hands a new address out, so an address survives kill -9 of the switch
 * (and a crash of the machine) the moment a node has been told it.  Changes that only
 * move a lease's last use or end are saved by the next tick.
 */
#include "switch.h"

#include "cleanup.h"
#include "fileio.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_FILE "leases"
#define LEASE_FILE_MAX (IPAM_LEASES_MAX * 160)

uint64_t
lease_clock(void)
{
	return (uint64_t)time(NULL);
}

int
lease_init(struct sw *sw)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned lineno = 0, bad = 0;
	int r;

	if (!sw->cfg.state_dir)
		return 0;
	if (asprintf(&sw->lease_path, "%s/" LEASE_FILE, sw->cfg.state_dir) < 0) {
		sw->lease_path = NULL;
		return -ENOMEM;
	}
	r = read_file_at(AT_FDCWD, sw->lease_path, LEASE_FILE_MAX, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		log_error_errno(r, "read the leases '%s'", sw->lease_path);
		return r;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ipam_lease l;

		lineno++;
		if (ipam_lease_parse(line, &l) < 0 || ipam_load(&sw->ipam, &l) < 0) {
			if (bad++ < 5)
				log_warn("%s:%u: not a lease, ignoring", sw->lease_path, lineno);
			continue;
		}
	}
	sw->ipam.dirty = sw->ipam.urgent = false;
	log_info("%u leases from %s", sw->ipam.n, sw->lease_path);
	return 0;
}

int
lease_save(struct sw *sw)
{
	_cleanup_free_ char *buf = NULL;
	size_t size, len = 0;
	int r;

	if (!sw->ipam.dirty || !sw->lease_path)
		return 0;
	size = (size_t)sw->ipam.n * 160 + 1;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (uint32_t i = 0; i < sw->ipam.n; i++) {
		r = ipam_lease_format(&sw->ipam.v[i], buf + len, size - len);
		if (r < 0)
			return r;
		len += r;
	}
	/* Made with the first lease: a switch without addressing leaves nothing behind. */
	r = mkdir_p(sw->cfg.state_dir, 0700);
	if (r >= 0)
		r = write_file_atomic(sw->lease_path, buf, len, ATOMIC_SYNC);
	if (r < 0) {
		log_warn_errno(r, "save the leases to '%s'", sw->lease_path);
		return r;
	}
	sw->ipam.dirty = sw->ipam.urgent = false;
	return 0;
}

bool
lease_busy(const struct ipam_lease *l, void *userdata)
{
	const struct sw *sw = userdata;
	char name[CTL_PORT_NAME_MAX];
	uint32_t idx;

	if (ctl_port_name(l->node, l->ifname, name) < 0)
		return false;
	idx = port_find(sw, name);
	return idx != UINT32_MAX && !strcmp(sw->segs[sw->ports[idx].seg].name, l->segment);
}

static void
lease_addr_text(uint32_t host, char ret[CTL_ADDR_MAX])
{
	struct in_addr a = { htonl(host) };

	inet_ntop(AF_INET, &a, ret, CTL_ADDR_MAX);
}

/* A static address: recorded in the subnet, refused when an attached node holds it. */
static int
lease_static(struct sw *sw, uint32_t seg, const struct ctl_request *req, uint32_t *ret_ipv4,
             char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	const struct ipam_lease *holder = NULL;
	char addr[CTL_ADDR_MAX];
	struct in_addr a;
	unsigned len;
	int r;

	if (ctl_prefix_parse(req->ipv4, AF_INET, &a, &len) < 0)
		return -EINVAL;
	*ret_ipv4 = ntohl(a.s_addr);
	if (!s->addr.len)
		return 0;
	r = ipam_static(&sw->ipam, s->name, &s->addr, req->node, req->ifname, *ret_ipv4,
	                lease_clock(), lease_busy, sw, &holder);
	if (r == -EADDRINUSE) {
		lease_addr_text(*ret_ipv4, addr);
		if (holder->kind == IPAM_DHCP)
			r = asprintf(ret_error,
			             "address %s of node '%s' (%s) is leased by DHCP to another "
			             "client on segment '%s'",
			             addr, req->node, req->ifname, s->name);
		else
			r = asprintf(ret_error,
			             "address %s of node '%s' (%s) is held by node '%s' (%s) on "
			             "segment '%s'",
			             addr, req->node, req->ifname, holder->node, holder->ifname,
			             s->name);
		if (r < 0)
			*ret_error = NULL;
		return -EADDRINUSE;
	}
	return r;
}

static int
lease_auto(struct sw *sw, uint32_t seg, const struct ctl_request *req, struct ctl_assign *a,
           uint32_t *ret_ipv4, char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	char addr[CTL_ADDR_MAX];
	int r;

	if (!s->addr.len) {
		if (asprintf(ret_error, "\"ipv4\":\"auto\": segment '%s' has no subnet", s->name) <
		    0)
			*ret_error = NULL;
		return -EINVAL;
	}
	r = ipam_auto(&sw->ipam, s->name, &s->addr, req->node, req->ifname, lease_clock(),
	              lease_busy, sw, ret_ipv4);
	if (r == -ENOSPC) {
		if (asprintf(ret_error,
		             "segment '%s' has no free address left: all %u of its pool are held "
		             "by attached nodes",
		             s->name, ipam_pool_size(&s->addr)) < 0)
			*ret_error = NULL;
		return r;
	}
	if (r < 0)
		return r;
	lease_addr_text(*ret_ipv4, addr);
	snprintf(a->ipv4, sizeof(a->ipv4), "%s/%u", addr, s->addr.len);
	if (s->addr.gateway)
		lease_addr_text(s->addr.gateway, a->gateway);
	if (s->addr.dns)
		lease_addr_text(s->addr.service, a->dns[a->ndns++]);
	return 0;
}

int
lease_attach(struct sw *sw, uint32_t seg, const struct ctl_request *req, struct ctl_assign *ret,
             uint32_t *ret_ipv4, char **ret_error)
{
	const struct segment *s = &sw->segs[seg];
	/* Every node hears the segment's MTU, whatever it asks about addresses. */
	struct ctl_assign a = { .mtu = s->mtu };
	int r = 0;

	*ret_ipv4 = 0;
	*ret_error = NULL;
	if (!strcmp(req->ipv4, CTL_AUTO))
		r = lease_auto(sw, seg, req, &a, ret_ipv4, ret_error);
	else if (req->ipv4[0])
		r = lease_static(sw, seg, req, ret_ipv4, ret_error);
	if (r < 0)
		return r;
	if (!strcmp(req->ipv6, CTL_AUTO)) {
		char prefix[INET6_ADDRSTRLEN];

		if (!s->addr.has_v6) {
			if (asprintf(ret_error,
			             "\"ipv6\":\"auto\": segment '%s' has no IPv6 prefix",
			             s->name) < 0)
				*ret_error = NULL;
			return -EINVAL;
		}
		/* SLAAC: the node makes its address from the prefix and its own MAC. */
		inet_ntop(AF_INET6, &s->addr.v6, prefix, sizeof(prefix));
		snprintf(a.ipv6, sizeof(a.ipv6), "%s/64", prefix);
	}
	/* A new address is on disk before the node hears of it; a known one only had its
	 * last use move, which the next tick saves. */
	r = sw->ipam.urgent ? lease_save(sw) : 0;
	if (r < 0) {
		if (asprintf(ret_error, "cannot save the leases: %s", strerror(-r)) < 0)
			*ret_error = NULL;
		return r;
	}
	*ret = a;
	return 0;
}
