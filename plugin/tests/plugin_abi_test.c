/* The plugin C ABI (vtj_plugin.h) as a server module sees it. Compiled as C99, so the header is proven
 * C-clean, and linked with the real core. Prints "ok N - what" or "not ok N - what" per check and exits
 * non-zero when any check failed. Run it under AddressSanitizer too: freeing configurations that have
 * merges is where a C caller would find a use after free. */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtj_plugin.h"

static int checks;
static int failures;

static void check(int ok, const char *what) {
  ++checks;
  printf("%s %d - %s\n", ok ? "ok" : "not ok", checks, what);
  if (!ok) {
    ++failures;
  }
}

static int contains(const char *hay, const char *needle) {
  return hay != NULL && strstr(hay, needle) != NULL;
}

static char err[512];

/* One directive line of "site.conf"; returns vtj_config_apply's result (the message lands in err). */
static int apply(vtj_config *c, const char *name, int line, const char *a0, const char *a1) {
  const char *argv[2] = {a0, a1};
  err[0] = '\0';
  return vtj_config_apply(c, name, a1 != NULL ? 2 : 1, argv, "site.conf", line, NULL, err, sizeof err);
}

static const vtj_directive_info *directive(const char *name) {
  for (size_t i = 0; i < vtj_directive_count(); ++i) {
    const vtj_directive_info *d = vtj_directive_at(i);
    if (strcmp(d->name, name) == 0) {
      return d;
    }
  }
  return NULL;
}

static void directive_table(void) {
  size_t n = vtj_directive_count();
  check(n == 22, "the table holds the 22 directives of CONTRACT.md");
  int named = 1;
  for (size_t i = 0; i < n; ++i) {
    const vtj_directive_info *d = vtj_directive_at(i);
    named = named && d != NULL && d->name != NULL && d->snake_name != NULL && strncmp(d->name, "VTJ", 3) == 0 &&
            strncmp(d->snake_name, "vtj", 3) == 0 && (d->contexts & VTJ_CONTEXT_SERVER) != 0;
  }
  check(named, "every entry has an Apache and an nginx name and the server context");
  check(vtj_directive_at(n) == NULL, "past the end is NULL");
  const vtj_directive_info *cache = directive("VTJCache"), *key = directive("VTJCacheKey"), *vtj = directive("VTJ");
  /* The cache is the server's: a directory cannot have its own. */
  check(cache != NULL && !(cache->contexts & VTJ_CONTEXT_DIRECTORY), "VTJCache is not for directories");
  check(key != NULL && !(key->contexts & VTJ_CONTEXT_DIRECTORY), "VTJCacheKey is not for directories");
  check(vtj != NULL && (vtj->contexts & VTJ_CONTEXT_DIRECTORY), "VTJ is for directories");
}

static void apply_and_query(void) {
  vtj_config *c = vtj_config_new();
  check(vtj_config_used(c) == 0, "a new configuration uses nothing");
  check(apply(c, "VTJ", 3, "On", NULL) == 0 && vtj_config_enabled(c), "VTJ On applies");
  check(apply(c, "vtj_spoof_policy", 4, "reject", NULL) == 0 && vtj_config_spoof_reject(c),
        "the nginx name applies too; VTJSpoofPolicy reject is seen");
  check(apply(c, "VTJTimeout", 7, "soon", "1000") == -1, "a bad VTJTimeout is refused");
  check(contains(err, "site.conf:7: VTJTimeout"), "the error names FILE:LINE: DIRECTIVE");
  check(apply(c, "VTJNoSuch", 8, "x", NULL) == -1 && contains(err, "site.conf:8"), "an unknown directive fails");
  vtj_config_free(c);

  vtj_config *d = vtj_config_new();
  check(vtj_config_header_collides(d, "vtj_hetu", 8) == 1, "vtj_hetu collides ('_' as '-', any case)");
  check(vtj_config_header_collides(d, "VTJ-HETU", 8) == 1, "VTJ-HETU collides");
  check(vtj_config_header_collides(d, "X-Other", 7) == 0, "X-Other does not");
  check(vtj_config_spoof_reject(d) == 0, "strip is the default spoof policy");
  char *text = vtj_config_describe(d);
  check(contains(text, "VTJHeaderPrefix VTJ-"), "describe lists the effective settings");
  vtj_free(text);
  vtj_config_free(d);
}

static void merges(void) {
  vtj_config *parent = vtj_config_new(), *child = vtj_config_new();
  apply(parent, "VTJHeaderPrefix", 1, "X-Parent-", NULL);
  apply(parent, "VTJOnRegisterError", 2, "pass", NULL);
  apply(child, "VTJOnRegisterError", 10, "stale", NULL);
  const vtj_config *m = vtj_config_merge(parent, child);
  /* Apache merges per request: the same inputs must give the same (already prepared) handle. */
  check(m != NULL && vtj_config_merge(parent, child) == m, "merging the same pair again returns the same handle");
  check(vtj_config_merge(NULL, child) == child && vtj_config_merge(parent, NULL) == parent,
        "a missing side merges to the other");
  char *text = vtj_config_describe(m);
  check(contains(text, "VTJOnRegisterError stale"), "what the child set wins");
  check(contains(text, "VTJHeaderPrefix X-Parent-"), "what it did not set is inherited");
  vtj_free(text);
  check(vtj_config_header_collides(m, "x-parent-anything", 17) == 1, "the merge scrubs the inherited prefix");
  const vtj_config *nested = vtj_config_merge(m, child);
  check(nested != NULL && nested != m, "a merge can be merged again");

  /* Freeing the parent frees both merges; a new parent (perhaps at the same address) merges afresh. */
  vtj_config_free(parent);
  vtj_config *other = vtj_config_new();
  const vtj_config *fresh = vtj_config_merge(other, child);
  text = vtj_config_describe(fresh);
  check(text != NULL && !contains(text, "X-Parent-"), "no merge of a freed parent is handed out again");
  vtj_free(text);
  vtj_config_free(child);
  vtj_config_free(other);
}

/* An enabled location whose register (a closed port) is never reached: every request here is decided
 * before a query. Files go to `dir`. */
static vtj_config *enabled_location(const char *dir, int with_issuer) {
  static char password[256];
  snprintf(password, sizeof password, "%s/password", dir);
  FILE *f = fopen(password, "w");
  if (f != NULL) {
    fputs("s3cret\n", f);
    fclose(f);
  }
  vtj_config *c = vtj_config_new();
  int rc = apply(c, "VTJ", 20, "On", NULL) | apply(c, "VTJRegisterURL", 21, "http://127.0.0.1:1/vtj", NULL) |
           apply(c, "VTJProduct", 22, "PERUSSANOMA 1", NULL) | apply(c, "VTJCredentials", 23, "user", password) |
           apply(c, "VTJEndUser", 24, "plugin test", NULL);
  if (with_issuer) {
    rc |= apply(c, "VTJCitizenIssuer", 25, VTJ_SOURCE_DIR "/certs/fineid/citizen-issuers.pem", NULL);
  }
  check(rc == 0, "the location's directives apply");
  return c;
}

static void engine_and_resolve(const char *dir) {
  vtj_config *server = vtj_config_new();
  check(apply(server, "VTJCache", 1, "none", NULL) == 0, "VTJCache none applies");
  vtj_engine *engine = vtj_engine_new(server, err, sizeof err);
  check(engine != NULL, "vtj_engine_new with VTJCache none");
  char *stats = vtj_engine_stats(engine);
  check(contains(stats, "requests 0") && contains(stats, "cache_capacity 0"), "the stats count nothing yet");
  vtj_free(stats);

  vtj_config *off = vtj_config_new();
  vtj_result *r = vtj_resolve(engine, off, NULL, 0, VTJ_MODE_FULL);
  check(vtj_result_outcome(r) == VTJ_OUTCOME_SKIP && vtj_result_log_level(r) == VTJ_LOG_NONE &&
            strcmp(vtj_result_status(r), "") == 0,
        "VTJ Off skips, silently");
  vtj_result_free(r);

  vtj_config *on = enabled_location(dir, 1);
  check(vtj_config_prepare(on, err, sizeof err) == 0, "a complete location prepares");
  check(vtj_engine_prepare(engine, on, err, sizeof err) == 0, "the engine prepares its register client");
  for (int mode = VTJ_MODE_FULL; mode <= VTJ_MODE_CACHE_ONLY; ++mode) {
    r = vtj_resolve(engine, on, NULL, 0, mode);
    check(vtj_result_outcome(r) == VTJ_OUTCOME_DENY && vtj_result_http_status(r) == 403 &&
              vtj_result_retry_after(r) == 0 && vtj_result_header_count(r) == 0 && vtj_result_env_count(r) == 0,
          "no certificate: 403 and nothing to set");
    check(strlen(vtj_result_log(r)) > 0 && vtj_result_log_level(r) == VTJ_LOG_NOTICE, "... and a log line");
    vtj_result_free(r);
  }

  vtj_config *no_issuer = enabled_location(dir, 0);
  check(vtj_config_prepare(no_issuer, err, sizeof err) == -1 && contains(err, "site.conf:20: VTJ") &&
            contains(err, "VTJCitizenIssuer"),
        "VTJ On without an issuer fails to prepare, naming the VTJ line");
  r = vtj_resolve(engine, no_issuer, "x", 1, VTJ_MODE_FULL);
  check(vtj_result_outcome(r) == VTJ_OUTCOME_DENY && vtj_result_http_status(r) == 500,
        "an unusable location fails closed with 500");
  vtj_result_free(r);

  vtj_engine_child_init(engine);
  vtj_engine_free(engine);
  vtj_config_free(no_issuer);
  vtj_config_free(on);
  vtj_config_free(off);
  vtj_config_free(server);
}

static void null_handles(void) {
  check(vtj_result_outcome(NULL) == VTJ_OUTCOME_DENY && vtj_result_http_status(NULL) == 500 &&
            vtj_result_retry_after(NULL) == 0 && strcmp(vtj_result_status(NULL), "") == 0 &&
            vtj_result_header_count(NULL) == 0 && vtj_result_env_count(NULL) == 0 &&
            vtj_result_log_level(NULL) == VTJ_LOG_ERROR && vtj_result_log(NULL) != NULL,
        "result accessors on NULL fail closed");
  check(vtj_config_enabled(NULL) == 0 && vtj_config_used(NULL) == 0 && vtj_config_spoof_reject(NULL) == 0,
        "configuration queries on NULL say no");
  vtj_header h;
  vtj_result_header_at(NULL, 0, &h);
  check(h.name_len == 0 && h.value_len == 0 && strcmp(h.key, "") == 0, "a header of NULL is empty");
  vtj_result *r = vtj_resolve(NULL, NULL, NULL, 0, VTJ_MODE_FULL);
  check(vtj_result_outcome(r) == VTJ_OUTCOME_SKIP, "no configuration: skip");
  vtj_result_free(r);
  vtj_result_free(NULL);
  vtj_config_free(NULL);
  vtj_engine_free(NULL);
  vtj_engine_child_init(NULL);
  vtj_free(NULL);
  check(1, "freeing NULL handles is harmless");
}

int main(void) {
  char dir[] = "/tmp/vtj-plugin-test-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  directive_table();
  apply_and_query();
  merges();
  engine_and_resolve(dir);
  null_handles();

  char password[sizeof dir + 16];
  snprintf(password, sizeof password, "%s/password", dir);
  unlink(password);
  rmdir(dir);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
