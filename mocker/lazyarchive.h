/*
 * libarchive, opened with dlopen when a command first reads or writes a tar: the commands
 * that never do (images, inspect, tag, rmi, prune, rootfs of an unpacked image) start
 * without loading it and the dozen shared objects it needs (libxml2, ICU...).  mocker's
 * sources include this header instead of <archive.h> and <archive_entry.h>; each
 * archive_* function they call is a pointer here, filled by lazyarchive_load.  A
 * function missing from the list fails to link: add it.
 */
#pragma once

#include <archive.h>
#include <archive_entry.h>

#define LAZYARCHIVE_SONAME "libarchive.so.13"

/* Every function of the library that mocker calls, by name. */
/* clang-format off */
#define LAZYARCHIVE_FUNCS(X) X(archive_entry_atime) X(archive_entry_atime_is_set) \
	X(archive_entry_atime_nsec) X(archive_entry_filetype) X(archive_entry_free) \
	X(archive_entry_gid) X(archive_entry_hardlink) X(archive_entry_hardlink_utf8) \
	X(archive_entry_linkify) X(archive_entry_linkresolver_free) \
	X(archive_entry_linkresolver_new) X(archive_entry_linkresolver_set_strategy) \
	X(archive_entry_mode) X(archive_entry_mtime) X(archive_entry_mtime_is_set) \
	X(archive_entry_mtime_nsec) X(archive_entry_new) X(archive_entry_pathname) \
	X(archive_entry_pathname_utf8) X(archive_entry_rdev) X(archive_entry_rdevmajor) \
	X(archive_entry_rdevminor) X(archive_entry_set_filetype) X(archive_entry_set_gname) \
	X(archive_entry_set_hardlink) X(archive_entry_set_mtime) X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) X(archive_entry_set_size) X(archive_entry_set_uname) \
	X(archive_entry_size) X(archive_entry_size_is_set) X(archive_entry_sparse_clear) \
	X(archive_entry_symlink) X(archive_entry_symlink_utf8) X(archive_entry_uid) \
	X(archive_entry_unset_atime) X(archive_entry_unset_birthtime) X(archive_entry_unset_ctime) \
	X(archive_entry_xattr_add_entry) X(archive_entry_xattr_clear) X(archive_entry_xattr_next) \
	X(archive_entry_xattr_reset) X(archive_errno) X(archive_error_string) X(archive_read_data) \
	X(archive_read_data_block) X(archive_read_disk_descend) X(archive_read_disk_new) \
	X(archive_read_disk_open) X(archive_read_disk_set_behavior) \
	X(archive_read_disk_set_symlink_physical) X(archive_read_free) X(archive_read_new) \
	X(archive_read_next_header) X(archive_read_next_header2) X(archive_read_open) \
	X(archive_read_open_fd) X(archive_read_open_filename) X(archive_read_support_filter_all) \
	X(archive_read_support_format_empty) X(archive_read_support_format_gnutar) \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar) X(archive_set_error) \
	X(archive_write_add_filter_gzip) X(archive_write_close) X(archive_write_data) \
	X(archive_write_free) X(archive_write_header) X(archive_write_new) X(archive_write_open) \
	X(archive_write_set_bytes_in_last_block) X(archive_write_set_bytes_per_block) \
	X(archive_write_set_filter_option) X(archive_write_set_format_pax_restricted) \
	X(archive_write_set_format_raw)
/* clang-format on */

struct lazyarchive {
#define LAZYARCHIVE_SLOT(f) __typeof__(f) *f;
	LAZYARCHIVE_FUNCS(LAZYARCHIVE_SLOT)
#undef LAZYARCHIVE_SLOT
};
extern struct lazyarchive lazyarchive;

/* Opens libarchive, once; -errno with dlerror's words. */
int lazyarchive_load(char **ret_error);

/* The constructors open the library on first use; NULL when it cannot be opened. */
struct archive *lazyarchive_read_new(void);
struct archive *lazyarchive_write_new(void);
struct archive *lazyarchive_read_disk_new(void);
struct archive_entry *lazyarchive_entry_new(void);
struct archive_entry_linkresolver *lazyarchive_entry_linkresolver_new(void);

#ifndef LAZYARCHIVE_IMPL
#define archive_entry_atime lazyarchive.archive_entry_atime
#define archive_entry_atime_is_set lazyarchive.archive_entry_atime_is_set
#define archive_entry_atime_nsec lazyarchive.archive_entry_atime_nsec
#define archive_entry_filetype lazyarchive.archive_entry_filetype
#define archive_entry_free lazyarchive.archive_entry_free
#define archive_entry_gid lazyarchive.archive_entry_gid
#define archive_entry_hardlink lazyarchive.archive_entry_hardlink
#define archive_entry_hardlink_utf8 lazyarchive.archive_entry_hardlink_utf8
#define archive_entry_linkify lazyarchive.archive_entry_linkify
#define archive_entry_linkresolver_free lazyarchive.archive_entry_linkresolver_free
#define archive_entry_linkresolver_new lazyarchive_entry_linkresolver_new
#define archive_entry_linkresolver_set_strategy lazyarchive.archive_entry_linkresolver_set_strategy
#define archive_entry_mode lazyarchive.archive_entry_mode
#define archive_entry_mtime lazyarchive.archive_entry_mtime
#define archive_entry_mtime_is_set lazyarchive.archive_entry_mtime_is_set
#define archive_entry_mtime_nsec lazyarchive.archive_entry_mtime_nsec
#define archive_entry_new lazyarchive_entry_new
#define archive_entry_pathname lazyarchive.archive_entry_pathname
#define archive_entry_pathname_utf8 lazyarchive.archive_entry_pathname_utf8
#define archive_entry_rdev lazyarchive.archive_entry_rdev
#define archive_entry_rdevmajor lazyarchive.archive_entry_rdevmajor
#define archive_entry_rdevminor lazyarchive.archive_entry_rdevminor
#define archive_entry_set_filetype lazyarchive.archive_entry_set_filetype
#define archive_entry_set_gname lazyarchive.archive_entry_set_gname
#define archive_entry_set_hardlink lazyarchive.archive_entry_set_hardlink
#define archive_entry_set_mtime lazyarchive.archive_entry_set_mtime
#define archive_entry_set_pathname lazyarchive.archive_entry_set_pathname
#define archive_entry_set_perm lazyarchive.archive_entry_set_perm
#define archive_entry_set_size lazyarchive.archive_entry_set_size
#define archive_entry_set_uname lazyarchive.archive_entry_set_uname
#define archive_entry_size lazyarchive.archive_entry_size
#define archive_entry_size_is_set lazyarchive.archive_entry_size_is_set
#define archive_entry_sparse_clear lazyarchive.archive_entry_sparse_clear
#define archive_entry_symlink lazyarchive.archive_entry_symlink
#define archive_entry_symlink_utf8 lazyarchive.archive_entry_symlink_utf8
#define archive_entry_uid lazyarchive.archive_entry_uid
#define archive_entry_unset_atime lazyarchive.archive_entry_unset_atime
#define archive_entry_unset_birthtime lazyarchive.archive_entry_unset_birthtime
#define archive_entry_unset_ctime lazyarchive.archive_entry_unset_ctime
#define archive_entry_xattr_add_entry lazyarchive.archive_entry_xattr_add_entry
#define archive_entry_xattr_clear lazyarchive.archive_entry_xattr_clear
#define archive_entry_xattr_next lazyarchive.archive_entry_xattr_next
#define archive_entry_xattr_reset lazyarchive.archive_entry_xattr_reset
#define archive_errno lazyarchive.archive_errno
#define archive_error_string lazyarchive.archive_error_string
#define archive_read_data lazyarchive.archive_read_data
#define archive_read_data_block lazyarchive.archive_read_data_block
#define archive_read_disk_descend lazyarchive.archive_read_disk_descend
#define archive_read_disk_new lazyarchive_read_disk_new
#define archive_read_disk_open lazyarchive.archive_read_disk_open
#define archive_read_disk_set_behavior lazyarchive.archive_read_disk_set_behavior
#define archive_read_disk_set_symlink_physical lazyarchive.archive_read_disk_set_symlink_physical
#define archive_read_free lazyarchive.archive_read_free
#define archive_read_new lazyarchive_read_new
#define archive_read_next_header lazyarchive.archive_read_next_header
#define archive_read_next_header2 lazyarchive.archive_read_next_header2
#define archive_read_open lazyarchive.archive_read_open
#define archive_read_open_fd lazyarchive.archive_read_open_fd
#define archive_read_open_filename lazyarchive.archive_read_open_filename
#define archive_read_support_filter_all lazyarchive.archive_read_support_filter_all
#define archive_read_support_format_empty lazyarchive.archive_read_support_format_empty
#define archive_read_support_format_gnutar lazyarchive.archive_read_support_format_gnutar
#define archive_read_support_format_raw lazyarchive.archive_read_support_format_raw
#define archive_read_support_format_tar lazyarchive.archive_read_support_format_tar
#define archive_set_error lazyarchive.archive_set_error
#define archive_write_add_filter_gzip lazyarchive.archive_write_add_filter_gzip
#define archive_write_close lazyarchive.archive_write_close
#define archive_write_data lazyarchive.archive_write_data
#define archive_write_free lazyarchive.archive_write_free
#define archive_write_header lazyarchive.archive_write_header
#define archive_write_new lazyarchive_write_new
#define archive_write_open lazyarchive.archive_write_open
#define archive_write_set_bytes_in_last_block lazyarchive.archive_write_set_bytes_in_last_block
#define archive_write_set_bytes_per_block lazyarchive.archive_write_set_bytes_per_block
#define archive_write_set_filter_option lazyarchive.archive_write_set_filter_option
#define archive_write_set_format_pax_restricted lazyarchive.archive_write_set_format_pax_restricted
#define archive_write_set_format_raw lazyarchive.archive_write_set_format_raw
#endif
