/*
 * VLAN roles: trunk lists, ingress classification for every role and kind of frame,
 * egress decisions, and the tag edits with the virtio header's offsets.
 */
#include "containet/vlan.h"

#include "check_main.h"

#include <errno.h>
#include <string.h>

#define VH ((size_t)sizeof(struct virtio_net_hdr_v1))
#define ROOM 64

static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0xb };
static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0xa };

/* Storage with ROOM bytes of headroom; frames are built at store + ROOM. */
static uint8_t store[ROOM + 70000];

/* Builds vnet header + frame at store + ROOM: tpid 0 for untagged, payload bytes 0..n-1. */
static size_t
build(uint16_t tpid, uint16_t tci, uint16_t type, size_t payload)
{
	uint8_t *b = store + ROOM, *p;

	memset(store, 0xee, sizeof(store));
	memset(b, 0, VH);
	memcpy(b + VH, dst, 6);
	memcpy(b + VH + 6, src, 6);
	p = b + VH + 12;
	if (tpid) {
		*p++ = tpid >> 8;
		*p++ = tpid & 0xff;
		*p++ = tci >> 8;
		*p++ = tci & 0xff;
	}
	*p++ = type >> 8;
	*p++ = type & 0xff;
	for (size_t i = 0; i < payload; i++)
		*p++ = (uint8_t)i;
	return (size_t)(p - b);
}

static struct virtio_net_hdr_v1 *
vh_at(uint8_t *b)
{
	return (struct virtio_net_hdr_v1 *)b;
}

static enum vlan_verdict
classify(const struct vlan_role *r, size_t len, struct vlan_class *c)
{
	uint8_t *b = store + ROOM;

	c->vid = 0xffff;
	c->tagged = false;
	return vlan_ingress(r, vh_at(b), b + VH, len - VH, c);
}

static struct vlan_role none, access10, trunk, trunk_native;

static void
setup(void)
{
	vlan_role_none(&none);
	ck_assert_int_eq(vlan_role_access(&access10, 10), 0);
	ck_assert_int_eq(vlan_role_trunk(&trunk, "10,20,100-200", 0, NULL), 0);
	ck_assert_int_eq(vlan_role_trunk(&trunk_native, "10,20,100-200", 1, NULL), 0);
}

START_TEST(trunk_list_parses)
{
	uint64_t set[64];
	char text[64];

	ck_assert_int_eq(vlan_set_parse(set, "10,20,100-200", NULL, NULL), 0);
	for (unsigned v = 0; v < 4096; v++) {
		bool in = v == 10 || v == 20 || (v >= 100 && v <= 200);

		ck_assert_int_eq(!!(set[v / 64] >> (v % 64) & 1), in);
	}
	ck_assert_int_eq(vlan_set_format(set, text, sizeof(text)), 13);
	ck_assert_str_eq(text, "10,20,100-200");
	ck_assert_int_eq(vlan_set_parse(set, " 1 , 4094,5-5,6-7 ", NULL, NULL), 0);
	ck_assert_int_eq(vlan_set_format(set, text, sizeof(text)), 10);
	ck_assert_str_eq(text, "1,5-7,4094");
	ck_assert_int_eq(vlan_set_parse(set, "1-4094", NULL, NULL), 0);
	ck_assert_int_eq(vlan_set_format(set, text, sizeof(text)), 6);
	ck_assert_str_eq(text, "1-4094");
	/* Too small a buffer says so and leaves an empty string. */
	ck_assert_int_eq(vlan_set_format(set, text, 6), -ENOSPC);
	ck_assert_str_eq(text, "");
}
END_TEST

START_TEST(trunk_list_errors)
{
	static const struct {
		const char *text;
		int ret;
		size_t at;
		const char *error;
	} cases[] = {
		{ "", -EINVAL, 0, "empty VLAN list" },
		{ "  ", -EINVAL, 0, "empty VLAN list" },
		{ "0", -ERANGE, 0, "VLAN IDs are between 1 and 4094" },
		{ "10,4095", -ERANGE, 3, "VLAN IDs are between 1 and 4094" },
		{ "10,99999", -ERANGE, 3, "VLAN IDs are between 1 and 4094" },
		{ "10,00000000000010", -ERANGE, 3, "VLAN IDs are between 1 and 4094" },
		{ "200-100", -EINVAL, 0, "a range must run upward, as in 100-200" },
		{ "10,", -EINVAL, 3, "expected a VLAN ID or a range such as 100-200" },
		{ ",10", -EINVAL, 0, "expected a VLAN ID or a range such as 100-200" },
		{ "10,,20", -EINVAL, 3, "expected a VLAN ID or a range such as 100-200" },
		{ "10-", -EINVAL, 0, "expected a VLAN ID or a range such as 100-200" },
		{ "-10", -EINVAL, 0, "expected a VLAN ID or a range such as 100-200" },
		{ "+10", -EINVAL, 0, "expected a VLAN ID or a range such as 100-200" },
		{ "10 20", -EINVAL, 3, "VLAN list items are separated by commas" },
		{ "10;20", -EINVAL, 2, "VLAN list items are separated by commas" },
		{ "1-2-3", -EINVAL, 3, "VLAN list items are separated by commas" },
		{ "10x", -EINVAL, 2, "VLAN list items are separated by commas" },
	};
	uint64_t set[64], before[64];

	memset(set, 0x5a, sizeof(set));
	memcpy(before, set, sizeof(set));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *error = NULL;
		size_t at = 999;

		ck_assert_msg(vlan_set_parse(set, cases[i].text, &error, &at) == cases[i].ret,
		              "'%s'", cases[i].text);
		ck_assert_msg(at == cases[i].at, "'%s': at %zu", cases[i].text, at);
		ck_assert_str_eq(error, cases[i].error);
		/* Written only on success. */
		ck_assert_mem_eq(set, before, sizeof(set));
	}
}
END_TEST

START_TEST(roles_refuse_bad_vids)
{
	struct vlan_role r = trunk;
	const char *error = NULL;

	ck_assert_int_eq(vlan_role_access(&r, 0), -ERANGE);
	ck_assert_int_eq(vlan_role_access(&r, 4095), -ERANGE);
	ck_assert_int_eq(vlan_role_trunk(&r, "10", 4095, &error), -ERANGE);
	ck_assert_str_eq(error, "the native VLAN must be between 1 and 4094");
	ck_assert_int_eq(vlan_role_trunk(&r, "10,4095", 1, &error), -ERANGE);
	/* A refused role leaves the port as it was. */
	ck_assert_mem_eq(&r, &trunk, sizeof(r));
	ck_assert_int_eq(vlan_role_access(&r, 4094), 0);
	ck_assert_int_eq(vlan_role_access(&r, 1), 0);
}
END_TEST

/* The kinds of frame each role is checked against. */
enum kind { UNTAGGED, PRIORITY, TAG10, TAG20, TAG1, TAG30, TAG4095, QINQ, KINDS };

static size_t
build_kind(enum kind k)
{
	switch (k) {
	case UNTAGGED:
		return build(0, 0, 0x0800, 46);
	case PRIORITY:
		return build(VLAN_TPID, 5 << 13, 0x0800, 46);
	case TAG10:
		return build(VLAN_TPID, 3 << 13 | 10, 0x0800, 46);
	case TAG20:
		return build(VLAN_TPID, 20, 0x0800, 46);
	case TAG1:
		return build(VLAN_TPID, 1, 0x0800, 46);
	case TAG30:
		return build(VLAN_TPID, 30, 0x0800, 46);
	case TAG4095:
		return build(VLAN_TPID, 4095, 0x0800, 46);
	case QINQ:
		/* An 802.1ad outer tag of VLAN 10: payload for an 802.1Q port. */
		return build(0x88a8, 10, 0x8100, 46);
	case KINDS:
		break;
	}
	return 0;
}

struct expect {
	enum vlan_verdict v;
	uint16_t vid;
};

static void
check_role(const struct vlan_role *r, const char *name, const struct expect want[KINDS])
{
	static const bool tagged[KINDS] = {
		[PRIORITY] = true, [TAG10] = true, [TAG20] = true,
		[TAG1] = true,     [TAG30] = true, [TAG4095] = true,
	};

	for (int k = 0; k < KINDS; k++) {
		struct vlan_class c;
		size_t len = build_kind(k);
		enum vlan_verdict v = classify(r, len, &c);

		ck_assert_msg(v == want[k].v, "%s, kind %d: %s, want %s", name, k,
		              vlan_verdict_name(v), vlan_verdict_name(want[k].v));
		if (v != VLAN_PASS)
			continue;
		ck_assert_msg(c.vid == want[k].vid, "%s, kind %d: VLAN %u, want %u", name, k, c.vid,
		              want[k].vid);
		ck_assert_msg(c.tagged == tagged[k], "%s, kind %d: tagged %d", name, k, c.tagged);
	}
}

START_TEST(ingress_without_role_passes_everything)
{
	const struct expect want[KINDS] = {
		[UNTAGGED] = { VLAN_PASS, VLAN_NONE },
		[PRIORITY] = { VLAN_PASS, VLAN_NONE },
		[TAG10] = { VLAN_PASS, 10 },
		[TAG20] = { VLAN_PASS, 20 },
		[TAG1] = { VLAN_PASS, 1 },
		[TAG30] = { VLAN_PASS, 30 },
		[TAG4095] = { VLAN_PASS, 4095 },
		[QINQ] = { VLAN_PASS, VLAN_NONE },
	};

	check_role(&none, "none", want);
}
END_TEST

START_TEST(ingress_access)
{
	const struct expect want[KINDS] = {
		[UNTAGGED] = { VLAN_PASS, 10 },   [PRIORITY] = { VLAN_PASS, 10 },
		[TAG10] = { VLAN_DROP_TAGGED },   [TAG20] = { VLAN_DROP_TAGGED },
		[TAG1] = { VLAN_DROP_TAGGED },    [TAG30] = { VLAN_DROP_TAGGED },
		[TAG4095] = { VLAN_DROP_TAGGED }, [QINQ] = { VLAN_PASS, 10 },
	};

	check_role(&access10, "access 10", want);
}
END_TEST

START_TEST(ingress_trunk)
{
	const struct expect want[KINDS] = {
		[UNTAGGED] = { VLAN_DROP_UNTAGGED },  [PRIORITY] = { VLAN_DROP_UNTAGGED },
		[TAG10] = { VLAN_PASS, 10 },          [TAG20] = { VLAN_PASS, 20 },
		[TAG1] = { VLAN_DROP_NOT_MEMBER },    [TAG30] = { VLAN_DROP_NOT_MEMBER },
		[TAG4095] = { VLAN_DROP_NOT_MEMBER }, [QINQ] = { VLAN_DROP_UNTAGGED },
	};

	check_role(&trunk, "trunk", want);
}
END_TEST

START_TEST(ingress_trunk_native)
{
	/* Tagged with the native VLAN is taken, as a bridge takes its PVID tagged. */
	const struct expect want[KINDS] = {
		[UNTAGGED] = { VLAN_PASS, 1 },
		[PRIORITY] = { VLAN_PASS, 1 },
		[TAG10] = { VLAN_PASS, 10 },
		[TAG20] = { VLAN_PASS, 20 },
		[TAG1] = { VLAN_PASS, 1 },
		[TAG30] = { VLAN_DROP_NOT_MEMBER },
		[TAG4095] = { VLAN_DROP_NOT_MEMBER },
		[QINQ] = { VLAN_PASS, 1 },
	};

	check_role(&trunk_native, "trunk native 1", want);
}
END_TEST

START_TEST(ingress_refuses_runts)
{
	const struct vlan_role *roles[] = { &none, &access10, &trunk, &trunk_native };
	uint8_t *b = store + ROOM;
	struct vlan_class c;

	for (size_t i = 0; i < 4; i++) {
		build(0, 0, 0x0800, 0);
		for (size_t len = 0; len < 14; len++)
			ck_assert_int_eq(vlan_ingress(roles[i], NULL, b + VH, len, &c),
			                 VLAN_DROP_RUNT);
		/* A tag cut short is no frame either. */
		build(VLAN_TPID, 10, 0x0800, 0);
		for (size_t len = 0; len < 18; len++)
			ck_assert_int_eq(vlan_ingress(roles[i], NULL, b + VH, len, &c),
			                 VLAN_DROP_RUNT);
		ck_assert_int_ne(vlan_ingress(roles[i], NULL, b + VH, 18, &c), VLAN_DROP_RUNT);
	}
}
END_TEST

START_TEST(ingress_refuses_offsets_in_the_ethernet_header)
{
	uint8_t *b = store + ROOM;
	struct vlan_class c;
	size_t len;

	len = build(0, 0, 0x0800, 100);
	vh_at(b)->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh_at(b)->csum_start = 13;
	ck_assert_int_eq(classify(&access10, len, &c), VLAN_DROP_OFFLOAD);
	/* A port without a role never edits, so it does not care. */
	ck_assert_int_eq(classify(&none, len, &c), VLAN_PASS);
	vh_at(b)->csum_start = 14;
	ck_assert_int_eq(classify(&access10, len, &c), VLAN_PASS);

	len = build(VLAN_TPID, 10, 0x0800, 100);
	vh_at(b)->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh_at(b)->csum_start = 17;
	ck_assert_int_eq(classify(&trunk, len, &c), VLAN_DROP_OFFLOAD);
	vh_at(b)->csum_start = 18;
	ck_assert_int_eq(classify(&trunk, len, &c), VLAN_PASS);
	vh_at(b)->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh_at(b)->hdr_len = 17;
	ck_assert_int_eq(classify(&trunk, len, &c), VLAN_DROP_OFFLOAD);
	vh_at(b)->hdr_len = 0;
	ck_assert_int_eq(classify(&trunk, len, &c), VLAN_PASS);
	/* Offsets too large to grow by a tag: fine on a tagged frame, which only loses one. */
	vh_at(b)->hdr_len = UINT16_MAX;
	vh_at(b)->csum_start = UINT16_MAX;
	ck_assert_int_eq(classify(&trunk, len, &c), VLAN_PASS);
	len = build(0, 0, 0x0800, 100);
	vh_at(b)->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh_at(b)->hdr_len = UINT16_MAX - 3;
	ck_assert_int_eq(classify(&access10, len, &c), VLAN_DROP_OFFLOAD);
	vh_at(b)->hdr_len = UINT16_MAX - 4;
	ck_assert_int_eq(classify(&access10, len, &c), VLAN_PASS);
	vh_at(b)->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh_at(b)->csum_start = UINT16_MAX - 3;
	ck_assert_int_eq(classify(&access10, len, &c), VLAN_DROP_OFFLOAD);
}
END_TEST

START_TEST(egress_by_role)
{
	for (unsigned v = 0; v < 4096; v++) {
		bool listed = v == 10 || v == 20 || (v >= 100 && v <= 200);

		ck_assert_int_eq(vlan_egress(&none, v), VLAN_OUT_ASIS);
		ck_assert_int_eq(vlan_egress(&access10, v),
		                 v == 10 ? VLAN_OUT_UNTAGGED : VLAN_OUT_DROP);
		ck_assert_int_eq(vlan_egress(&trunk, v), listed ? VLAN_OUT_TAGGED : VLAN_OUT_DROP);
		ck_assert_int_eq(vlan_egress(&trunk_native, v), v == 1   ? VLAN_OUT_UNTAGGED
		                                                : listed ? VLAN_OUT_TAGGED
		                                                         : VLAN_OUT_DROP);
		ck_assert_int_eq(vlan_role_carries(&trunk_native, v), v == 1 || listed);
		ck_assert_int_eq(vlan_role_carries(&access10, v), v == 10);
	}
}
END_TEST

START_TEST(egress_native_listed_leaves_untagged)
{
	struct vlan_role r;

	ck_assert_int_eq(vlan_role_trunk(&r, "10-20", 15, NULL), 0);
	ck_assert_int_eq(vlan_egress(&r, 15), VLAN_OUT_UNTAGGED);
	ck_assert_int_eq(vlan_egress(&r, 14), VLAN_OUT_TAGGED);
}
END_TEST

START_TEST(insert_then_strip_gives_the_original)
{
	static uint8_t orig[ROOM + 2000];
	size_t sizes[] = { 14, 15, 60, 1514 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = build(0, 0, 0x86dd, sizes[i] - 14), len0 = len;
		uint8_t *b = store + ROOM;

		vh_at(b)->num_buffers = 0x1234;
		vh_at(b)->csum_offset = 16;
		memcpy(orig, store, sizeof(orig));
		ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 0xa00a), 0);
		ck_assert_ptr_eq(b, store + ROOM - 4);
		ck_assert_uint_eq(len, len0 + 4);
		/* Header and addresses moved, the tag after them, the rest untouched. */
		ck_assert_mem_eq(b, orig + ROOM, VH + 12);
		ck_assert_mem_eq(b + VH + 12, "\x81\x00\xa0\x0a", 4);
		ck_assert_mem_eq(b + VH + 16, orig + ROOM + VH + 12, len0 - VH - 12);
		/* Without offloads, no offset changed. */
		ck_assert_uint_eq(vh_at(b)->csum_start, 0);
		ck_assert_uint_eq(vh_at(b)->hdr_len, 0);

		ck_assert_int_eq(vlan_tag_strip(&b, &len), 0xa00a);
		ck_assert_ptr_eq(b, store + ROOM);
		ck_assert_uint_eq(len, len0);
		ck_assert_mem_eq(b, orig + ROOM, len0);
	}
}
END_TEST

START_TEST(strip_then_insert_gives_the_original)
{
	static uint8_t orig[ROOM + 200];
	size_t len = build(VLAN_TPID, 0x6014, 0x0800, 40), len0 = len;
	uint8_t *b = store + ROOM;
	int tci;

	memcpy(orig, store, sizeof(orig));
	tci = vlan_tag_strip(&b, &len);
	ck_assert_int_eq(tci, 0x6014);
	ck_assert_uint_eq(len, len0 - 4);
	ck_assert_mem_eq(b + VH + 12, "\x08\x00", 2);
	ck_assert_int_eq(vlan_tag_insert(&b, &len, 4, (uint16_t)tci), 0);
	ck_assert_ptr_eq(b, store + ROOM);
	ck_assert_mem_eq(b, orig + ROOM, len0);
}
END_TEST

START_TEST(offsets_follow_the_tag)
{
	/* A 64 KiB TSO frame as a node's kernel hands it over: offsets from the frame start. */
	size_t len = build(0, 0, 0x0800, 65000);
	uint8_t *b = store + ROOM;
	struct virtio_net_hdr_v1 *vh = vh_at(b);

	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = 14 + 20 + 32;
	vh->gso_size = 1448;
	vh->csum_start = 14 + 20;
	vh->csum_offset = 16;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 42), 0);
	vh = vh_at(b);
	ck_assert_uint_eq(vh->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	ck_assert_uint_eq(vh->gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	ck_assert_uint_eq(vh->hdr_len, 18 + 20 + 32);
	ck_assert_uint_eq(vh->gso_size, 1448);
	ck_assert_uint_eq(vh->csum_start, 18 + 20);
	ck_assert_uint_eq(vh->csum_offset, 16);
	ck_assert_int_eq(vlan_tag_strip(&b, &len), 42);
	vh = vh_at(b);
	ck_assert_uint_eq(vh->hdr_len, 14 + 20 + 32);
	ck_assert_uint_eq(vh->csum_start, 14 + 20);

	/* Checksum offload alone: csum_start moves, hdr_len (no GSO, a bare hint) does not. */
	vh->gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh->hdr_len = 0;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 42), 0);
	ck_assert_uint_eq(vh_at(b)->csum_start, 18 + 20);
	ck_assert_uint_eq(vh_at(b)->hdr_len, 0);

	/* GSO without NEEDS_CSUM: csum_start means nothing and stays. */
	len = build(0, 0, 0x0800, 1000);
	b = store + ROOM;
	vh = vh_at(b);
	vh->gso_type = VIRTIO_NET_HDR_GSO_UDP;
	vh->hdr_len = 42;
	vh->csum_start = 7;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 42), 0);
	ck_assert_uint_eq(vh_at(b)->hdr_len, 46);
	ck_assert_uint_eq(vh_at(b)->csum_start, 7);

	/* The largest offsets that can grow grow to 65535, and shrink back (found by fuzzing). */
	len = build(0, 0, 0x0800, 1000);
	b = store + ROOM;
	vh = vh_at(b);
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = UINT16_MAX - 4;
	vh->csum_start = UINT16_MAX - 4;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 42), 0);
	ck_assert_uint_eq(vh_at(b)->hdr_len, UINT16_MAX);
	ck_assert_uint_eq(vh_at(b)->csum_start, UINT16_MAX);
	ck_assert_int_eq(vlan_tag_strip(&b, &len), 42);
	ck_assert_uint_eq(vh_at(b)->hdr_len, UINT16_MAX - 4);
	ck_assert_uint_eq(vh_at(b)->csum_start, UINT16_MAX - 4);
}
END_TEST

START_TEST(edits_refuse_what_they_cannot_do)
{
	uint8_t *b = store + ROOM;
	size_t len;

	/* No headroom. */
	len = build(0, 0, 0x0800, 40);
	for (size_t room = 0; room < 4; room++) {
		ck_assert_int_eq(vlan_tag_insert(&b, &len, room, 1), -ENOSPC);
		ck_assert_ptr_eq(b, store + ROOM);
	}
	/* Shorter than an ethernet header. */
	for (size_t l = 0; l < VH + 14; l++) {
		size_t l2 = l;

		ck_assert_int_eq(vlan_tag_insert(&b, &l2, ROOM, 1), -EINVAL);
		ck_assert_uint_eq(l2, l);
	}
	/* Nothing to strip: untagged, an 802.1ad tag, a tag cut short. */
	ck_assert_int_eq(vlan_tag_strip(&b, &len), -EINVAL);
	len = build(0x88a8, 10, 0x0800, 40);
	ck_assert_int_eq(vlan_tag_strip(&b, &len), -EINVAL);
	len = build(VLAN_TPID, 10, 0x0800, 0);
	for (size_t l = 0; l < VH + 18; l++) {
		size_t l2 = l;

		ck_assert_int_eq(vlan_tag_strip(&b, &l2), -EINVAL);
	}
	/* Offsets inside the ethernet header, and offsets that would overflow. */
	len = build(0, 0, 0x0800, 40);
	vh_at(b)->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh_at(b)->csum_start = 12;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 1), -EINVAL);
	vh_at(b)->csum_start = UINT16_MAX - 3;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 1), -EINVAL);
	vh_at(b)->flags = 0;
	vh_at(b)->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh_at(b)->hdr_len = UINT16_MAX;
	ck_assert_int_eq(vlan_tag_insert(&b, &len, ROOM, 1), -EINVAL);
	len = build(VLAN_TPID, 10, 0x0800, 40);
	vh_at(b)->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh_at(b)->csum_start = 16;
	ck_assert_int_eq(vlan_tag_strip(&b, &len), -EINVAL);
	/* Every refusal left the buffer as it was. */
	ck_assert_ptr_eq(b, store + ROOM);
	ck_assert_uint_eq(vh_at(b)->csum_start, 16);
	ck_assert_mem_eq(b + VH + 12, "\x81\x00\x00\x0a", 4);
}
END_TEST

START_TEST(edit_for_egress)
{
	uint8_t *b = store + ROOM;
	size_t len;

	/* Untagged to a trunk: tag inserted. */
	len = build(0, 0, 0x0800, 40);
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_TAGGED, 20), 0);
	ck_assert_ptr_eq(b, store + ROOM - 4);
	ck_assert_mem_eq(b + VH + 12, "\x81\x00\x00\x14\x08\x00", 6);
	/* Tagged to an access port: stripped. */
	ck_assert_int_eq(vlan_edit(&b, &len, 4, VLAN_OUT_UNTAGGED, 20), 0);
	ck_assert_ptr_eq(b, store + ROOM);
	ck_assert_mem_eq(b + VH + 12, "\x08\x00", 2);
	/* Untagged stays untagged; no role leaves the frame as it is. */
	ck_assert_int_eq(vlan_edit(&b, &len, 0, VLAN_OUT_UNTAGGED, 20), 0);
	ck_assert_int_eq(vlan_edit(&b, &len, 0, VLAN_OUT_ASIS, 20), 0);
	ck_assert_ptr_eq(b, store + ROOM);
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_DROP, 20), -EPERM);
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_TAGGED, 0), -EINVAL);
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_TAGGED, 4095), -EINVAL);
	/* A priority tag gets the VLAN's VID in place, its priority kept. */
	len = build(VLAN_TPID, 5 << 13, 0x0800, 40);
	ck_assert_int_eq(vlan_edit(&b, &len, 0, VLAN_OUT_TAGGED, 10), 0);
	ck_assert_ptr_eq(b, store + ROOM);
	ck_assert_mem_eq(b + VH + 12, "\x81\x00\xa0\x0a\x08\x00", 6);
	/* ... and leaves untagged without it. */
	len = build(VLAN_TPID, 5 << 13, 0x0800, 40);
	ck_assert_int_eq(vlan_edit(&b, &len, 0, VLAN_OUT_UNTAGGED, 10), 0);
	ck_assert_ptr_eq(b, store + ROOM + 4);
	ck_assert_mem_eq(b + VH + 12, "\x08\x00", 2);
	/* An 802.1ad frame on a trunk gets an 802.1Q tag in front of its own. */
	b = store + ROOM;
	len = build(0x88a8, 10, 0x0800, 40);
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_TAGGED, 1), 0);
	ck_assert_mem_eq(b + VH + 12, "\x81\x00\x00\x01\x88\xa8\x00\x0a", 8);
	/* Tagged twice, out through an access port: only the outer tag goes, as on a Linux
	 * bridge; the node sees the inner one (fuzz_containet_vlan took this for a fault). */
	b = store + ROOM;
	len = build(VLAN_TPID, 10, VLAN_TPID, 40);
	store[ROOM + VH + 18] = 0x00;
	store[ROOM + VH + 19] = 0x14;
	ck_assert_int_eq(vlan_edit(&b, &len, 0, VLAN_OUT_UNTAGGED, 10), 0);
	ck_assert_mem_eq(b + VH + 12, "\x81\x00\x00\x14", 4);
	/* Too short to edit at all. */
	len = VH + 13;
	ck_assert_int_eq(vlan_edit(&b, &len, ROOM, VLAN_OUT_ASIS, 1), -EINVAL);
}
END_TEST

/* The promise the switch relies on: ingress, then egress and the edit, never fails. */
START_TEST(what_ingress_passes_the_edit_takes)
{
	const struct vlan_role *roles[] = { &none, &access10, &trunk, &trunk_native };

	for (size_t i = 0; i < 4; i++)
		for (size_t o = 0; o < 4; o++)
			for (int k = 0; k < KINDS; k++) {
				size_t len = build_kind(k);
				uint8_t *b = store + ROOM;
				struct vlan_class c;
				enum vlan_out out;

				if (classify(roles[i], len, &c) != VLAN_PASS)
					continue;
				out = vlan_egress(roles[o], c.vid);
				if (out == VLAN_OUT_DROP)
					continue;
				ck_assert_int_eq(vlan_edit(&b, &len, 4, out, c.vid), 0);
				/* What leaves a port with a role belongs to c.vid there. */
				if (roles[o]->mode != VLAN_MODE_NONE) {
					struct vlan_class back;

					ck_assert_int_eq(vlan_ingress(roles[o], NULL, b + VH,
					                              len - VH, &back),
					                 VLAN_PASS);
					ck_assert_uint_eq(back.vid, c.vid);
				}
			}
}
END_TEST

static Suite *
vlan_suite(void)
{
	Suite *s = suite_create("containet_vlan");
	TCase *tc = tcase_create("vlan");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, trunk_list_parses);
	tcase_add_test(tc, trunk_list_errors);
	tcase_add_test(tc, roles_refuse_bad_vids);
	tcase_add_test(tc, ingress_without_role_passes_everything);
	tcase_add_test(tc, ingress_access);
	tcase_add_test(tc, ingress_trunk);
	tcase_add_test(tc, ingress_trunk_native);
	tcase_add_test(tc, ingress_refuses_runts);
	tcase_add_test(tc, ingress_refuses_offsets_in_the_ethernet_header);
	tcase_add_test(tc, egress_by_role);
	tcase_add_test(tc, egress_native_listed_leaves_untagged);
	tcase_add_test(tc, insert_then_strip_gives_the_original);
	tcase_add_test(tc, strip_then_insert_gives_the_original);
	tcase_add_test(tc, offsets_follow_the_tag);
	tcase_add_test(tc, edits_refuse_what_they_cannot_do);
	tcase_add_test(tc, edit_for_egress);
	tcase_add_test(tc, what_ingress_passes_the_edit_takes);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(vlan_suite)
