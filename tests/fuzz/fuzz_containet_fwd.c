/*
 * The forwarding decision and the table behind it, fed a stream of frames from eight
 * ports, as the switch's loop would: each record is a port byte, a clock step byte, a
 * length byte and that many bytes of frame (virtio header included).  The table is
 * small, so it fills, ages and refuses.  Checks the promises the loop relies on.
 */
#include <assert.h>
#include <string.h>

#include "containet/fwd.h"

#define PORTS 8
#define HDR 12
#define FDB_MAX 16
#define AGEING_NS (300ULL * 1000000000ULL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fdb fdb;
	uint64_t now = 1;

	if (fdb_init(&fdb, FDB_MAX, AGEING_NS, 0x5eed) < 0)
		return 0;
	while (size >= 3) {
		uint32_t in = data[0] % PORTS, out = FDB_NONE;
		/* Steps of up to 255 s: entries live 300 s, so some age out between frames. */
		uint64_t step = (uint64_t)data[1] * 1000000000ULL;
		size_t len = data[2];
		enum fwd_verdict v;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		now += step;
		if (data[-2] == 0xff)
			fdb_expire(&fdb, now);
		v = fwd_decide(&fdb, 0, in, data, len, HDR, HDR + 200, now, &out);
		assert(fwd_verdict_name(v)[0] != '?');
		if (v == FWD_UNICAST)
			assert(out < PORTS && out != in);
		else
			assert(out == FDB_NONE);
		if (v == FWD_DROP_RUNT)
			assert(len < HDR + 14);
		if (v == FWD_DROP_OVERSIZE)
			assert(len > HDR + 200);
		assert(fdb.count <= FDB_MAX);
		/* A source that was learned is found behind the port it came from. */
		if (len >= HDR + 14 && len <= HDR + 200 && !(data[HDR + 6] & 1)) {
			uint32_t at = fdb_lookup(&fdb, 0, 0, data + HDR + 6, now);
			assert(at == in || at == FDB_NONE);
		}
		data += len;
		size -= len;
	}
	fdb_free(&fdb);
	return 0;
}
