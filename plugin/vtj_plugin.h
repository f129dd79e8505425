/* vtj_plugin.h: the one boundary between a web server module and the vtj-resolver core.
 *
 * Plain C: opaque handles, C strings and integers; no C++ type or exception crosses it. Both server
 * modules (apache_module/, nginx_module/) use exactly this and nothing else of the core.
 *
 * Life cycle, as a server sees it:
 *   configuration:  vtj_config_new() per context; vtj_config_apply() for each directive line (the directive
 *                   table is the core's: vtj_directive_at()); vtj_config_merge() for nested contexts;
 *                   vtj_config_prepare() once the configuration is read (start-up errors are reported here).
 *   before fork:    vtj_engine_new() (creates the shared cache) in the parent.
 *   after fork:     vtj_engine_child_init() in every worker.
 *   per request:    vtj_config_header_collides() for each client header (scrubbing, also where VTJ is Off);
 *                   vtj_resolve() with the verified leaf certificate; read the vtj_result; vtj_result_free().
 *
 * Thread safety: configuration calls happen while the server reads its configuration (one thread).
 * vtj_resolve, vtj_config_merge and the vtj_config_* queries may be called from any number of threads.
 */
#ifndef VTJ_PLUGIN_H
#define VTJ_PLUGIN_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VTJ_PLUGIN_ABI_VERSION 1

/* ---- The directive table (CONTRACT.md) ---- */

/* Where a directive may stand: the server (and virtual hosts / nginx server blocks), directories and
 * locations. */
#define VTJ_CONTEXT_SERVER 1
#define VTJ_CONTEXT_DIRECTORY 2

typedef struct vtj_directive_info {
  const char *name;       /* Apache: VTJRegisterURL */
  const char *snake_name; /* nginx: vtj_register_url */
  int min_args;
  int max_args;
  int contexts; /* VTJ_CONTEXT_* bits */
  const char *syntax;
  const char *help;
} vtj_directive_info;

size_t vtj_directive_count(void);
const vtj_directive_info *vtj_directive_at(size_t index); /* NULL past the end */

/* The fields of CONTRACT.md ("hetu", "given-names", ..., "status"): nginx makes $vtj_<field> of each. */
size_t vtj_field_count(void);
const char *vtj_field_at(size_t index); /* NULL past the end */

/* ---- Configuration ---- */

typedef struct vtj_config vtj_config;

vtj_config *vtj_config_new(void);
/* Frees the configuration and every merge made from it. */
void vtj_config_free(vtj_config *config);

/* Validates and applies one directive (Apache or snake name). Relative paths resolve against base_dir
 * (NULL: as given). Returns 0, or -1 with "FILE:LINE: DIRECTIVE: message" in err (never a secret). */
int vtj_config_apply(vtj_config *config, const char *directive, int argc, const char *const *argv,
                     const char *file, int line, const char *base_dir, char *err, size_t errlen);

/* The child over its parent: what the child set wins. Merges are remembered, so merging the same two
 * configurations again (per request) returns the same handle without work. The result belongs to the
 * plugin; it is freed with either input. */
const vtj_config *vtj_config_merge(const vtj_config *parent, const vtj_config *child);

/* Loads the accepted issuers and checks that an enabled configuration can query the register. Called at
 * start-up for every context, so mistakes stop the server there; idempotent. 0, or -1 with the error. */
int vtj_config_prepare(const vtj_config *config, char *err, size_t errlen);

int vtj_config_enabled(const vtj_config *config);
/* Any directive of the module set in this context or inherited: scrubbing applies there. */
int vtj_config_used(const vtj_config *config);
/* VTJTimeout's total in milliseconds: the longest a resolution may wait. */
int vtj_config_total_timeout_ms(const vtj_config *config);
/* 1 when VTJSpoofPolicy is reject. */
int vtj_config_spoof_reject(const vtj_config *config);
/* 1 when a client-sent header of this name must be scrubbed: equal (case-insensitively, '_' as '-') to a
 * name the module may set, or starting with the header prefix. */
int vtj_config_header_collides(const vtj_config *config, const char *name, size_t name_len);
/* 1 when both configurations name the same cache (VTJCache and VTJCacheKey): a server has one cache. */
int vtj_config_same_cache(const vtj_config *a, const vtj_config *b);
/* VTJCache shm:SIZE: SIZE in bytes; 0 for none (and redis). */
size_t vtj_config_cache_bytes(const vtj_config *config);
/* The names a whole virtual host (Apache) or server block (nginx) scrubs: every context of it adds its
 * configuration at start-up; per request one call answers for all of them. */
typedef struct vtj_scrub_set vtj_scrub_set;
vtj_scrub_set *vtj_scrub_set_new(void);
void vtj_scrub_set_free(vtj_scrub_set *set);
int vtj_scrub_set_add(vtj_scrub_set *set, const vtj_config *config); /* 0, or -1 */
/* 1 when the client header must be scrubbed for the set, or for `here` (the request's own
 * configuration, NULL for none) when the set was not given it. */
int vtj_scrub_set_collides(const vtj_scrub_set *set, const vtj_config *here, const char *name, size_t name_len);
/* The effective settings, one directive per line (the password never shown): for start-up logs. */
char *vtj_config_describe(const vtj_config *config); /* free with vtj_free */

/* ---- The engine: the shared cache and the register connections ---- */

typedef struct vtj_engine vtj_engine;

/* In the parent process before the workers fork: the cache (VTJCache, VTJCacheKey of `server`). */
vtj_engine *vtj_engine_new(const vtj_config *server, char *err, size_t errlen);
/* For servers whose shared memory exists only after the configuration is read (nginx zones): the engine
 * without a cache (the key file read now, so a mistake fails the configuration and a reload keeps the
 * old one), then vtj_engine_attach with the memory: reused as it is when it already holds a cache of the
 * same size (a reload). */
vtj_engine *vtj_engine_new_detached(const vtj_config *server, char *err, size_t errlen);
int vtj_engine_attach(vtj_engine *engine, void *memory, size_t bytes, char *err, size_t errlen);
void vtj_engine_free(vtj_engine *engine);
/* In the parent, after vtj_engine_new, for every prepared configuration: reads what the register connection
 * needs (client certificate and key, register CA) while the process can still read it. 0, or -1. */
int vtj_engine_prepare(vtj_engine *engine, const vtj_config *config, char *err, size_t errlen);
/* In each worker process after the fork. */
void vtj_engine_child_init(vtj_engine *engine);
/* Counters, one "name value" per line: for status pages and tests. Free with vtj_free. */
char *vtj_engine_stats(vtj_engine *engine);

/* ---- One request ---- */

typedef struct vtj_result vtj_result;

#define VTJ_OUTCOME_SKIP 0    /* VTJ Off here: nothing resolved (scrubbing still applies) */
#define VTJ_OUTCOME_ALLOW 1   /* set the headers and environment, continue */
#define VTJ_OUTCOME_DENY 2    /* answer vtj_result_http_status() */
#define VTJ_OUTCOME_PENDING 3 /* VTJ_MODE_CACHE_ONLY: a register query is needed; call again with
                                 VTJ_MODE_FULL off the event loop */

#define VTJ_MODE_FULL 0       /* may wait for the register, at most VTJTimeout */
#define VTJ_MODE_CACHE_ONLY 1 /* never waits */

#define VTJ_LOG_NONE 0
#define VTJ_LOG_ERROR 1
#define VTJ_LOG_WARN 2
#define VTJ_LOG_NOTICE 3
#define VTJ_LOG_INFO 4
#define VTJ_LOG_DEBUG 5

/* `certificate` is the leaf certificate the server verified (PEM or DER), or NULL/0 when the client sent
 * none or the server did not verify it. Never NULL; on an internal failure the result denies with 500. */
vtj_result *vtj_resolve(vtj_engine *engine, const vtj_config *config, const char *certificate, size_t length,
                        int mode);
int vtj_result_outcome(const vtj_result *result);
int vtj_result_http_status(const vtj_result *result);
/* Seconds for a Retry-After header, 0 for none. */
int vtj_result_retry_after(const vtj_result *result);
/* ok | stale | unavailable for ALLOW, "" otherwise. */
const char *vtj_result_status(const vtj_result *result);
size_t vtj_result_header_count(const vtj_result *result);
/* Header names and values (encoded per VTJHeaderEncoding): never CR, LF or NUL. */
void vtj_result_header(const vtj_result *result, size_t index, const char **name, const char **value);
/* The same header with lengths, and its name in lower case (for servers that index headers by it). */
typedef struct vtj_header {
  const char *name;
  size_t name_len;
  const char *key; /* name in ASCII lower case, name_len bytes */
  size_t key_hash; /* over key: h = h * 31 + byte, from 0 (nginx's ngx_hash_key) */
  const char *value;
  size_t value_len;
} vtj_header;
void vtj_result_header_at(const vtj_result *result, size_t index, vtj_header *out);
size_t vtj_result_env_count(const vtj_result *result);
/* Environment names (VTJ_SURNAME) and raw UTF-8 values, for CGI, PHP and SSI. */
void vtj_result_env(const vtj_result *result, size_t index, const char **name, const char **value);
/* The raw UTF-8 value of a field (CONTRACT.md's names: "given-names", "status"; or a configured path), or
 * NULL when the result has none (not configured, empty, withheld). For nginx's $vtj_* variables. */
const char *vtj_result_field(const vtj_result *result, const char *field, size_t field_len);
int vtj_result_log_level(const vtj_result *result);
/* One line: the masked identity and what happened; "" when nothing is to be logged. */
const char *vtj_result_log(const vtj_result *result);
void vtj_result_free(vtj_result *result);

void vtj_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* VTJ_PLUGIN_H */
