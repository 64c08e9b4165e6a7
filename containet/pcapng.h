/*
 * Capture files in pcapng (draft-ietf-opsawg-pcapng): pure, no I/O.  Builders write one
 * block into the caller's buffer, in the host's byte order (the Section Header Block's
 * byte-order magic tells readers which), and return its length or -ENOSPC.  Timestamps
 * are nanoseconds (if_tsresol 9) from the caller's clock.
 *
 * A capture is a Section Header Block, one Interface Description Block per port, an
 * Enhanced Packet Block per frame (the ethernet frame without its virtio header; a GSO
 * frame as it is, as tcpdump sees it on a TSO interface), and an Interface Statistics
 * Block per interface at the end.  The queue below holds the bytes on their way to the
 * reader, under a hard cap: a block that does not fit is dropped and counted, so a slow
 * reader never slows the switch.  Drops show twice: as the epb_dropcount of the next
 * frame of the interface that lost some (tshark's frame.drop_count), and as the totals
 * in the closing ISB's isb_ifdrop.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define PCAPNG_LINKTYPE_ETHERNET 1
#define PCAPNG_TSRESOL_NS 9
/* An ISB as pcapng_isb() writes it: starttime, endtime, ifrecv, ifdrop. */
#define PCAPNG_ISB_LEN 76
/* The longest if_name an IDB takes (an interface name has 15 bytes; a port name more). */
#define PCAPNG_NAME_MAX 255

/* Section Header Block; appl (NULL: none) goes into the shb_userappl option. */
int pcapng_shb(uint8_t *buf, size_t size, const char *appl);

/*
 * Interface Description Block: ETHERNET, snaplen (0: none), if_name, if_tsresol 9.  Give
 * every interface of a capture the same snaplen: libpcap (tcpdump) refuses a file whose
 * interfaces differ in it.
 */
int pcapng_idb(uint8_t *buf, size_t size, const char *name, uint32_t snaplen);

/* The fixed part of an EPB in front of the frame, and the most its tail takes. */
#define PCAPNG_EPB_HEAD_LEN 28
#define PCAPNG_EPB_TAIL_MAX (3 + 12 + 4 + 4)

/* What an Enhanced Packet Block says about its frame. */
struct pcapng_packet {
	uint32_t ifid;    /* the interface's index, in the order of the IDBs */
	uint64_t ts;      /* ns */
	size_t len;       /* the frame's length; the first min(len, snaplen) bytes are kept */
	uint32_t snaplen; /* 0: none */
	uint64_t drops;   /* frames of this interface lost since its last EPB (epb_dropcount) */
};

/* Bytes the EPB of pk takes. */
size_t pcapng_epb_len(const struct pcapng_packet *pk);

/*
 * Enhanced Packet Block of pk, with frame's captured bytes, and the epb_dropcount option
 * when pk->drops is not 0.  -EINVAL when the block would not fit 32 bits.
 */
int pcapng_epb(uint8_t *buf, size_t size, const struct pcapng_packet *pk, const uint8_t *frame);

/*
 * The same block in three parts, so the frame need not be copied into a scratch buffer:
 * head (written here), the captured bytes of the frame, and a tail of padding, options
 * and the closing length (written into tail, *ret_tail_len bytes).  Returns the captured
 * length.
 */
int pcapng_epb_parts(uint8_t head[PCAPNG_EPB_HEAD_LEN], uint8_t tail[PCAPNG_EPB_TAIL_MAX],
                     size_t *ret_tail_len, const struct pcapng_packet *pk);

struct pcapng_stats {
	uint64_t start, end; /* ns: when the capture of this interface began, and now */
	uint64_t recv;       /* frames seen on the interface while capturing */
	uint64_t drop;       /* of those, frames the capture could not take */
};

/* Interface Statistics Block at st->end with isb_starttime/endtime/ifrecv/ifdrop. */
int pcapng_isb(uint8_t *buf, size_t size, uint32_t ifid, const struct pcapng_stats *st);

/*
 * A bounded byte queue between the switch and the capture's reader, over the caller's
 * storage of cap bytes.  Blocks go in whole or not at all; writes take bytes from the
 * front (pcapng_queue_peek), and the bytes leave only when the write completed
 * (pcapng_queue_pop), so a write in flight never sees them overwritten.  The last
 * reserve bytes are kept for pushes marked final (the closing statistics), so a reader
 * that fell behind still gets them.
 */
struct pcapng_queue {
	uint8_t *buf;
	size_t cap;
	size_t reserve;
	size_t head;                     /* offset of the first queued byte */
	size_t len;                      /* bytes queued */
	uint64_t blocks, bytes;          /* pushed */
	uint64_t dropped, dropped_bytes; /* refused for want of room */
};

void pcapng_queue_init(struct pcapng_queue *q, uint8_t *buf, size_t cap, size_t reserve);
/*
 * Queues the block made of iov[0..n) whole.  Returns 0, or -ENOBUFS and counts a drop
 * when it does not fit under the cap (less the reserve, unless final).
 */
int pcapng_queue_push(struct pcapng_queue *q, const struct iovec *iov, size_t n, bool final);
/* Up to two iovecs covering the queued bytes in order; returns how many (0: empty). */
size_t pcapng_queue_peek(const struct pcapng_queue *q, struct iovec iov[2]);
/* A write took n bytes from the front; n more than queued is a caller bug (-EINVAL). */
int pcapng_queue_pop(struct pcapng_queue *q, size_t n);
