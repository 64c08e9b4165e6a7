/*
 * The impairment model and its queue: the statistics of loss (Bernoulli and
 * Gilbert-Elliott), duplication, corruption, reordering and jitter over many seeded
 * draws; FIFO and rate scheduling; what a GSO frame costs on the wire; corruption that
 * completes an offloaded checksum first; the queue's bounds, order and reuse.
 */
#include "containet/impair.h"

#include "check_main.h"

#include <errno.h>
#include <linux/virtio_net.h>
#include <math.h>
#include <string.h>

#define VH sizeof(struct virtio_net_hdr_v1)
#define DRAWS 1000000

static struct impair_state
seeded(uint64_t seed)
{
	return (struct impair_state){ .rng = impair_port_seed(seed, "n1-eth0") };
}

START_TEST(bernoulli_loss_duplicate_corrupt_reorder)
{
	struct ctl_link c = { .set = CTL_LINK_LOSS | CTL_LINK_DUPLICATE | CTL_LINK_CORRUPT |
		                     CTL_LINK_REORDER,
		              .loss = 5,
		              .duplicate = 10,
		              .corrupt = 1,
		              .reorder = 25 };
	struct impair_state st = seeded(1);
	uint64_t lost = 0, dup = 0, cor = 0, reo = 0, sent = 0;
	struct impair_verdict v;

	for (int i = 0; i < DRAWS; i++) {
		impair_decide(&c, &st, &v);
		lost += v.copies == 0;
		dup += v.copies == 2;
		if (v.copies) {
			sent++;
			cor += v.corrupt;
			reo += v.reorder;
		}
	}
	/* Duplicated then lost leaves one copy, as in netem: 0.95 * 10% duplicated. */
	ck_assert_double_eq_tol(lost / (double)DRAWS, 0.05 * 0.9, 0.002);
	ck_assert_double_eq_tol(dup / (double)DRAWS, 0.10 * 0.95, 0.002);
	ck_assert_double_eq_tol(cor / (double)sent, 0.01, 0.0005);
	ck_assert_double_eq_tol(reo / (double)sent, 0.25, 0.002);
}
END_TEST

START_TEST(gilbert_elliott_bursts)
{
	struct ctl_link c = { .set = CTL_LINK_LOSS_GE, .ge = { 1, 25, 100, 0 } };
	struct impair_state st = seeded(2);
	uint64_t lost = 0, bursts = 0;
	struct impair_verdict v;
	bool prev = false;

	for (int i = 0; i < DRAWS; i++) {
		impair_decide(&c, &st, &v);
		lost += !v.copies;
		bursts += !v.copies && !prev;
		prev = !v.copies;
	}
	/* Mean burst 1/r = 4; loss p / (p + r) = 1/26. */
	ck_assert_double_eq_tol(lost / (double)bursts, 4, 0.1);
	ck_assert_double_eq_tol(lost / (double)DRAWS, 1 / 26., 0.002);
}
END_TEST

START_TEST(jitter_uniform_and_normal)
{
	struct ctl_link c = { .set = CTL_LINK_DELAY | CTL_LINK_JITTER,
		              .delay_ns = 10000000,
		              .jitter_ns = 2000000 };
	struct impair_state st = seeded(3);
	double sum = 0, sq = 0, lo = 1e18, hi = 0;
	uint64_t now = 1000000000;

	for (int i = 0; i < DRAWS; i++) {
		st.last = 0;
		double d = (double)(impair_schedule(&c, &st, now, 100) - now);

		sum += d;
		sq += d * d;
		lo = fmin(lo, d);
		hi = fmax(hi, d);
	}
	ck_assert_double_eq_tol(sum / DRAWS, 10e6, 0.01e6);
	ck_assert_double_eq_tol(sqrt(sq / DRAWS - pow(sum / DRAWS, 2)), 2e6 / sqrt(3), 0.01e6);
	ck_assert(lo >= 8e6 && hi <= 12e6);

	c.set |= CTL_LINK_DISTRIBUTION;
	c.normal = true;
	sum = sq = 0;
	for (int i = 0; i < DRAWS; i++) {
		st.last = 0;
		double d = (double)(impair_schedule(&c, &st, now, 100) - now);

		sum += d;
		sq += d * d;
	}
	ck_assert_double_eq_tol(sum / DRAWS, 10e6, 0.01e6);
	ck_assert_double_eq_tol(sqrt(sq / DRAWS - pow(sum / DRAWS, 2)), 2e6, 0.02e6);
}
END_TEST

START_TEST(fifo_and_rate)
{
	struct ctl_link c = { .set = CTL_LINK_DELAY | CTL_LINK_JITTER | CTL_LINK_RATE,
		              .delay_ns = 10000000,
		              .jitter_ns = 5000000,
		              .rate_bps = 10000000 };
	struct impair_state st = seeded(4);
	uint64_t prev = 0, when;

	/* Frames 1 us apart never overtake each other, however the jitter falls. */
	for (int i = 0; i < 10000; i++) {
		when = impair_schedule(&c, &st, 1000000000ULL + i * 1000ULL, 1250);
		ck_assert_uint_ge(when, prev + 1000000); /* 1250 bytes at 10 Mbit/s: 1 ms */
		prev = when;
	}
	/* Rate alone: back to back at 1 ms per 1250 bytes from an idle link. */
	c.set = CTL_LINK_RATE;
	st = seeded(4);
	ck_assert_uint_eq(impair_schedule(&c, &st, 5000000000ULL, 1250), 5001000000ULL);
	ck_assert_uint_eq(impair_schedule(&c, &st, 5000000000ULL, 1250), 5002000000ULL);
	ck_assert_uint_eq(impair_schedule(&c, &st, 9000000000ULL, 125), 9000100000ULL);
}
END_TEST

static uint8_t frame[VH + 70000];

/* An IPv4 TCP frame with a vnet header: payload bytes, GSO segment size gso (0: none). */
static size_t
tcp_frame(size_t payload, uint16_t gso)
{
	struct virtio_net_hdr_v1 h = { 0 };
	uint8_t *f = frame + VH;

	memset(frame, 0, sizeof(frame));
	f[12] = 0x08;
	f[14] = 0x45;
	f[14 + 9] = 6;
	f[34 + 12] = 8 << 4; /* 32-byte TCP header */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	if (gso) {
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h.gso_size = gso;
		h.hdr_len = 40; /* a hint only */
	}
	memcpy(frame, &h, sizeof(h));
	for (size_t i = 0; i < payload; i++)
		f[66 + i] = (uint8_t)(i * 7);
	return VH + 66 + payload;
}

START_TEST(wire_size)
{
	uint32_t pkts;
	uint64_t bytes;
	size_t len = tcp_frame(1448 * 10 + 100, 1448);

	impair_wire_size(frame, len, &pkts, &bytes);
	ck_assert_uint_eq(pkts, 11);
	ck_assert_uint_eq(bytes, len - VH + 10 * 66);
	len = tcp_frame(1000, 0);
	impair_wire_size(frame, len, &pkts, &bytes);
	ck_assert_uint_eq(pkts, 1);
	ck_assert_uint_eq(bytes, len - VH);
	impair_wire_size(frame, 5, &pkts, &bytes);
	ck_assert_uint_eq(pkts, 1);
}
END_TEST

/* The one's complement sum over the TCP segment with its pseudo-header. */
static uint16_t
tcp_check(const uint8_t *f, size_t flen)
{
	uint32_t sum = 6 + (uint32_t)(flen - 34);

	for (size_t i = 26; i < 34; i += 2)
		sum += f[i] << 8 | f[i + 1];
	for (size_t i = 34; i < flen; i += 2)
		sum += f[i] << 8 | (i + 1 < flen ? f[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

START_TEST(corrupt_completes_the_checksum)
{
	size_t len = tcp_frame(501, 0), flen = len - VH;
	struct impair_state st = seeded(5);
	struct virtio_net_hdr_v1 h;
	uint8_t before[VH + 600], *f = frame + VH;
	uint32_t pseudo = 6 + (uint32_t)(flen - 34);
	int diff = 0;

	/* The sender left the pseudo-header's sum in the field, as the kernel does. */
	f[34 + 16] = pseudo >> 8;
	f[34 + 17] = pseudo & 0xff;
	memcpy(before, frame, len);
	ck_assert_int_eq(impair_corrupt(frame, len, &st), 0);
	memcpy(&h, frame, sizeof(h));
	ck_assert_uint_eq(h.flags, 0);
	for (size_t i = VH + 14; i < len; i++)
		diff += __builtin_popcount(frame[i] ^ before[i]) * (i != VH + 50 && i != VH + 51);
	ck_assert_int_eq(diff, 1); /* one bit, past the ethernet header */
	ck_assert_int_eq(memcmp(frame + VH, before + VH, 14), 0);
	/* Flip it back: the completed checksum verifies. */
	for (size_t i = VH + 14; i < len; i++)
		if (i != VH + 50 && i != VH + 51)
			frame[i] = before[i];
	ck_assert_uint_eq(tcp_check(f, flen), 0xffff);
	len = tcp_frame(3000, 1448);
	memcpy(before, frame, VH + 100);
	ck_assert_int_eq(impair_corrupt(frame, len, &st), -EOPNOTSUPP);
	ck_assert_int_eq(memcmp(before, frame, VH + 100), 0);
}
END_TEST

START_TEST(queue_order_bounds_reuse)
{
	struct impq *q = impq_new();
	uint8_t buf[9000];
	uint64_t when;
	uint32_t e, first, n = 0;

	ck_assert_ptr_nonnull(q);
	memset(buf, 0xab, sizeof(buf));
	ck_assert_int_eq(impq_push(q, buf, 100, 1, 100, 30, false, &first), 0);
	ck_assert_int_eq(impq_push(q, buf, 200, 2, 100, 10, true, &e), 0); /* reordered: out */
	ck_assert_int_eq(impq_push(q, buf, 300, 1, 100, 40, false, &e), 0);
	ck_assert_uint_eq(q->waiting_pkts, 2);
	ck_assert_uint_eq(impq_peek(q, &when), first);
	ck_assert_uint_eq(when, 30);
	impq_take(q, first);
	ck_assert_uint_eq(impq_peek(q, &when), e);
	ck_assert_uint_eq(impq_len(q, e), 300);
	ck_assert_uint_eq(impq_flush(q), 1);
	ck_assert(!impq_idle(q));
	impq_put(q, first);
	impq_put(q, first + 1);
	ck_assert(impq_idle(q));
	/* The byte cap: frames of 9000 bytes until it is full, then -ENOBUFS. */
	while (impq_push(q, buf, sizeof(buf), 1, 100, 0, false, &e) == 0)
		n++;
	ck_assert_uint_eq(n, IMPAIR_QUEUE_BYTES / sizeof(buf));
	ck_assert_int_eq(impq_push(q, buf, IMPAIR_QUEUE_BYTES / 2, 1, 100, 0, false, &e),
	                 -EMSGSIZE);
	/* Released in order, the bytes come back and wrap around. */
	for (uint32_t i = 0; i < n; i++) {
		e = impq_peek(q, &when);
		ck_assert_uint_ne(e, UINT32_MAX);
		impq_take(q, e);
		impq_put(q, e);
	}
	ck_assert(impq_idle(q));
	for (int i = 0; i < 3 * IMPAIR_QUEUE_FRAMES; i++) {
		ck_assert_int_eq(impq_push(q, buf, 1000 + i % 7, 1, 100, 0, false, &e), 0);
		ck_assert_uint_eq(impq_peek(q, &when), e);
		ck_assert_int_eq(impq_data(q, e)[999], 0xab);
		impq_take(q, e);
		impq_put(q, e);
	}
	/* The entry cap. */
	for (n = 0; impq_push(q, buf, 10, 1, 100, 0, false, &e) == 0; n++)
		;
	ck_assert_uint_eq(n, IMPAIR_QUEUE_FRAMES);
	impq_free(q);
}
END_TEST

START_TEST(reschedule_takes_new_settings)
{
	struct ctl_link slow = { .set = CTL_LINK_RATE, .rate_bps = 1000 };
	struct ctl_link fast = { .set = CTL_LINK_RATE, .rate_bps = 1000000000 };
	struct impair_state st = seeded(6);
	struct impq *q = impq_new();
	uint8_t buf[125] = { 0 };
	uint64_t when;
	uint32_t e;

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(impq_push(q, buf, sizeof(buf), 1, 125,
		                           impair_schedule(&slow, &st, 0, 125), false, &e),
		                 0);
	ck_assert_uint_eq(impq_peek(q, &when), 0);
	ck_assert_uint_eq(when, 1000000000); /* 1000 bits at 1000 bit/s */
	impair_reschedule(&fast, &st, q, 5000);
	impq_peek(q, &when);
	ck_assert_uint_eq(when, 6000);
	impq_take(q, 0);
	impq_put(q, 0);
	impq_peek(q, &when);
	ck_assert_uint_eq(when, 7000);
	/* Cleared: everything is due now. */
	impair_reschedule(&(struct ctl_link){}, &st, q, 9000);
	impq_peek(q, &when);
	ck_assert_uint_eq(when, 9000);
	impq_free(q);
}
END_TEST

START_TEST(merge_and_active)
{
	struct ctl_link seg = { .set = CTL_LINK_DELAY | CTL_LINK_LOSS, .delay_ns = 5, .loss = 1 };
	struct ctl_link own = { .set = CTL_LINK_LOSS_GE | CTL_LINK_LIMIT,
		                .ge = { 1, 2, 3, 4 },
		                .limit = 7 };
	struct ctl_link eff = seg;

	impair_merge(&eff, &own);
	ck_assert_uint_eq(eff.set, CTL_LINK_DELAY | CTL_LINK_LOSS_GE | CTL_LINK_LIMIT);
	ck_assert_uint_eq(eff.delay_ns, 5);
	ck_assert_uint_eq(impair_limit(&eff), 7);
	ck_assert(impair_active(&eff));
	eff = (struct ctl_link){ .set = CTL_LINK_LIMIT | CTL_LINK_SEED | CTL_LINK_DELAY };
	ck_assert(!impair_active(&eff));
	ck_assert_uint_eq(impair_limit(&(struct ctl_link){}), IMPAIR_LIMIT_DEFAULT);
	ck_assert_uint_ne(impair_port_seed(1, "a"), impair_port_seed(1, "b"));
}
END_TEST

static Suite *
impair_suite(void)
{
	Suite *s = suite_create("containet_impair");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, bernoulli_loss_duplicate_corrupt_reorder);
	tcase_add_test(tc, gilbert_elliott_bursts);
	tcase_add_test(tc, jitter_uniform_and_normal);
	tcase_add_test(tc, fifo_and_rate);
	tcase_add_test(tc, wire_size);
	tcase_add_test(tc, corrupt_completes_the_checksum);
	tcase_add_test(tc, queue_order_bounds_reuse);
	tcase_add_test(tc, reschedule_takes_new_settings);
	tcase_add_test(tc, merge_and_active);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(impair_suite)
