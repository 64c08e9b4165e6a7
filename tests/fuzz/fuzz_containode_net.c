/*
 * The network options of a node: each line one option, its first byte which ('n' --net,
 * 'r' --route, 'g' -g, 's' '4' '6' 'i' the first interface's switch, ipv4, ipv6 and
 * ifname), the rest its value; then the checks after the options and the MACs.  A refusal
 * always says why; a plan that passes has unique names and MACs (unicast, not zero) and
 * a gateway on some interface for every route.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "containode/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
one_option(struct plan *p, char kind, const char *value, char *why)
{
	struct plan_net n;
	int r;

	switch (kind) {
	case 'n':
		r = plan_net_parse(&n, value, why);
		if (r >= 0 && (r = plan_net_add(p, &n)) < 0)
			plan_net_free(&n);
		return r == -E2BIG ? 0 : r;
	case 'r':
		return plan_route_add(p, value, why);
	case 'g':
		return plan_gateway_add(p, value, why);
	case 's':
		return plan_net_set(&p->first, "switch", value, why);
	case '4':
		return plan_net_set(&p->first, "ipv4", value, why);
	case '6':
		return plan_net_set(&p->first, "ipv6", value, why);
	case 'i':
		return plan_net_set(&p->first, "ifname", value, why);
	default:
		return 0;
	}
}

static void
check_plan(const struct plan *p)
{
	assert(p->n_net <= PLAN_NET_MAX && p->first.keys == 0);
	for (size_t i = 0; i < p->n_net; i++) {
		const struct plan_net *a = &p->net[i];

		assert(a->ifname[0] && strlen(a->ifname) < IFNAMSIZ);
		assert(!(a->mac[0] & 1));
		assert(a->mac[0] | a->mac[1] | a->mac[2] | a->mac[3] | a->mac[4] | a->mac[5]);
		for (size_t j = i + 1; j < p->n_net; j++) {
			assert(strcmp(a->ifname, p->net[j].ifname));
			assert(memcmp(a->mac, p->net[j].mac, 6));
		}
	}
	for (size_t i = 0; i < p->n_routes; i++) {
		char text[128];

		assert(plan_route_net(p, &p->routes[i]) >= 0);
		plan_route_format(&p->routes[i], text, sizeof(text));
		assert(strstr(text, " via "));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = strndup((const char *)data, size);
	char why[PLAN_WHY_MAX];
	struct plan p;
	int r = 0;

	if (!text)
		return 0;
	plan_init(&p);
	strcpy(p.id, "node1");
	for (char *line = text, *next; line && r >= 0; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line)
			continue;
		why[0] = '\0';
		r = one_option(&p, line[0], line + 1, why);
		assert(r >= 0 || r == -ENOMEM || (r == -EINVAL && why[0]));
	}
	if (r >= 0) {
		why[0] = '\0';
		r = plan_net_finish(&p, why);
		assert(r >= 0 || why[0]);
	}
	if (r >= 0) {
		why[0] = '\0';
		r = plan_net_macs(&p, why);
		assert(r >= 0 || why[0]);
	}
	if (r >= 0)
		check_plan(&p);
	plan_free(&p);
	return 0;
}
