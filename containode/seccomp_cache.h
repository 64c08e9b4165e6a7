/*
 * The compiled seccomp filters kept between starts: libseccomp takes tens of milliseconds
 * to turn Docker's profile into BPF, the same BPF each time for the same inputs.  An
 * entry holds everything the program depends on (the profile's text itself, the node's
 * capabilities, the architecture, the kernel version its minKernel rules looked at, and
 * the builds of containode and libseccomp that made it), and is used only when all of it
 * is equal; a checksum finds a damaged one.  Pure: the file I/O is security.c's.
 */
#pragma once

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#define SECCOMP_CACHE_BUILD_MAX 128 /* the builds' identities, opaque bytes */
#define SECCOMP_CACHE_ARCH_MAX 16
#define SECCOMP_CACHE_NAME_MAX 32 /* "0123456789abcdef.bpf" and its NUL */
#define SECCOMP_CACHE_INSNS_MAX BPF_MAXINSNS

/* What a filter was made from. */
struct seccomp_cache_key {
	const char *profile; /* the profile's text, as read */
	size_t profile_len;
	uint64_t caps;
	const char *arch; /* Go's name, "amd64"; shorter than SECCOMP_CACHE_ARCH_MAX */
	unsigned kernel_major, kernel_minor;
	uint8_t build[SECCOMP_CACHE_BUILD_MAX];
	size_t build_len;
};

/* The entry's file name for key: a hash of all of it ("%016x.bpf"). */
void seccomp_cache_name(const struct seccomp_cache_key *key, char name[SECCOMP_CACHE_NAME_MAX]);

/*
 * An entry for key holding the n instructions of prog: a malloc'd blob into *ret, its size
 * into *ret_len.  -EINVAL when key or n cannot be stored, -ENOMEM.
 */
int seccomp_cache_encode(const struct seccomp_cache_key *key, const struct sock_filter *prog,
                         size_t n, void **ret, size_t *ret_len);

/*
 * The filter in an entry read back: a malloc'd copy of its instructions into *ret and
 * their count into *ret_n.  -EBADMSG for anything but a whole, undamaged entry, -ESTALE
 * for one made from other inputs than key's, -ENOMEM.
 */
int seccomp_cache_decode(const void *blob, size_t len, const struct seccomp_cache_key *key,
                         struct sock_filter **ret, size_t *ret_n);

/* --- The cache directory (file I/O) --- */

/* The default directory; $CONTAINODE_SECCOMP_CACHE names another, "" none. */
#define SECCOMP_CACHE_DIR "/var/cache/containode/seccomp"
/* Entries kept: storing one more removes the oldest beyond this. */
#define SECCOMP_CACHE_ENTRIES_MAX 64

/*
 * The builds the filter depends on into key->build: containode's own build id, that of
 * the libseccomp holding libseccomp_fn (any of its functions) and its version.  -ENODATA
 * when either has no build id: then nothing is cached.
 */
int seccomp_cache_build(struct seccomp_cache_key *key, const void *libseccomp_fn);

/*
 * Opens the directory at path, made (0700) when missing: it and every directory above it
 * must be owned by root (or the caller) and writable by no one else (a sticky directory
 * above it may be), else -EPERM: what is in it is loaded into every node.
 */
int seccomp_cache_open_dir(const char *path);

/*
 * key's filter from the directory dirfd, as seccomp_cache_decode; an entry that is not a
 * regular file of the caller's, or that others may write, is -EPERM; none, -ENOENT.
 */
int seccomp_cache_load(int dirfd, const struct seccomp_cache_key *key, struct sock_filter **ret,
                       size_t *ret_n);

/*
 * Stores key's filter: written under a temporary name and renamed into place, so that a
 * reader sees a whole entry or none; then the oldest entries beyond
 * SECCOMP_CACHE_ENTRIES_MAX go.
 */
int seccomp_cache_store(int dirfd, const struct seccomp_cache_key *key,
                        const struct sock_filter *prog, size_t n);
