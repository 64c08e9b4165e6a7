# libFuzzer targets: tests/fuzz/fuzz_<x>.c, linked as the unit tests are (fuzz_<prog>_<x>.c
# also links <prog>'s objects).  Built only with FUZZ=1 (clang, build/fuzz): `make fuzz`.
# Seeds in tests/fuzz/corpus/<target>/, a dictionary in tests/fuzz/<target>.dict.
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(filter-out \
	$(ABSENT:%=tests/fuzz/fuzz_%_%),$(wildcard tests/fuzz/fuzz_*.c)))

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(COMMON_LIB)
	$(call msg,LD,$@)
	$(Q)$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(filter %.a,$^) $(TEST_LIBS)

$(foreach p,containet containode mocker,$(eval \
	$(filter $(BUILD)/tests/fuzz/fuzz_$(p)_%,$(FUZZ_TARGETS)): $($(p)_OBJS)))

ifeq ($(FUZZ),1)
fuzz-targets: $(FUZZ_TARGETS)
else
fuzz-targets:
	@echo "fuzz-targets: build them with make fuzz" >&2; exit 2
endif
