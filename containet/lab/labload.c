#include "labload.h"

#include "cleanup.h"
#include "errtext.h"
#include "labdep.h"
#include "labext.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

DEFINE_CLEANUP_FUNC(struct lab *, labconf_free)

/* The whole of a regular file of at most LAB_FILE_MAX bytes; -ENOENT when absent. */
static int
read_small(int dirfd, const char *name, char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	struct stat st;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	buf = malloc(LAB_FILE_MAX + 1);
	if (!buf)
		return -ENOMEM;
	/* One byte more than allowed, to tell a file at the limit from a larger one. */
	while (len <= LAB_FILE_MAX) {
		n = read(fd, buf + len, LAB_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += n;
	}
	if (len > LAB_FILE_MAX)
		return -EFBIG;
	*ret_buf = TAKE_PTR(buf);
	*ret_len = len;
	return 0;
}

int
labload_dir(const char *dir, struct lab **ret_lab, char **ret_error)
{
	static const char *const files[] = { "lab.conf", "lab.ext", "lab.dep" };
	static int (*const parse[])(struct lab *, const char *, size_t, const char *,
	                            char **) = { labconf_parse_conf, labext_parse, labdep_parse };
	_cleanup_(labconf_freep) struct lab *lab = labconf_new();
	_cleanup_close_ int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (dirfd < 0)
		return error_set(ret_error, -errno, "%s: %s", dir, strerror(errno));
	if (!lab)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *buf = NULL, *fname = NULL;
		size_t len = 0;

		if (asprintf(&fname, "%s/%s", dir, files[i]) < 0)
			return -ENOMEM;
		err = read_small(dirfd, files[i], &buf, &len);
		if (err == -ENOENT && i > 0)
			continue;
		if (err == -EFBIG)
			return error_set(ret_error, err, "%s: larger than %d bytes", fname,
			                 LAB_FILE_MAX);
		if (err == -EINVAL)
			return error_set(ret_error, err, "%s: not a regular file", fname);
		if (err < 0)
			return error_set(ret_error, err, "%s: %s", fname, strerror(-err));
		err = parse[i](lab, buf, len, fname, ret_error);
		if (err < 0)
			return err;
	}
	*ret_lab = TAKE_PTR(lab);
	return 0;
}
