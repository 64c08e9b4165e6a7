#include "labload.h"

#include "cleanup.h"
#include "fileio.h"
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
		err = read_file_at(dirfd, files[i], LAB_FILE_MAX, &buf, &len);
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
