/*
 * The layer unpacker on hostile tar streams.  Each input is one layer (plain or gzip'd
 * tar), unpacked into a fresh root inside a work directory that also holds a directory
 * "outside" with one file.  Whatever the layer says, nothing may appear, change or vanish
 * beside the root: the work directory keeps exactly its two entries and "outside" its file.
 * Unpacked as an unprivileged pull does (no ownership, device nodes or xattrs), with a
 * small limit on the unpacked size.
 */
#include <archive.h>
#include <assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "mocker/unpack.h"
#include "rmtree.h"

static int workfd = -1;
static char workdir[64];

static void
remove_workdir(void)
{
	(void)rm_rf_at(AT_FDCWD, workdir);
}

static void
setup(void)
{
	struct stat st;
	int fd;

	/* On a tmpfs where there is one: the unpacker's work is fuzzed, not the disk's. */
	snprintf(workdir, sizeof(workdir), "%s/fuzz-unpack-XXXXXX",
	         stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp");
	if (!mkdtemp(workdir))
		abort();
	atexit(remove_workdir);
	workfd = open(workdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (workfd < 0 || mkdirat(workfd, "outside", 0755) < 0)
		abort();
	fd = openat(workfd, "outside/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "intact", 6) != 6)
		abort();
	close(fd);
}

/* The names in dir, sorted and joined with '/'. */
static void
list(int dirfd, const char *name, char *out, size_t size)
{
	struct dirent **names;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), n, i;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);

	out[0] = '\0';
	assert(d);
	n = scandirat(fd, ".", &names, NULL, alphasort);
	assert(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, "..")) {
			strncat(out, names[i]->d_name, size - strlen(out) - 1);
			strncat(out, "/", size - strlen(out) - 1);
		}
		free(names[i]);
	}
	free(names);
	closedir(d);
}

static void
check_outside_intact(void)
{
	char names[256], text[16] = "";
	struct stat st;
	int fd;

	list(workfd, ".", names, sizeof(names));
	assert(strcmp(names, "outside/") == 0);
	list(workfd, "outside", names, sizeof(names));
	assert(strcmp(names, "file/") == 0);
	assert(fstatat(workfd, "outside/file", &st, AT_SYMLINK_NOFOLLOW) == 0);
	assert(S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644 && st.st_nlink == 1);
	fd = openat(workfd, "outside/file", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	assert(fd >= 0 && read(fd, text, sizeof(text)) == 6 && memcmp(text, "intact", 6) == 0);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A bound, so that no input spends the run writing gigabytes. */
	const struct unpack_opts opts = { .root = false, .max_size = 16 << 20 };
	_cleanup_free_ char *error = NULL;
	struct archive *a;
	int rootfd, r;

	if (workfd < 0)
		setup();
	if (mkdirat(workfd, "root", 0755) < 0)
		abort();
	rootfd = openat(workfd, "root", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert(rootfd >= 0);

	a = archive_read_new();
	assert(a);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, size) == ARCHIVE_OK) {
		r = unpack_layer(rootfd, a, &opts, &error);
		assert(r == 0 || error || r == -ENOMEM);
	}
	archive_read_free(a);
	close(rootfd);

	r = rm_rf_at(workfd, "root");
	assert(r == 0);
	check_outside_intact();
	return 0;
}
