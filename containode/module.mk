# containode: the container launcher.
containode_SRCS := $(filter-out containode/main.c,$(wildcard containode/*.c))
containode_OBJS := $(containode_SRCS:%.c=$(BUILD)/%.o)
EXTRA_CFLAGS_containode = $(call pkgcflags,libcjson libcap libseccomp libmnl)

PROGRAMS += $(BUILD)/bin/containode
MANPAGES += containode/containode.1

# libcap is linked statically when its archive is there: one shared object less to load
# on every container start, which the launcher benchmark counts.
containode_CAP_A := $(wildcard $(shell $(PKG_CONFIG) --variable=libdir libcap 2>/dev/null)/libcap.a)
containode_LIBS = $(call pkglibs,libcjson libseccomp libmnl) \
	$(if $(containode_CAP_A),$(containode_CAP_A),$(call pkglibs,libcap))

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
