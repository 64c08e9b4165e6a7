#include "labnet.h"

#include "cleanup.h"
#include "errtext.h"
#include "strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

union sa {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t
sa_make(union sa *sa, const char *addr, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, addr, &sa->in.sin_addr) == 1) {
		sa->in.sin_family = AF_INET;
		sa->in.sin_port = htons(port);
		return sizeof(sa->in);
	}
	if (inet_pton(AF_INET6, addr, &sa->in6.sin6_addr) == 1) {
		sa->in6.sin6_family = AF_INET6;
		sa->in6.sin6_port = htons(port);
		return sizeof(sa->in6);
	}
	return 0;
}

int
labnet_addresses(const struct lab *lab, char ***ret, char **ret_error)
{
	_cleanup_strv_ char **v = NULL;

	for (size_t i = 0; i < lab->n_hosts; i++) {
		const char *a = lab->host_addrs[i] ? lab->host_addrs[i] : lab->hosts[i];
		struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *ai = NULL;
		char text[INET6_ADDRSTRLEN];
		union sa sa;
		int e;

		if (sa_make(&sa, a, 0)) {
			if (strv_push(&v, strdup(a)) < 0)
				return -ENOMEM;
			continue;
		}
		e = getaddrinfo(a, NULL, &hints, &ai);
		if (e != 0)
			return error_set(ret_error, -EINVAL,
			                 "lab.ext:%u: host '%s' of LAB_HOSTS has no address (%s): "
			                 "give it as %s=ADDR",
			                 lab->hosts_line, a, gai_strerror(e), a);
		if (ai->ai_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, text,
			          sizeof(text));
		else
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, text,
			          sizeof(text));
		freeaddrinfo(ai);
		if (strv_push(&v, strdup(text)) < 0)
			return -ENOMEM;
	}
	*ret = TAKE_PTR(v);
	return 0;
}

/* Whether addr is an address of one of this machine's (network namespace's) interfaces. */
static bool
is_local(const struct ifaddrs *ifs, const char *addr)
{
	union sa want;

	if (!sa_make(&want, addr, 0))
		return false;
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		const struct sockaddr *a = i->ifa_addr;

		if (!a || a->sa_family != want.sa.sa_family)
			continue;
		if (a->sa_family == AF_INET &&
		    ((const struct sockaddr_in *)a)->sin_addr.s_addr == want.in.sin_addr.s_addr)
			return true;
		if (a->sa_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &want.in6.sin6_addr,
		           sizeof(struct in6_addr)) == 0)
			return true;
	}
	return false;
}

int
labnet_local_host(const struct lab *lab, char *const *addrs, size_t *ret, char **ret_error)
{
	struct ifaddrs *ifs = NULL;
	ssize_t found = -1;

	if (getifaddrs(&ifs) < 0)
		return error_set(ret_error, -errno, "list this machine's addresses: %s",
		                 strerror(errno));
	for (size_t i = 0; i < lab->n_hosts; i++) {
		if (!is_local(ifs, addrs[i]))
			continue;
		if (found >= 0) {
			freeifaddrs(ifs);
			return error_set(ret_error, -EINVAL,
			                 "lab.ext:%u: both '%s' and '%s' of LAB_HOSTS are this "
			                 "machine: say which one with --host NAME",
			                 lab->hosts_line, lab->hosts[found], lab->hosts[i]);
		}
		found = i;
	}
	freeifaddrs(ifs);
	if (found < 0)
		return 0;
	*ret = found;
	return 1;
}

/* The path MTU towards addr as the routing table has it (the underlay's), or -errno. */
static int
path_mtu(const char *addr, uint16_t port)
{
	union sa sa;
	socklen_t len = sa_make(&sa, addr, port);
	_cleanup_close_ int fd = len ? socket(sa.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0) : -1;
	bool v4 = sa.sa.sa_family == AF_INET;
	socklen_t mlen;
	int mtu;

	if (fd < 0)
		return len ? -errno : -EINVAL;
	if (connect(fd, &sa.sa, len) < 0)
		return -errno;
	mlen = sizeof(mtu);
	if (getsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? IP_MTU : IPV6_MTU, &mtu, &mlen) < 0)
		return -errno;
	return mtu;
}

struct labnet_stretch *
labnet_stretch_free(struct labnet_stretch *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i].remotes);
	free(s);
	return NULL;
}

/* The remotes, underlay MTU and slice of stretched segment si of lab, for part's g. */
static int
stretch_one(const struct lab *lab, const struct labhost *h, char *const *addrs, size_t si,
            struct labnet_stretch *g, char **ret_error)
{
	const struct lab_segment *seg = &lab->segments[si];
	const struct labhost_segment *hs = &h->segments[si];
	_cleanup_free_ char *remotes = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&remotes, &len);
	int least = 0, n = 0;
	bool v6 = strchr(addrs[h->self], ':') != NULL;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < h->n_hosts; i++) {
		int mtu;

		if (i == h->self || !h->on[si * h->n_hosts + i])
			continue;
		fprintf(f, "%s%s", n++ ? "," : "", addrs[i]);
		mtu = path_mtu(addrs[i], h->port);
		if (mtu < 0) {
			fclose(f);
			return error_set(
			        ret_error, -EINVAL,
			        "segment '%s' spans machines, but machine '%s' (%s) has no "
			        "route from here: %s",
			        seg->name, lab->hosts[i], addrs[i], strerror(-mtu));
		}
		if (least == 0 || mtu < least)
			least = mtu;
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	g->on = true;
	g->vni = hs->vni;
	g->remotes = TAKE_PTR(remotes);
	g->local = addrs[h->self];
	g->port = h->port;
	g->underlay = least;
	g->slice = hs->slice;
	g->slices = hs->machines;
	g->services = hs->owner == h->self;
	if (least <= (v6 ? LABNET_OVERHEAD6 : LABNET_OVERHEAD4) + 68)
		return error_set(ret_error, -EINVAL,
		                 "segment '%s': the underlay's MTU %d is too small for VXLAN",
		                 seg->name, least);
	g->mtu = least - (v6 ? LABNET_OVERHEAD6 : LABNET_OVERHEAD4);
	if (seg->val[LAB_SEG_MTU]) {
		unsigned given = strtoul(seg->val[LAB_SEG_MTU], NULL, 10);

		if (given > g->mtu)
			return error_set(
			        ret_error, -EINVAL,
			        "lab.ext:%u: mtu %u of '%s' is more than the %u its VXLAN "
			        "underlay carries (path MTU %d towards the other machines, "
			        "less %d bytes of headers)",
			        seg->line[LAB_SEG_MTU], given, seg->name, g->mtu, least,
			        v6 ? LABNET_OVERHEAD6 : LABNET_OVERHEAD4);
		g->mtu = given;
		g->mtu_given = true;
	}
	return 0;
}

int
labnet_stretch(const struct lab *lab, const struct labhost *h, char *const *addrs,
               const struct lab *part, struct labnet_stretch **ret, char **ret_error)
{
	struct labnet_stretch *s = calloc(part->n_segments + 1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < part->n_segments; i++) {
		ssize_t si = labconf_segment_index(lab, part->segments[i].name);
		int r;

		if (si < 0 || !labhost_stretched(h, si))
			continue;
		r = stretch_one(lab, h, addrs, si, &s[i], ret_error);
		if (r < 0) {
			labnet_stretch_free(s, part->n_segments);
			return r;
		}
	}
	*ret = s;
	return 0;
}
