# libcommon.a: what the programs share.  It never exits and logs only at debug level.
COMMON_SRCS := $(wildcard common/*.c)
COMMON_LIB := $(BUILD)/common/libcommon.a
EXTRA_CFLAGS_common = $(call pkgcflags,libcjson)
COMMON_LIBS = $(call pkglibs,libcjson)

$(COMMON_LIB): $(COMMON_SRCS:%.c=$(BUILD)/%.o)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^
