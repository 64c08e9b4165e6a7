#include "plan.h"

#include "cleanup.h"
#include "parse.h"
#include "strv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void
plan_init(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->ifname, "eth0");
	p->rootfs_fd = -1;
	p->stop_signal = SIGTERM;
}

void
plan_free(struct plan *p)
{
	free(p->root);
	free(p->top);
	free(p->work);
	free(p->resolv_conf);
	for (size_t i = 0; i < p->n_env; i++)
		free(p->env[i]);
	p->n_env = 0;
	p->env[0] = NULL;
	/* The image's part. */
	free(p->groups);
	p->groups = NULL;
	p->n_groups = 0;
	p->rootfs_fd = safe_close(p->rootfs_fd);
	strv_free(p->image_argv);
	p->image_argv = NULL;
	free(p->image_cwd);
	p->image_cwd = NULL;
}

const char *
plan_check(const struct plan *p)
{
	if (p->host_net && (p->sock || p->have_addr))
		return "-N keeps the host network: it cannot go with -s or -4";
	if (p->have_gw && !p->have_addr)
		return "-g needs an address on the interface (-4)";
	if (p->top && !p->root && !p->image)
		return "-t needs a root (-r or --image)";
	if (p->ephemeral && !p->root && !p->image)
		return "--ephemeral needs a root (-r or --image)";
	if (p->ephemeral && p->top)
		return "--ephemeral keeps no top directory: it cannot go with -t";
	if (p->image && p->root)
		return "--image is the root: it cannot go with -r";
	if (!p->image && (p->entrypoint || p->pull_missing))
		return "--entrypoint and --pull need an image (--image)";
	if (p->have_gw && p->prefix < 32) {
		uint32_t mask = p->prefix ? ~0u << (32 - p->prefix) : 0;

		if ((ntohl(p->gw.s_addr) & mask) != (ntohl(p->addr.s_addr) & mask))
			return "-g: the gateway is not on the interface's subnet";
	}
	return NULL;
}

char *
plan_strip_slashes(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return strndup(path, n);
}

char *
plan_default_top(const char *root, const char *id)
{
	_cleanup_free_ char *r = plan_strip_slashes(root);
	char *top;

	if (!r || asprintf(&top, "%s.%s", r, id) < 0)
		return NULL;
	return top;
}

char *
plan_work_dir(const char *top)
{
	_cleanup_free_ char *t = plan_strip_slashes(top);
	const char *slash;
	char *work;
	int n;

	if (!t)
		return NULL;
	slash = strrchr(t, '/');
	if (!slash)
		n = asprintf(&work, ".%s.work", t);
	else if (slash == t)
		n = asprintf(&work, "/.%s.work", t + 1);
	else
		n = asprintf(&work, "%.*s/.%s.work", (int)(slash - t), t, slash + 1);
	return n < 0 ? NULL : work;
}

bool
plan_user_valid(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!*s || *s == ':' || strpbrk(s, " \t\n"))
		return false;
	return !colon || (colon[1] && !strchr(colon + 1, ':'));
}

bool
plan_hostname_valid(const char *s)
{
	size_t label = 0, n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || (s[i] == '-' && label > 0)))
			return false;
		if (++label > 63)
			return false;
	}
	return label > 0 && s[n - 1] != '-';
}

const char *
plan_hostname(const struct plan *p)
{
	return p->hostname ? p->hostname : p->id;
}

static ssize_t
plan_env_find(const struct plan *p, const char *key, size_t klen)
{
	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], key, klen) == 0 && p->env[i][klen] == '=')
			return i;
	return -1;
}

int
plan_env_set(struct plan *p, const char *kv, const char *host_value)
{
	const char *eq = strchr(kv, '=');
	size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
	char *entry;
	ssize_t i;

	if (klen == 0)
		return -EINVAL;
	if (eq)
		entry = strdup(kv);
	else if (!host_value)
		return 0;
	else if (asprintf(&entry, "%s=%s", kv, host_value) < 0)
		entry = NULL;
	if (!entry)
		return -ENOMEM;
	i = plan_env_find(p, kv, klen);
	if (i >= 0) {
		free(p->env[i]);
		p->env[i] = entry;
		return 0;
	}
	if (p->n_env >= PLAN_ENV_MAX) {
		free(entry);
		return -E2BIG;
	}
	p->env[p->n_env++] = entry;
	p->env[p->n_env] = NULL;
	return 0;
}

const char *
plan_env_get(const struct plan *p, const char *key)
{
	ssize_t i = plan_env_find(p, key, strlen(key));

	return i < 0 ? NULL : p->env[i] + strlen(key) + 1;
}

int
plan_env_base(struct plan *p, const char *host_term)
{
	char buf[96];
	const char *term = p->tty ? (host_term && *host_term ? host_term : "xterm") : "dumb";
	int r;

	r = plan_env_set(p, "PATH=" PLAN_DEFAULT_PATH, NULL);
	if (r >= 0)
		r = plan_env_set(p, p->have_user && p->uid != 0 ? "HOME=/" : "HOME=/root", NULL);
	if (r >= 0)
		r = plan_env_set(p, "TERM", term);
	snprintf(buf, sizeof(buf), "HOSTNAME=%s", plan_hostname(p));
	if (r >= 0)
		r = plan_env_set(p, buf, NULL);
	return r;
}

static bool
resolv_line_is_loopback(const char *line, size_t n)
{
	char addr[64];

	if (n < 11 || strncmp(line, "nameserver", 10) != 0 || (line[10] != ' ' && line[10] != '\t'))
		return false;
	line += 10;
	n -= 10;
	while (n && (*line == ' ' || *line == '\t'))
		line++, n--;
	snprintf(addr, sizeof(addr), "%.*s", (int)(n < sizeof(addr) - 1 ? n : sizeof(addr) - 1),
		 line);
	addr[strcspn(addr, " \t\r")] = '\0';
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

char *
plan_resolv_conf(const char *host, bool host_net)
{
	size_t len = strlen(host);
	char *out = malloc(len + 2), *o = out;

	if (!out)
		return NULL;
	for (const char *l = host; *l;) {
		const char *nl = strchr(l, '\n');
		size_t n = nl ? (size_t)(nl - l) : strlen(l);

		if (host_net || !resolv_line_is_loopback(l, n)) {
			memcpy(o, l, n);
			o += n;
			*o++ = '\n';
		}
		l += n + (nl ? 1 : 0);
	}
	*o = '\0';
	return out;
}

char *
plan_hosts(const struct plan *p)
{
	char addr[INET_ADDRSTRLEN] = "127.0.1.1";
	char *text;

	if (p->have_addr)
		inet_ntop(AF_INET, &p->addr, addr, sizeof(addr));
	if (asprintf(&text,
		     "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n%s\t%s\n", addr,
		     plan_hostname(p)) < 0)
		return NULL;
	return text;
}

unsigned long
plan_clone_flags(const struct plan *p)
{
	unsigned long flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWCGROUP;

	if (!p->host_net)
		flags |= CLONE_NEWNET;
	if (!p->host_ipc)
		flags |= CLONE_NEWIPC;
	return flags;
}

int
plan_exit_code(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return EXIT_LAUNCHER;
}

int
plan_exec_exit_code(int err)
{
	err = err < 0 ? -err : err;
	return err == ENOENT || err == ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

/* Marks the end of a walk along PATH: distinct from any pointer into the string. */
static const char path_done[] = "";

bool
plan_path_next(const char *cmd, const char *path, const char **cursor, char *buf, size_t size)
{
	while (*cursor != path_done) {
		const char *dir, *end;
		size_t dlen;

		if (strchr(cmd, '/')) {
			*cursor = path_done;
			return (size_t)snprintf(buf, size, "%s", cmd) < size;
		}
		dir = *cursor ? *cursor : path;
		if (!dir)
			break;
		end = strchrnul(dir, ':');
		dlen = end - dir;
		*cursor = *end ? end + 1 : path_done;
		/* An empty element means the current directory, as in execvp. */
		if ((size_t)snprintf(buf, size, "%.*s%s%s", (int)dlen, dir, dlen ? "/" : "", cmd) <
		    size)
			return true;
	}
	return false;
}
