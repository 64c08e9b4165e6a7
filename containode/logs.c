#include "logs.h"

#include "cleanup.h"
#include "fileio.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How often `logs -f` looks for more: well within the 100 ms a line may take. */
#define LOGS_FOLLOW_MS 25

int
logs_sink_open(struct logs_sink *l, int dirfd)
{
	struct stat st;

	l->dirfd = dirfd;
	l->max = l->max ? l->max : LOGS_FILE_MAX;
	l->fd = openat(dirfd, "log", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->fd < 0)
		return -errno;
	l->size = fstat(l->fd, &st) == 0 ? (size_t)st.st_size : 0;
	return 0;
}

void
logs_stamp(long long sec, long nsec, char *buf)
{
	struct tm tm;
	time_t t = (time_t)sec;
	char date[24] = "0000-00-00T00:00:00";

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	unsigned long ns = (unsigned long)(nsec < 0 ? 0 : nsec) % 1000000000ul;

	memcpy(buf, date, 19);
	buf[19] = '.';
	for (int i = 28; i >= 20; i--, ns /= 10)
		buf[i] = (char)('0' + ns % 10);
	memcpy(buf + 29, "Z ", 3);
}

/* write(2) until done; a log that cannot be written loses the bytes, never the node. */
static void
logs_put(struct logs_sink *l, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(l->fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
		l->size += (size_t)w;
	}
}

/* The log is full: it becomes log.1 and a new one begins. */
static void
logs_rotate(struct logs_sink *l)
{
	int fd;

	if (l->mid_line) {
		logs_put(l, "\n", 1);
		l->mid_line = false;
	}
	if (renameat(l->dirfd, "log", l->dirfd, "log.1") < 0)
		return;
	fd = openat(l->dirfd, "log",
	            O_WRONLY | O_CREAT | O_APPEND | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	close(l->fd);
	l->fd = fd;
	l->size = 0;
}

void
logs_sink_write(struct logs_sink *l, const char *buf, size_t n)
{
	struct timespec ts;
	char stamp[LOGS_STAMP_LEN + 1];

	if (l->fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	logs_stamp(ts.tv_sec, ts.tv_nsec, stamp);
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t len = nl ? (size_t)(nl - buf) + 1 : n;

		if (l->size >= l->max)
			logs_rotate(l);
		if (!l->mid_line)
			logs_put(l, stamp, LOGS_STAMP_LEN);
		logs_put(l, buf, len);
		l->mid_line = !nl;
		buf += len;
		n -= len;
	}
}

void
logs_sink_close(struct logs_sink *l)
{
	if (l->fd >= 0 && l->mid_line)
		logs_put(l, "\n", 1);
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

size_t
logs_tail_start(const char *text, size_t len, unsigned long n)
{
	size_t i = len;

	if (n == 0)
		return len;
	/* A last line without its newline counts as a line. */
	if (i > 0 && text[i - 1] == '\n')
		i--;
	while (i > 0) {
		if (text[i - 1] == '\n' && --n == 0)
			return i;
		i--;
	}
	return 0;
}

/* Copies log text to stdout, each line's stamp dropped unless asked for. */
struct logs_filter {
	bool timestamps;
	bool in_stamp; /* at a line's start, or inside its stamp */
};

static void
logs_emit(struct logs_filter *f, const char *buf, size_t n)
{
	size_t start = 0;

	if (f->timestamps) {
		fwrite(buf, 1, n, stdout);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (f->in_stamp) {
			if (buf[i] == ' ') {
				f->in_stamp = false;
				start = i + 1;
			}
			continue;
		}
		if (buf[i] == '\n') {
			fwrite(buf + start, 1, i + 1 - start, stdout);
			f->in_stamp = true;
			start = i + 1;
		}
	}
	if (!f->in_stamp && start < n)
		fwrite(buf + start, 1, n - start, stdout);
}

/* What is left in fd, to stdout. */
static void
logs_drain(struct logs_filter *f, int fd)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		logs_emit(f, buf, (size_t)n);
	fflush(stdout);
}

static char *
logs_read(int dirfd, const char *name, size_t *ret_len)
{
	char *text = NULL;

	if (read_file_at(dirfd, name, 2 * LOGS_FILE_MAX, &text, ret_len) < 0) {
		*ret_len = 0;
		return NULL;
	}
	return text;
}

/* The same file under the name still? */
static bool
logs_same(int dirfd, int fd)
{
	struct stat a, b;

	return fstatat(dirfd, "log", &a, 0) == 0 && fstat(fd, &b) == 0 && a.st_ino == b.st_ino &&
	       a.st_dev == b.st_dev;
}

int
logs_show(int dirfd, const struct node_state *s, const struct logs_options *o)
{
	_cleanup_free_ char *old = NULL, *cur = NULL;
	_cleanup_close_ int fd = -1;
	struct logs_filter f = { .timestamps = o->timestamps, .in_stamp = true };
	size_t old_len, cur_len, skip_old = 0, skip_cur = 0;
	struct stat st;

	/* Opened first: what is read from it later follows what the snapshot below holds. */
	fd = openat(dirfd, "log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno != ENOENT)
		return -errno;
	old = logs_read(dirfd, "log.1", &old_len);
	if (fd >= 0 && fstat(fd, &st) == 0)
		cur_len = (size_t)st.st_size;
	else
		cur_len = 0;
	cur = fd >= 0 ? calloc(1, cur_len + 1) : NULL;
	if (cur && pread(fd, cur, cur_len, 0) != (ssize_t)cur_len)
		cur_len = 0;
	if (fd >= 0)
		lseek(fd, (off_t)cur_len, SEEK_SET);
	if (!o->tail_all) {
		size_t from = logs_tail_start(cur ? cur : "", cur_len, o->tail);
		unsigned long in_cur = 0;

		for (size_t i = from; i < cur_len; i++)
			in_cur += cur[i] == '\n';
		if (from < cur_len && cur[cur_len - 1] != '\n')
			in_cur++;
		skip_cur = from;
		skip_old = from > 0 || !old ? old_len
		                            : logs_tail_start(old, old_len, o->tail - in_cur);
	}
	if (old)
		logs_emit(&f, old + skip_old, old_len - skip_old);
	if (cur)
		logs_emit(&f, cur + skip_cur, cur_len - skip_cur);
	fflush(stdout);
	while (o->follow && fd >= 0) {
		bool alive = proc_is(s->supervisor, s->supervisor_start);

		logs_drain(&f, fd);
		if (!logs_same(dirfd, fd)) {
			/* Rotated: the rest of the old file first, then the new one from its start. */
			int nfd = openat(dirfd, "log", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

			if (nfd >= 0) {
				logs_drain(&f, fd);
				close(fd);
				fd = nfd;
				continue;
			}
		}
		if (!alive)
			break;
		poll(NULL, 0, LOGS_FOLLOW_MS);
	}
	return ferror(stdout) ? -EIO : 0;
}
