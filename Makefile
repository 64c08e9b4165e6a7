# containet: one non-recursive GNU Makefile.  Each folder adds its part in module.mk.
#
#   make                 build every program
#   make check           unit + integration tests (installs missing Debian packages first)
#   make demo            two containers pinging each other through the switch, then a lab tour
#   make bench           benchmarks against reference tools, as ratios
#   make fuzz            libFuzzer targets (clang) in build/fuzz; make fuzz-smoke runs each briefly
#   make format          clang-format the tree; make format-check lists what differs (CI)
#   make install         PREFIX=/usr/local DESTDIR= (programs, man pages, the systemd unit,
#                        bash completions)
#   make check-unit      unit tests only: needs the build packages, not root
#   WERROR=1  SANITIZE=address,undefined (or SANITIZE=1, the same)  V=1

VERSION := 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# systemd reads units from /usr/local/lib/systemd/system as well as from /usr/lib/...
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

comma := ,
ifeq ($(SANITIZE),1)
override SANITIZE := address$(comma)undefined
endif
# The fuzz build is clang with libFuzzer's coverage and both sanitizers, whatever else was asked.
ifeq ($(FUZZ),1)
override SANITIZE := fuzzer-no-link$(comma)address$(comma)undefined
override CC := clang
endif
# Sanitized objects live apart so the builds never mix.
BUILD := build$(if $(FUZZ),/fuzz,$(if $(SANITIZE),/san))

CC ?= cc
PKG_CONFIG ?= pkg-config
# Lazily expanded: `make check` may have to install the packages first.
pkgcflags = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkglibs = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

# The build packages, as pkg-config modules, and the Debian package of each.  Checked before
# anything compiles, so that a machine without one stops at one line naming it, not at a
# missing header.  Goals that compile nothing, or that install the packages first (their
# own sub-make checks), skip it.
BUILD_PKGS := libcjson liburing libseccomp libmnl libcurl libarchive libcrypto
TEST_PKGS := check
DEB_libcjson := libcjson-dev
DEB_liburing := liburing-dev
DEB_libseccomp := libseccomp-dev
DEB_libmnl := libmnl-dev
DEB_libcurl := libcurl4-openssl-dev
DEB_libarchive := libarchive-dev
DEB_libcrypto := libssl-dev
DEB_check := check
DEB_pkg-config := pkg-config
NOCOMPILE_GOALS := deps clean uninstall format format-check compdb check demo bench bench-% fuzz \
	fuzz-smoke fuzz-long
COMPILE_GOALS := $(filter-out $(NOCOMPILE_GOALS),$(or $(MAKECMDGOALS),all))
ifneq ($(COMPILE_GOALS),)
# The unit tests' library too, unless only the programs are asked for.
NEED_PKGS := $(BUILD_PKGS) $(if $(filter-out all install build/bin/%,$(COMPILE_GOALS)),$(TEST_PKGS))
MISSING_PKGS := $(shell command -v $(PKG_CONFIG) >/dev/null 2>&1 || { echo pkg-config; exit; }; \
	for m in $(NEED_PKGS); do $(PKG_CONFIG) --exists $$m || echo $$m; done)
MISSING_DEBS := $(foreach m,$(MISSING_PKGS),$(DEB_$(m)))
ifneq ($(MISSING_DEBS),)
$(error missing Debian packages: $(MISSING_DEBS); install them with 'make deps' (as root) or 'apt-get install $(MISSING_DEBS)')
endif
endif

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wno-unused-parameter
ifeq ($(WERROR),1)
WARN += -Werror
endif
CPPFLAGS_ALL = -D_GNU_SOURCE -DVERSION='"$(VERSION)"' -Icommon -MMD -MP $(CPPFLAGS)
CFLAGS_ALL = -std=gnu17 -pipe $(WARN) $(CFLAGS)
LDFLAGS_ALL = $(LDFLAGS)
ifneq ($(SANITIZE),)
CFLAGS_ALL += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS_ALL += -fsanitize=$(SANITIZE)
endif

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

PROGRAMS :=
TEST_PROGRAMS :=
UNIT_TESTS :=
MANPAGES :=

all:

include common/module.mk
# A program takes part once its main.c exists, so work in progress never breaks the rest.
PRESENT := $(patsubst %/main.c,%,$(wildcard containet/main.c containode/main.c mocker/main.c))
include $(wildcard $(PRESENT:%=%/module.mk))
include tests/module.mk
include tests/fuzz/module.mk

all: $(PROGRAMS)

$(BUILD)/%.o: %.c
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS_ALL) $(CFLAGS_ALL) $(EXTRA_CFLAGS_$(firstword $(subst /, ,$<))) -c -o $@ $<

# Installs missing Debian packages (as root); a no-op once everything is there.
deps:
	@tests/deps.sh

check: deps
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-targets
	@BUILD=$(BUILD) FUZZ_BUILD=build/fuzz tests/run.sh $(TESTS)

# Needs the build packages only and never installs anything (no deps, no root): a
# packager's unit-test step on a build machine.
check-unit:
	@$(MAKE) --no-print-directory all tests
	@BUILD=$(BUILD) tests/run.sh unit

fuzz: deps
	@$(MAKE) --no-print-directory FUZZ=1 fuzz-targets

# Each target for FUZZ_SECONDS (default 10) from its seed corpus; what it finds stays in
# build/fuzz/corpus.  A longer run: FUZZ_SECONDS=3600 make fuzz-smoke.
fuzz-smoke: fuzz
	@FUZZ_BUILD=build/fuzz tests/run.sh fuzz

# The long run: each target up to 10^7 executions (FUZZ_RUNS), at most FUZZ_MAX_SECONDS
# each, at the lowest priority, fastest first; prints a table.  See tests/fuzz/long.sh.
fuzz-long: fuzz
	@FUZZ_BUILD=build/fuzz tests/fuzz/long.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) demo/demo.sh

bench: deps
	@$(MAKE) --no-print-directory all tests
	@BUILD=$(BUILD) tests/bench/run.sh $(BENCH)

# make bench-switch, bench-launcher, bench-pull, bench-lab: one part alone.
bench-%: deps
	@$(MAKE) --no-print-directory all tests
	@BUILD=$(BUILD) tests/bench/run.sh $*

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(BINDIR)
	$(if $(MANPAGES),install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1)
	$(if $(containode_SECCOMP),install -d $(DESTDIR)$(containode_SECCOMP_DIR))
	$(if $(containode_SECCOMP),install -m 0644 $(containode_SECCOMP) $(DESTDIR)$(containode_SECCOMP_DIR))
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(BASHCOMPDIR)
	sed 's|@BINDIR@|$(BINDIR)|g' dist/containet.service.in >$(DESTDIR)$(SYSTEMDUNITDIR)/containet.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/containet.service
	for p in $(notdir $(PROGRAMS)); do \
		install -m 0644 dist/completion.bash $(DESTDIR)$(BASHCOMPDIR)/$$p || exit; done

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGRAMS)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	$(if $(containode_SECCOMP),rm -f $(DESTDIR)$(containode_SECCOMP_DIR)/default.json)
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/containet.service
	rm -f $(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(PROGRAMS)))

# The C files as .clang-format lays them out (tables fenced with "clang-format off" stay as
# written): make format rewrites them; make format-check lists those that differ and fails,
# installing nothing (CI runs tests/deps.sh first, which brings clang-format).
CLANG_FORMAT ?= clang-format
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "format-check: $(CLANG_FORMAT) is missing:" \
		"apt-get install clang-format, or make deps" >&2; exit 2; }
	@bad=$$(for f in $(FORMAT_FILES); do $(CLANG_FORMAT) "$$f" | cmp -s - "$$f" || echo "$$f"; done); \
	if [ -n "$$bad" ]; then \
		echo "format-check: these files differ from .clang-format's layout (make format):" >&2; \
		printf '  %s\n' $$bad >&2; exit 1; fi

compdb:
	$(MAKE) clean
	bear -- $(MAKE) all tests

clean:
	rm -rf build

.PHONY: all deps check check-unit fuzz fuzz-smoke fuzz-long fuzz-targets demo bench install uninstall format \
	format-check compdb clean tests
.DELETE_ON_ERROR:
# Keep objects of pattern-built tests and helpers between runs.
.SECONDARY:

-include $(shell find build -name lab-images -prune -o -name '*.d' -type f -print 2>/dev/null)
