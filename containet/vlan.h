/*
 * VLAN roles of switch ports, as a Linux bridge with VLAN filtering has them: pure, no
 * I/O.  A port has no role (it passes every frame as it is), or is an access port of one
 * VLAN, or a trunk carrying a set of VLANs tagged with 802.1Q and optionally one native
 * VLAN untagged.  Ingress classification says which VLAN a frame belongs to; egress says
 * how a frame of a VLAN leaves a port; the tag edits insert or remove an 802.1Q tag in
 * place, keeping the frame's virtio header (checksum and GSO offsets) valid.
 *
 * Buffers on the data path start with the port's struct virtio_net_hdr_v1 (12 bytes,
 * TAP_VNET_HDR_LEN) followed by the ethernet frame.  Its 16-bit fields are in the host's
 * byte order, as on a tap without TUNSETVNETLE/BE.  The edits work in place and never
 * touch the payload: a frame flooded to ports that want it differently can be edited
 * port by port, since an insert and a strip undo each other exactly.
 */
#pragma once

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VLAN_TPID 0x8100 /* 802.1Q; 802.1ad (0x88a8) tags are payload here */
#define VLAN_TAG_LEN 4
#define VLAN_ETH_LEN 14 /* destination, source, ethertype */
#define VLAN_VID_MIN 1
#define VLAN_VID_MAX 4094 /* 0 is a priority tag, 4095 is reserved */
#define VLAN_VID_MASK 0x0fff
/* The VLAN of an untagged or priority-tagged frame from a port without a role. */
#define VLAN_NONE 0
/* What a tag edit moves: the virtio header and both MAC addresses. */
#define VLAN_MOVE_LEN (sizeof(struct virtio_net_hdr_v1) + 12)

enum vlan_mode {
	VLAN_MODE_NONE,   /* no role: frames pass as they are */
	VLAN_MODE_ACCESS, /* one VLAN, untagged */
	VLAN_MODE_TRUNK,  /* a set of VLANs tagged, optionally a native one untagged */
};

struct vlan_role {
	enum vlan_mode mode;
	uint16_t pvid; /* access: its VLAN; trunk: the native VLAN, or 0 for none */
	uint64_t set[(VLAN_VID_MAX + 2) / 64]; /* trunk: the VLANs it carries tagged */
};

/* Verdicts of vlan_ingress(); every one but VLAN_PASS drops the frame. */
enum vlan_verdict {
	VLAN_PASS,
	VLAN_DROP_RUNT,       /* shorter than an ethernet header, or than its 802.1Q tag */
	VLAN_DROP_TAGGED,     /* a VLAN-tagged frame on an access port */
	VLAN_DROP_UNTAGGED,   /* untagged or priority-tagged, on a trunk without native VLAN */
	VLAN_DROP_NOT_MEMBER, /* tagged with a VLAN the trunk does not carry */
	VLAN_DROP_OFFLOAD,    /* checksum or GSO offsets inside the ethernet header */
};

struct vlan_class {
	uint16_t vid; /* the VLAN the frame belongs to (VLAN_NONE: untagged, no role) */
	bool tagged;  /* carries an 802.1Q tag, priority tags (VID 0) included */
};

/* How a frame leaves a port, from vlan_egress(). */
enum vlan_out {
	VLAN_OUT_ASIS,     /* no role: as the frame is, tags and all */
	VLAN_OUT_UNTAGGED, /* without an 802.1Q tag */
	VLAN_OUT_TAGGED,   /* with an 802.1Q tag of its VLAN */
	VLAN_OUT_DROP,     /* not at all */
};

void vlan_role_none(struct vlan_role *r);
/* An access port of vid; -ERANGE unless VLAN_VID_MIN <= vid <= VLAN_VID_MAX. */
int vlan_role_access(struct vlan_role *r, unsigned vid);
/*
 * A trunk carrying the VLANs of list (vlan_set_parse) and native untagged (0: none).
 * The native VLAN need not be in the list: it is carried either way, and leaves untagged.
 * On failure, r is unchanged and *ret_error (if not NULL) says why.
 */
int vlan_role_trunk(struct vlan_role *r, const char *list, unsigned native, const char **ret_error);
/* Whether the port carries vid at all (tagged or untagged). */
bool vlan_role_carries(const struct vlan_role *r, unsigned vid);

/*
 * Parses a VLAN list such as "10,20,100-200" into a 4096-bit set: comma-separated VIDs
 * and inclusive ranges, each between 1 and 4094, blanks around items allowed.  Returns
 * 0, or -EINVAL / -ERANGE with a static message in *ret_error and the offset of the bad
 * item in *ret_at (either may be NULL); set is written only on success.
 */
int vlan_set_parse(uint64_t set[(VLAN_VID_MAX + 2) / 64], const char *text, const char **ret_error,
                   size_t *ret_at);
/*
 * Writes the set as vlan_set_parse reads it, with ranges for runs ("10,20,100-200").
 * Returns the length (without the NUL) or -ENOSPC when size is too small.
 */
int vlan_set_format(const uint64_t set[(VLAN_VID_MAX + 2) / 64], char *buf, size_t size);

/*
 * Classifies a frame arriving on a port: frame/len is the ethernet frame (after the
 * virtio header), vh that header (NULL: no offloads).  On VLAN_PASS, *ret says which
 * VLAN the frame belongs to and whether it carries an 802.1Q tag.
 *
 * As a Linux bridge with vlan_protocol 802.1Q: only 0x8100 is a VLAN tag; an 802.1ad
 * (0x88a8) outer tag is payload, so such a frame counts as untagged; a priority tag
 * (VID 0) counts as untagged too.  Unlike a bridge's access port, which would take
 * frames tagged with its own VLAN, an access port drops every VLAN-tagged frame.
 * VID 4095 is never carried.  Frames whose offloads point inside the ethernet header
 * (or that no tag edit could move) are dropped on ports with a role, since an edit
 * could not keep them valid: what a port with a role passes, vlan_edit() takes.
 */
enum vlan_verdict vlan_ingress(const struct vlan_role *r, const struct virtio_net_hdr_v1 *vh,
                               const uint8_t *frame, size_t len, struct vlan_class *ret);

/* How a frame of VLAN vid leaves a port with role r. */
enum vlan_out vlan_egress(const struct vlan_role *r, unsigned vid);

/*
 * Inserts an 802.1Q tag with tci into the frame at *buf (virtio header first, *len bytes
 * in all) with at least VLAN_TAG_LEN bytes of headroom in front of *buf: the virtio
 * header and the MAC addresses move 4 bytes to the front, the payload stays.  Moves *buf
 * back and adds 4 to *len; csum_start (NEEDS_CSUM) and a non-zero hdr_len grow by 4.
 * Returns 0, -ENOSPC without headroom, -EINVAL for a frame shorter than an ethernet
 * header or whose offsets point inside it or would not fit 16 bits once moved.
 */
int vlan_tag_insert(uint8_t **buf, size_t *len, size_t headroom, uint16_t tci);

/*
 * Removes the frame's outer 802.1Q tag, the reverse of vlan_tag_insert: moves *buf
 * forward and takes 4 from *len.  Returns the tag's TCI, or -EINVAL when the frame has
 * no whole 802.1Q tag or its offsets point inside the tagged ethernet header.
 */
int vlan_tag_strip(uint8_t **buf, size_t *len);

/*
 * The egress edit: makes the frame leave as out says for VLAN vid, inserting a tag,
 * stripping one, or setting the VID of a priority tag (its PCP kept); VLAN_OUT_ASIS
 * leaves it alone.  Same buffer rules and errors as the two above; -EPERM for
 * VLAN_OUT_DROP.
 */
int vlan_edit(uint8_t **buf, size_t *len, size_t headroom, enum vlan_out out, unsigned vid);

const char *vlan_verdict_name(enum vlan_verdict v);
