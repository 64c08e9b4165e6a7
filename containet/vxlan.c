#include "vxlan.h"

#include "be.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

void
vxlan_encap(uint8_t hdr[VXLAN_HDR_LEN], uint32_t vni)
{
	hdr[0] = VXLAN_FLAG_I;
	hdr[1] = hdr[2] = hdr[3] = 0;
	hdr[4] = (uint8_t)(vni >> 16);
	hdr[5] = (uint8_t)(vni >> 8);
	hdr[6] = (uint8_t)vni;
	hdr[7] = 0;
}

enum vxlan_verdict
vxlan_decap(const uint8_t *dgram, size_t len, uint32_t *ret_vni)
{
	static const uint8_t zero[6];
	const uint8_t *src;

	if (len < VXLAN_HDR_LEN + VXLAN_INNER_MIN)
		return VXLAN_DROP_SHORT;
	if (!(dgram[0] & VXLAN_FLAG_I))
		return VXLAN_DROP_FLAGS;
	if ((dgram[0] & ~VXLAN_FLAG_I) || dgram[1] || dgram[2] || dgram[3] || dgram[7])
		return VXLAN_DROP_RESERVED;
	src = dgram + VXLAN_HDR_LEN + 6;
	if ((src[0] & 1) || !memcmp(src, zero, 6))
		return VXLAN_DROP_INNER_SRC;
	*ret_vni = (uint32_t)dgram[4] << 16 | (uint32_t)dgram[5] << 8 | dgram[6];
	return VXLAN_OK;
}

const char *
vxlan_verdict_name(enum vxlan_verdict v)
{
	static const char *const names[] = {
		[VXLAN_OK] = "ok",
		[VXLAN_DROP_SHORT] = "short",
		[VXLAN_DROP_FLAGS] = "no I flag",
		[VXLAN_DROP_RESERVED] = "reserved bits set",
		[VXLAN_DROP_INNER_SRC] = "bad inner source",
		[VXLAN_DROP_UNKNOWN_VNI] = "unknown VNI",
		[VXLAN_DROP_REMOTE] = "not from a remote",
		[VXLAN_DROP_LOCAL_SRC] = "inner source is local",
		[VXLAN_DROP_OVERSIZE] = "oversize",
	};

	return (unsigned)v < VXLAN_VERDICTS ? names[v] : "?";
}

static inline uint64_t
mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

static uint64_t
mix_bytes(uint64_t h, const uint8_t *p, size_t n)
{
	while (n >= 4) {
		h = mix(h,
		        (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3]);
		p += 4;
		n -= 4;
	}
	while (n--)
		h = mix(h, *p++);
	return h;
}

uint16_t
vxlan_source_port(const uint8_t *frame, size_t len, uint64_t key)
{
	uint64_t h = key;
	size_t off = 12;
	uint16_t type;
	uint8_t proto = 0;
	size_t l4 = 0;

	if (len < 14)
		return VXLAN_SPORT_MIN;
	type = be_get16(frame + off);
	if (type == 0x8100 && len >= 18) {
		off += 4;
		type = be_get16(frame + off);
	}
	off += 2;
	if (type == 0x0800 && len >= off + 20 && (frame[off] >> 4) == 4) {
		proto = frame[off + 9];
		h = mix_bytes(h, frame + off + 12, 8);
		/* Fragments after the first have no ports: the addresses alone keep them together.
		 */
		if (!(be_get16(frame + off + 6) & 0x3fff))
			l4 = off + (size_t)(frame[off] & 0xf) * 4;
	} else if (type == 0x86dd && len >= off + 40) {
		proto = frame[off + 6];
		h = mix_bytes(h, frame + off + 8, 32);
		l4 = off + 40;
	} else {
		h = mix_bytes(h, frame, 12);
	}
	h = mix(h, type);
	h = mix(h, proto);
	if (l4 && (proto == 6 || proto == 17) && len >= l4 + 4)
		h = mix_bytes(h, frame + l4, 4);
	h ^= h >> 32;
	return (uint16_t)(VXLAN_SPORT_MIN +
	                  (((h & 0xffffffff) * (VXLAN_SPORT_MAX - VXLAN_SPORT_MIN + 1)) >> 32));
}

uint32_t
vxlan_segment_mtu(uint32_t underlay_mtu, bool ipv6)
{
	uint32_t o = ipv6 ? VXLAN_OVERHEAD6 : VXLAN_OVERHEAD4;

	return underlay_mtu > o ? underlay_mtu - o : 0;
}

int
vxlan_addr_parse(const char *text, struct vxlan_addr *ret)
{
	struct vxlan_addr a = {};

	if (inet_pton(AF_INET, text, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a.v6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

void
vxlan_addr_format(const struct vxlan_addr *a, char buf[INET6_ADDRSTRLEN])
{
	if (!inet_ntop(a->family, &a->v6, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "?");
}

bool
vxlan_addr_equal(const struct vxlan_addr *a, const struct vxlan_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET ? a->v4.s_addr == b->v4.s_addr
	                            : !memcmp(&a->v6, &b->v6, sizeof(a->v6));
}

int
vxlan_addr_find(const struct vxlan_addr *list, unsigned n, const struct vxlan_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (vxlan_addr_equal(&list[i], a))
			return (int)i;
	return -1;
}

static bool
addr_unicast(const struct vxlan_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t v = ntohl(a->v4.s_addr);

		return v != 0 && v != 0xffffffff && (v >> 28) != 0xe;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(&a->v6) && !IN6_IS_ADDR_MULTICAST(&a->v6);
}

int
vxlan_remotes_parse(const char *text, struct vxlan_addr ret[VXLAN_REMOTES_MAX],
                    const char **ret_error)
{
	struct vxlan_addr out[VXLAN_REMOTES_MAX];
	const char *p = text;
	unsigned n = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char item[INET6_ADDRSTRLEN];

		if (len == 0 || len >= sizeof(item)) {
			*ret_error = "remotes are IP addresses separated by commas";
			return -EINVAL;
		}
		if (n == VXLAN_REMOTES_MAX) {
			*ret_error = "too many remotes (at most 16)";
			return -E2BIG;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (vxlan_addr_parse(item, &out[n]) < 0) {
			*ret_error = "a remote is not an IPv4 or IPv6 address";
			return -EINVAL;
		}
		if (!addr_unicast(&out[n])) {
			*ret_error = "a remote must be a unicast address";
			return -EINVAL;
		}
		if (n && out[n].family != out[0].family) {
			*ret_error = "remotes must all be IPv4 or all IPv6";
			return -EINVAL;
		}
		if (vxlan_addr_find(out, n, &out[n]) >= 0) {
			*ret_error = "a remote is listed twice";
			return -EINVAL;
		}
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	memcpy(ret, out, n * sizeof(*out));
	return (int)n;
}
