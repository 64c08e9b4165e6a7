#include "vlan.h"

#include "be.h"
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SET_WORDS ((VLAN_VID_MAX + 2) / 64)
#define VH_LEN sizeof(struct virtio_net_hdr_v1)

static inline bool
set_has(const uint64_t *set, unsigned vid)
{
	return vid < 4096 && (set[vid / 64] >> (vid % 64) & 1);
}

static inline void
set_add(uint64_t *set, unsigned vid)
{
	set[vid / 64] |= 1ULL << (vid % 64);
}

void
vlan_role_none(struct vlan_role *r)
{
	memset(r, 0, sizeof(*r));
}

int
vlan_role_access(struct vlan_role *r, unsigned vid)
{
	if (vid < VLAN_VID_MIN || vid > VLAN_VID_MAX)
		return -ERANGE;
	memset(r, 0, sizeof(*r));
	r->mode = VLAN_MODE_ACCESS;
	r->pvid = vid;
	return 0;
}

int
vlan_role_trunk(struct vlan_role *r, const char *list, unsigned native, const char **ret_error)
{
	uint64_t set[SET_WORDS];
	int ret;

	if (native > VLAN_VID_MAX) {
		if (ret_error)
			*ret_error = "the native VLAN must be between 1 and 4094";
		return -ERANGE;
	}
	ret = vlan_set_parse(set, list, ret_error, NULL);
	if (ret < 0)
		return ret;
	r->mode = VLAN_MODE_TRUNK;
	r->pvid = native;
	memcpy(r->set, set, sizeof(set));
	return 0;
}

bool
vlan_role_carries(const struct vlan_role *r, unsigned vid)
{
	switch (r->mode) {
	case VLAN_MODE_NONE:
		return vid < 4096;
	case VLAN_MODE_ACCESS:
		return vid == r->pvid;
	case VLAN_MODE_TRUNK:
		return (r->pvid && vid == r->pvid) || set_has(r->set, vid);
	}
	return false;
}

static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* One VID at *p: digits only, at most 4, between 1 and 4094. */
static int
parse_vid(const char **p, unsigned *ret, const char **ret_error)
{
	const char *s = *p;
	unsigned v = 0;
	int n = 0;

	while (*s >= '0' && *s <= '9') {
		if (++n > 4) {
			*ret_error = "VLAN IDs are between 1 and 4094";
			return -ERANGE;
		}
		v = v * 10 + (unsigned)(*s++ - '0');
	}
	if (n == 0) {
		*ret_error = "expected a VLAN ID or a range such as 100-200";
		return -EINVAL;
	}
	if (v < VLAN_VID_MIN || v > VLAN_VID_MAX) {
		*ret_error = "VLAN IDs are between 1 and 4094";
		return -ERANGE;
	}
	*p = s;
	*ret = v;
	return 0;
}

int
vlan_set_parse(uint64_t set[SET_WORDS], const char *text, const char **ret_error, size_t *ret_at)
{
	uint64_t out[SET_WORDS] = { 0 };
	const char *p = text, *item = text, *error = NULL;
	int ret = 0;

	while (is_blank(*p))
		p++;
	if (!*p) {
		error = "empty VLAN list";
		ret = -EINVAL;
		goto fail;
	}
	for (;;) {
		unsigned lo, hi;

		while (is_blank(*p))
			p++;
		item = p;
		ret = parse_vid(&p, &lo, &error);
		if (ret < 0)
			goto fail;
		hi = lo;
		if (*p == '-') {
			p++;
			ret = parse_vid(&p, &hi, &error);
			if (ret < 0)
				goto fail;
			if (hi < lo) {
				error = "a range must run upward, as in 100-200";
				ret = -EINVAL;
				goto fail;
			}
		}
		for (unsigned v = lo; v <= hi; v++)
			set_add(out, v);
		while (is_blank(*p))
			p++;
		if (!*p)
			break;
		if (*p != ',') {
			item = p;
			error = "VLAN list items are separated by commas";
			ret = -EINVAL;
			goto fail;
		}
		p++;
	}
	memcpy(set, out, sizeof(out));
	return 0;
fail:
	if (ret_error)
		*ret_error = error;
	if (ret_at)
		*ret_at = (size_t)(item - text);
	return ret;
}

int
vlan_set_format(const uint64_t set[SET_WORDS], char *buf, size_t size)
{
	_Static_assert(SET_WORDS == CTL_VLAN_WORDS, "one bit per VLAN ID in both");
	/* The protocol prints trunk sets so already: one formatter. */
	return ctl_vlan_set_format(set, buf, size);
}

/*
 * Whether the frame's offloads stay valid across a tag edit: an offset that points at or
 * before the ethertype (eth_len: the ethernet header's length, its tag included) would
 * land inside a tag that moves, and one past UINT16_MAX - 4 could not grow.  hdr_len 0
 * means "no hint", and counts only for GSO frames (the kernel sets it for those alone).
 */
static bool
offloads_editable(const struct virtio_net_hdr_v1 *vh, size_t eth_len, bool grow)
{
	unsigned max = grow ? UINT16_MAX - VLAN_TAG_LEN : UINT16_MAX;

	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    (vh->csum_start < eth_len || vh->csum_start > max))
		return false;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE && vh->hdr_len &&
	    (vh->hdr_len < eth_len || vh->hdr_len > max))
		return false;
	return true;
}

enum vlan_verdict
vlan_ingress(const struct vlan_role *r, const struct virtio_net_hdr_v1 *vh, const uint8_t *frame,
             size_t len, struct vlan_class *ret)
{
	bool tagged;
	unsigned vid = 0;

	if (len < VLAN_ETH_LEN)
		return VLAN_DROP_RUNT;
	tagged = be_get16(frame + 12) == VLAN_TPID;
	if (tagged) {
		if (len < VLAN_ETH_LEN + VLAN_TAG_LEN)
			return VLAN_DROP_RUNT;
		vid = be_get16(frame + 14) & VLAN_VID_MASK;
	}
	if (r->mode != VLAN_MODE_NONE && vh &&
	    !offloads_editable(vh, VLAN_ETH_LEN + (tagged ? VLAN_TAG_LEN : 0), !tagged))
		return VLAN_DROP_OFFLOAD;

	switch (r->mode) {
	case VLAN_MODE_NONE:
		break;
	case VLAN_MODE_ACCESS:
		if (vid)
			return VLAN_DROP_TAGGED;
		vid = r->pvid;
		break;
	case VLAN_MODE_TRUNK:
		if (!vid) {
			if (!r->pvid)
				return VLAN_DROP_UNTAGGED;
			vid = r->pvid;
		} else if (!vlan_role_carries(r, vid)) {
			return VLAN_DROP_NOT_MEMBER;
		}
		break;
	}
	ret->vid = (uint16_t)vid;
	ret->tagged = tagged;
	return VLAN_PASS;
}

enum vlan_out
vlan_egress(const struct vlan_role *r, unsigned vid)
{
	switch (r->mode) {
	case VLAN_MODE_NONE:
		return VLAN_OUT_ASIS;
	case VLAN_MODE_ACCESS:
		return vid == r->pvid ? VLAN_OUT_UNTAGGED : VLAN_OUT_DROP;
	case VLAN_MODE_TRUNK:
		if (vid == VLAN_NONE || vid > VLAN_VID_MAX)
			return VLAN_OUT_DROP;
		if (vid == r->pvid)
			return VLAN_OUT_UNTAGGED;
		return set_has(r->set, vid) ? VLAN_OUT_TAGGED : VLAN_OUT_DROP;
	}
	return VLAN_OUT_DROP;
}

/*
 * Moves the offsets of the virtio header by delta (+4 or -4), as the kernel does when
 * it inserts a tag (virtio_net_hdr_from_skb's vlan_hlen): csum_start counts from the
 * frame's first byte, and hdr_len, the length of the headers, includes the ethernet
 * header.  Fails before changing anything.
 */
static int
offloads_shift(struct virtio_net_hdr_v1 *vh, int delta, size_t eth_len)
{
	if (!offloads_editable(vh, eth_len, delta > 0))
		return -EINVAL;
	if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		vh->csum_start = (uint16_t)(vh->csum_start + delta);
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE && vh->hdr_len)
		vh->hdr_len = (uint16_t)(vh->hdr_len + delta);
	return 0;
}

int
vlan_tag_insert(uint8_t **buf, size_t *len, size_t headroom, uint16_t tci)
{
	struct virtio_net_hdr_v1 vh;
	uint8_t *b = *buf;
	int ret;

	if (headroom < VLAN_TAG_LEN)
		return -ENOSPC;
	if (*len < VH_LEN + VLAN_ETH_LEN)
		return -EINVAL;
	memcpy(&vh, b, VH_LEN);
	ret = offloads_shift(&vh, VLAN_TAG_LEN, VLAN_ETH_LEN);
	if (ret < 0)
		return ret;
	memmove(b - VLAN_TAG_LEN, b, VLAN_MOVE_LEN);
	b -= VLAN_TAG_LEN;
	memcpy(b, &vh, VH_LEN);
	be_put16(b + VLAN_MOVE_LEN, VLAN_TPID);
	be_put16(b + VLAN_MOVE_LEN + 2, tci);
	*buf = b;
	*len += VLAN_TAG_LEN;
	return 0;
}

int
vlan_tag_strip(uint8_t **buf, size_t *len)
{
	struct virtio_net_hdr_v1 vh;
	uint8_t *b = *buf;
	uint16_t tci;
	int ret;

	if (*len < VH_LEN + VLAN_ETH_LEN + VLAN_TAG_LEN || be_get16(b + VLAN_MOVE_LEN) != VLAN_TPID)
		return -EINVAL;
	memcpy(&vh, b, VH_LEN);
	ret = offloads_shift(&vh, -VLAN_TAG_LEN, VLAN_ETH_LEN + VLAN_TAG_LEN);
	if (ret < 0)
		return ret;
	tci = be_get16(b + VLAN_MOVE_LEN + 2);
	memmove(b + VLAN_TAG_LEN, b, VLAN_MOVE_LEN);
	b += VLAN_TAG_LEN;
	memcpy(b, &vh, VH_LEN);
	*buf = b;
	*len -= VLAN_TAG_LEN;
	return tci;
}

int
vlan_edit(uint8_t **buf, size_t *len, size_t headroom, enum vlan_out out, unsigned vid)
{
	bool tagged;

	if (*len < VH_LEN + VLAN_ETH_LEN)
		return -EINVAL;
	tagged = be_get16(*buf + VLAN_MOVE_LEN) == VLAN_TPID;
	switch (out) {
	case VLAN_OUT_ASIS:
		return 0;
	case VLAN_OUT_UNTAGGED: {
		int ret = tagged ? vlan_tag_strip(buf, len) : 0;

		return ret < 0 ? ret : 0;
	}
	case VLAN_OUT_TAGGED: {
		uint8_t *tci;

		if (vid < VLAN_VID_MIN || vid > VLAN_VID_MAX)
			return -EINVAL;
		if (!tagged)
			return vlan_tag_insert(buf, len, headroom, (uint16_t)vid);
		if (*len < VH_LEN + VLAN_ETH_LEN + VLAN_TAG_LEN)
			return -EINVAL;
		/* Already tagged (a priority tag, or this VLAN): set the VID, keep PCP and DEI. */
		tci = *buf + VLAN_MOVE_LEN + 2;
		be_put16(tci, (uint16_t)((be_get16(tci) & ~VLAN_VID_MASK) | vid));
		return 0;
	}
	case VLAN_OUT_DROP:
		return -EPERM;
	}
	return -EINVAL;
}

const char *
vlan_verdict_name(enum vlan_verdict v)
{
	static const char *const names[] = {
		[VLAN_PASS] = "pass",
		[VLAN_DROP_RUNT] = "runt",
		[VLAN_DROP_TAGGED] = "tagged on an access port",
		[VLAN_DROP_UNTAGGED] = "untagged on a trunk without native VLAN",
		[VLAN_DROP_NOT_MEMBER] = "VLAN not carried",
		[VLAN_DROP_OFFLOAD] = "offsets inside the ethernet header",
	};

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
