/*
 * Segments: named broadcast domains inside the switch.  Membership alone separates them
 * (a frame's own 802.1Q tag never does), so each keeps a dense list of its ports, which
 * is what a flood walks.  "default" is slot 0 and always exists.
 */
#include "switch.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
segment_make(struct sw *sw, uint32_t idx, const char *name, uint32_t mtu)
{
	struct segment *s = &sw->segs[idx];

	s->members = calloc(sw->cfg.max_ports, sizeof(*s->members));
	if (!s->members)
		return -ENOMEM;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->mtu = mtu;
	s->nmembers = 0;
	sw->nsegs++;
	return 0;
}

int
segment_init(struct sw *sw)
{
	sw->segs = calloc(SEGMENT_MAX, sizeof(*sw->segs));
	if (!sw->segs)
		return -ENOMEM;
	return segment_make(sw, 0, CTL_SEGMENT_DEFAULT, CTL_MTU_DEFAULT);
}

void
segment_free(struct sw *sw)
{
	for (uint32_t i = 0; i < SEGMENT_MAX && sw->segs; i++) {
		free(sw->segs[i].members);
		endpoint_free(sw, i);
	}
	free(sw->segs);
	sw->segs = NULL;
}

uint32_t
segment_find(const struct sw *sw, const char *name)
{
	if (!name[0])
		return 0;
	for (uint32_t i = 0; i < SEGMENT_MAX; i++)
		if (sw->segs[i].name[0] && !strcmp(sw->segs[i].name, name))
			return i;
	return UINT32_MAX;
}

int
segment_add(struct sw *sw, const char *name, uint32_t mtu, uint32_t *ret_idx)
{
	uint32_t idx;
	int r;

	if (segment_find(sw, name) != UINT32_MAX)
		return -EEXIST;
	for (idx = 0; idx < SEGMENT_MAX && sw->segs[idx].name[0]; idx++)
		;
	if (idx == SEGMENT_MAX)
		return -ENOSPC;
	r = segment_make(sw, idx, name, mtu ? mtu : CTL_MTU_DEFAULT);
	if (r < 0)
		return r;
	*ret_idx = idx;
	return 0;
}

int
segment_del(struct sw *sw, uint32_t idx)
{
	struct segment *s = &sw->segs[idx];

	if (idx == 0)
		return -EPERM;
	if (s->nmembers)
		return -EBUSY;
	free(s->members);
	endpoint_free(sw, idx);
	memset(s, 0, sizeof(*s));
	sw->nsegs--;
	return 0;
}

void
segment_join(struct sw *sw, uint32_t seg, uint32_t port)
{
	struct segment *s = &sw->segs[seg];

	sw->ports[port].seg = seg;
	sw->ports[port].seg_pos = s->nmembers;
	s->members[s->nmembers++] = port;
}

void
segment_leave(struct sw *sw, uint32_t port)
{
	struct port *p = &sw->ports[port];
	struct segment *s = &sw->segs[p->seg];
	uint32_t last = s->members[--s->nmembers];

	s->members[p->seg_pos] = last;
	sw->ports[last].seg_pos = p->seg_pos;
}

void
segment_describe(const struct sw *sw, uint32_t idx, struct ctl_segment *ret)
{
	const struct segment *s = &sw->segs[idx];

	const struct ipam_pool *a = &s->addr;
	struct in_addr v4;

	memset(ret, 0, sizeof(*ret));
	snprintf(ret->name, sizeof(ret->name), "%s", s->name);
	ret->mtu = s->mtu;
	ret->ports = s->nmembers;
	if (a->len) {
		v4.s_addr = htonl(a->net);
		inet_ntop(AF_INET, &v4, ret->subnet, sizeof(ret->subnet));
		snprintf(ret->subnet + strlen(ret->subnet),
		         sizeof(ret->subnet) - strlen(ret->subnet), "/%u", a->len);
		/* DHCP's share only where this switch serves it. */
		ret->addresses =
		        ipam_pool_size(a) +
		        (a->dhcp_first && !a->no_services ? a->dhcp_hi - a->dhcp_lo + 1 : 0);
		ret->leased = ipam_used(&sw->ipam, s->name, a, lease_clock());
	}
	if (a->service) {
		v4.s_addr = htonl(a->service);
		inet_ntop(AF_INET, &v4, ret->service, sizeof(ret->service));
	}
	if (a->gateway) {
		v4.s_addr = htonl(a->gateway);
		inet_ntop(AF_INET, &v4, ret->gateway, sizeof(ret->gateway));
	}
	if (a->dhcp_first) {
		char first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];

		v4.s_addr = htonl(a->dhcp_first);
		inet_ntop(AF_INET, &v4, first, sizeof(first));
		v4.s_addr = htonl(a->dhcp_last);
		inet_ntop(AF_INET, &v4, last, sizeof(last));
		snprintf(ret->dhcp, sizeof(ret->dhcp), "%s-%s", first, last);
	}
	if (a->has_v6) {
		inet_ntop(AF_INET6, &a->v6, ret->ipv6, sizeof(ret->ipv6));
		strcat(ret->ipv6, "/64");
	}
	snprintf(ret->domain, sizeof(ret->domain), "%s", a->domain);
	ret->no_services = a->no_services;
	if (a->slice_n)
		snprintf(ret->slice, sizeof(ret->slice), "%u/%u", a->slice_i, a->slice_n);
	ret->dns = a->dns;
}
