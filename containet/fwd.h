/*
 * The forwarding decision for one frame: pure, no I/O.  Learns the source address and
 * says where the frame goes.  The frame starts with the virtio header of its port.
 * Within a segment frames pass as they are, 802.1Q tags included, as on a plain bridge:
 * the tag is not looked at here: the caller classifies the frame into its VLAN (vlan.c)
 * and stations are learned and looked up in that VLAN.
 */
#pragma once

#include "fdb.h"

#include <stddef.h>
#include <stdint.h>

#define ETH_HDR_LEN 14

enum fwd_verdict {
	FWD_UNICAST,   /* to *ret_port only */
	FWD_FLOOD,     /* to every port of the segment but the ingress one */
	FWD_DROP_RUNT, /* shorter than an ethernet header */
	FWD_DROP_OVERSIZE,
	FWD_DROP_BAD_SRC,  /* multicast or all-zero source address */
	FWD_DROP_RESERVED, /* 01:80:c2:00:00:0x, link-local control (STP, LACP, pause) */
	FWD_DROP_LOCAL,    /* destination lives behind the ingress port */
};

/*
 * seg: the ingress port's segment; hdr_len: the virtio header length in front of the frame; max_len: the largest
 * acceptable length including that header.  Sets *ret_port for FWD_UNICAST.
 */
enum fwd_verdict fwd_decide(struct fdb *fdb, uint16_t seg, uint32_t in_port, const uint8_t *buf,
                            size_t len, size_t hdr_len, size_t max_len, uint64_t now,
                            uint32_t *ret_port);

/* The same within VLAN vlan of the segment, the frame's class from vlan_ingress(). */
enum fwd_verdict fwd_decide_vlan(struct fdb *fdb, uint16_t seg, uint16_t vlan, uint32_t in_port,
                                 const uint8_t *buf, size_t len, size_t hdr_len, size_t max_len,
                                 uint64_t now, uint32_t *ret_port);

const char *fwd_verdict_name(enum fwd_verdict v);
