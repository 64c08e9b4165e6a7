/*
 * tc's words on random text.  Input: the first byte picks the parser (duration, rate,
 * percentage, Gilbert-Elliott), the rest is the word.  Checks that a word either fails
 * with -EINVAL/-ERANGE or gives a value in range, and that what the format functions
 * write for it reads back (to the precision they print).
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "tcvalue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_duration(const char *s)
{
	char t[TCVALUE_TEXT_MAX];
	uint64_t ns, again;
	int r = tcvalue_duration(s, &ns);

	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0)
		return;
	assert(ns <= TCVALUE_DURATION_MAX_NS);
	tcvalue_format_duration(ns, t);
	assert(tcvalue_duration(t, &again) == 0);
	assert(again <= ns + ns / 1000 + 1 && again + ns / 1000 + 1 >= ns);
}

static void
check_rate(const char *s)
{
	char t[TCVALUE_TEXT_MAX];
	uint64_t bps, again;
	int r = tcvalue_rate(s, &bps);

	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0)
		return;
	assert(bps >= 1 && bps <= TCVALUE_RATE_MAX_BPS);
	tcvalue_format_rate(bps, t);
	assert(tcvalue_rate(t, &again) == 0);
	assert(again <= bps + bps / 1000 + 1 && again + bps / 1000 + 1 >= bps);
}

static void
check_percent(const char *s)
{
	char t[TCVALUE_TEXT_MAX];
	double pct, again;
	int r = tcvalue_percent(s, &pct);

	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0)
		return;
	assert(pct >= 0 && pct <= 100);
	tcvalue_format_percent(pct, t);
	assert(tcvalue_percent(t, &again) == 0);
	assert(fabs(again - pct) <= 0.001);
}

static void
check_loss_ge(const char *s)
{
	char t[4 * TCVALUE_TEXT_MAX];
	double ge[4], again[4];
	int r = tcvalue_loss_ge(s, ge);

	assert(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r < 0)
		return;
	for (int i = 0; i < 4; i++)
		assert(ge[i] >= 0 && ge[i] <= 100);
	tcvalue_format_loss_ge(ge, t);
	assert(tcvalue_loss_ge(t, again) == 0);
	for (int i = 0; i < 4; i++)
		assert(fabs(again[i] - ge[i]) <= 0.001);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256];

	if (size < 1)
		return 0;
	size--;
	if (size >= sizeof(s))
		size = sizeof(s) - 1;
	memcpy(s, data + 1, size);
	s[size] = '\0';
	switch (data[0] & 3) {
	case 0:
		check_duration(s);
		break;
	case 1:
		check_rate(s);
		break;
	case 2:
		check_percent(s);
		break;
	case 3:
		check_loss_ge(s);
		break;
	}
	return 0;
}
