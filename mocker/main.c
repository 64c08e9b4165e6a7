/* mocker: pulls images from Docker Hub or any OCI registry into an OCI image layout,
 * and unpacks them into root filesystems for containode. */
#include "cleanup.h"
#include "image.h"
#include "import.h"
#include "load.h"
#include "log.h"
#include "layerpath.h"
#include "lazyarchive.h"
#include "manifest.h"
#include "pull.h"
#include "save.h"
#include "store.h"
#include "strv.h"
#include "unpack.h"

#include <ctype.h>
#include "lazycurl.h"
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct options {
	const char *store;
	struct pull_opts pull;
	char *insecure[33];
	size_t n_insecure;
	const char *username;
	bool password_stdin;
	bool quiet;
	char **changes;
	const char *base;
	bool overlay;
	char **exclude;
	bool json;
	const char *output;
	const char *input;
};

static void
usage(FILE *f)
{
	fprintf(f,
	        "Usage: mocker [OPTIONS] COMMAND [ARG...]\n"
	        "Pull container images from Docker Hub or any OCI registry, store them, unpack "
	        "them.\n\n"
	        "Commands:\n"
	        "  pull REF...         fetch images (docker.io/library/busybox:latest, "
	        "host:port/name:tag, name@sha256:...)\n"
	        "  images              list stored images: reference, digest, size, created\n"
	        "  inspect REF         print the image config as JSON\n"
	        "  rmi REF...          remove image references\n"
	        "  prune               remove blobs and root filesystems no image references\n"
	        "  rootfs REF          print the path of the image's root filesystem (unpacks "
	        "it first if needed)\n"
	        "  unpack REF DIR      unpack the image into DIR, a plain copy\n"
	        "  import SRC REF      make a one-layer image of a root filesystem: SRC is a "
	        "directory,\n"
	        "                      a tar (any compression) or - (a tar on standard input)\n"
	        "  tag SRC DST         name the image SRC also DST\n"
	        "  extract TAR DIR     unpack a tar (any compression; - for standard input) into "
	        "DIR, with\n"
	        "                      the checks of a layer: nothing lands outside DIR\n"
	        "  save REF...         write the images as an OCI archive (-o FILE, else "
	        "standard output)\n"
	        "  load                store the images of an OCI or docker save archive (-i "
	        "FILE, else\n"
	        "                      standard input)\n\n"
	        "Options:\n"
	        "      --store DIR                 image store (default $CONTAINET_STORE "
	        "or " STORE_DEFAULT ")\n"
	        "      --platform OS/ARCH[/VAR]    platform to pick from a multi-platform image "
	        "(pull, load);\n"
	        "                                  import: the new image's platform\n"
	        "      --insecure-registry HOST    plain HTTP to HOST (loopback hosts: plain "
	        "HTTP first,\n"
	        "                                  HTTPS when they answer like a TLS port)\n"
	        "      --tls-verify[=BOOL]         check registries' certificates (default "
	        "true)\n"
	        "      --cert-dir DIR              CAs (*.crt) and a client certificate "
	        "(*.cert, *.key)\n"
	        "                                  for registries; default: "
	        "/etc/docker/certs.d/HOST:PORT\n"
	        "      --username USER             user for the registry (with --password-stdin); "
	        "else\n"
	        "                                  ~/.docker/config.json: credHelpers, "
	        "credsStore, auths\n"
	        "      --password-stdin            read the password from standard input\n"
	        "      --no-unpack                 pull, import, load: store without unpacking\n"
	        "      --max-unpacked SIZE         refuse images that unpack to more than SIZE "
	        "bytes\n"
	        "                                  (k, M, G, T: powers of 1024; default 64G)\n"
	        "      --change LINE               import: a Dockerfile instruction for the config "
	        "(CMD,\n"
	        "                                  ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, "
	        "USER, VOLUME,\n"
	        "                                  WORKDIR); repeatable\n"
	        "      --base REF                  import: the layer goes on top of image REF, "
	        "whose config\n"
	        "                                  the new image starts from\n"
	        "      --overlay                   import: SRC is an overlayfs upper directory; "
	        "its whiteouts\n"
	        "                                  and opaque directories become OCI's\n"
	        "      --exclude PATH              import: leave PATH (and what is below it) out\n"
	        "  -o, --output FILE               save: the archive to write\n"
	        "  -i, --input FILE                load: the archive to read (any compression)\n"
	        "      --json                      images: a JSON array (name, digest, "
	        "media_type, size,\n"
	        "                                  created)\n"
	        "  -q, --quiet                     print only digests or names\n"
	        "  -v, --verbose                   log what happens (twice: more)\n"
	        "  -h, --help                      show this help\n"
	        "      --version                   show the version\n");
}

enum {
	OPT_STORE = 256,
	OPT_PLATFORM,
	OPT_INSECURE,
	OPT_TLS_VERIFY,
	OPT_CERT_DIR,
	OPT_USERNAME,
	OPT_PASSWORD_STDIN,
	OPT_NO_UNPACK,
	OPT_MAX_UNPACKED,
	OPT_CHANGE,
	OPT_BASE,
	OPT_OVERLAY,
	OPT_EXCLUDE,
	OPT_JSON,
	OPT_VERSION,
};

/* "N" bytes, or "N" with k, M, G or T (powers of 1024; "KiB", "MB" and the like too). */
static int
parse_size(const char *s, uint64_t *ret)
{
	static const char units[] = "kmgt";
	unsigned long n;
	char *end;
	const char *u;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || n == 0)
		return -EINVAL;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B')
			end++;
	}
	if (*end || n > (UINT64_MAX >> shift))
		return -EINVAL;
	*ret = (uint64_t)n << shift;
	return 0;
}

static int
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "store", required_argument, NULL, OPT_STORE },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "insecure-registry", required_argument, NULL, OPT_INSECURE },
		{ "tls-verify", optional_argument, NULL, OPT_TLS_VERIFY },
		{ "cert-dir", required_argument, NULL, OPT_CERT_DIR },
		{ "username", required_argument, NULL, OPT_USERNAME },
		{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
		{ "no-unpack", no_argument, NULL, OPT_NO_UNPACK },
		{ "max-unpacked", required_argument, NULL, OPT_MAX_UNPACKED },
		{ "change", required_argument, NULL, OPT_CHANGE },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "overlay", no_argument, NULL, OPT_OVERLAY },
		{ "exclude", required_argument, NULL, OPT_EXCLUDE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "output", required_argument, NULL, 'o' },
		{ "input", required_argument, NULL, 'i' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{},
	};
	int c;

	opterr = 0; /* getopt's own messages off: one line, in the house format */
	while ((c = getopt_long(argc, argv, ":qvho:i:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_STORE:
			o->store = optarg;
			break;
		case OPT_PLATFORM:
			if (platform_parse(optarg, &o->pull.platform) < 0)
				return log_usage_error(
				        "invalid platform '%s' (want OS/ARCH[/VARIANT])", optarg);
			break;
		case OPT_INSECURE:
			if (o->n_insecure + 1 >= ARRAY_SIZE(o->insecure))
				return log_usage_error("too many --insecure-registry");
			o->insecure[o->n_insecure++] = optarg;
			break;
		case OPT_TLS_VERIFY:
			if (!optarg || strcmp(optarg, "true") == 0)
				o->pull.tls_verify = true;
			else if (strcmp(optarg, "false") == 0)
				o->pull.tls_verify = false;
			else
				return log_usage_error("--tls-verify='%s': want true or false",
				                       optarg);
			break;
		case OPT_CERT_DIR:
			if (!*optarg)
				return log_usage_error("--cert-dir needs a directory");
			o->pull.cert_dir = optarg;
			break;
		case OPT_USERNAME:
			o->username = optarg;
			break;
		case OPT_PASSWORD_STDIN:
			o->password_stdin = true;
			break;
		case OPT_NO_UNPACK:
			o->pull.unpack = false;
			break;
		case OPT_MAX_UNPACKED:
			if (parse_size(optarg, &o->pull.max_unpacked) < 0)
				return log_usage_error(
				        "invalid size '%s' (want N[k|M|G|T], above 0)", optarg);
			break;
		case OPT_CHANGE:
			if (strv_push(&o->changes, strdup(optarg)) < 0)
				return log_usage_error("out of memory");
			break;
		case OPT_BASE:
			o->base = optarg;
			break;
		case OPT_OVERLAY:
			o->overlay = true;
			break;
		case OPT_EXCLUDE: {
			const char *why;
			char *p = NULL;
			if (layerpath_normalize(optarg + strspn(optarg, "/"), &p, &why) < 0 ||
			    !*p) {
				free(p);
				return log_usage_error("--exclude '%s': not a path in the image",
				                       optarg);
			}
			if (strv_push(&o->exclude, p) < 0)
				return log_usage_error("out of memory");
			break;
		}
		case OPT_JSON:
			o->json = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'i':
			o->input = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'v':
			log_max_level = log_max_level == LOG_WARN ? LOG_INFO : LOG_DEBUG;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case OPT_VERSION:
			printf("mocker %s\n", VERSION);
			exit(0);
		case ':':
			return log_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			return log_usage_error("unrecognized option '%s'", argv[optind - 1]);
		}
	}
	if (o->base && !*o->base)
		return log_usage_error("--base needs an image");
	if (o->password_stdin != (o->username != NULL))
		return log_usage_error("--username and --password-stdin go together");
	return 0;
}

/* The password from stdin, one line, joined to the user name as "user:password". */
static int
read_password(const char *user, char **ret)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	ssize_t n = getline(&line, &cap, stdin);

	if (n < 0)
		return -EINVAL;
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n == 0 || asprintf(ret, "%s:%s", user, line) < 0)
		return -EINVAL;
	explicit_bzero(line, n);
	return 0;
}

static int
cmd_pull(struct store *s, struct options *o, char **refs)
{
	_cleanup_free_ char *userpass = NULL;
	int r, rc = 0;

	if (o->username) {
		r = read_password(o->username, &userpass);
		if (r < 0) {
			log_error("--password-stdin: no password on standard input");
			return r;
		}
		o->pull.userpass = userpass;
	}
	o->pull.insecure = o->insecure;
	o->pull.quiet = o->quiet;
	o->pull.progress = isatty(STDERR_FILENO);
	_cleanup_(pull_session_done) struct pull_session session = { 0 };
	for (char **ref = refs; *ref; ref++) {
		r = pull_image(s, *ref, &o->pull, &session);
		if (r < 0)
			rc = r;
	}
	if (userpass)
		explicit_bzero(userpass, strlen(userpass));
	return rc;
}

static int
cmd_import(struct store *s, const struct options *o, char **argv)
{
	struct import_opts io = {
		.changes = o->changes,
		.platform = o->pull.platform,
		.base = o->base,
		.overlay = o->overlay,
		.exclude = o->exclude,
		.quiet = o->quiet,
		.unpack = o->pull.unpack,
		.max_unpacked = o->pull.max_unpacked,
	};

	return import_image(s, argv[1], argv[2], &io);
}

static int
cmd_load(struct store *s, const struct options *o)
{
	struct load_opts lo = {
		.platform = o->pull.platform,
		.max_size = o->pull.max_unpacked,
		.unpack = o->pull.unpack,
		.quiet = o->quiet,
	};

	return load_images(s, o->input ? o->input : "-", &lo);
}

static bool
is_command(const char *cmd)
{
	static const char *const cmds[] = { "pull",  "images", "inspect", "rmi",
		                            "prune", "rootfs", "unpack",  "import",
		                            "tag",   "save",   "load",    "extract" };

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (strcmp(cmd, cmds[i]) == 0)
			return true;
	return false;
}

/* libcurl and libarchive for the commands that use them, opened now so that a failure to
 * open them is said plainly (rootfs opens libarchive only when it has to unpack). */
static int
load_libraries(const char *cmd)
{
	static const char *const archive_cmds[] = { "pull", "unpack", "import",
		                                    "save", "load",   "extract" };
	_cleanup_free_ char *why = NULL;
	int r = 0;

	if (strcmp(cmd, "pull") == 0)
		r = lazycurl_load(&why);
	for (size_t i = 0; r >= 0 && i < ARRAY_SIZE(archive_cmds); i++)
		if (strcmp(cmd, archive_cmds[i]) == 0)
			r = lazyarchive_load(&why);
	if (r < 0)
		log_error("%s: %s", cmd, why ? why : strerror(-r));
	return r;
}

static int
run(struct options *o, int argc, char **argv)
{
	const char *cmd = argv[0];
	bool import = strcmp(cmd, "import") == 0;
	bool writes = strcmp(cmd, "pull") == 0 || import || strcmp(cmd, "tag") == 0 ||
	              strcmp(cmd, "load") == 0;
	_cleanup_(store_close) struct store s = { .lock_fd = -1 };
	int r;

	if (!is_command(cmd))
		return log_usage_error("unknown command '%s'", cmd);
	if (load_libraries(cmd) < 0)
		return 1;
	if ((o->changes || o->base || o->overlay || o->exclude) && !import)
		return log_usage_error("--change, --base, --overlay and --exclude are options of "
		                       "import");
	if (import && argc != 3)
		return log_usage_error("import needs a source (DIR, TAR or -) and a reference");
	if (o->json && strcmp(cmd, "images") != 0)
		return log_usage_error("--json is an option of images");
	if (o->output && strcmp(cmd, "save") != 0)
		return log_usage_error("-o/--output is an option of save");
	if (o->input && strcmp(cmd, "load") != 0)
		return log_usage_error("-i/--input is an option of load");
	if (strcmp(cmd, "extract") == 0 && argc != 3)
		return log_usage_error("extract needs a tar (or -) and a directory");
	if (strcmp(cmd, "extract") == 0)
		return image_extract(argv[1], argv[2], o->pull.max_unpacked) < 0 ? 1 : 0;
	if (strcmp(cmd, "save") == 0 && argc < 2)
		return log_usage_error("save needs at least one reference");
	if (strcmp(cmd, "load") == 0 && argc != 1)
		return log_usage_error(
		        "load takes its archive with -i FILE (or on standard input)");
	if (strcmp(cmd, "tag") == 0 && argc != 3)
		return log_usage_error("tag needs a source image and a new reference");
	if ((strcmp(cmd, "pull") == 0 || strcmp(cmd, "rmi") == 0) && argc < 2)
		return log_usage_error("%s needs at least one reference", cmd);
	if ((strcmp(cmd, "inspect") == 0 || strcmp(cmd, "rootfs") == 0) && argc != 2)
		return log_usage_error("%s needs exactly one reference", cmd);
	if (strcmp(cmd, "unpack") == 0 && argc != 3)
		return log_usage_error("unpack needs a reference and a directory");
	if ((strcmp(cmd, "images") == 0 || strcmp(cmd, "prune") == 0) && argc != 1)
		return log_usage_error("%s takes no arguments", cmd);
	r = store_open(o->store, writes || strcmp(cmd, "rootfs") == 0, &s);
	if (r < 0) {
		log_error_errno(r, "opening the store '%s'", o->store);
		return 1;
	}
	if (strcmp(cmd, "pull") == 0)
		r = cmd_pull(&s, o, argv + 1);
	else if (strcmp(cmd, "images") == 0)
		r = image_list(&s, o->quiet, o->json);
	else if (strcmp(cmd, "inspect") == 0)
		r = image_inspect(&s, argv[1]);
	else if (strcmp(cmd, "rmi") == 0)
		r = image_remove(&s, argv + 1);
	else if (strcmp(cmd, "prune") == 0)
		r = image_prune(&s, o->quiet);
	else if (strcmp(cmd, "rootfs") == 0)
		r = image_rootfs(&s, argv[1], o->pull.max_unpacked);
	else if (strcmp(cmd, "unpack") == 0)
		r = image_unpack(&s, argv[1], argv[2], o->pull.max_unpacked);
	else if (import)
		r = cmd_import(&s, o, argv);
	else if (strcmp(cmd, "save") == 0)
		r = save_images(&s, argv + 1, o->output ? o->output : "-");
	else if (strcmp(cmd, "load") == 0)
		r = cmd_load(&s, o);
	else
		r = import_tag(&s, argv[1], argv[2]);
	return r < 0 ? 1 : 0;
}

int
main(int argc, char **argv)
{
	struct options o = {
		.pull = { .unpack = true,
		          .tls_verify = true,
		          .parallel = 4,
		          .max_unpacked = UNPACK_MAX_DEFAULT },
	};
	const char *env = getenv("CONTAINET_STORE");
	int r;

	log_init("mocker");
	platform_default(&o.pull.platform);
	o.store = env && *env ? env : STORE_DEFAULT;
	r = parse_options(argc, argv, &o);
	if (r)
		return r;
	if (optind >= argc)
		return log_usage_error("no command given");
	r = run(&o, argc - optind, argv + optind);
	lazycurl_unload();
	strv_free(o.changes);
	strv_free(o.exclude);
	return r;
}
