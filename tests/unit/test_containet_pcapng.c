/*
 * pcapng blocks byte by byte, the bounded capture queue, and a whole capture file read
 * back by real readers (tshark, tcpdump, capinfos; skipped with a message when absent).
 */
#include "containet/pcapng.h"
#include "containet/vlan.h"

#include "check_main.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t
get16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* Every builder refuses a buffer one byte short, and never writes past what it is given. */
static void
check_short(int (*build)(uint8_t *, size_t, const void *), const void *arg, int want)
{
	static uint8_t buf[512];

	for (size_t size = 0; size < (size_t)want; size++) {
		memset(buf, 0xcc, sizeof(buf));
		ck_assert_int_eq(build(buf, size, arg), -ENOSPC);
		for (size_t i = size; i < sizeof(buf); i++)
			ck_assert_uint_eq(buf[i], 0xcc);
	}
	ck_assert_int_eq(build(buf, (size_t)want, arg), want);
}

static int
build_shb(uint8_t *buf, size_t size, const void *appl)
{
	return pcapng_shb(buf, size, appl);
}

static int
build_idb(uint8_t *buf, size_t size, const void *name)
{
	return pcapng_idb(buf, size, name, 262144);
}

static int
build_isb(uint8_t *buf, size_t size, const void *st)
{
	return pcapng_isb(buf, size, 3, st);
}

static int
build_epb(uint8_t *buf, size_t size, const void *frame)
{
	const struct pcapng_packet pk = { .ifid = 1, .len = 61, .drops = 2 };

	return pcapng_epb(buf, size, &pk, frame);
}

START_TEST(section_header)
{
	uint8_t b[64];

	ck_assert_int_eq(pcapng_shb(b, sizeof(b), NULL), 28);
	ck_assert_uint_eq(get32(b), 0x0a0d0d0a);
	ck_assert_uint_eq(get32(b + 4), 28);
	ck_assert_uint_eq(get32(b + 8), 0x1a2b3c4d);
	ck_assert_uint_eq(get16(b + 12), 1);
	ck_assert_uint_eq(get16(b + 14), 0);
	ck_assert_mem_eq(b + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	ck_assert_uint_eq(get32(b + 24), 28);
	/* shb_userappl "containet": 4 + 9 padded to 12, then the end of options. */
	ck_assert_int_eq(pcapng_shb(b, sizeof(b), "containet"), 28 + 16 + 4);
	ck_assert_uint_eq(get16(b + 24), 4);
	ck_assert_uint_eq(get16(b + 26), 9);
	ck_assert_mem_eq(b + 28, "containet\0\0\0", 12);
	ck_assert_uint_eq(get32(b + 40), 0);
	ck_assert_uint_eq(get32(b + 44), 48);
	check_short(build_shb, "containet", 48);
}
END_TEST

START_TEST(interface_description)
{
	uint8_t b[64];

	/* 16 fixed + if_name "ab-eth0" (4 + 8) + if_tsresol (4 + 4) + end (4) + 4. */
	ck_assert_int_eq(pcapng_idb(b, sizeof(b), "ab-eth0", 1500), 44);
	ck_assert_uint_eq(get32(b), 1);
	ck_assert_uint_eq(get32(b + 4), 44);
	ck_assert_uint_eq(get16(b + 8), 1);
	ck_assert_uint_eq(get16(b + 10), 0);
	ck_assert_uint_eq(get32(b + 12), 1500);
	ck_assert_uint_eq(get16(b + 16), 2);
	ck_assert_uint_eq(get16(b + 18), 7);
	ck_assert_mem_eq(b + 20, "ab-eth0\0", 8);
	ck_assert_uint_eq(get16(b + 28), 9);
	ck_assert_uint_eq(get16(b + 30), 1);
	ck_assert_mem_eq(b + 32, "\x09\0\0\0", 4);
	ck_assert_uint_eq(get32(b + 36), 0);
	ck_assert_uint_eq(get32(b + 40), 44);
	/* A name of a multiple of 4 bytes needs no padding. */
	ck_assert_int_eq(pcapng_idb(b, sizeof(b), "eth0", 0), 40);
	ck_assert_uint_eq(get32(b + 12), 0);
	check_short(build_idb, "ab-eth0", 44);
}
END_TEST

START_TEST(enhanced_packet)
{
	static uint8_t frame[100], b[200], head[PCAPNG_EPB_HEAD_LEN], tail[PCAPNG_EPB_TAIL_MAX];
	struct pcapng_packet pk = { .ifid = 7, .ts = 0x123456789abcdef0ULL };
	size_t tail_len;
	uint64_t v;

	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i + 1);
	for (size_t len = 0; len <= 64; len++) {
		size_t want = 28 + ((len + 3) & ~(size_t)3) + 4;

		pk.len = len;
		memset(b, 0xcc, sizeof(b));
		ck_assert_int_eq(pcapng_epb(b, sizeof(b), &pk, frame), (int)want);
		ck_assert_uint_eq(pcapng_epb_len(&pk), want);
		ck_assert_uint_eq(get32(b), 6);
		ck_assert_uint_eq(get32(b + 4), want);
		ck_assert_uint_eq(get32(b + 8), 7);
		ck_assert_uint_eq(get32(b + 12), 0x12345678);
		ck_assert_uint_eq(get32(b + 16), 0x9abcdef0);
		ck_assert_uint_eq(get32(b + 20), len);
		ck_assert_uint_eq(get32(b + 24), len);
		ck_assert_mem_eq(b + 28, frame, len);
		for (size_t i = 28 + len; i < want - 4; i++)
			ck_assert_uint_eq(b[i], 0);
		ck_assert_uint_eq(get32(b + want - 4), want);
		ck_assert_uint_eq(b[want], 0xcc);

		/* The parts make the same block. */
		ck_assert_int_eq(pcapng_epb_parts(head, tail, &tail_len, &pk), (int)len);
		ck_assert_mem_eq(head, b, 28);
		ck_assert_uint_eq(28 + len + tail_len, want);
		ck_assert_mem_eq(tail, b + 28 + len, tail_len);
	}
	/* A snaplen cuts the captured bytes, not the original length. */
	pk = (struct pcapng_packet){ .len = 100, .snaplen = 10 };
	ck_assert_int_eq(pcapng_epb(b, sizeof(b), &pk, frame), 28 + 12 + 4);
	ck_assert_uint_eq(get32(b + 20), 10);
	ck_assert_uint_eq(get32(b + 24), 100);
	ck_assert_mem_eq(b + 28, frame, 10);
	ck_assert_mem_eq(b + 38, "\0\0", 2);
	ck_assert_uint_eq(pcapng_epb_len(&pk), 44);
	pk.snaplen = 200;
	ck_assert_uint_eq(pcapng_epb_len(&pk), 132);
	/* Drops since the last frame: epb_dropcount after the padding. */
	pk = (struct pcapng_packet){ .len = 61, .drops = 0x100000002ULL };
	ck_assert_int_eq(pcapng_epb(b, sizeof(b), &pk, frame), 28 + 64 + 16 + 4);
	ck_assert_uint_eq(get32(b + 4), 112);
	ck_assert_mem_eq(b + 28 + 61, "\0\0\0", 3);
	ck_assert_uint_eq(get16(b + 92), 4);
	ck_assert_uint_eq(get16(b + 94), 8);
	memcpy(&v, b + 96, 8);
	ck_assert_uint_eq(v, 0x100000002ULL);
	ck_assert_uint_eq(get32(b + 104), 0);
	ck_assert_uint_eq(get32(b + 108), 112);
	ck_assert_int_eq(pcapng_epb_parts(head, tail, &tail_len, &pk), 61);
	ck_assert_uint_eq(tail_len, 3 + 16 + 4);
	ck_assert_uint_le(tail_len, PCAPNG_EPB_TAIL_MAX);
	ck_assert_mem_eq(tail, b + 28 + 61, tail_len);
	check_short(build_epb, frame, 112);
	/* Lengths that do not fit the block's 32-bit fields. */
	pk = (struct pcapng_packet){ .len = (size_t)UINT32_MAX + 1 };
	ck_assert_int_eq(pcapng_epb_parts(head, tail, &tail_len, &pk), -EINVAL);
	pk.len = INT32_MAX;
	ck_assert_int_eq(pcapng_epb(b, sizeof(b), &pk, frame), -EINVAL);
}
END_TEST

START_TEST(interface_statistics)
{
	const struct pcapng_stats st = {
		.start = 0x100000002ULL,
		.end = 0x300000004ULL,
		.recv = 1000,
		.drop = 7,
	};
	uint8_t b[PCAPNG_ISB_LEN];
	uint64_t v;

	ck_assert_int_eq(pcapng_isb(b, sizeof(b), 3, &st), PCAPNG_ISB_LEN);
	ck_assert_uint_eq(get32(b), 5);
	ck_assert_uint_eq(get32(b + 4), PCAPNG_ISB_LEN);
	ck_assert_uint_eq(get32(b + 8), 3);
	ck_assert_uint_eq(get32(b + 12), 3);
	ck_assert_uint_eq(get32(b + 16), 4);
	/* isb_starttime, isb_endtime: high word first. */
	ck_assert_uint_eq(get16(b + 20), 2);
	ck_assert_uint_eq(get16(b + 22), 8);
	ck_assert_uint_eq(get32(b + 24), 1);
	ck_assert_uint_eq(get32(b + 28), 2);
	ck_assert_uint_eq(get16(b + 32), 3);
	ck_assert_uint_eq(get32(b + 36), 3);
	ck_assert_uint_eq(get32(b + 40), 4);
	ck_assert_uint_eq(get16(b + 44), 4);
	memcpy(&v, b + 48, 8);
	ck_assert_uint_eq(v, 1000);
	ck_assert_uint_eq(get16(b + 56), 5);
	memcpy(&v, b + 60, 8);
	ck_assert_uint_eq(v, 7);
	ck_assert_uint_eq(get32(b + 68), 0);
	ck_assert_uint_eq(get32(b + 72), PCAPNG_ISB_LEN);
	check_short(build_isb, &st, PCAPNG_ISB_LEN);
}
END_TEST

/* Drains the queue into out as a reader would, a write of at most chunk bytes at a time. */
static size_t
drain(struct pcapng_queue *q, uint8_t *out, size_t chunk)
{
	struct iovec iov[2];
	size_t n = 0, k;

	while ((k = pcapng_queue_peek(q, iov))) {
		size_t take = iov[0].iov_len < chunk ? iov[0].iov_len : chunk;

		ck_assert_uint_le(k, 2);
		memcpy(out + n, iov[0].iov_base, take);
		n += take;
		ck_assert_int_eq(pcapng_queue_pop(q, take), 0);
	}
	return n;
}

START_TEST(queue_keeps_order_and_wraps)
{
	static uint8_t store[100], out[4000], want[4000];
	struct pcapng_queue q;
	size_t n = 0, w = 0;
	uint8_t x = 0;

	pcapng_queue_init(&q, store, sizeof(store), 0);
	/* Blocks of 1..37 bytes, drained partway each round so the ring wraps often. */
	for (size_t round = 0; round < 200; round++) {
		uint8_t blk[37];
		size_t len = round % 37 + 1;
		struct iovec iov[2] = { { blk, len / 2 }, { blk + len / 2, len - len / 2 } };

		for (size_t i = 0; i < len; i++)
			blk[i] = x++;
		if (pcapng_queue_push(&q, iov, 2, false) == 0) {
			memcpy(want + w, blk, len);
			w += len;
		} else {
			x -= (uint8_t)len;
		}
		if (round % 3 == 2 || w - n > 80)
			n += drain(&q, out + n, 13);
		if (w > sizeof(want) - 64)
			break;
	}
	n += drain(&q, out + n, 7);
	ck_assert_uint_eq(n, w);
	ck_assert_mem_eq(out, want, n);
	ck_assert_uint_eq(q.bytes, w);
}
END_TEST

START_TEST(queue_drops_what_does_not_fit)
{
	static uint8_t store[64], blk[64];
	struct pcapng_queue q;
	struct iovec iov[2] = { { blk, 30 }, { blk, 20 } }, one = { blk, 10 };

	pcapng_queue_init(&q, store, sizeof(store), 8);
	ck_assert_int_eq(pcapng_queue_push(&q, iov, 2, false), 0);
	ck_assert_uint_eq(q.len, 50);
	/* 56 usable without the reserve: a 10-byte block is refused whole, and counted. */
	ck_assert_int_eq(pcapng_queue_push(&q, &one, 1, false), -ENOBUFS);
	ck_assert_uint_eq(q.len, 50);
	ck_assert_uint_eq(q.dropped, 1);
	ck_assert_uint_eq(q.dropped_bytes, 10);
	/* The closing block may use the reserve. */
	ck_assert_int_eq(pcapng_queue_push(&q, &one, 1, true), 0);
	ck_assert_uint_eq(q.len, 60);
	ck_assert_int_eq(pcapng_queue_push(&q, &one, 1, true), -ENOBUFS);
	ck_assert_uint_eq(q.dropped, 2);
	/* With the reserve in use, an ordinary block finds no room at all (found by fuzzing). */
	one.iov_len = 1;
	ck_assert_int_eq(pcapng_queue_push(&q, &one, 1, false), -ENOBUFS);
	ck_assert_uint_eq(q.len, 60);
	ck_assert_uint_eq(q.dropped, 3);
	one.iov_len = 10;
	/* A block larger than the whole queue, even split, never goes in. */
	ck_assert_int_eq(pcapng_queue_pop(&q, 60), 0);
	iov[0].iov_len = 60;
	iov[1].iov_len = 5;
	ck_assert_int_eq(pcapng_queue_push(&q, iov, 2, true), -ENOBUFS);
	ck_assert_uint_eq(q.len, 0);
	/* A write cannot complete more than was queued. */
	ck_assert_int_eq(pcapng_queue_pop(&q, 1), -EINVAL);
	ck_assert_uint_eq(q.blocks, 2);
	ck_assert_uint_eq(q.bytes, 60);
	ck_assert_uint_eq(q.dropped, 4);
}
END_TEST

START_TEST(queue_never_overwrites_a_write_in_flight)
{
	static uint8_t store[32], blk[32];
	struct pcapng_queue q;
	struct iovec iov[2], b = { blk, 8 };
	uint8_t seen[32];

	pcapng_queue_init(&q, store, sizeof(store), 0);
	memset(blk, 'a', sizeof(blk));
	ck_assert_int_eq(pcapng_queue_push(&q, &b, 1, false), 0);
	ck_assert_uint_eq(pcapng_queue_peek(&q, iov), 1);
	memcpy(seen, iov[0].iov_base, 8);
	/* While the write of those 8 bytes is in flight, only 24 more fit. */
	memset(blk, 'b', sizeof(blk));
	b.iov_len = 24;
	ck_assert_int_eq(pcapng_queue_push(&q, &b, 1, false), 0);
	b.iov_len = 1;
	ck_assert_int_eq(pcapng_queue_push(&q, &b, 1, false), -ENOBUFS);
	ck_assert_mem_eq(iov[0].iov_base, seen, 8);
	ck_assert_mem_eq(seen, "aaaaaaaa", 8);
	ck_assert_int_eq(pcapng_queue_pop(&q, 8), 0);
	/* Now the queue wraps: two iovecs. */
	b.iov_len = 8;
	ck_assert_int_eq(pcapng_queue_push(&q, &b, 1, false), 0);
	ck_assert_uint_eq(pcapng_queue_peek(&q, iov), 2);
	ck_assert_uint_eq(iov[0].iov_len, 24);
	ck_assert_uint_eq(iov[1].iov_len, 8);
}
END_TEST

/*
 * A capture as the switch will write it: three ports, frames among them (one a 64 KiB
 * GSO frame, cut by a snaplen on one port), drops, and the statistics at the end.
 */
#define NS 1000000000ULL
#define T0 (1700000000ULL * NS + 123456789ULL)
#define BIG 65226

static const char *const names[] = { "alpha-eth0", "beta-eth0", "host0" };

static size_t
make_frame(uint8_t *f, size_t payload, uint8_t src)
{
	static const uint8_t hdr[] = {
		0x02, 0, 0, 0, 0, 0xb, 0x02, 0, 0, 0, 0, 0, 0x08, 0x00,
	};
	size_t ip_len = 20 + 20 + payload, i;

	memcpy(f, hdr, sizeof(hdr));
	f[11] = src;
	/* IPv4 10.0.0.src -> 10.0.0.11, TCP 1234 -> 80; a GSO frame's IP length is 0 or real. */
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[16] = (uint8_t)(ip_len > 0xffff ? 0 : ip_len >> 8);
	f[17] = (uint8_t)(ip_len > 0xffff ? 0 : ip_len);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, (uint8_t[]){ 10, 0, 0, src, 10, 0, 0, 11 }, 8);
	f[34] = 0x04;
	f[35] = 0xd2;
	f[37] = 80;
	f[46] = 0x50;
	f[47] = 0x18;
	for (i = 0; i < payload; i++)
		f[54 + i] = (uint8_t)i;
	return 54 + payload;
}

static size_t
sample_capture(uint8_t *file, size_t size, struct pcapng_queue *q, uint8_t *qstore, size_t qcap,
               uint32_t snaplen)
{
	static uint8_t frame[70000], blk[70000 + 64];
	struct pcapng_stats st[3] = { 0 };
	uint64_t lost[3] = { 0 }; /* since the interface's last frame in the file */
	size_t n = 0;
	int len;

	/* The header blocks go through the queue as every block will, drained as we go. */
	pcapng_queue_init(q, qstore, qcap, 3 * PCAPNG_ISB_LEN);
	len = pcapng_shb(blk, sizeof(blk), "containet");
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(pcapng_queue_push(q, &(struct iovec){ blk, (size_t)len }, 1, false), 0);
	for (uint32_t i = 0; i < 3; i++) {
		len = pcapng_idb(blk, sizeof(blk), names[i], snaplen);
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq(
		        pcapng_queue_push(q, &(struct iovec){ blk, (size_t)len }, 1, false), 0);
		st[i].start = T0;
	}
	n += drain(q, file + n, 4096);
	for (uint32_t k = 0; k < 9; k++) {
		uint32_t ifid = k % 3;
		uint64_t ts = T0 + k * 1000; /* a microsecond apart */
		size_t flen =
		        make_frame(frame, k == 4 ? BIG - 54 : 10 * k + 6, (uint8_t)(ifid + 1));
		struct pcapng_packet pk = {
			.ifid = ifid,
			.ts = ts,
			.len = flen,
			.snaplen = snaplen,
			.drops = lost[ifid],
		};
		uint8_t head[PCAPNG_EPB_HEAD_LEN], tail[PCAPNG_EPB_TAIL_MAX];
		size_t tail_len;
		int cap = pcapng_epb_parts(head, tail, &tail_len, &pk);
		struct iovec iov[3] = { { head, sizeof(head) },
			                { frame, (size_t)cap },
			                { tail, tail_len } };

		ck_assert_int_ge(cap, 0);
		st[ifid].recv++;
		ck_assert_int_eq(pcapng_queue_push(q, iov, 3, false), 0);
		lost[ifid] = 0;
		if (k == 4) {
			/* A slow reader: nothing drained while the big frame comes three more
			 * times. */
			for (int d = 0; d < 3; d++) {
				st[ifid].recv++;
				if (pcapng_queue_push(q, iov, 3, false) < 0) {
					st[ifid].drop++;
					lost[ifid]++;
				}
			}
		}
		n += drain(q, file + n, 1000);
	}
	for (uint32_t i = 0; i < 3; i++) {
		st[i].end = T0 + NS;
		len = pcapng_isb(blk, sizeof(blk), i, &st[i]);
		ck_assert_int_eq(len, PCAPNG_ISB_LEN);
		ck_assert_int_eq(pcapng_queue_push(q, &(struct iovec){ blk, (size_t)len }, 1, true),
		                 0);
	}
	n += drain(q, file + n, 4096);
	ck_assert_uint_le(n, size);
	return n;
}

/* Runs "tool opts path more" and returns its output; NULL (and a message) if tool is absent. */
static char *
run(const char *tool, const char *opts, const char *path, const char *more)
{
	static char out[16384];
	char cmd[1024];
	size_t n;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	if (system(cmd) != 0) {
		fprintf(stderr,
		        "test_containet_pcapng: %s not installed (tests/deps.sh installs "
		        "it), skipping its check\n",
		        tool);
		return NULL;
	}
	snprintf(cmd, sizeof(cmd), "TZ=UTC %s %s %s %s 2>/dev/null", tool, opts, path, more);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	ck_assert_msg(pclose(p) == 0, "'%s' failed:\n%s", cmd, out);
	return out;
}

/*
 * The reader tests write into a folder the suite's parent process makes and removes
 * (unchecked fixtures run there), so a failed check in the forked test leaves nothing.
 */
static char dir[] = "/tmp/containet-pcapng-XXXXXX";
static const char *const files[] = { "whole.pcapng", "snap.pcapng", "vlan.pcapng" };

static void
dir_make(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void
dir_remove(void)
{
	char path[sizeof(dir) + 32];

	if (getenv("KEEP_PCAPNG")) {
		fprintf(stderr, "test_containet_pcapng: kept %s\n", dir);
		return;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/* Writes the sample capture into dir/name; path gets its path. */
static void
sample_file(char path[static sizeof(dir) + 32], const char *name, uint32_t snaplen)
{
	static uint8_t file[300000], qstore[70000 + 4096];
	/* Room for the big frame and a little more: its copies find no room behind it. */
	const struct pcapng_packet big = { .len = BIG, .snaplen = snaplen };
	size_t qcap = pcapng_epb_len(&big) + 3 * PCAPNG_ISB_LEN + 1024;
	struct pcapng_queue q;
	size_t n = sample_capture(file, sizeof(file), &q, qstore, qcap, snaplen);
	int fd;

	snprintf(path, sizeof(dir) + 32, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, file, n), (ssize_t)n);
	close(fd);
	/* The slow reader lost the three copies of the big frame, counted, never a block cut. */
	ck_assert_uint_eq(q.dropped, 3);
}

static const char tshark_fields[] = "-T fields -E separator=, -e frame.interface_name "
                                    "-e frame.len -e frame.cap_len -e frame.time_epoch -e ip.src "
                                    "-e frame.drop_count";

START_TEST(readers_take_whole_gso_frames)
{
	char path[sizeof(dir) + 32];
	char *out;

	sample_file(path, files[0], 262144);
	out = run("tshark", "-r", path, tshark_fields);
	if (out)
		ck_assert_str_eq(out, "alpha-eth0,60,60,1700000000.123456789,10.0.0.1,\n"
		                      "beta-eth0,70,70,1700000000.123457789,10.0.0.2,\n"
		                      "host0,80,80,1700000000.123458789,10.0.0.3,\n"
		                      "alpha-eth0,90,90,1700000000.123459789,10.0.0.1,\n"
		                      "beta-eth0,65226,65226,1700000000.123460789,10.0.0.2,\n"
		                      "host0,110,110,1700000000.123461789,10.0.0.3,\n"
		                      "alpha-eth0,120,120,1700000000.123462789,10.0.0.1,\n"
		                      "beta-eth0,130,130,1700000000.123463789,10.0.0.2,3\n"
		                      "host0,140,140,1700000000.123464789,10.0.0.3,\n");
	out = run("tcpdump", "-r", path, "-nn -e --time-stamp-precision=nano");
	if (out) {
		ck_assert_msg(strstr(out,
		                     "22:13:20.123460789 02:00:00:00:00:02 > 02:00:00:00:00:0b, "
		                     "ethertype IPv4 (0x0800), length 65226: 10.0.0.2.1234 > "
		                     "10.0.0.11.80: Flags [P.], seq 0:65172,"),
		              "%s", out);
	}
}
END_TEST

START_TEST(readers_honour_the_snaplen)
{
	char path[sizeof(dir) + 32];
	char *out;

	sample_file(path, files[1], 1500);
	out = run("tshark", "-r", path, tshark_fields);
	if (out)
		ck_assert_msg(strstr(out, "beta-eth0,65226,1500,1700000000.123460789,10.0.0.2,\n"),
		              "%s", out);
	out = run("tcpdump", "-r", path, "-nn -e");
	if (out)
		ck_assert_msg(strstr(out, "length 65226: 10.0.0.2.1234 > 10.0.0.11.80"), "%s", out);
	/* capinfos: what each IDB says, and that each interface's ISB was read. */
	out = run("capinfos", "", path, "");
	if (out) {
		const char *p = out;
		int isbs = 0;

		ck_assert_msg(strstr(out, "Capture application: containet\n"), "%s", out);
		ck_assert_msg(strstr(out, "Number of packets:   9\n"), "%s", out);
		ck_assert_msg(strstr(out, "Name = beta-eth0\n"), "%s", out);
		ck_assert_msg(strstr(out, "Capture length = 1500\n"), "%s", out);
		ck_assert_msg(strstr(out, "Time precision = nanoseconds (9)\n"), "%s", out);
		while ((p = strstr(p, "Number of stat entries = 1\n"))) {
			isbs++;
			p++;
		}
		ck_assert_msg(isbs == 3, "%s", out);
	}
}
END_TEST

/* A frame as the egress path will capture it after a tag edit: a real dissector agrees. */
START_TEST(readers_see_the_tags_the_switch_inserts)
{
	static uint8_t b[4 + 12 + 200], file[1024];
	struct pcapng_packet pk = { .ts = T0 };
	uint8_t *buf = b + 4;
	size_t len = 12 + make_frame(buf + 12, 10, 1), n = 0;
	char path[sizeof(dir) + 32];
	char *out;
	int fd, ret;

	memset(buf, 0, 12);
	ck_assert_int_eq(vlan_tag_insert(&buf, &len, 4, 5 << 13 | 20), 0);
	pk.len = len - 12;
	ret = pcapng_shb(file, sizeof(file), NULL);
	ck_assert_int_gt(ret, 0);
	n += (size_t)ret;
	ret = pcapng_idb(file + n, sizeof(file) - n, "trunk0", 0);
	ck_assert_int_gt(ret, 0);
	n += (size_t)ret;
	ret = pcapng_epb(file + n, sizeof(file) - n, &pk, buf + 12);
	ck_assert_int_gt(ret, 0);
	n += (size_t)ret;

	snprintf(path, sizeof(path), "%s/%s", dir, files[2]);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, file, n), (ssize_t)n);
	close(fd);
	out = run("tshark", "-r", path,
	          "-T fields -E separator=, -e frame.interface_name -e frame.len -e vlan.id "
	          "-e vlan.priority -e vlan.etype -e ip.src -e tcp.dstport");
	if (out)
		ck_assert_str_eq(out, "trunk0,68,20,5,0x0800,10.0.0.1,80\n");
}
END_TEST

static Suite *
pcapng_suite(void)
{
	Suite *s = suite_create("containet_pcapng");
	TCase *tc = tcase_create("pcapng");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, section_header);
	tcase_add_test(tc, interface_description);
	tcase_add_test(tc, enhanced_packet);
	tcase_add_test(tc, interface_statistics);
	tcase_add_test(tc, queue_keeps_order_and_wraps);
	tcase_add_test(tc, queue_drops_what_does_not_fit);
	tcase_add_test(tc, queue_never_overwrites_a_write_in_flight);
	suite_add_tcase(s, tc);

	tc = tcase_create("readers");
	tcase_set_timeout(tc, 60);
	tcase_add_unchecked_fixture(tc, dir_make, dir_remove);
	tcase_add_test(tc, readers_take_whole_gso_frames);
	tcase_add_test(tc, readers_honour_the_snaplen);
	tcase_add_test(tc, readers_see_the_tags_the_switch_inserts);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pcapng_suite)
