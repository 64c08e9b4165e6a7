/* mocker pull: resolve a reference to one image manifest, fetch what the store lacks
 * (layers in parallel, each hashed, decompressed and extracted as it arrives), then
 * record the image in index.json. */
#pragma once

#include "manifest.h"
#include "store.h"

#include <stdbool.h>
#include <stdint.h>

struct pull_opts {
	struct platform platform;
	char **insecure;      /* hosts where plain HTTP is allowed, NULL-terminated */
	bool tls_verify;      /* check the registry's certificate (--tls-verify) */
	const char *cert_dir; /* --cert-dir: CAs and client certificate for every registry */
	const char *userpass; /* --username + --password-stdin, or NULL */
	bool quiet;           /* no progress */
	bool progress;        /* stderr is a terminal */
	bool unpack;          /* also prepare the rootfs */
	unsigned parallel;
	uint64_t max_unpacked; /* limit on the unpacked size (and on each compressed layer) */
};

/* The registry clients of one command, kept so that pulls from the same repository reuse
 * its connection and token. */
struct pull_session {
	struct registry *regs[16];
	size_t n;
};
void pull_session_done(struct pull_session *session);

/* Pulls one reference; prints "<ref>@<digest>" on stdout when done. */
int pull_image(struct store *s, const char *reference, const struct pull_opts *o,
               struct pull_session *session);
