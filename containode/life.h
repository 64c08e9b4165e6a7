/*
 * Detached nodes: `run -d` (the supervisor's fork, its state on disk) and the verbs that
 * act on a node through its state: ps, inspect, stop, kill, pause, resume, rm.  A node's
 * state is STATE_DIR/<identity>/state.json (containode/state.c), written by its
 * supervisor only, temp + rename; what the file cannot know (the supervisor died, the
 * cgroup is frozen) is seen from the system when asked.
 */
#pragma once

#include "cgroup.h"
#include "logs.h"
#include "plan.h"
#include "state.h"

#include <stdbool.h>
#include <sys/types.h>

/* The option every verb takes, before or after the verb. */
#define LIFE_OPT_STATE_DIR 0x400

/* The state directory: --state-dir, else $CONTAINODE_STATE, else STATE_DIR_DEFAULT. */
const char *life_state_dir(const char *option);

/* What the node is now: the stored status, or paused, or dead. */
enum state_status life_status(const struct node_state *s);

/*
 * Loads the node query names (an identity or a unique prefix of one) from the state
 * directory, saying why not; the node's directory is opened in *ret_nodefd when asked.
 */
int life_load(const char *state_dir, const char *query, struct node_state *ret, int *ret_nodefd);

/* What a supervisor of a detached node keeps. */
struct life_run {
	int nodefd; /* STATE/ID */
	int ready;  /* the supervisor's end of the pipe the `run -d` waits on, until released */
	int log_r;  /* the node's stdout and stderr, for the log */
	int log_w;
	struct logs_sink log;
	struct node_state state;
};

/*
 * `run -d`: claims STATE/ID (an identity in use is an error naming it) and forks.  In the
 * caller it returns 1 with *ret_code once the node runs (its identity printed) or the
 * start failed; in the supervisor, which goes on to start the node, 0.  -errno when
 * nothing was forked.
 *
 * The caller waits on a close-on-exec pipe that the supervisor and the node both hold
 * (p->ready_fd): the node's copy closes when its command is exec'd, the supervisor's
 * when it has nothing left to do for the start (life_release).  End of file: the node
 * runs, and the caller goes without waiting for the supervisor to wake up and tell it.
 * A byte: the start failed (said by whichever failed), and the caller waits for the
 * supervisor, which reports why on the caller's stderr and exits with the code.
 */
int life_detach(struct life_run *lr, const char *state_dir, struct plan *p, int *ret_code);
/* Supervisor: the node exists (still setting itself up); its state written. */
int life_started(struct life_run *lr, const struct plan *p, pid_t pid,
                 const struct cgroup_node *cg);
/* Supervisor: nothing of the start left on its side; the node's exec releases the caller. */
void life_release(struct life_run *lr);
/* Supervisor: the start failed on its side; the caller waits for its exit code. */
void life_start_failed(struct life_run *lr);
/* Supervisor: the node's command runs; its own words go to the log from now on. */
void life_ready(struct life_run *lr);
/* Supervisor: the node ended with code; its state says so. */
void life_ended(struct life_run *lr, int code);

/* The verbs: argv[0] is the verb; the exit code is returned. */
int life_ps(const char *state_dir, int argc, char **argv);
int life_inspect(const char *state_dir, int argc, char **argv);
int life_stop(const char *state_dir, int argc, char **argv);
int life_kill(const char *state_dir, int argc, char **argv);
int life_pause(const char *state_dir, int argc, char **argv);
int life_rm(const char *state_dir, int argc, char **argv);
int life_logs(const char *state_dir, int argc, char **argv);
int exec_main(const char *state_dir, int argc, char **argv);
