/* The --change lines of mocker import: each instruction, both forms, and refusals that
 * name the word and leave the config as it was. */
#include "mocker/change.h"

#include "check_main.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Applies the lines in order to a config holding start; the config as compact JSON. */
static char *
run(const char *start, const char *const *lines, int *ret_r, char **ret_why)
{
	cJSON *c = cJSON_Parse(start);
	char *out;

	*ret_r = 0;
	*ret_why = NULL;
	ck_assert_ptr_nonnull(c);
	for (; *lines && *ret_r >= 0; lines++)
		*ret_r = change_apply(c, *lines, ret_why);
	out = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	return out;
}

static void
expect(const char *start, const char *const *lines, const char *want)
{
	char *why, *out;
	int r;

	out = run(start, lines, &r, &why);
	ck_assert_msg(r == 0, "%s: %s", lines[0], why ? why : "?");
	ck_assert_str_eq(out, want);
	free(out);
}

static void
refused(const char *line, const char *want_why)
{
	const char *lines[] = { line, NULL };
	char *why, *out;
	int r;

	out = run("{\"Cmd\":[\"x\"]}", lines, &r, &why);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want_why), "'%s': '%s' lacks '%s'", line, why, want_why);
	ck_assert_str_eq(out, "{\"Cmd\":[\"x\"]}"); /* unchanged */
	free(out);
	free(why);
}

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

START_TEST(commands)
{
	expect("{}", L("CMD [\"/bin/sh\", \"-c\", \"echo hi\"]"),
	       "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"]}");
	expect("{}", L("cmd echo $HOME  "), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo $HOME\"]}");
	/* Not a JSON array of strings: the shell form, as Docker takes it. */
	expect("{}", L("CMD [1, 2]"), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[1, 2]\"]}");
	expect("{}", L("CMD [\"a\""), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[\\\"a\\\"\"]}");
	/* A new ENTRYPOINT drops the Cmd before it; a CMD after it stays. */
	expect("{\"Cmd\":[\"old\"]}", L("ENTRYPOINT [\"/ep\"]"), "{\"Entrypoint\":[\"/ep\"]}");
	expect("{}", L("ENTRYPOINT [\"/ep\"]", "CMD [\"a\"]"),
	       "{\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"a\"]}");
	expect("{}", L("CMD []"), "{\"Cmd\":[]}");
}
END_TEST

START_TEST(env_and_labels)
{
	expect("{}", L("ENV A=1 B=\"two words\" C='$x \\y' D=a\\ b E="),
	       "{\"Env\":[\"A=1\",\"B=two words\",\"C=$x \\\\y\",\"D=a b\",\"E=\"]}");
	expect("{\"Env\":[\"PATH=/bin\",\"A=0\"]}", L("ENV A=1", "ENV PATH=/usr/bin"),
	       "{\"Env\":[\"PATH=/usr/bin\",\"A=1\"]}");
	expect("{}", L("ENV LONG  value with  spaces"), "{\"Env\":[\"LONG=value with  spaces\"]}");
	expect("{}", L("ENV A=\"x=y\" B==z"), "{\"Env\":[\"A=x=y\",\"B==z\"]}");
	expect("{}", L("LABEL a=1 \"b c\"=\"d \\\"e\\\"\"", "LABEL a=2"),
	       "{\"Labels\":{\"a\":\"2\",\"b c\":\"d \\\"e\\\"\"}}");
	expect("{}", L("LABEL k v w"), "{\"Labels\":{\"k\":\"v w\"}}");
	/* A member of the wrong type is replaced. */
	expect("{\"Env\":7,\"Labels\":[]}", L("ENV A=1", "LABEL b=2"),
	       "{\"Env\":[\"A=1\"],\"Labels\":{\"b\":\"2\"}}");
}
END_TEST

START_TEST(others)
{
	expect("{}", L("WORKDIR /srv", "WORKDIR www", "WORKDIR ../x"),
	       "{\"WorkingDir\":\"/srv/www/../x\"}");
	expect("{}", L("WORKDIR rel"), "{\"WorkingDir\":\"/rel\"}");
	expect("{\"WorkingDir\":\"/a/\"}", L("WORKDIR b"), "{\"WorkingDir\":\"/a/b\"}");
	expect("{}", L("USER app:grp"), "{\"User\":\"app:grp\"}");
	expect("{}", L("STOPSIGNAL 15"), "{\"StopSignal\":\"15\"}");
	expect("{}", L("EXPOSE 80 53/UDP 8080/tcp 80/tcp"),
	       "{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{},\"8080/tcp\":{}}}");
	expect("{}", L("VOLUME /a /b", "VOLUME [\"/c\"]"),
	       "{\"Volumes\":{\"/a\":{},\"/b\":{},\"/c\":{}}}");
	expect("{}", L("\tuser\t app "), "{\"User\":\"app\"}");
}
END_TEST

START_TEST(refusals)
{
	refused("RUN rm -rf /", "unknown instruction 'RUN'");
	refused("", "an empty change");
	refused("   ", "an empty change");
	refused("CMD", "CMD needs an argument");
	refused("ENV", "ENV needs an argument");
	refused("ENV A=1 b", "ENV: 'b' is not KEY=VALUE");
	refused("ENV =1", "ENV: '=1' is not KEY=VALUE");
	refused("ENV A", "ENV 'A' has no value");
	refused("LABEL a=\"b", "LABEL: unterminated \" quote");
	refused("ENV a='b", "ENV: unterminated ' quote");
	refused("EXPOSE 0", "EXPOSE: invalid port '0'");
	refused("EXPOSE 65536", "invalid port '65536'");
	refused("EXPOSE 80/icmp", "invalid port '80/icmp'");
	refused("EXPOSE 80x", "invalid port '80x'");
	refused("EXPOSE /tcp", "invalid port '/tcp'");
	refused("USER a b", "USER takes one word");
	refused("VOLUME [\"\"]", "VOLUME: every entry must be a non-empty string");
	refused("VOLUME [1]", "VOLUME: every entry");
	refused("CMD a\nb", "a control character");
	refused("CMD [\"a\\u0000b\"]", "a NUL character");
}
END_TEST

START_TEST(huge)
{
	size_t n = (64u << 10) + 10;
	char *line = malloc(n + 1);

	memset(line, 'a', n);
	memcpy(line, "CMD ", 4);
	line[n] = '\0';
	refused(line, "a change longer than");
	free(line);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mocker_change");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, commands);
	tcase_add_test(tc, env_and_labels);
	tcase_add_test(tc, others);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, huge);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(suite)
