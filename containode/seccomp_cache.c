#include "seccomp_cache.h"

#include "cleanup.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * An entry: this header, then the build bytes, the profile and the instructions.  The
 * numbers are the machine's own: an entry never leaves the machine that made it.
 */
struct cache_header {
	char magic[8];
	uint32_t n_insns;
	uint32_t build_len;
	uint64_t profile_len;
	uint64_t caps;
	uint32_t kernel_major, kernel_minor;
	char arch[SECCOMP_CACHE_ARCH_MAX];
	uint64_t checksum; /* of everything after the header */
};

static const char cache_magic[8] = "cnsecc\0\1";

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

/* FNV-1a: a checksum against damage and a file name, not a defence (the directory is). */
static uint64_t
fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *b = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

void
seccomp_cache_name(const struct seccomp_cache_key *key, char name[SECCOMP_CACHE_NAME_MAX])
{
	uint32_t kernel[2] = { key->kernel_major, key->kernel_minor };
	uint64_t h = FNV_OFFSET;

	h = fnv(h, key->profile, key->profile_len);
	h = fnv(h, &key->caps, sizeof(key->caps));
	h = fnv(h, key->arch, strlen(key->arch));
	h = fnv(h, kernel, sizeof(kernel));
	h = fnv(h, key->build, key->build_len);
	snprintf(name, SECCOMP_CACHE_NAME_MAX, "%016llx.bpf", (unsigned long long)h);
}

static bool
key_storable(const struct seccomp_cache_key *key)
{
	return strlen(key->arch) < SECCOMP_CACHE_ARCH_MAX &&
	       key->build_len <= SECCOMP_CACHE_BUILD_MAX;
}

static void
header_fill(struct cache_header *h, const struct seccomp_cache_key *key, size_t n)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, cache_magic, sizeof(h->magic));
	h->n_insns = (uint32_t)n;
	h->build_len = (uint32_t)key->build_len;
	h->profile_len = key->profile_len;
	h->caps = key->caps;
	h->kernel_major = key->kernel_major;
	h->kernel_minor = key->kernel_minor;
	strncpy(h->arch, key->arch, sizeof(h->arch) - 1);
}

int
seccomp_cache_encode(const struct seccomp_cache_key *key, const struct sock_filter *prog, size_t n,
                     void **ret, size_t *ret_len)
{
	size_t len =
	        sizeof(struct cache_header) + key->build_len + key->profile_len + n * sizeof(*prog);
	struct cache_header h;
	uint8_t *blob, *at;

	if (!key_storable(key) || n == 0 || n > SECCOMP_CACHE_INSNS_MAX)
		return -EINVAL;
	blob = malloc(len);
	if (!blob)
		return -ENOMEM;
	header_fill(&h, key, n);
	at = blob + sizeof(h);
	memcpy(at, key->build, key->build_len);
	at += key->build_len;
	memcpy(at, key->profile, key->profile_len);
	at += key->profile_len;
	memcpy(at, prog, n * sizeof(*prog));
	h.checksum = fnv(FNV_OFFSET, blob + sizeof(h), len - sizeof(h));
	memcpy(blob, &h, sizeof(h));
	*ret = blob;
	*ret_len = len;
	return 0;
}

int
seccomp_cache_decode(const void *blob, size_t len, const struct seccomp_cache_key *key,
                     struct sock_filter **ret, size_t *ret_n)
{
	const uint8_t *b = blob, *at;
	struct cache_header h, want;
	struct sock_filter *prog;
	size_t body;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, b, sizeof(h));
	body = len - sizeof(h);
	/* Each size checked against what is left, so that no sum can overflow. */
	if (memcmp(h.magic, cache_magic, sizeof(h.magic)) != 0 || h.n_insns == 0 ||
	    h.n_insns > SECCOMP_CACHE_INSNS_MAX || h.build_len > SECCOMP_CACHE_BUILD_MAX ||
	    h.build_len > body || h.profile_len > body - h.build_len ||
	    body - h.build_len - h.profile_len != (size_t)h.n_insns * sizeof(*prog) ||
	    h.arch[sizeof(h.arch) - 1] != '\0' ||
	    fnv(FNV_OFFSET, b + sizeof(h), body) != h.checksum)
		return -EBADMSG;
	if (!key_storable(key))
		return -ESTALE;
	header_fill(&want, key, h.n_insns);
	want.checksum = h.checksum;
	at = b + sizeof(h);
	if (memcmp(&h, &want, sizeof(h)) != 0 || memcmp(at, key->build, key->build_len) != 0 ||
	    memcmp(at + key->build_len, key->profile, key->profile_len) != 0)
		return -ESTALE;
	prog = malloc((size_t)h.n_insns * sizeof(*prog));
	if (!prog)
		return -ENOMEM;
	memcpy(prog, at + h.build_len + h.profile_len, (size_t)h.n_insns * sizeof(*prog));
	*ret = prog;
	*ret_n = h.n_insns;
	return 0;
}

/* --- The cache directory (file I/O) --- */

/* The filter and the profile, and a little over: a bound on what a wrong file could cost. */
#define CACHE_FILE_MAX                                                                             \
	(sizeof(struct cache_header) + SECCOMP_CACHE_BUILD_MAX + (4 << 20) +                       \
	 SECCOMP_CACHE_INSNS_MAX * sizeof(struct sock_filter))

struct build_walk {
	uintptr_t lib_fn;
	unsigned seen;
	struct seccomp_cache_key *key;
	bool self, lib;
};

/* The NT_GNU_BUILD_ID note of a loaded object, appended to the key's build bytes. */
static bool
build_id_append(const struct dl_phdr_info *info, struct seccomp_cache_key *key)
{
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *at = (const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = at + ph->p_memsz;

		if (ph->p_type != PT_NOTE)
			continue;
		while ((size_t)(end - at) >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)at;
			size_t name = (n->n_namesz + 3) & ~(size_t)3,
			       desc = (n->n_descsz + 3) & ~(size_t)3;
			const uint8_t *d = at + sizeof(*n) + name;

			if ((size_t)(end - at) < sizeof(*n) + name + desc)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    memcmp(at + sizeof(*n), "GNU", 4) == 0 &&
			    key->build_len + n->n_descsz <= sizeof(key->build)) {
				memcpy(key->build + key->build_len, d, n->n_descsz);
				key->build_len += n->n_descsz;
				return true;
			}
			at += sizeof(*n) + name + desc;
		}
	}
	return false;
}

static bool
object_holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t start = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && addr >= start && addr - start < ph->p_memsz)
			return true;
	}
	return false;
}

static int
build_walk_one(struct dl_phdr_info *info, size_t size, void *data)
{
	struct build_walk *w = data;

	(void)size;
	/* The program itself comes first. */
	if (w->seen++ == 0) {
		w->self = build_id_append(info, w->key);
		/* Linked statically, libseccomp is part of the program and of its build. */
		w->lib = w->self && object_holds(info, w->lib_fn);
	} else if (!w->lib && object_holds(info, w->lib_fn))
		w->lib = build_id_append(info, w->key);
	return w->lib ? 1 : 0;
}

int
seccomp_cache_build(struct seccomp_cache_key *key, const void *libseccomp_fn)
{
	struct build_walk w = { .lib_fn = (uintptr_t)libseccomp_fn, .key = key };
	const struct scmp_version *v = seccomp_version();

	key->build_len = 0;
	dl_iterate_phdr(build_walk_one, &w);
	if (!w.self || !w.lib || !v || key->build_len + 3 * sizeof(uint32_t) > sizeof(key->build)) {
		key->build_len = 0;
		return -ENODATA;
	}
	memcpy(key->build + key->build_len, (uint32_t[]){ v->major, v->minor, v->micro },
	       3 * sizeof(uint32_t));
	key->build_len += 3 * sizeof(uint32_t);
	return 0;
}

/*
 * A directory whose entries are trusted: root's (or ours), writable by no one else; one
 * above it may be a sticky one like /tmp, whose entries others cannot replace.
 */
static int
dir_trusted(int fd, bool last)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return -EPERM;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (last || !(st.st_mode & S_ISVTX)))
		return -EPERM;
	return 0;
}

int
seccomp_cache_open_dir(const char *path)
{
	_cleanup_close_ int dfd = -1;
	char name[NAME_MAX + 1];
	const char *c = path;
	int r;

	if (path[0] != '/')
		return -EINVAL;
	dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	r = dir_trusted(dfd, path[strspn(path, "/")] == '\0');
	if (r < 0)
		return r;
	for (;;) {
		size_t n;
		bool last;
		int fd;

		c += strspn(c, "/");
		if (!*c)
			break;
		n = strcspn(c, "/");
		if (n > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, c, n);
		name[n] = '\0';
		c += n;
		last = c[strspn(c, "/")] == '\0';
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT) {
			if (mkdirat(dfd, name, last ? 0700 : 0755) < 0 && errno != EEXIST)
				return -errno;
			fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0)
			return -errno;
		close(dfd);
		dfd = fd;
		r = dir_trusted(dfd, last);
		if (r < 0)
			return r;
	}
	return TAKE_FD(dfd);
}

int
seccomp_cache_load(int dirfd, const struct seccomp_cache_key *key, struct sock_filter **ret,
                   size_t *ret_n)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *blob = NULL;
	char name[SECCOMP_CACHE_NAME_MAX];
	struct stat st;
	size_t len;

	seccomp_cache_name(key, name);
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? -EPERM : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	if ((size_t)st.st_size > CACHE_FILE_MAX)
		return -EBADMSG;
	len = (size_t)st.st_size;
	blob = malloc(len ? len : 1);
	if (!blob)
		return -ENOMEM;
	for (size_t got = 0; got < len;) {
		ssize_t n = read(fd, blob + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EBADMSG;
		got += (size_t)n;
	}
	return seccomp_cache_decode(blob, len, key, ret, ret_n);
}

/* The oldest entries beyond the limit, never keep (just written); what cannot go stays. */
static void
cache_prune(int dirfd, const char *keep)
{
	struct entry {
		char name[SECCOMP_CACHE_NAME_MAX];
		struct timespec mtime;
	} oldest[8];
	size_t n_entries = 0, n_oldest = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	/* Up to 8 oldest a time: the limit is reached one entry at a time. */
	while ((de = readdir(d))) {
		struct stat st;
		size_t i;

		size_t len = strlen(de->d_name);

		/* Entries only: not another writer's temporary file. */
		if (len >= SECCOMP_CACHE_NAME_MAX || len < 4 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".bpf") != 0 ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		n_entries++;
		if (strcmp(de->d_name, keep) == 0)
			continue;
		for (i = n_oldest; i > 0; i--) {
			const struct timespec *t = &oldest[i - 1].mtime;

			if (t->tv_sec < st.st_mtim.tv_sec ||
			    (t->tv_sec == st.st_mtim.tv_sec && t->tv_nsec <= st.st_mtim.tv_nsec))
				break;
			if (i < ARRAY_SIZE(oldest))
				oldest[i] = oldest[i - 1];
		}
		if (i < ARRAY_SIZE(oldest)) {
			snprintf(oldest[i].name, sizeof(oldest[i].name), "%s", de->d_name);
			oldest[i].mtime = st.st_mtim;
			if (n_oldest < ARRAY_SIZE(oldest))
				n_oldest++;
		}
	}
	for (size_t i = 0; i < n_oldest && n_entries > SECCOMP_CACHE_ENTRIES_MAX; i++, n_entries--)
		(void)unlinkat(fd, oldest[i].name, 0);
	closedir(d);
}

int
seccomp_cache_store(int dirfd, const struct seccomp_cache_key *key, const struct sock_filter *prog,
                    size_t n)
{
	_cleanup_free_ void *blob = NULL;
	char name[SECCOMP_CACHE_NAME_MAX], tmp[SECCOMP_CACHE_NAME_MAX + 32];
	size_t len;
	int fd, r;

	r = seccomp_cache_encode(key, prog, n, &blob, &len);
	if (r < 0)
		return r;
	seccomp_cache_name(key, name);
	snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", name, (int)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, blob, len) != (ssize_t)len)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dirfd, tmp, 0);
		return r;
	}
	cache_prune(dirfd, name);
	return 0;
}
