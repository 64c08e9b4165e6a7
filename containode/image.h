/*
 * Running an image of mocker's store (--image), and the user (-u) resolved in the node's
 * own /etc/passwd and /etc/group.  The parent's side: all of it before the clone, but
 * image_enter_workdir(), which the child calls in its new root.
 */
#pragma once

#include "setup.h"
#include "plan.h"

/* getopt values of the options of this part (-u is 'u'). */
enum {
	IMAGE_OPT_IMAGE = 0x200,
	IMAGE_OPT_ENTRYPOINT,
	IMAGE_OPT_PULL,
	IMAGE_OPT_STORE,
	IMAGE_OPT_HOSTNAME,
};

/* The options of this part: 0 when taken, 1 when c is not one of them, -EINVAL (said). */
int image_parse_option(struct plan *p, int c, const char *arg);

/*
 * With --image: finds the image (pulling it with --pull missing), holds its rootfs, and
 * plans root, command, environment, working directory and user from its config and the
 * options.  env is the -e list (NULL-terminated).  Logs its failure.
 */
int image_plan(struct plan *p, char *const *env);
/* -u (or the image's user) resolved in the root's /etc/passwd and /etc/group.  Logs. */
int image_plan_user(struct plan *p, const char *spec);

/*
 * -r naming an image's tree in mocker's store (`mocker rootfs`): held as --image holds it,
 * and its upper layer in memory unless -t.  Logs.
 */
int image_plan_root(struct plan *p);

/* The child, in its new root: changes to the working directory, creating it if planned. */
int image_enter_workdir(const struct plan *p, struct setup_error *e);

/* mocker beside containode (as installed and as built), else along PATH. */
void image_mocker_path(char *buf, size_t size);
