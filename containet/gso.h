/*
 * Software segmentation of a frame with a virtio-net header, as the kernel's GSO does
 * it: pure, no I/O.  A tap with TSO/USO offloads hands the switch one frame of up to
 * 64 KiB for a whole run of TCP segments or UDP datagrams; where such a frame must
 * become wire packets (a VXLAN underlay, an impaired port counting packets, a port
 * without offloads), gso_init() checks it and gso_segment() writes its segments one by
 * one, each a complete ethernet frame with its lengths, IPv4 ID, TCP sequence number and
 * flags fixed and every checksum computed.
 *
 * Kinds: TCPv4 and TCPv6 (VIRTIO_NET_HDR_GSO_TCPV4/6, the ECN bit allowed) and UDP
 * segmentation over IPv4 or IPv6 (VIRTIO_NET_HDR_GSO_UDP_L4).  A frame without GSO is
 * one segment, its offloaded checksum (NEEDS_CSUM) completed.  Up to two VLAN tags
 * (802.1Q, 802.1ad) may precede the IP header.  The legacy UFO kind (GSO_UDP, IP
 * fragmentation) and IPv6 extension headers in GSO frames are refused.
 *
 * The virtio header's 16-bit fields are in the host's byte order (a tap without
 * TUNSETVNETLE/BE); a segment leaves with a zeroed virtio header (no offloads).
 */
#pragma once

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

enum gso_kind {
	GSO_NONE, /* one segment: the frame, its checksum completed */
	GSO_TCP,
	GSO_UDP, /* UDP segmentation (USO): each segment a datagram of its own */
};

/* A checked frame and how it splits, from gso_init(). */
struct gso {
	const uint8_t *frame; /* the ethernet frame (after the virtio header) */
	size_t len;
	enum gso_kind kind;
	bool ipv6;
	bool needs_csum; /* GSO_NONE: complete the checksum at csum_start + csum_offset */
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t l3;    /* offset of the IP header (GSO kinds) */
	uint16_t l4;    /* offset of the TCP or UDP header (GSO kinds) */
	uint16_t hdr;   /* bytes of headers every segment repeats */
	uint16_t mss;   /* payload bytes per segment, the last one may have fewer */
	uint32_t nsegs; /* at least 1 */
};

/*
 * Checks vh and frame/len (the frame after the virtio header) and fills *ret.  Returns 0,
 * -EINVAL for a frame whose headers or offloads are malformed or inconsistent (offsets
 * past the frame, a GSO kind that does not match the headers, gso_size 0, a fragment),
 * -EPROTONOSUPPORT for a kind or header this code does not segment.  The frame must
 * stay in place while segments are written.
 */
int gso_init(struct gso *ret, const struct virtio_net_hdr_v1 *vh, const uint8_t *frame, size_t len);

/* The length of segment i (i < nsegs). */
size_t gso_seg_len(const struct gso *g, uint32_t i);

/* The longest segment's length: headers plus one mss (the frame's length for GSO_NONE). */
size_t gso_seg_max(const struct gso *g);

/*
 * Writes segment i (i < nsegs) to out, which has size bytes: an ethernet frame with
 * fixed headers and complete checksums.  Returns its length, -ERANGE for i out of range,
 * -ENOSPC when it does not fit.
 */
int gso_segment(const struct gso *g, uint32_t i, uint8_t *out, size_t size);

/*
 * Completes an offloaded checksum in place (NEEDS_CSUM: the one's complement sum from
 * csum_start to the end, folded into csum_start + csum_offset over the partial sum the
 * sender left there) and clears the flag.  Frames without it are left alone.  Returns
 * 0, or -EINVAL when the offsets point outside the frame.
 */
int gso_csum_complete(struct virtio_net_hdr_v1 *vh, uint8_t *frame, size_t len);

/* The Internet checksum's running sum over len bytes (big-endian 16-bit words). */
uint32_t gso_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* Folds a running sum to 16 bits and complements it. */
uint16_t gso_csum_fold(uint32_t sum);
