# mocker: pulls images from any OCI registry into an OCI image layout, unpacks them.
mocker_SRCS := $(filter-out mocker/main.c,$(wildcard mocker/*.c))
mocker_OBJS := $(mocker_SRCS:%.c=$(BUILD)/%.o)
MOCKER_PKGS := libcurl libarchive libcjson libcrypto
# libcurl and libarchive are opened with dlopen by the commands that use them
# (lazycurl.c, lazyarchive.c): their headers are needed, not their link.
MOCKER_LINKED := libcjson libcrypto
EXTRA_CFLAGS_mocker = $(call pkgcflags,$(MOCKER_PKGS))

PROGRAMS += $(BUILD)/bin/mocker
MANPAGES += mocker/mocker.1

$(BUILD)/bin/mocker: $(BUILD)/mocker/main.o $(mocker_OBJS) $(COMMON_LIB)
	$(call msg,LD,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(COMMON_LIB) \
		$(call pkglibs,$(MOCKER_LINKED)) -lpthread

# The extraction thread of a pull.
$(BUILD)/tests/unit/test_mocker_%: TEST_LIBS += -lpthread
