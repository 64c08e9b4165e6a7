/*
 * Docker's rules, as its daemon (daemon/create.go, daemon/commit.go merge(),
 * container.CreateDaemonEnvironment, ReplaceOrAppendEnvValues) and CLI implement them:
 *  - command: ARGS replace Cmd.  --entrypoint X makes Entrypoint [X] and drops the image's
 *    Entrypoint and Cmd (ARGS still follow it); --entrypoint "" does the same with an
 *    Entrypoint of [""], which is then cleared: the command is ARGS alone.  Without
 *    --entrypoint, the image's Entrypoint stays, and its Cmd too unless ARGS are given.
 *    An Entrypoint of exactly [""] counts as none.  argv is Entrypoint then Cmd; empty is
 *    an error ("no command specified").
 *  - environment: PATH=<Docker's default>, HOSTNAME=, TERM=xterm with a tty, then the
 *    image's Env, then -e.  A later "KEY=V" replaces KEY where it stands (Docker appends a
 *    second one when two -e name the same key: here the later replaces the earlier); a
 *    bare "KEY" takes the caller's value when set and otherwise removes KEY, as the
 *    Docker CLI and daemon do between them.  An empty name is refused, as the CLI does.
 *  - working directory: -w, else the image's, else "/"; it must be absolute.
 *  - user: -u, else the image's, else "" (root).  An empty -w or -u counts as not given.
 *  - stop signal: the image's, else SIGTERM; a number, or a name with or without "SIG" in
 *    any case, RTMIN+n and RTMAX-n included (Docker's table, RTMIN 34).  Docker takes any
 *    non-zero number; here it must be a signal, 1 to 64.
 */
#include "imageconfig.h"

#include "cleanup.h"
#include "errtext.h"
#include "json.h"
#include "strv.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SIG_RTMIN 34 /* Docker's value: glibc keeps 32 and 33 for itself */
#define SIG_RTMAX 64

/* A JSON string array, or a lone string as Docker's StrSlice also takes; null is none. */
static int
json_strv(const cJSON *obj, const char *key, bool allow_string, char ***ret, char **ret_error)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key), *item;
	_cleanup_strv_ char **out = NULL;
	size_t i = 0;

	*ret = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (allow_string && cJSON_IsString(v)) {
		if (strv_push(&out, strdup(v->valuestring)) < 0)
			return -ENOMEM;
		*ret = TAKE_PTR(out);
		return 0;
	}
	if (!cJSON_IsArray(v))
		return error_set(ret_error, -EINVAL, "config.%s: not an array of strings", key);
	out = calloc(1, sizeof(*out));
	if (!out)
		return -ENOMEM;
	cJSON_ArrayForEach(item, v)
	{
		if (!cJSON_IsString(item))
			return error_set(ret_error, -EINVAL, "config.%s[%zu]: not a string", key,
			                 i);
		if (strv_push(&out, strdup(item->valuestring)) < 0)
			return -ENOMEM;
		i++;
	}
	*ret = TAKE_PTR(out);
	return 0;
}

static int
json_str(const cJSON *obj, const char *key, char **ret, char **ret_error)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	*ret = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return error_set(ret_error, -EINVAL, "config.%s: not a string", key);
	*ret = strdup(v->valuestring);
	return *ret ? 0 : -ENOMEM;
}

void
imageconfig_done(struct imageconfig *c)
{
	strv_free(c->entrypoint);
	strv_free(c->cmd);
	strv_free(c->env);
	free(c->working_dir);
	free(c->user);
	free(c->stop_signal);
	strv_free(c->exposed_ports);
	*c = (struct imageconfig){ 0 };
}

int
imageconfig_parse(const char *json, size_t len, struct imageconfig *ret, char **ret_error)
{
	_cleanup_json_ cJSON *root = NULL;
	struct imageconfig c = { 0 };
	const cJSON *config, *ports, *port;
	int r;

	r = json_parse_checked(json, len, cJSON_Object, &root);
	if (r < 0)
		return error_set(ret_error, r, "image config %s",
		                 json_parse_failure(json, len, cJSON_Object));
	config = cJSON_GetObjectItemCaseSensitive(root, "config");
	if (!config || cJSON_IsNull(config)) {
		*ret = c;
		return 0;
	}
	if (!cJSON_IsObject(config))
		return error_set(ret_error, -EINVAL, "config: not an object");

	if ((r = json_strv(config, "Entrypoint", true, &c.entrypoint, ret_error)) < 0 ||
	    (r = json_strv(config, "Cmd", true, &c.cmd, ret_error)) < 0 ||
	    (r = json_strv(config, "Env", false, &c.env, ret_error)) < 0 ||
	    (r = json_str(config, "WorkingDir", &c.working_dir, ret_error)) < 0 ||
	    (r = json_str(config, "User", &c.user, ret_error)) < 0 ||
	    (r = json_str(config, "StopSignal", &c.stop_signal, ret_error)) < 0)
		goto fail;

	ports = cJSON_GetObjectItemCaseSensitive(config, "ExposedPorts");
	if (ports && !cJSON_IsNull(ports)) {
		if (!cJSON_IsObject(ports)) {
			r = error_set(ret_error, -EINVAL, "config.ExposedPorts: not an object");
			goto fail;
		}
		cJSON_ArrayForEach(port, ports)
		{
			if ((r = strv_push(&c.exposed_ports, strdup(port->string))) < 0)
				goto fail;
		}
	}
	*ret = c;
	return 0;
fail:
	imageconfig_done(&c);
	return r;
}

static int
env_key_len(const char *e)
{
	const char *eq = strchr(e, '=');

	return (int)(eq ? (size_t)(eq - e) : strlen(e));
}

static ssize_t
env_find(char **env, const char *key, size_t key_len)
{
	for (size_t i = 0; env && env[i]; i++)
		if ((size_t)env_key_len(env[i]) == key_len && strncmp(env[i], key, key_len) == 0)
			return (ssize_t)i;
	return -1;
}

/* ReplaceOrAppendEnvValues for one value: "K=V" replaces or appends, "K" removes. */
static int
env_apply(char ***env, const char *value)
{
	size_t key_len = (size_t)env_key_len(value);
	ssize_t i = env_find(*env, value, key_len);
	char *copy;

	if (!value[key_len]) {
		if (i >= 0) {
			free((*env)[i]);
			memmove(*env + i, *env + i + 1,
			        (strv_len(*env) - (size_t)i) * sizeof(char *));
		}
		return 0;
	}
	if (i < 0)
		return strv_push(env, strdup(value));
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free((*env)[i]);
	(*env)[i] = copy;
	return 0;
}

int
imageconfig_env_default(char ***env, const char *key, const char *value)
{
	char *s;

	if (env_find(*env, key, strlen(key)) >= 0)
		return 0;
	if (asprintf(&s, "%s=%s", key, value) < 0)
		return -ENOMEM;
	return strv_push(env, s);
}

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "ABRT", SIGABRT }, { "ALRM", SIGALRM }, { "BUS", SIGBUS },       { "CHLD", SIGCHLD },
	{ "CLD", SIGCHLD },  { "CONT", SIGCONT }, { "FPE", SIGFPE },       { "HUP", SIGHUP },
	{ "ILL", SIGILL },   { "INT", SIGINT },   { "IO", SIGIO },         { "IOT", SIGIOT },
	{ "KILL", SIGKILL }, { "PIPE", SIGPIPE }, { "POLL", SIGPOLL },     { "PROF", SIGPROF },
	{ "PWR", SIGPWR },   { "QUIT", SIGQUIT }, { "SEGV", SIGSEGV },     { "STKFLT", SIGSTKFLT },
	{ "STOP", SIGSTOP }, { "SYS", SIGSYS },   { "TERM", SIGTERM },     { "TRAP", SIGTRAP },
	{ "TSTP", SIGTSTP }, { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "VTALRM", SIGVTALRM }, { "WINCH", SIGWINCH },
	{ "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
};

/* "N" of 1..max, digits only. */
static bool
small_number(const char *s, int max, int *ret)
{
	int v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*ret = v;
	return true;
}

int
imageconfig_signal(const char *s, int *ret)
{
	const char *name = s;
	int n;

	if (*s >= '0' && *s <= '9') {
		if (!small_number(s, SIG_RTMAX, &n) || n == 0)
			return -EINVAL;
		*ret = n;
		return 0;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
		if (strcasecmp(name, signal_names[i].name) == 0) {
			*ret = signal_names[i].sig;
			return 0;
		}
	/* Docker's table: RTMIN, RTMIN+1..RTMIN+15, RTMAX-14..RTMAX-1, RTMAX. */
	if (strncasecmp(name, "RTMIN", 5) == 0) {
		if (!name[5])
			n = 0;
		else if (name[5] != '+' || !small_number(name + 6, 15, &n) || n == 0)
			return -EINVAL;
		*ret = SIG_RTMIN + n;
		return 0;
	}
	if (strncasecmp(name, "RTMAX", 5) == 0) {
		if (!name[5])
			n = 0;
		else if (name[5] != '-' || !small_number(name + 6, 14, &n) || n == 0)
			return -EINVAL;
		*ret = SIG_RTMAX - n;
		return 0;
	}
	return -EINVAL;
}

void
imageconfig_run_done(struct imageconfig_run *r)
{
	strv_free(r->argv);
	strv_free(r->env);
	free(r->workdir);
	free(r->user);
	*r = (struct imageconfig_run){ 0 };
}

static bool
is_cleared(char *const *v)
{
	return strv_len(v) == 1 && !*v[0];
}

static const char *
caller_value(char *const *caller_env, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; caller_env && caller_env[i]; i++)
		if (strncmp(caller_env[i], key, n) == 0 && caller_env[i][n] == '=')
			return caller_env[i] + n + 1;
	return NULL;
}

static int
build_argv(const struct imageconfig *img, const struct imageconfig_options *o, char ***argv)
{
	char *const *entrypoint, *const *cmd = o->args;
	char *const given[] = { (char *)o->entrypoint, NULL };

	if (o->entrypoint) {
		entrypoint = given;
	} else {
		entrypoint = img->entrypoint;
		if (!strv_len(cmd))
			cmd = img->cmd;
	}
	if (is_cleared(entrypoint))
		entrypoint = NULL;
	if (strv_extend(argv, entrypoint) < 0 || strv_extend(argv, cmd) < 0)
		return -ENOMEM;
	return 0;
}

static int
build_env(const struct imageconfig *img, const struct imageconfig_options *o, char ***env,
          char **ret_error)
{
	char *s;

	if (strv_push(env, strdup("PATH=" IMAGECONFIG_DEFAULT_PATH)) < 0)
		return -ENOMEM;
	if (o->hostname) {
		if (asprintf(&s, "HOSTNAME=%s", o->hostname) < 0 || strv_push(env, s) < 0)
			return -ENOMEM;
	}
	if (o->tty && strv_push(env, strdup("TERM=xterm")) < 0)
		return -ENOMEM;
	for (size_t i = 0; img->env && img->env[i]; i++)
		if (*img->env[i] && *img->env[i] != '=' && env_apply(env, img->env[i]) < 0)
			return -ENOMEM;
	for (size_t i = 0; o->env && o->env[i]; i++) {
		const char *e = o->env[i], *value;

		if (!*e || *e == '=')
			return error_set(ret_error, -EINVAL, "invalid environment variable: '%s'",
			                 e);
		if (!strchr(e, '=') && (value = caller_value(o->caller_env, e))) {
			if (asprintf(&s, "%s=%s", e, value) < 0)
				return -ENOMEM;
			int r = env_apply(env, s);
			free(s);
			if (r < 0)
				return r;
		} else if (env_apply(env, e) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

int
imageconfig_apply(const struct imageconfig *img, const struct imageconfig_options *opts,
                  struct imageconfig_run *ret, char **ret_error)
{
	static const struct imageconfig_options none = { 0 };
	const struct imageconfig_options *o = opts ? opts : &none;
	struct imageconfig_run run = { .stop_signal = SIGTERM };
	/* An empty -w or -u is no option at all, as in Docker. */
	bool own_workdir = o->workdir && *o->workdir;
	const char *workdir = own_workdir ? o->workdir : img->working_dir;
	const char *user = o->user && *o->user ? o->user : img->user;
	int r;

	if (img->stop_signal && *img->stop_signal &&
	    imageconfig_signal(img->stop_signal, &run.stop_signal) < 0)
		return error_set(ret_error, -EINVAL, "image StopSignal '%s': not a signal",
		                 img->stop_signal);
	if (own_workdir && *workdir != '/')
		return error_set(ret_error, -EINVAL,
		                 "working directory '%s' is not an absolute path", workdir);
	if (!own_workdir && workdir && *workdir && *workdir != '/')
		return error_set(ret_error, -EINVAL,
		                 "image WorkingDir '%s' is not an absolute path", workdir);

	r = -ENOMEM;
	if (build_argv(img, o, &run.argv) < 0)
		goto fail;
	if (!strv_len(run.argv)) {
		r = error_set(ret_error, -EINVAL, "no command specified");
		goto fail;
	}
	if ((r = build_env(img, o, &run.env, ret_error)) < 0)
		goto fail;
	r = -ENOMEM;
	run.workdir = strdup(workdir && *workdir ? workdir : "/");
	run.user = strdup(user ? user : "");
	if (!run.workdir || !run.user)
		goto fail;
	*ret = run;
	return 0;
fail:
	imageconfig_run_done(&run);
	return r;
}
