# containode: the container launcher.
containode_SRCS := $(filter-out containode/main.c,$(wildcard containode/*.c))
containode_OBJS := $(containode_SRCS:%.c=$(BUILD)/%.o)
# Docker's default seccomp profile: read where `make install` puts it, else (a containode
# run from the build tree) from the source tree.
containode_SECCOMP := containode/seccomp/default.json
containode_SECCOMP_DIR = $(PREFIX)/share/containet/seccomp
EXTRA_CFLAGS_containode = $(call pkgcflags,libcjson libseccomp libmnl) \
	-DSECCOMP_DEFAULT_PATH='"$(containode_SECCOMP_DIR)/default.json"' \
	-DSECCOMP_SOURCE_PATH='"$(abspath $(containode_SECCOMP))"'

PROGRAMS += $(BUILD)/bin/containode
MANPAGES += containode/containode.1

# Capabilities are the kernel's prctl and capset (caps.c): no libcap to load at each start.
containode_LIBS = $(call pkglibs,libcjson libseccomp libmnl)

$(BUILD)/bin/containode: $(BUILD)/containode/main.o $(containode_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(COMMON_LIB) $(containode_LIBS)

# Whatever links containode's objects links libmnl too (its netlink.c).
$(BUILD)/tests/unit/test_containode_% $(BUILD)/tests/helpers/containode_% \
$(BUILD)/tests/fuzz/fuzz_containode_%: TEST_LIBS += $(call pkglibs,libmnl)

# The payload of the integration tests runs inside a busybox root with no C library:
# linked statically, and never sanitized (ASan cannot be static).
$(BUILD)/tests/helpers/containode_payload: tests/helpers/containode_payload.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu17 -O2 $(WARN) $(CFLAGS) -static -o $@ tests/helpers/containode_payload.c

# The profile's installed path is compiled in: security.o is rebuilt when PREFIX changes.
$(BUILD)/containode/security.o: $(BUILD)/containode/seccomp-dir
$(BUILD)/containode/seccomp-dir: containode-seccomp-dir-check
	@:
containode-seccomp-dir-check:
	@mkdir -p $(BUILD)/containode
	@echo '$(containode_SECCOMP_DIR)' | cmp -s - $(BUILD)/containode/seccomp-dir || \
		echo '$(containode_SECCOMP_DIR)' >$(BUILD)/containode/seccomp-dir
.PHONY: containode-seccomp-dir-check
