/*
 * A Docker user spec ("name", "uid", "name:group", "uid:gid", "uid:group", "name:gid")
 * resolved against the contents of an image's /etc/passwd and /etc/group, as runc and
 * moby resolve it.  Pure: the caller reads the files (a missing file is an empty buffer).
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The highest id a spec may name when no passwd or group line has it, as runc. */
#define PASSWD_ID_MAX 2147483647u

struct passwd_user {
	uid_t uid;
	gid_t gid;
	/* Every group setgroups() gets: the primary first, then the user's other groups. */
	gid_t *groups;
	size_t n_groups;
	/* The passwd line's home directory, "/" when there is none (runc's default). */
	char *home;
};

/*
 * Resolves spec ("" means root, uid 0).  Fails with -ENOENT naming the user or group
 * when a name is not found, -ERANGE for a numeric id out of [0, PASSWD_ID_MAX] that no
 * line has, -ENOMEM.  *ret is written only on success; free it with passwd_user_done().
 */
int passwd_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
                   size_t group_len, struct passwd_user *ret, char **ret_error);

void passwd_user_done(struct passwd_user *u);
