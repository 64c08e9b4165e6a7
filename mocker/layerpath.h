/* Pure logic of layer entries: path normalisation and whiteout classification (no I/O). */
#pragma once

#include <stddef.h>

/* The longest normalised entry path accepted. */
#define LAYERPATH_MAX 4095

/*
 * Normalises a tar entry name into a path relative to the root: "./" prefixes, "."
 * components, repeated and trailing slashes are dropped; "" stands for the root itself.
 * Absolute names, ".." components, empty names and overlong names are refused
 * (-EINVAL, -EINVAL, -EINVAL, -ENAMETOOLONG) and *ret_reason says why in a few words.
 * On success *ret is a malloc'd string.
 */
int layerpath_normalize(const char *name, char **ret, const char **ret_reason);

enum layerpath_kind {
	LAYERPATH_NORMAL,   /* an ordinary entry */
	LAYERPATH_WHITEOUT, /* ".wh.NAME": NAME of the lower layers is deleted */
	LAYERPATH_OPAQUE,   /* ".wh..wh..opq": the directory hides what lower layers had */
	LAYERPATH_META,     /* ".wh..wh.*" (AUFS bookkeeping such as .wh..wh.plnk): ignored */
	LAYERPATH_INVALID,  /* ".wh.", ".wh..", ".wh...": whiteouts of nothing, "." or ".." */
};

/* Classifies the last component of a normalised path; for LAYERPATH_WHITEOUT
 * *ret_target (if not NULL) points at NAME inside base. */
enum layerpath_kind layerpath_classify(const char *base, const char **ret_target);

/* Length of the parent part of a normalised path ("a/b/c" -> 3, "a" -> 0). */
size_t layerpath_parent_len(const char *path);

/* The last component of a normalised path ("a/b/c" -> "c", "" -> ""). */
const char *layerpath_base(const char *path);

/*
 * What the components other than the last say about an entry: LAYERPATH_NORMAL when none
 * is a whiteout name; LAYERPATH_META when one is AUFS bookkeeping (".wh..wh.plnk/..."),
 * which is skipped like the directory itself; LAYERPATH_INVALID when one is a whiteout or
 * an opaque marker, which cannot hold anything.
 */
enum layerpath_kind layerpath_classify_dirs(const char *path);

/* Number of components ("" -> 0, "a/b" -> 2). */
size_t layerpath_depth(const char *path);
