/* ngx_http_vtj_module: the nginx adapter of vtj-resolver. Thin by design: directives are handed to the
 * core's table, and everything else happens behind the plugin C ABI (plugin/vtj_plugin.h).
 *
 * Never blocking the worker: the pre-access phase handler asks the core in cache-only mode, which answers
 * at once from the shared cache (or with a certificate or policy decision). Only when the register must
 * be asked does the request leave the event loop: a task on the "vtj" thread pool makes the query, and
 * its completion, back on the event loop, re-runs the phases, whereupon the handler finds the result in
 * the request's context. The request is marked blocked while the task runs, so a client that goes away
 * meanwhile only finalizes it once the task is done: nothing the task touches is freed under it.
 *
 * The handler runs in the pre-access phase so that `satisfy any` and other access modules cannot skip it.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_thread_pool.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "vtj_plugin.h"

#define VTJ_MAX_DIRECTIVES 64

typedef struct {
  vtj_config *own;          /* the directives written in this block */
  const vtj_config *merged; /* the effective configuration (NULL at the http level: `own` is it) */
} ngx_http_vtj_loc_conf_t;

typedef struct {
  ngx_flag_t used;   /* a directive of the module appears in this server (or is inherited) */
  vtj_scrub_set *scrub; /* the names every location of the server scrubs */
} ngx_http_vtj_srv_conf_t;

typedef struct {
  ngx_flag_t used;
  ngx_array_t prepared; /* const vtj_config *: every effective configuration, prepared in the master */
  ngx_shm_zone_t *zone;
  size_t cache_bytes;   /* VTJCache shm:SIZE of the http block; 0: no shared cache */
  void *cache_memory;   /* the store's memory inside the zone */
  ngx_thread_pool_t *pool;
  vtj_engine *engine;
} ngx_http_vtj_main_conf_t;

/* Per request, in its context (and found again after an internal redirect through the pool cleanup). */
typedef struct {
  vtj_result *result;
  ngx_event_t wait;       /* armed while a query is pending: a graceful exit waits for it */
  unsigned pending : 1;
  unsigned scrubbed : 1;
  unsigned applied : 1;   /* the headers are in headers_in (which survives internal redirects) */
  unsigned deny_sent : 1; /* the module answered with its deny: its error_page is served */
} ngx_http_vtj_ctx_t;

/* What a thread pool task needs: copies only, nothing the event loop changes meanwhile. */
typedef struct {
  vtj_engine *engine;
  const vtj_config *config;
  u_char *der;
  size_t der_len;
  vtj_result *result;
  ngx_http_request_t *r;
} ngx_http_vtj_task_t;

static ngx_int_t ngx_http_vtj_preconfiguration(ngx_conf_t *cf);
static ngx_int_t ngx_http_vtj_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_vtj_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_vtj_create_srv_conf(ngx_conf_t *cf);
static char *ngx_http_vtj_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child);
static void *ngx_http_vtj_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_vtj_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child);
static ngx_int_t ngx_http_vtj_init_module(ngx_cycle_t *cycle);
static ngx_int_t ngx_http_vtj_init_process(ngx_cycle_t *cycle);
static void ngx_http_vtj_free_engine(void *data);
static void ngx_http_vtj_peer_init(void);

static ngx_command_t ngx_http_vtj_commands[VTJ_MAX_DIRECTIVES + 1];

static ngx_http_module_t ngx_http_vtj_module_ctx = {
    ngx_http_vtj_preconfiguration,  ngx_http_vtj_postconfiguration, ngx_http_vtj_create_main_conf, NULL,
    ngx_http_vtj_create_srv_conf,   ngx_http_vtj_merge_srv_conf,    ngx_http_vtj_create_loc_conf,
    ngx_http_vtj_merge_loc_conf,
};

ngx_module_t ngx_http_vtj_module = {
    NGX_MODULE_V1,
    &ngx_http_vtj_module_ctx,
    ngx_http_vtj_commands,
    NGX_HTTP_MODULE,
    NULL,
    ngx_http_vtj_init_module,
    ngx_http_vtj_init_process,
    NULL,
    NULL,
    NULL,
    NULL,
    NGX_MODULE_V1_PADDING};

static ngx_str_t ngx_http_vtj_pool_name = ngx_string("vtj");

/* ---- Configuration ---- */

static void ngx_http_vtj_free_config(void *data) {
  vtj_config_free(data);
}

static const vtj_config *effective(const ngx_http_vtj_loc_conf_t *lcf) {
  return lcf->merged != NULL ? lcf->merged : lcf->own;
}

static char *ngx_http_vtj_directive(ngx_conf_t *cf, ngx_command_t *cmd, void *conf) {
  ngx_http_vtj_loc_conf_t *lcf = conf;
  ngx_http_vtj_srv_conf_t *scf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_vtj_module);
  ngx_http_vtj_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_vtj_module);
  const vtj_directive_info *info = (const vtj_directive_info *)cmd->post;
  ngx_str_t *value = cf->args->elts;
  const char *argv[16];
  char err[1024];
  char *file;
  ngx_uint_t i, argc = cf->args->nelts - 1;

  if (argc > 16) {
    return "takes too many arguments";
  }
  for (i = 0; i < argc; ++i) {
    /* ngx_conf strings are not NUL-terminated: copy each. */
    char *a = ngx_pnalloc(cf->pool, value[i + 1].len + 1);
    if (a == NULL) {
      return NGX_CONF_ERROR;
    }
    ngx_memcpy(a, value[i + 1].data, value[i + 1].len);
    a[value[i + 1].len] = '\0';
    argv[i] = a;
  }
  file = ngx_pnalloc(cf->pool, cf->conf_file->file.name.len + 1);
  if (file == NULL) {
    return NGX_CONF_ERROR;
  }
  ngx_memcpy(file, cf->conf_file->file.name.data, cf->conf_file->file.name.len);
  file[cf->conf_file->file.name.len] = '\0';
  if (vtj_config_apply(lcf->own, info->snake_name, (int)argc, argv, file, (int)cf->conf_file->line,
                       (const char *)cf->cycle->prefix.data, err, sizeof err) != 0) {
    /* nginx adds " in FILE:LINE"; the core's message already starts with them. */
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
    return NGX_CONF_ERROR;
  }
  scf->used = 1;
  mcf->used = 1;
  return NGX_CONF_OK;
}

/* The command table comes from the core, filled when the module is loaded (before nginx reads it). */
static void ngx_http_vtj_fill_commands(void) __attribute__((constructor));
static void ngx_http_vtj_fill_commands(void) {
  static const ngx_uint_t takes[] = {NGX_CONF_NOARGS, NGX_CONF_TAKE1, NGX_CONF_TAKE2, NGX_CONF_TAKE3,
                                     NGX_CONF_TAKE4,  NGX_CONF_TAKE5, NGX_CONF_TAKE6, NGX_CONF_TAKE7};
  size_t i, n = vtj_directive_count();
  if (n > VTJ_MAX_DIRECTIVES) {
    n = VTJ_MAX_DIRECTIVES;
  }
  for (i = 0; i < n; ++i) {
    const vtj_directive_info *d = vtj_directive_at(i);
    ngx_command_t *c = &ngx_http_vtj_commands[i];
    ngx_uint_t args = 0;
    int k;
    for (k = d->min_args; k <= d->max_args && k < 8; ++k) {
      args |= takes[k];
    }
    c->name.data = (u_char *)d->snake_name;
    c->name.len = ngx_strlen(d->snake_name);
    c->type = NGX_HTTP_MAIN_CONF | NGX_HTTP_SRV_CONF | args |
              ((d->contexts & VTJ_CONTEXT_DIRECTORY) ? NGX_HTTP_LOC_CONF : 0);
    c->set = ngx_http_vtj_directive;
    c->conf = NGX_HTTP_LOC_CONF_OFFSET;
    c->offset = 0;
    c->post = (void *)d;
  }
  /* ngx_http_vtj_commands[n] stays zeroed: ngx_null_command */
}

static void *ngx_http_vtj_create_main_conf(ngx_conf_t *cf) {
  ngx_http_vtj_main_conf_t *mcf = ngx_pcalloc(cf->pool, sizeof *mcf);
  if (mcf == NULL || ngx_array_init(&mcf->prepared, cf->pool, 8, sizeof(const vtj_config *)) != NGX_OK) {
    return NULL;
  }
  return mcf;
}

static void ngx_http_vtj_free_scrub_set(void *data) {
  vtj_scrub_set_free(data);
}

static void *ngx_http_vtj_create_srv_conf(ngx_conf_t *cf) {
  ngx_pool_cleanup_t *cln;
  ngx_http_vtj_srv_conf_t *scf = ngx_pcalloc(cf->pool, sizeof *scf);
  if (scf == NULL) {
    return NULL;
  }
  scf->scrub = vtj_scrub_set_new();
  cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (scf->scrub == NULL || cln == NULL) {
    vtj_scrub_set_free(scf->scrub);
    return NULL;
  }
  cln->handler = ngx_http_vtj_free_scrub_set;
  cln->data = scf->scrub;
  return scf;
}

static char *ngx_http_vtj_merge_srv_conf(ngx_conf_t *cf, void *parent, void *child) {
  ngx_http_vtj_srv_conf_t *prev = parent;
  ngx_http_vtj_srv_conf_t *conf = child;
  (void)cf;
  if (prev->used) {
    conf->used = 1;
  }
  return NGX_CONF_OK;
}

static void *ngx_http_vtj_create_loc_conf(ngx_conf_t *cf) {
  ngx_pool_cleanup_t *cln;
  ngx_http_vtj_loc_conf_t *lcf = ngx_pcalloc(cf->pool, sizeof *lcf);
  if (lcf == NULL) {
    return NULL;
  }
  lcf->own = vtj_config_new();
  cln = ngx_pool_cleanup_add(cf->pool, 0);
  if (lcf->own == NULL || cln == NULL) {
    vtj_config_free(lcf->own);
    return NULL;
  }
  cln->handler = ngx_http_vtj_free_config;
  cln->data = lcf->own;
  return lcf;
}

static char *ngx_http_vtj_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child) {
  ngx_http_vtj_loc_conf_t *prev = parent;
  ngx_http_vtj_loc_conf_t *conf = child;
  ngx_http_vtj_srv_conf_t *scf = ngx_http_conf_get_module_srv_conf(cf, ngx_http_vtj_module);
  ngx_http_vtj_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_vtj_module);
  const vtj_config **slot;
  char err[1024];

  conf->merged = vtj_config_merge(effective(prev), conf->own);
  if (!mcf->used) {
    return NGX_CONF_OK;
  }
  if (vtj_config_prepare(conf->merged, err, sizeof err) != 0) {
    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
    return NGX_CONF_ERROR;
  }
  slot = ngx_array_push(&mcf->prepared);
  if (slot == NULL) {
    return NGX_CONF_ERROR;
  }
  *slot = conf->merged;
  if (scf->used || vtj_config_used(conf->merged)) {
    scf->used = 1;
    if (vtj_scrub_set_add(scf->scrub, conf->merged) != 0) {
      return NGX_CONF_ERROR;
    }
  }
  return NGX_CONF_OK;
}

/* The shared cache lives in an nginx zone, made by the master. The store takes its memory from the
 * zone's slab pool once; a reload that keeps the size hands the same memory (and the entries in it) to
 * the new configuration. */
static ngx_int_t ngx_http_vtj_init_zone(ngx_shm_zone_t *zone, void *data) {
  ngx_http_vtj_main_conf_t *mcf = zone->data;
  ngx_slab_pool_t *sp = (ngx_slab_pool_t *)zone->shm.addr;
  void *memory;
  if (data != NULL) {
    memory = data;
  } else if (zone->shm.exists) {
    memory = sp->data;
  } else {
    memory = ngx_slab_alloc(sp, mcf->cache_bytes);
    if (memory == NULL) {
      ngx_log_error(NGX_LOG_EMERG, zone->shm.log, 0, "vtj: cannot allocate the shared cache");
      return NGX_ERROR;
    }
    sp->data = memory;
  }
  zone->data = memory;
  mcf->cache_memory = memory;
  return NGX_OK;
}

static ngx_int_t ngx_http_vtj_postconfiguration(ngx_conf_t *cf) {
  ngx_http_vtj_main_conf_t *mcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_vtj_module);
  ngx_http_vtj_loc_conf_t *http = ngx_http_conf_get_module_loc_conf(cf, ngx_http_vtj_module);
  ngx_http_core_main_conf_t *cmcf;
  ngx_http_handler_pt *h;
  ngx_int_t ngx_http_vtj_handler(ngx_http_request_t *r);

  if (!mcf->used) {
    return NGX_OK;
  }
  ngx_http_vtj_peer_init();
  /* The cache as the http block sets it (vtj_cache, vtj_cache_key): one per nginx. */
  {
    ngx_uint_t i;
    const vtj_config **c = mcf->prepared.elts;
    for (i = 0; i < mcf->prepared.nelts; ++i) {
      if (!vtj_config_same_cache(c[i], http->own)) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "vtj_cache and vtj_cache_key are set once, in the http block: a server block "
                           "sets others");
        return NGX_ERROR;
      }
    }
  }
  /* The zone adds room for the slab pool's own bookkeeping. */
  mcf->cache_bytes = vtj_config_cache_bytes(http->own);
  if (mcf->cache_bytes > 0) {
    ngx_str_t name = ngx_string("vtj_cache");
    size_t zone = mcf->cache_bytes + mcf->cache_bytes / 64 + 256 * 1024;
    mcf->zone = ngx_shared_memory_add(cf, &name, zone, &ngx_http_vtj_module);
    if (mcf->zone == NULL) {
      return NGX_ERROR;
    }
    mcf->zone->init = ngx_http_vtj_init_zone;
    mcf->zone->data = mcf;
  }
  /* Register queries run in the thread pool "vtj" when the main context declares one (before the http
   * block: `thread_pool vtj threads=N max_queue=M;`), else in nginx's "default" pool (32 threads). */
  mcf->pool = ngx_thread_pool_get(cf->cycle, &ngx_http_vtj_pool_name);
  if (mcf->pool == NULL) {
    ngx_str_t fallback = ngx_string("default");
    mcf->pool = ngx_thread_pool_add(cf, &fallback);
  }
  if (mcf->pool == NULL) {
    return NGX_ERROR;
  }
  /* The engine now, at configuration time: the cache key, client certificates and keys are read here,
   * where a mistake fails the (re)load and nginx keeps the running configuration. The shared memory is
   * attached in init_module, once nginx has mapped the zone. */
  {
    char err[1024];
    ngx_uint_t i;
    ngx_pool_cleanup_t *cln;
    const vtj_config **c = mcf->prepared.elts;
    mcf->engine = vtj_engine_new_detached(http->own, err, sizeof err);
    if (mcf->engine == NULL) {
      ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
      return NGX_ERROR;
    }
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
      vtj_engine_free(mcf->engine);
      mcf->engine = NULL;
      return NGX_ERROR;
    }
    cln->handler = ngx_http_vtj_free_engine;
    cln->data = mcf->engine;
    for (i = 0; i < mcf->prepared.nelts; ++i) {
      if (vtj_engine_prepare(mcf->engine, c[i], err, sizeof err) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "%s", err);
        return NGX_ERROR;
      }
    }
  }
  cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
  h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
  if (h == NULL) {
    return NGX_ERROR;
  }
  *h = ngx_http_vtj_handler;
  return NGX_OK;
}

static void ngx_http_vtj_free_engine(void *data) {
  vtj_engine_free(data);
}

/* In the master, once the shared zones are mapped: the engine (made at configuration time) gets its
 * shared cache. Nothing here reads a file. */
static ngx_int_t ngx_http_vtj_init_module(ngx_cycle_t *cycle) {
  ngx_http_vtj_main_conf_t *mcf;
  char err[1024];

  if (ngx_get_conf(cycle->conf_ctx, ngx_http_module) == NULL) {
    return NGX_OK;
  }
  mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_vtj_module);
  if (mcf == NULL || !mcf->used || mcf->engine == NULL || mcf->zone == NULL) {
    return NGX_OK;
  }
  if (vtj_engine_attach(mcf->engine, mcf->cache_memory, mcf->cache_bytes, err, sizeof err) != 0) {
    ngx_log_error(NGX_LOG_EMERG, cycle->log, 0, "vtj: %s", err);
    return NGX_ERROR;
  }
  return NGX_OK;
}

static ngx_int_t ngx_http_vtj_init_process(ngx_cycle_t *cycle) {
  ngx_http_vtj_main_conf_t *mcf;
  if (ngx_get_conf(cycle->conf_ctx, ngx_http_module) == NULL) {
    return NGX_OK;
  }
  mcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_vtj_module);
  if (mcf != NULL && mcf->engine != NULL) {
    vtj_engine_child_init(mcf->engine);
  }
  return NGX_OK;
}

/* ---- Variables: $vtj_<field> and $vtj_status ---- */

static void ngx_http_vtj_cleanup(void *data);

static ngx_http_vtj_ctx_t *ngx_http_vtj_find_ctx(ngx_http_request_t *r) {
  ngx_http_vtj_ctx_t *ctx = ngx_http_get_module_ctx(r->main, ngx_http_vtj_module);
  ngx_pool_cleanup_t *cln;
  if (ctx != NULL) {
    return ctx;
  }
  /* An internal redirect clears module contexts; the pool cleanup still knows the request's. */
  for (cln = r->main->pool->cleanup; cln != NULL; cln = cln->next) {
    if (cln->handler == ngx_http_vtj_cleanup) {
      ctx = cln->data;
      ngx_http_set_ctx(r->main, ctx, ngx_http_vtj_module);
      return ctx;
    }
  }
  return NULL;
}

static ngx_int_t ngx_http_vtj_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v, uintptr_t data) {
  const char *field = (const char *)data;
  ngx_http_vtj_ctx_t *ctx = ngx_http_vtj_find_ctx(r);
  const char *value;
  if (ctx == NULL || ctx->result == NULL || vtj_result_outcome(ctx->result) != VTJ_OUTCOME_ALLOW) {
    v->not_found = 1;
    return NGX_OK;
  }
  value = vtj_result_field(ctx->result, field, ngx_strlen(field));
  if (value == NULL) {
    v->not_found = 1;
    return NGX_OK;
  }
  v->data = (u_char *)value; /* lives as long as the request's result */
  v->len = ngx_strlen(value);
  v->valid = 1;
  v->no_cacheable = 0;
  v->not_found = 0;
  return NGX_OK;
}

static ngx_int_t ngx_http_vtj_preconfiguration(ngx_conf_t *cf) {
  size_t i, n = vtj_field_count();
  for (i = 0; i < n; ++i) {
    const char *field = vtj_field_at(i);
    size_t len = ngx_strlen(field), k;
    ngx_str_t name;
    ngx_http_variable_t *var;
    name.len = 4 + len;
    name.data = ngx_pnalloc(cf->pool, name.len);
    if (name.data == NULL) {
      return NGX_ERROR;
    }
    ngx_memcpy(name.data, "vtj_", 4);
    for (k = 0; k < len; ++k) {
      name.data[4 + k] = field[k] == '-' ? '_' : field[k];
    }
    var = ngx_http_add_variable(cf, &name, NGX_HTTP_VAR_NOCACHEABLE);
    if (var == NULL) {
      return NGX_ERROR;
    }
    var->get_handler = ngx_http_vtj_variable;
    var->data = (uintptr_t)field;
  }
  return NGX_OK;
}

/* ---- Requests ---- */

static void ngx_http_vtj_cleanup(void *data) {
  ngx_http_vtj_ctx_t *ctx = data;
  vtj_result_free(ctx->result);
  ctx->result = NULL;
}

static int ngx_http_vtj_collides(const ngx_http_vtj_srv_conf_t *scf, const vtj_config *here, ngx_str_t *name) {
  return vtj_scrub_set_collides(scf->scrub, here, (const char *)name->data, name->len);
}

/* A client's header name for the log: bytes outside printable ASCII become '?' (with
 * ignore_invalid_headers off a name may hold anything). */
static void ngx_http_vtj_printable(ngx_pool_t *pool, const ngx_str_t *in, ngx_str_t *out) {
  size_t i;
  out->len = in->len > 128 ? 128 : in->len;
  out->data = ngx_pnalloc(pool, out->len);
  if (out->data == NULL) {
    out->len = 0;
    return;
  }
  for (i = 0; i < out->len; ++i) {
    u_char c = in->data[i];
    out->data[i] = (c >= 0x20 && c < 0x7f && c != '\'') ? c : '?';
  }
}

/* Removes client-sent headers that collide with the module's (or finds the first, under reject).
 * Returns NGX_OK, NGX_DECLINED when something must be rejected, NGX_ERROR. */
static ngx_int_t ngx_http_vtj_scrub(ngx_http_request_t *r, const ngx_http_vtj_srv_conf_t *scf, const vtj_config *here) {
  ngx_list_part_t *part;
  ngx_table_elt_t *h;
  ngx_list_t old;
  ngx_uint_t i, hits = 0;

  for (part = &r->headers_in.headers.part; part != NULL; part = part->next) {
    h = part->elts;
    for (i = 0; i < part->nelts; ++i) {
      hits += ngx_http_vtj_collides(scf, here, &h[i].key);
    }
  }
  if (hits == 0) {
    return NGX_OK;
  }
  /* Rebuilt in place on the request's pool: only a list without the header keeps proxy_pass from sending
   * it. The old list is walked from a copy of its head (its parts stay where they are); the new list must
   * be initialised where it lives, since a list's `last` points into itself. */
  old = r->headers_in.headers;
  if (ngx_list_init(&r->headers_in.headers, r->pool, 20, sizeof(ngx_table_elt_t)) != NGX_OK) {
    return NGX_ERROR;
  }
  for (part = &old.part; part != NULL; part = part->next) {
    h = part->elts;
    for (i = 0; i < part->nelts; ++i) {
      ngx_table_elt_t *copy;
      if (ngx_http_vtj_collides(scf, here, &h[i].key)) {
        /* The name only: the value may be anything, somebody's identity code included. */
        if (!vtj_config_spoof_reject(here)) {
          ngx_str_t shown;
          ngx_http_vtj_printable(r->pool, &h[i].key, &shown);
          ngx_log_error(NGX_LOG_WARN, r->connection->log, 0, "vtj: stripped client-sent header '%V'", &shown);
        }
        continue;
      }
      copy = ngx_list_push(&r->headers_in.headers);
      if (copy == NULL) {
        return NGX_ERROR;
      }
      *copy = h[i];
    }
  }
  /* Under reject the headers are gone too: an error_page for the 400 never sees the client's values. */
  return vtj_config_spoof_reject(here) ? NGX_DECLINED : NGX_OK;
}

static ngx_uint_t ngx_http_vtj_log_level(int level) {
  switch (level) {
    case VTJ_LOG_ERROR:
      return NGX_LOG_ERR;
    case VTJ_LOG_WARN:
      return NGX_LOG_WARN;
    case VTJ_LOG_NOTICE:
      return NGX_LOG_NOTICE;
    case VTJ_LOG_INFO:
      return NGX_LOG_INFO;
    default:
      return NGX_LOG_DEBUG;
  }
}

static void ngx_http_vtj_log(ngx_http_request_t *r, const vtj_result *res) {
  int level = vtj_result_log_level(res);
  if (level != VTJ_LOG_NONE && *vtj_result_log(res) != '\0') {
    ngx_log_error(ngx_http_vtj_log_level(level), r->connection->log, 0, "vtj: %s", vtj_result_log(res));
  }
}

static ngx_int_t ngx_http_vtj_add_header(ngx_list_t *list, const vtj_header *vh) {
  ngx_table_elt_t *h = ngx_list_push(list);
  if (h == NULL) {
    return NGX_ERROR;
  }
  /* The result lives as long as the request: its strings are used as they are. */
  h->key.len = vh->name_len;
  h->key.data = (u_char *)vh->name;
  h->value.len = vh->value_len;
  h->value.data = (u_char *)vh->value;
  h->lowcase_key = (u_char *)vh->key;
  h->hash = vh->key_hash;
#if (nginx_version >= 1023000)
  h->next = NULL;
#endif
  return NGX_OK;
}

/* What the result says for the request: NGX_DECLINED (go on) or a status. */
static ngx_int_t ngx_http_vtj_apply(ngx_http_request_t *r, ngx_http_vtj_ctx_t *ctx) {
  const vtj_result *res = ctx->result;
  size_t i, n;
  int outcome = vtj_result_outcome(res);
  if (outcome == VTJ_OUTCOME_SKIP) {
    return NGX_DECLINED;
  }
  if (outcome == VTJ_OUTCOME_ALLOW) {
    if (ctx->applied) {
      return NGX_DECLINED; /* an internal redirect: headers_in has them already */
    }
    ctx->applied = 1;
    n = vtj_result_header_count(res);
    for (i = 0; i < n; ++i) {
      vtj_header vh;
      vtj_result_header_at(res, i, &vh);
      if (ngx_http_vtj_add_header(&r->headers_in.headers, &vh) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
      }
    }
    return NGX_DECLINED;
  }
  if (ctx->deny_sent) {
    return NGX_DECLINED; /* the error page of the module's own deny */
  }
  ctx->deny_sent = 1;
  if (vtj_result_retry_after(res) > 0) {
    ngx_table_elt_t *h = ngx_list_push(&r->headers_out.headers);
    u_char *v = ngx_pnalloc(r->pool, NGX_INT_T_LEN);
    if (h == NULL || v == NULL) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    h->hash = 1;
    ngx_str_set(&h->key, "Retry-After");
    h->value.data = v;
    h->value.len = ngx_sprintf(v, "%d", vtj_result_retry_after(res)) - v;
  }
  return vtj_result_http_status(res) > 0 ? vtj_result_http_status(res) : NGX_HTTP_INTERNAL_SERVER_ERROR;
}

/* In a thread of the pool: the register query (at most VTJTimeout). Touches nothing of nginx. */
static void ngx_http_vtj_task_handler(void *data, ngx_log_t *log) {
  ngx_http_vtj_task_t *t = data;
  (void)log;
  t->result = vtj_resolve(t->engine, t->config, (const char *)t->der, t->der_len, VTJ_MODE_FULL);
}

/* The pending query's timer does nothing when it fires: it only exists so that a graceful exit (reload,
 * quit) waits for the query instead of dropping the request. The task always ends first (VTJTimeout). */
static void ngx_http_vtj_wait_handler(ngx_event_t *ev) {
  (void)ev;
}

/* Back on the event loop: keep the result and run the phases again (or finish a request whose client
 * went away meanwhile: its write handler is then the finalizer). */
static void ngx_http_vtj_task_done(ngx_event_t *ev) {
  ngx_http_vtj_task_t *t = ev->data;
  ngx_http_request_t *r = t->r;
  ngx_connection_t *c = r->connection;
  ngx_http_vtj_ctx_t *ctx = ngx_http_vtj_find_ctx(r);

  ngx_http_set_log_request(c->log, r);
  r->main->blocked--;
  r->aio = 0;
  if (ctx != NULL && ctx->wait.timer_set) {
    ngx_del_timer(&ctx->wait);
  }
  if (ctx != NULL) {
    ctx->pending = 0;
    ctx->result = t->result;
    if (ctx->result != NULL) {
      ngx_http_vtj_log(r, ctx->result);
    }
  } else {
    vtj_result_free(t->result);
  }
  t->result = NULL;
  r->write_event_handler(r);
  ngx_http_run_posted_requests(c);
}

/* The DER of a TLS connection's peer certificate, made once per connection (kept-alive requests and
 * HTTP/2 streams reuse it): in the TCP connection's pool, found through an ex_data slot of its SSL object.
 * The slot has no callbacks (OpenSSL would go on calling them after a reload unloaded the module); the
 * pool's cleanup drops the certificate's reference, after nginx has freed the SSL object. */
typedef struct {
  X509 *cert; /* a reference held, so its address stays this certificate's */
  u_char *der;
  size_t len;
} ngx_http_vtj_peer_t;

static int ngx_http_vtj_peer_index = -1;

/* Once per process (a reload keeps the loaded module and its slot). */
static void ngx_http_vtj_peer_init(void) {
#if (NGX_HTTP_SSL)
  if (ngx_http_vtj_peer_index < 0) {
    ngx_http_vtj_peer_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
  }
#endif
}

static void ngx_http_vtj_peer_cleanup(void *data) {
  ngx_http_vtj_peer_t *peer = data;
  X509_free(peer->cert);
  peer->cert = NULL;
}

static ngx_int_t ngx_http_vtj_certificate(ngx_http_request_t *r, u_char **der, size_t *len) {
  *der = NULL;
  *len = 0;
#if (NGX_HTTP_SSL)
  if (r->connection->ssl != NULL) {
    SSL *ssl = r->connection->ssl->connection;
    ngx_connection_t *tc = ngx_ssl_get_connection(ssl); /* the TCP connection, also under HTTP/2 */
    ngx_http_vtj_peer_t *peer = NULL;
    X509 *cert;
    u_char *p;
    int n;
    /* Only a certificate the server verified (ssl_verify_client on; optional with a good chain). */
    if (SSL_get_verify_result(ssl) != X509_V_OK) {
      return NGX_OK;
    }
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    cert = SSL_get0_peer_certificate(ssl);
#else
    cert = SSL_get_peer_certificate(ssl);
    X509_free(cert); /* the session keeps its own reference */
#endif
    if (cert == NULL) {
      return NGX_OK;
    }
    if (ngx_http_vtj_peer_index >= 0) {
      peer = SSL_get_ex_data(ssl, ngx_http_vtj_peer_index);
    }
    if (peer != NULL && peer->cert == cert) {
      *der = peer->der;
      *len = peer->len;
      return NGX_OK;
    }
    n = i2d_X509(cert, NULL);
    if (n <= 0) {
      return NGX_OK;
    }
    if (peer == NULL && ngx_http_vtj_peer_index >= 0 && tc != NULL) {
      ngx_pool_cleanup_t *cln = ngx_pool_cleanup_add(tc->pool, sizeof(ngx_http_vtj_peer_t));
      if (cln == NULL) {
        return NGX_ERROR;
      }
      peer = cln->data;
      ngx_memzero(peer, sizeof *peer);
      cln->handler = ngx_http_vtj_peer_cleanup;
      if (SSL_set_ex_data(ssl, ngx_http_vtj_peer_index, peer) != 1) {
        peer = NULL;
      }
    }
    /* Kept for the connection (or, without a place to keep it, made for this request only). */
    p = ngx_pnalloc(peer != NULL ? tc->pool : r->pool, n);
    if (p == NULL) {
      return NGX_ERROR;
    }
    *der = p;
    *len = (size_t)i2d_X509(cert, &p);
    if (peer != NULL) {
      X509_up_ref(cert);
      X509_free(peer->cert);
      peer->cert = cert;
      peer->der = *der;
      peer->len = *len;
    }
  }
#endif
  return NGX_OK;
}

ngx_int_t ngx_http_vtj_handler(ngx_http_request_t *r) {
  ngx_http_vtj_main_conf_t *mcf = ngx_http_get_module_main_conf(r, ngx_http_vtj_module);
  ngx_http_vtj_srv_conf_t *scf = ngx_http_get_module_srv_conf(r, ngx_http_vtj_module);
  ngx_http_vtj_loc_conf_t *lcf = ngx_http_get_module_loc_conf(r, ngx_http_vtj_module);
  const vtj_config *here = effective(lcf);
  ngx_http_vtj_ctx_t *ctx;
  ngx_pool_cleanup_t *cln;
  ngx_thread_task_t *task;
  ngx_http_vtj_task_t *t;
  u_char *der;
  size_t der_len;

  if (!scf->used || r != r->main) {
    return NGX_DECLINED;
  }
  ctx = ngx_http_vtj_find_ctx(r);
  if (ctx == NULL) {
    ctx = ngx_pcalloc(r->pool, sizeof *ctx);
    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (ctx == NULL || cln == NULL) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
    cln->handler = ngx_http_vtj_cleanup;
    cln->data = ctx;
    ngx_http_set_ctx(r, ctx, ngx_http_vtj_module);
  }
  if (!ctx->scrubbed) {
    ngx_int_t rc = ngx_http_vtj_scrub(r, scf, here);
    ctx->scrubbed = 1;
    if (rc == NGX_DECLINED) {
      ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                    "vtj: denied (400): client sent a header the module owns (vtj_spoof_policy reject)");
      return NGX_HTTP_BAD_REQUEST;
    }
    if (rc != NGX_OK) {
      return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
  }
  if (ctx->pending) {
    return NGX_AGAIN; /* woken by something else while the task runs: keep waiting */
  }
  if (ctx->result != NULL) {
    return ngx_http_vtj_apply(r, ctx);
  }
  if (!vtj_config_enabled(here)) {
    return NGX_DECLINED;
  }
  if (mcf->engine == NULL) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0, "vtj: denied (500): no engine");
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  if (ngx_http_vtj_certificate(r, &der, &der_len) != NGX_OK) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  /* The event loop's path: the cache, the certificate checks and the policy, never the register. */
  ctx->result = vtj_resolve(mcf->engine, here, (const char *)der, der_len, VTJ_MODE_CACHE_ONLY);
  if (ctx->result == NULL) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  if (vtj_result_outcome(ctx->result) != VTJ_OUTCOME_PENDING) {
    ngx_http_vtj_log(r, ctx->result);
    return ngx_http_vtj_apply(r, ctx);
  }
  vtj_result_free(ctx->result);
  ctx->result = NULL;

  /* A miss: the register is asked off the loop. */
  task = ngx_thread_task_alloc(r->pool, sizeof(ngx_http_vtj_task_t));
  if (task == NULL) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  t = task->ctx;
  t->engine = mcf->engine;
  t->config = here;
  /* The task's own copy: the connection's pool could be gone before a blocked HTTP/2 stream's task ends. */
  t->der = ngx_pnalloc(r->pool, der_len > 0 ? der_len : 1);
  if (t->der == NULL) {
    return NGX_HTTP_INTERNAL_SERVER_ERROR;
  }
  if (der_len > 0) {
    ngx_memcpy(t->der, der, der_len);
  }
  t->der_len = der_len;
  t->result = NULL;
  t->r = r;
  task->handler = ngx_http_vtj_task_handler;
  task->event.data = t;
  task->event.handler = ngx_http_vtj_task_done;
  if (ngx_thread_task_post(mcf->pool, task) != NGX_OK) {
    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "vtj: denied (503): the vtj thread pool's queue is full (thread_pool vtj max_queue=)");
    return NGX_HTTP_SERVICE_UNAVAILABLE;
  }
  ctx->pending = 1;
  r->main->blocked++;
  r->aio = 1;
  ctx->wait.handler = ngx_http_vtj_wait_handler;
  ctx->wait.data = r;
  ctx->wait.log = r->connection->log;
  ctx->wait.cancelable = 0;
  ngx_add_timer(&ctx->wait, (ngx_msec_t)vtj_config_total_timeout_ms(here) + 5000);
  return NGX_AGAIN;
}
