/*
 * An image's run configuration (the "config" object of an OCI or Docker image config)
 * and how the user's options apply over it, exactly as Docker applies them.  Pure: the
 * caller reads the blob, resolves the user (common/passwd.h), creates the directory.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Docker's default PATH for Linux containers, set when the image and -e give none. */
#define IMAGECONFIG_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* String vectors are NULL-terminated; a NULL vector or string means "not in the image". */
struct imageconfig {
	char **entrypoint;
	char **cmd;
	char **env;
	char *working_dir;
	char *user;
	char *stop_signal;
	char **exposed_ports; /* "80/tcp", in the blob's order */
};

/* Parses an image config blob.  -EINVAL with the JSON path of the bad element. */
int imageconfig_parse(const char *json, size_t len, struct imageconfig *ret, char **ret_error);
void imageconfig_done(struct imageconfig *c);

/* What the user asked for on the command line; NULL (or all-zero) means not given. */
struct imageconfig_options {
	char *const *args;       /* ARGS after the image: replace Cmd */
	const char *entrypoint;  /* --entrypoint: replaces Entrypoint and drops Cmd; "" clears */
	char *const *env;        /* -e in order: "KEY=V", or "KEY" for the caller's value */
	char *const *caller_env; /* the caller's environment, for "-e KEY" */
	const char *workdir;     /* -w */
	const char *user;        /* -u */
	const char *hostname;    /* HOSTNAME=, as Docker sets it; NULL for none */
	bool tty;                /* TERM=xterm, as Docker sets it with -t */
};

struct imageconfig_run {
	char **argv;
	char **env;
	char *workdir;   /* absolute; "/" when neither the image nor -w names one */
	char *user;      /* a spec for passwd_resolve(); "" is root */
	int stop_signal; /* SIGTERM when the image names none */
};

/*
 * The process to start.  -EINVAL with a reason for no command at all, a relative working
 * directory, an empty variable name or an unknown stop signal; -ENOMEM.
 */
int imageconfig_apply(const struct imageconfig *img, const struct imageconfig_options *opts,
                      struct imageconfig_run *ret, char **ret_error);
void imageconfig_run_done(struct imageconfig_run *r);

/* Adds KEY=value to *env unless it sets KEY already (HOME from passwd, as runc does). */
int imageconfig_env_default(char ***env, const char *key, const char *value);

/* A signal as Docker reads StopSignal: a number, or a name with or without SIG, any case. */
int imageconfig_signal(const char *s, int *ret);
