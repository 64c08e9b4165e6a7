# Unit tests (Check, one suite per module) and the helper programs of the integration tests.
#
# Naming decides what links:  tests/unit/test_<x>.c and tests/helpers/<x>.c link libcommon;
# test_<prog>_<x>.c and helpers/<prog>_<x>.c also link <prog>'s objects (all but main.c),
# where <prog> is containet, containode or mocker and <prog>/module.mk sets <prog>_OBJS.
# Tests include program headers by path: #include "containet/fdb.h".
EXTRA_CFLAGS_tests = -I. $(call pkgcflags,check libcjson liburing libarchive libcurl libseccomp)
TEST_LIBS = $(call pkglibs,check libcjson liburing libcurl libarchive libcrypto libseccomp) -lm

ABSENT := $(filter-out $(PRESENT),containet containode mocker)
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(filter-out \
	$(ABSENT:%=tests/unit/test_%_%),$(wildcard tests/unit/test_*.c)))
HELPERS := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(filter-out \
	$(ABSENT:%=tests/helpers/%_%),$(wildcard tests/helpers/*.c)))

$(BUILD)/tests/unit/test_%: $(BUILD)/tests/unit/test_%.o $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(TEST_LIBS)

$(BUILD)/tests/helpers/%: $(BUILD)/tests/helpers/%.o $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(TEST_LIBS)

define prog_test_deps
$(filter $(BUILD)/tests/unit/test_$(1)_% $(BUILD)/tests/helpers/$(1)_%,$(UNIT_TESTS) $(HELPERS)): $($(1)_OBJS)
endef
$(foreach p,containet containode mocker,$(eval $(call prog_test_deps,$(p))))

tests: $(UNIT_TESTS) $(HELPERS)
