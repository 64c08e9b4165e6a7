/*
 * Receive offload for frames that came in one batch (a GRO'd run of VXLAN datagrams):
 * pure, no I/O.  Consecutive TCP segments of one flow that the kernel's GRO would merge
 * become one GSO frame with a virtio-net header, so the node's stack takes one 64 KiB
 * write instead of dozens; everything else passes as it is, one frame at a time.
 *
 * Segments merge when every one of them is an IPv4 (no options, no fragment, header
 * checksum right, IDs counting up by one) or IPv6 (no extension header) TCP segment
 * with its checksum right, the same ethernet header, addresses, ports, ACK, window,
 * TOS or traffic class and flow label, TTL or hop limit, and TCP options byte for byte
 * (the kernel's rule: options of the same length that differ, timestamps say, are not
 * merged), contiguous sequence numbers, no flag but ACK (PSH allowed on the last), and
 * equal payload lengths but the last, which may be shorter and ends the run.
 *
 * The merged frame: the first segment's headers with the lengths fixed, the IPv4 header
 * checksum recomputed, PSH from the last segment, and the TCP checksum field holding
 * the pseudo-header's sum (VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start at the TCP
 * header and csum_offset 16), gso_type TCPV4 or TCPV6, gso_size the first segment's
 * payload, hdr_len the headers' length.  The virtio header's fields are in the host's
 * byte order, as gso.h reads them.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The most segments gro_merge() looks at in one call (the kernel's UDP GRO takes 64). */
#define GRO_SEGS_MAX 64

/* An inner ethernet frame of a batch. */
struct gro_seg {
	const uint8_t *frame;
	size_t len;
};

/*
 * Writes the frame that begins at segs[0] (n >= 1 segments follow in order) to out,
 * size bytes: a virtio-net header (12 bytes) then the ethernet frame, either the
 * segments from segs[0] on that merge (at least two) as one GSO frame, or segs[0] alone
 * with no offloads.  *ret_used is how many segments it took.  Returns the bytes
 * written, or -ENOSPC when they do not fit, -EINVAL for n == 0.
 */
int gro_merge(const struct gro_seg *segs, uint32_t n, uint8_t *out, size_t size,
              uint32_t *ret_used);
