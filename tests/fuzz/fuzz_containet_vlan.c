/*
 * VLAN roles and tag edits on random frames.  Input: a first byte with bit 7 set makes
 * the rest a trunk list for vlan_set_parse (checked against vlan_set_format); otherwise
 * 8 bytes pick two roles (ingress, egress: mode, VID, trunk set density) and the
 * headroom, then come a 12-byte virtio header and the frame.  Checks the promises the
 * switch's egress path relies on: what ingress passes, egress can edit; an edit moves
 * only the header, the MAC addresses and the tag, and shifts the offsets by exactly 4;
 * insert and strip undo each other.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containet/vlan.h"

#define VH sizeof(struct virtio_net_hdr_v1)
#define ROOM 8
#define MAX_FRAME 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_list(const uint8_t *data, size_t size)
{
	char text[256], out[20000];
	uint64_t set[64], again[64];
	const char *error = NULL;
	size_t at = SIZE_MAX;
	int ret, n;

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = vlan_set_parse(set, text, &error, &at);
	if (ret < 0) {
		assert(ret == -EINVAL || ret == -ERANGE);
		assert(error && error[0]);
		assert(at <= strlen(text));
		return;
	}
	assert(!(set[0] & 1) && !(set[63] >> 63));
	n = vlan_set_format(set, out, sizeof(out));
	assert(n > 0 && (size_t)n == strlen(out));
	assert(vlan_set_parse(again, out, NULL, NULL) == 0);
	assert(!memcmp(set, again, sizeof(set)));
}

static void
make_role(struct vlan_role *r, uint8_t mode, uint16_t vid, uint8_t density)
{
	switch (mode % 3) {
	case 0:
		vlan_role_none(r);
		break;
	case 1:
		if (vlan_role_access(r, vid) < 0)
			vlan_role_none(r);
		break;
	case 2:
		assert(vlan_role_trunk(r, "1", vid <= VLAN_VID_MAX ? vid : 0, NULL) == 0);
		memset(r->set, 0, sizeof(r->set));
		for (unsigned v = VLAN_VID_MIN; v <= VLAN_VID_MAX; v++)
			if (((v * 2654435761u) >> 24) < density)
				r->set[v / 64] |= 1ULL << (v % 64);
		break;
	}
}

static uint16_t
tci_at(const uint8_t *b)
{
	return (uint16_t)(b[VH + 14] << 8 | b[VH + 15]);
}

static bool
tagged_at(const uint8_t *b, size_t len)
{
	return len >= VH + 14 && b[VH + 12] == 0x81 && b[VH + 13] == 0x00;
}

/* Checks the edit from (ob, olen) to (b, len) for its delta (-4, 0, +4). */
static void
check_edit(const uint8_t *ob, size_t olen, const uint8_t *b, size_t len, int delta)
{
	struct virtio_net_hdr_v1 o, n;
	/* Where the payload starts, before and after. */
	size_t from = delta > 0 ? 12 : 16, to = delta > 0 ? 16 : 12;

	memcpy(&o, ob, VH);
	memcpy(&n, b, VH);
	assert(len == olen + delta);
	assert(!memcmp(ob + VH, b + VH, 12));
	if (delta == 0) {
		assert(!memcmp(&o, &n, VH));
		if (!tagged_at(ob, olen) || olen < VH + 16) {
			assert(!memcmp(ob, b, olen));
			return;
		}
		/* Only the VID of a tag may change. */
		assert(!memcmp(ob + VH + 12, b + VH + 12, 2));
		assert((tci_at(ob) & ~VLAN_VID_MASK) == (tci_at(b) & ~VLAN_VID_MASK));
		assert(!memcmp(ob + VH + 16, b + VH + 16, olen - VH - 16));
		return;
	}
	assert(!memcmp(ob + VH + from, b + VH + to, olen - VH - from));
	assert(o.flags == n.flags && o.gso_type == n.gso_type && o.gso_size == n.gso_size);
	assert(o.csum_offset == n.csum_offset && o.num_buffers == n.num_buffers);
	if (o.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		assert(n.csum_start == o.csum_start + delta);
	else
		assert(n.csum_start == o.csum_start);
	if (o.gso_type != VIRTIO_NET_HDR_GSO_NONE && o.hdr_len)
		assert(n.hdr_len == o.hdr_len + delta);
	else
		assert(n.hdr_len == o.hdr_len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t store[ROOM + VH + MAX_FRAME], orig[ROOM + VH + MAX_FRAME];
	struct vlan_role in, out_role;
	struct virtio_net_hdr_v1 vh;
	struct vlan_class c;
	enum vlan_verdict v;
	enum vlan_out out;
	size_t room, len, len0;
	uint8_t *b;
	int ret;

	if (size >= 1 && data[0] & 0x80) {
		fuzz_list(data + 1, size - 1);
		return 0;
	}
	if (size < 8 + VH)
		return 0;
	make_role(&in, data[0], (uint16_t)((data[1] << 8 | data[2]) & 0xfff), data[7]);
	make_role(&out_role, data[3], (uint16_t)((data[4] << 8 | data[5]) & 0xfff), ~data[7]);
	room = data[6] % (ROOM + 1);
	data += 8;
	size -= 8;
	len = size < VH + MAX_FRAME ? size : VH + MAX_FRAME;
	memset(store, 0, sizeof(store));
	memcpy(store + ROOM, data, len);
	memcpy(orig, store, sizeof(store));
	memcpy(&vh, store + ROOM, VH);
	len0 = len;

	v = vlan_ingress(&in, &vh, store + ROOM + VH, len - VH, &c);
	assert(vlan_verdict_name(v)[0] != '?');
	if (v == VLAN_DROP_RUNT)
		assert(len - VH < 14 + (tagged_at(store + ROOM, len) ? 4 : 0));
	if (v != VLAN_PASS) {
		assert(in.mode != VLAN_MODE_NONE || v == VLAN_DROP_RUNT);
		goto edits;
	}
	assert(c.tagged == tagged_at(store + ROOM, len));
	if (in.mode == VLAN_MODE_NONE)
		assert(c.vid == (c.tagged ? (tci_at(store + ROOM) & VLAN_VID_MASK) : 0));
	else
		assert(c.vid >= VLAN_VID_MIN && c.vid <= VLAN_VID_MAX &&
		       vlan_role_carries(&in, c.vid));

	out = vlan_egress(&out_role, c.vid);
	assert(out == VLAN_OUT_DROP || vlan_role_carries(&out_role, c.vid));
	if (out == VLAN_OUT_DROP)
		goto edits;
	b = store + ROOM;
	ret = vlan_edit(&b, &len, room, out, c.vid);
	/* What a port with a role let in, every egress takes, given headroom. */
	if (in.mode != VLAN_MODE_NONE && room >= VLAN_TAG_LEN)
		assert(ret == 0);
	if (ret < 0) {
		assert(ret == -ENOSPC || ret == -EINVAL);
		assert(!memcmp(store, orig, sizeof(store)));
		goto edits;
	}
	assert(b >= store + ROOM - VLAN_TAG_LEN && b <= store + ROOM + VLAN_TAG_LEN);
	check_edit(orig + ROOM, len0, b, len, (int)(store + ROOM - b));
	/*
	 * What leaves a port with a role comes back in through it as the same VLAN, unless it
	 * left untagged and still carries a tag: a frame tagged twice, whose outer tag the
	 * egress stripped, reaches the node with its inner tag, as from a Linux bridge; an
	 * access port would rightly drop it on the way back.
	 */
	if (out_role.mode != VLAN_MODE_NONE && !(out == VLAN_OUT_UNTAGGED && tagged_at(b, len))) {
		struct vlan_class back;

		assert(vlan_ingress(&out_role, NULL, b + VH, len - VH, &back) == VLAN_PASS);
		assert(back.vid == c.vid);
		assert(back.tagged == (out == VLAN_OUT_TAGGED));
	}

edits:
	/* Insert then strip, strip then insert: the original bytes either way. */
	memcpy(store, orig, sizeof(store));
	b = store + ROOM;
	len = len0;
	ret = vlan_tag_insert(&b, &len, room, 0x1234);
	if (ret == 0) {
		check_edit(orig + ROOM, len0, b, len, 4);
		assert(vlan_tag_strip(&b, &len) == 0x1234);
		assert(b == store + ROOM && len == len0);
		assert(!memcmp(b, orig + ROOM, len0));
	} else {
		assert(!memcmp(store, orig, sizeof(store)));
	}
	memcpy(store, orig, sizeof(store));
	b = store + ROOM;
	len = len0;
	ret = vlan_tag_strip(&b, &len);
	if (ret >= 0) {
		assert(tagged_at(orig + ROOM, len0) && ret == tci_at(orig + ROOM));
		check_edit(orig + ROOM, len0, b, len, -4);
		assert(vlan_tag_insert(&b, &len, ROOM + 4, (uint16_t)ret) == 0);
		assert(b == store + ROOM && len == len0);
		assert(!memcmp(b, orig + ROOM, len0));
	} else {
		assert(!memcmp(store, orig, sizeof(store)));
	}
	return 0;
}
