/*
 * The capture queue against a plain model, driven as the switch will drive it: the
 * first two bytes pick the capacity and the reserve, then each 3-byte record is an
 * operation (push an EPB of a frame of some length under some snaplen, in three parts,
 * maybe final; or complete a write of some bytes).  Checks that the bytes come out in
 * order, whole blocks only, that refusals are counted and change nothing, and that the
 * cap and reserve hold; every EPB is checked field by field on the way.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "containet/pcapng.h"

#define CAP_MAX 4096
#define MODEL_MAX (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void
check_epb(const uint8_t *b, size_t n, const struct pcapng_packet *pk, const uint8_t *frame)
{
	size_t cap = pk->snaplen && pk->len > pk->snaplen ? pk->snaplen : pk->len;

	assert(n % 4 == 0 && n == pcapng_epb_len(pk));
	assert(get32(b) == 6 && get32(b + 4) == n && get32(b + n - 4) == n);
	assert(get32(b + 8) == pk->ifid);
	assert(((uint64_t)get32(b + 12) << 32 | get32(b + 16)) == pk->ts);
	assert(get32(b + 20) == cap && get32(b + 24) == pk->len);
	assert(!memcmp(b + 28, frame, cap));
	assert(n == 28 + ((cap + 3) & ~(size_t)3) + (pk->drops ? 16 : 0) + 4);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t store[CAP_MAX], model[MODEL_MAX], out[MODEL_MAX], frame[CAP_MAX * 2],
	        blk[CAP_MAX * 2 + 64];
	size_t cap, reserve, mlen = 0, olen = 0, queued = 0;
	uint64_t drops = 0, blocks = 0;
	struct pcapng_queue q;
	uint64_t ts = 0;

	if (size < 2)
		return 0;
	cap = (size_t)data[0] * 16 + 1;
	reserve = (size_t)data[1] * 2;
	data += 2;
	size -= 2;
	pcapng_queue_init(&q, store, cap, reserve);
	assert(q.reserve <= cap);
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 1);

	for (; size >= 3; data += 3, size -= 3) {
		uint8_t op = data[0];
		size_t arg = (size_t)data[1] << 8 | data[2];

		if (op & 1) {
			struct pcapng_packet pk = {
				.ifid = op >> 4,
				.ts = ts += arg,
				.len = arg % (CAP_MAX * 2),
				.snaplen = (op & 2) ? (uint32_t)(arg >> 4) : 0,
				.drops = (op & 4) ? arg : 0,
			};
			uint8_t head[PCAPNG_EPB_HEAD_LEN], tail[PCAPNG_EPB_TAIL_MAX];
			size_t tail_len;
			int c = pcapng_epb_parts(head, tail, &tail_len, &pk);
			struct iovec iov[3] = { { head, sizeof(head) },
				                { frame, (size_t)c },
				                { tail, tail_len } };
			bool final = op & 8;
			size_t total = sizeof(head) + (size_t)c + tail_len;
			size_t limit = final ? cap : cap - q.reserve;
			int ret, n;

			assert(c >= 0 && tail_len <= PCAPNG_EPB_TAIL_MAX);
			n = pcapng_epb(blk, sizeof(blk), &pk, frame);
			assert(n > 0 && (size_t)n == total);
			check_epb(blk, (size_t)n, &pk, frame);
			ret = pcapng_queue_push(&q, iov, 3, final);
			if (queued + total <= limit) {
				assert(ret == 0);
				if (mlen + total > MODEL_MAX)
					break;
				memcpy(model + mlen, blk, total);
				mlen += total;
				queued += total;
				blocks++;
			} else {
				assert(ret == -ENOBUFS);
				drops++;
			}
		} else {
			struct iovec iov[2];
			size_t k = pcapng_queue_peek(&q, iov), avail = 0, take;

			assert(k <= 2);
			for (size_t j = 0; j < k; j++) {
				assert(iov[j].iov_len > 0);
				assert((uint8_t *)iov[j].iov_base >= store);
				assert((uint8_t *)iov[j].iov_base + iov[j].iov_len <= store + cap);
				avail += iov[j].iov_len;
			}
			assert(avail == queued);
			/* A short write: some bytes of the first iovec, maybe all of both. */
			take = (op & 2) ? avail : (k ? arg % (iov[0].iov_len + 1) : 0);
			for (size_t j = 0, left = take; j < k && left; j++) {
				size_t m = iov[j].iov_len < left ? iov[j].iov_len : left;

				memcpy(out + olen, iov[j].iov_base, m);
				olen += m;
				left -= m;
			}
			assert(pcapng_queue_pop(&q, take) == 0);
			queued -= take;
			assert(pcapng_queue_pop(&q, queued + 1) == -EINVAL);
		}
		assert(q.len == queued && q.len <= cap);
		assert(q.dropped == drops && q.blocks == blocks);
		/* What came out is what went in, in order. */
		assert(olen <= mlen && !memcmp(out, model, olen));
	}
	return 0;
}
