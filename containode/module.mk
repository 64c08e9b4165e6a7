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
