# containode: the container launcher.
containode_SRCS := $(filter-out containode/main.c,$(wildcard containode/*.c))
containode_OBJS := $(containode_SRCS:%.c=$(BUILD)/%.o)
EXTRA_CFLAGS_containode = $(call pkgcflags,libcjson libcap)

PROGRAMS += $(BUILD)/bin/containode
MANPAGES += containode/containode.1

$(BUILD)/bin/containode: $(BUILD)/containode/main.o $(containode_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(COMMON_LIB) \
		$(call pkglibs,libcjson libcap)

# The payload of the integration tests runs inside a busybox root with no C library:
# linked statically, and never sanitized (ASan cannot be static).
$(BUILD)/tests/helpers/containode_payload: tests/helpers/containode_payload.c
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu17 -O2 $(WARN) $(CFLAGS) -static -o $@ tests/helpers/containode_payload.c
