# Unit tests (Check, one suite per module) and the helper programs of the integration tests.
EXTRA_CFLAGS_tests = $(call pkgcflags,check libcjson liburing)

UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(wildcard tests/helpers/*.c))

# A unit test links its module's objects: test_<prog>_<x>.c gets <prog>'s library.
$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(call pkglibs,check libcjson liburing libcurl libarchive libcap) -lm

$(BUILD)/tests/helpers/%: $(BUILD)/tests/helpers/%.o $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(COMMON_LIBS)

tests: $(UNIT_TESTS) $(HELPERS)
