/*
 * The container's file system: a private mount namespace, the overlay root (or the
 * host root), pivot_root with the old root detached, the kernel file systems, the
 * masked and read-only paths, and the generated /etc files.  Runs in the child.
 */
#pragma once

#include "setup.h"
#include "plan.h"

/* The volumes' sources: detached copies of the host's trees, taken before the root changes. */
struct mounts_volumes {
	int fd[PLAN_VOLUME_MAX];
	size_t n;
};

/*
 * Everything up to (and including) /dev, taking the volumes' sources on the way (*v is
 * filled, also on failure: close it with mounts_volumes_close); the caller then creates
 * the device nodes.
 */
int mounts_root(const struct plan *p, struct mounts_volumes *v, struct setup_error *e);
/* What follows /dev and needs neither the node's network nor the volumes: pts, shm, run, /etc files. */
int mounts_rest(const struct plan *p, struct setup_error *e);
/*
 * Then, in the node's network namespace: /sys, the volumes, the masks, the sysctls and the
 * read-only paths.
 */
int mounts_finish(const struct plan *p, struct mounts_volumes *v, struct setup_error *e);
void mounts_volumes_close(struct mounts_volumes *v);

/* The parent's checks and preparation: ROOT is a directory. */
int mounts_check_root(const struct plan *p);
/*
 * TOP and the work dir exist, the work dir is locked for this node (*ret_lock, -1 with
 * an upper layer in memory; -EBUSY while another node uses it) and what an earlier run
 * left there is set aside.  -EUCLEAN when the machine went down while a node used TOP
 * (overlayfs' volatile mark from before this boot): its last changes may be lost.
 */
int mounts_prepare_top(const struct plan *p, int *ret_lock);
/*
 * Removes what earlier runs set aside in the work dir (lock: its fd, -1 for none).  Called
 * while the child sets itself up, when the parent would only wait: what is set aside is
 * one overlayfs work dir a run, empty unless a run was killed while copying up, and a
 * process of its own to remove it cost more than the removal (a fork, its copied pages,
 * its exit), though removing a directory may wait for the disk (on ext4 mounted with
 * discard and no journal, a discard per directory).
 */
int mounts_sweep_work(int lock);
/* After the container is gone: overlayfs' work directory set aside for the next run. */
int mounts_remove_work(const struct plan *p, int lock);
