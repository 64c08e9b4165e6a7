/*
 * mocker_unpack_tool [--no-root] DIR LAYER.tar[.gz|.zst]...
 *
 * Applies the layers in order, with mocker's unpacker, into a fresh directory beside DIR
 * and renames it to DIR only when every layer succeeded, as `mocker rootfs` does: a
 * refused layer leaves neither DIR nor anything half-written.  DIR must not exist.
 * Exit status: 0 done, 1 a layer failed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "mocker/unpack.h"
#include "rmtree.h"

static void
usage(FILE *f)
{
	fprintf(f, "Usage: mocker_unpack_tool [--no-root] DIR LAYER...\n"
	           "Unpacks the layers in order into DIR (which must not exist).\n"
	           "  --no-root   no ownership, device nodes or xattrs\n");
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-root", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct unpack_opts opts = { .root = geteuid() == 0 };
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *dir;
	int c, r;

	log_init("mocker_unpack_tool");
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			opts.root = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind < 1) {
		usage(stderr);
		return 2;
	}
	dir = argv[optind++];
	if (asprintf(&tmp, "%s.unpack-XXXXXX", dir) < 0 || !mkdtemp(tmp)) {
		log_error_errno(errno, "create temporary directory beside '%s'", dir);
		return 1;
	}
	/* mkdtemp makes 0700; a root without an entry of its own is 0755, as with umoci. */
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0755) < 0) {
		log_error_errno(errno, "open '%s'", tmp);
		goto fail;
	}
	for (; optind < argc; optind++) {
		_cleanup_free_ char *reason = NULL;

		r = unpack_layer_file(fd, argv[optind], &opts, &reason);
		if (r < 0) {
			log_error("unpack layer '%s': %s", argv[optind],
			          reason ? reason : strerror(-r));
			goto fail;
		}
	}
	if (rename(tmp, dir) < 0) {
		log_error_errno(errno, "rename '%s' to '%s'", tmp, dir);
		goto fail;
	}
	return 0;

fail:
	fd = safe_close(fd);
	r = rm_rf_at(AT_FDCWD, tmp);
	if (r < 0)
		log_error_errno(r, "remove '%s'", tmp);
	return 1;
}
