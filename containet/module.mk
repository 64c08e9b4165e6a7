# containet: the io_uring switch.
containet_SRCS := $(filter-out containet/main.c,$(wildcard containet/*.c containet/lab/*.c))
containet_OBJS := $(containet_SRCS:%.c=$(BUILD)/%.o)
EXTRA_CFLAGS_containet = $(call pkgcflags,liburing libcjson)

PROGRAMS += $(BUILD)/bin/containet
MANPAGES += containet/containet.1

$(BUILD)/bin/containet: $(BUILD)/containet/main.o $(containet_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(COMMON_LIB) \
		$(call pkglibs,liburing libcjson) -lm
