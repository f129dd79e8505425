/* mod_vtj: the Apache httpd 2.4 adapter of vtj-resolver. Thin by design: directives are handed to the
 * core's table, the certificate comes from mod_ssl, and everything else (identity, cache, register,
 * policy, rendering) happens behind the plugin C ABI (plugin/vtj_plugin.h).
 *
 * Request path:
 *   header_parser  scrub client-sent headers that collide with the module's, on every request of a
 *                  virtual host where the module is configured (strip and log, or 400)
 *   fixups         resolve the citizen (after mod_ssl); set the headers and the CGI environment, or answer
 *                  403/503 (with Retry-After). Runs before any handler, proxy or CGI.
 *
 * The certificate: mod_ssl says whether it verified one (SSL_CLIENT_VERIFY). Its bytes come from the TLS
 * connection, which mod_ssl hands to its "pre_handshake" hook, encoded once per connection and
 * certificate (SSL_CLIENT_CERT would encode PEM again for every request); without the hook (another TLS
 * module) SSL_CLIENT_CERT is used.
 */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "apr_strings.h"
#include "apr_thread_mutex.h"
#include "ap_config.h"
#include "apr_optional_hooks.h" /* after ap_config.h, which brings what it needs */
#include "ap_mpm.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_main.h"
#include "http_protocol.h"
#include "http_request.h"
#include "http_ssl.h"
#include "httpd.h"

#include "vtj_plugin.h"

module AP_MODULE_DECLARE_DATA vtj_module;
APLOG_USE_MODULE(vtj);

/* ---- Configuration ---- */

/* Per virtual host: whether any directive of the module appears in it (or in the main server, which it
 * inherits), and every section configuration inside it, for scrubbing names configured anywhere in it. */
typedef struct {
  int used;
  apr_array_header_t *sections;      /* vtj_config * applied inside <Directory>/<Location>/... of this host */
  apr_array_header_t *configs; /* const vtj_config *: every context of the host, filled at start-up */
  vtj_scrub_set *scrub;         /* the names all of them scrub */
} vtj_server_conf;

typedef struct {
  vtj_engine *engine;
} vtj_process;

static vtj_process vtj_proc;

/* The directive table comes from the core; Apache reads the module's command table when the module is
 * loaded, so it is filled when the shared object is loaded. */
#define VTJ_MAX_DIRECTIVES 64
static command_rec vtj_cmds[VTJ_MAX_DIRECTIVES + 1];

static apr_status_t free_config(void *data) {
  vtj_config_free((vtj_config *)data);
  return APR_SUCCESS;
}

static void *create_dir_config(apr_pool_t *p, char *dir) {
  vtj_config *c = vtj_config_new();
  (void)dir;
  apr_pool_cleanup_register(p, c, free_config, apr_pool_cleanup_null);
  return c;
}

static void *merge_dir_config(apr_pool_t *p, void *base, void *add) {
  (void)p;
  return (void *)vtj_config_merge((const vtj_config *)base, (const vtj_config *)add);
}

static void *create_server_config(apr_pool_t *p, server_rec *s) {
  vtj_server_conf *c = apr_pcalloc(p, sizeof *c);
  (void)s;
  c->sections = apr_array_make(p, 4, sizeof(vtj_config *));
  c->configs = apr_array_make(p, 4, sizeof(const vtj_config *));
  return c;
}

static const char *vtj_directive(cmd_parms *cmd, void *mconfig, int argc, char *const argv[]) {
  const vtj_directive_info *info = cmd->info;
  vtj_server_conf *sc = ap_get_module_config(cmd->server->module_config, &vtj_module);
  char err[1024];
  const char *file = cmd->directive ? cmd->directive->filename : NULL;
  int line = cmd->directive ? cmd->directive->line_num : 0;
  if ((info->contexts & VTJ_CONTEXT_DIRECTORY) == 0) {
    const char *bad = ap_check_cmd_context(cmd, NOT_IN_DIR_CONTEXT);
    if (bad != NULL) {
      return bad;
    }
  }
  if (vtj_config_apply((vtj_config *)mconfig, info->name, argc, (const char *const *)argv, file, line,
                       ap_server_root, err, sizeof err) != 0) {
    return apr_pstrdup(cmd->pool, err);
  }
  sc->used = 1;
  if (cmd->path != NULL) {
    /* Inside a section: remembered once, for the host's scrubbing and the start-up checks. */
    int i;
    for (i = 0; i < sc->sections->nelts; ++i) {
      if (APR_ARRAY_IDX(sc->sections, i, vtj_config *) == mconfig) {
        return NULL;
      }
    }
    APR_ARRAY_PUSH(sc->sections, vtj_config *) = mconfig;
  }
  return NULL;
}

static void fill_command_table(void) __attribute__((constructor));
static void fill_command_table(void) {
  size_t i, n = vtj_directive_count();
  if (n > VTJ_MAX_DIRECTIVES) {
    n = VTJ_MAX_DIRECTIVES;
  }
  for (i = 0; i < n; ++i) {
    const vtj_directive_info *d = vtj_directive_at(i);
    command_rec *c = &vtj_cmds[i];
    c->name = d->name;
    c->AP_TAKE_ARGV = vtj_directive;
    c->cmd_data = (void *)d;
    c->req_override = RSRC_CONF | ((d->contexts & VTJ_CONTEXT_DIRECTORY) ? ACCESS_CONF : 0);
    c->args_how = TAKE_ARGV;
    c->errmsg = d->syntax;
  }
  /* vtj_cmds[n] stays zeroed: the terminator */
}

/* ---- Start-up ---- */

static const vtj_config *server_base(server_rec *s) {
  return ap_get_module_config(s->lookup_defaults, &vtj_module);
}

static apr_status_t free_scrub_set(void *data) {
  vtj_scrub_set_free(data);
  return APR_SUCCESS;
}

/* Checks every context of every host (and collects the host's contexts and the names they scrub). Returns the
 * number of errors, each logged with the file, line and directive. */
static int check_all(apr_pool_t *p, server_rec *main_server) {
  server_rec *s;
  int errors = 0;
  vtj_server_conf *main_sc = ap_get_module_config(main_server->module_config, &vtj_module);
  for (s = main_server; s != NULL; s = s->next) {
    vtj_server_conf *sc = ap_get_module_config(s->module_config, &vtj_module);
    const vtj_config *base = server_base(s);
    char err[1024];
    int i;
    if (s != main_server && main_sc->used) {
      sc->used = 1;
    }
    apr_array_clear(sc->configs);
    if (!sc->used) {
      continue;
    }
    sc->scrub = vtj_scrub_set_new();
    if (sc->scrub == NULL) {
      return errors + 1;
    }
    apr_pool_cleanup_register(p, sc->scrub, free_scrub_set, apr_pool_cleanup_null);
    if (vtj_config_prepare(base, err, sizeof err) != 0) {
      ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "vtj: %s", err);
      ++errors;
    }
    if (!vtj_config_same_cache(base, server_base(main_server))) {
      /* One cache per server, made before the workers start: a virtual host cannot have its own. */
      ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s,
                   "vtj: VTJCache and VTJCacheKey differ in the virtual host %s:%u from the main server's: "
                   "set them once, outside <VirtualHost>", s->server_hostname ? s->server_hostname : "?",
                   (unsigned)s->port);
      ++errors;
    }
    APR_ARRAY_PUSH(sc->configs, const vtj_config *) = base;
    vtj_scrub_set_add(sc->scrub, base);
    /* Sections of this host, and of the main server (which every host inherits). */
    for (i = 0; i < sc->sections->nelts + (s != main_server ? main_sc->sections->nelts : 0); ++i) {
      const vtj_config *section = i < sc->sections->nelts
                                      ? APR_ARRAY_IDX(sc->sections, i, vtj_config *)
                                      : APR_ARRAY_IDX(main_sc->sections, i - sc->sections->nelts, vtj_config *);
      const vtj_config *merged = vtj_config_merge(base, section);
      if (vtj_config_prepare(merged, err, sizeof err) != 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "vtj: %s", err);
        ++errors;
      }
      APR_ARRAY_PUSH(sc->configs, const vtj_config *) = merged;
      vtj_scrub_set_add(sc->scrub, merged);
    }
  }
  return errors;
}

/* apache2 -t: the same checks as a start, so a configuration test catches what a start would refuse. */
static void vtj_test_config(apr_pool_t *pconf, server_rec *s) {
  if (check_all(pconf, s) != 0) {
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "vtj: configuration check failed");
    exit(1);
  }
}

static apr_status_t free_engine(void *data) {
  (void)data;
  vtj_engine_free(vtj_proc.engine);
  vtj_proc.engine = NULL;
  return APR_SUCCESS;
}

static int vtj_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s) {
  vtj_server_conf *main_sc = ap_get_module_config(s->module_config, &vtj_module);
  server_rec *v;
  int any = main_sc->used;
  char err[1024];
  (void)plog;
  (void)ptemp;
  for (v = s->next; v != NULL; v = v->next) {
    vtj_server_conf *sc = ap_get_module_config(v->module_config, &vtj_module);
    any = any || sc->used;
  }
  if (!any) {
    return OK;
  }
  if (ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_CREATE_PRE_CONFIG) {
    /* Apache's first reading of the configuration at start-up: check it, but make the cache only for
     * the configuration that will serve. */
    return check_all(pconf, s) != 0 ? HTTP_INTERNAL_SERVER_ERROR : OK;
  }
  if (check_all(pconf, s) != 0) {
    return HTTP_INTERNAL_SERVER_ERROR;
  }
  /* One engine (one shared cache) per server, created here in the parent so every worker shares it. */
  vtj_proc.engine = vtj_engine_new(server_base(s), err, sizeof err);
  if (vtj_proc.engine == NULL) {
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, "vtj: %s", err);
    return HTTP_INTERNAL_SERVER_ERROR;
  }
  apr_pool_cleanup_register(pconf, NULL, free_engine, apr_pool_cleanup_null);
  for (v = s; v != NULL; v = v->next) {
    vtj_server_conf *sc = ap_get_module_config(v->module_config, &vtj_module);
    int i;
    for (i = 0; i < sc->configs->nelts; ++i) {
      if (vtj_engine_prepare(vtj_proc.engine, APR_ARRAY_IDX(sc->configs, i, const vtj_config *), err,
                             sizeof err) != 0) {
        ap_log_error(APLOG_MARK, APLOG_EMERG, 0, v, "vtj: %s", err);
        return HTTP_INTERNAL_SERVER_ERROR;
      }
    }
  }
  {
    char *stats = vtj_engine_stats(vtj_proc.engine);
    const char *bytes = stats ? strstr(stats, "cache_bytes ") : NULL;
    ap_log_error(APLOG_MARK, APLOG_INFO, 0, s, "vtj: ready; shared cache of %s bytes",
                 bytes ? apr_pstrndup(ptemp, bytes + 12, strcspn(bytes + 12, "\n")) : "0");
    vtj_free(stats);
  }
  return OK;
}

static void vtj_child_init(apr_pool_t *p, server_rec *s) {
  (void)p;
  (void)s;
  if (vtj_proc.engine != NULL) {
    vtj_engine_child_init(vtj_proc.engine);
  }
}

/* ---- Requests ---- */

typedef struct {
  const vtj_config *here;
  const vtj_server_conf *sc;
  apr_array_header_t *names;
} scrub_ctx;

/* A header collides when it does for this location or for any context of the host (a name configured in
 * one <Location> is the module's in every location of the host). */
static int collect_collisions(void *data, const char *key, const char *value) {
  scrub_ctx *ctx = data;
  int i;
  (void)value;
  if (!vtj_scrub_set_collides(ctx->sc->scrub, ctx->here, key, strlen(key))) {
    return 1;
  }
  for (i = 0; i < ctx->names->nelts; ++i) {
    if (strcasecmp(APR_ARRAY_IDX(ctx->names, i, const char *), key) == 0) {
      return 1; /* the same header twice: one removal takes both */
    }
  }
  APR_ARRAY_PUSH(ctx->names, const char *) = key;
  return 1;
}

static int vtj_header_parser(request_rec *r) {
  vtj_server_conf *sc = ap_get_module_config(r->server->module_config, &vtj_module);
  const vtj_config *here = ap_get_module_config(r->per_dir_config, &vtj_module);
  scrub_ctx ctx;
  int i;
  /* Subrequests and internal redirects share the original's headers, which were scrubbed already and may
   * now hold the module's own. */
  if (!sc->used || r->main != NULL || r->prev != NULL) {
    return DECLINED;
  }
  ctx.names = apr_array_make(r->pool, 2, sizeof(const char *));
  ctx.here = here;
  ctx.sc = sc;
  apr_table_do(collect_collisions, &ctx, r->headers_in, NULL);
  if (ctx.names->nelts == 0) {
    return DECLINED;
  }
  for (i = 0; i < ctx.names->nelts; ++i) {
    const char *name = APR_ARRAY_IDX(ctx.names, i, const char *);
    /* The name only: the value may be anything, including somebody's identity code. */
    if (!vtj_config_spoof_reject(here)) {
      ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, "vtj: stripped client-sent header '%s'",
                    ap_escape_logitem(r->pool, name));
    }
    apr_table_unset(r->headers_in, name);
  }
  if (vtj_config_spoof_reject(here)) {
    /* Stripped as well: an ErrorDocument for the 400 never sees the client's values either. */
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                  "vtj: denied (400): client sent header '%s', which the module owns (VTJSpoofPolicy reject)",
                  ap_escape_logitem(r->pool, APR_ARRAY_IDX(ctx.names, 0, const char *)));
    return HTTP_BAD_REQUEST;
  }
  return DECLINED;
}

static int log_level_for(int level) {
  switch (level) {
    case VTJ_LOG_ERROR:
      return APLOG_ERR;
    case VTJ_LOG_WARN:
      return APLOG_WARNING;
    case VTJ_LOG_NOTICE:
      return APLOG_NOTICE;
    case VTJ_LOG_INFO:
      return APLOG_INFO;
    default:
      return APLOG_DEBUG;
  }
}

static apr_status_t free_result(void *data) {
  vtj_result_free((vtj_result *)data);
  return APR_SUCCESS;
}

/* The request whose pool and notes outlive its subrequests and internal redirects. */
static request_rec *initial_request(request_rec *r) {
  for (;;) {
    if (r->main != NULL) {
      r = r->main;
    } else if (r->prev != NULL) {
      r = r->prev;
    } else {
      return r;
    }
  }
}

/* The strings belong to the result, which lives until the initial request's pool is cleaned up: the
 * tables take them without copies. `fresh`: the initial request, whose header_parser removed every name
 * the module sets (so the headers are appended without a search); a redirect shares its headers. */
static void apply_result(request_rec *r, const vtj_result *res, int fresh) {
  size_t i, n = vtj_result_header_count(res);
  for (i = 0; i < n; ++i) {
    const char *name, *value;
    vtj_result_header(res, i, &name, &value);
    if (fresh) {
      apr_table_addn(r->headers_in, name, value);
    } else {
      apr_table_setn(r->headers_in, name, value);
    }
  }
  n = vtj_result_env_count(res);
  for (i = 0; i < n; ++i) {
    const char *name, *value;
    vtj_result_env(res, i, &name, &value);
    apr_table_setn(r->subprocess_env, name, value);
  }
}

/* ---- The client certificate, per connection ---- */

/* A peer certificate's DER. Kept until the connection ends, even when a renegotiation brings another
 * certificate: a request in another thread (HTTP/2 streams) may still be reading it. */
typedef struct vtj_der {
  struct vtj_der *older;
  X509 *cert; /* a reference held, so its address stays this certificate's */
  size_t len;
  unsigned char bytes[];
} vtj_der;

/* Per TLS connection (the one mod_ssl serves; HTTP/2 streams and mod_http2's secondary connections find
 * it on their master): its SSL object and the DER of its latest peer certificate, encoded once. */
typedef struct {
  SSL *ssl;
  apr_thread_mutex_t *lock; /* the streams of one connection run in several threads */
  vtj_der *der;
} vtj_conn;

static apr_status_t free_conn(void *data) {
  vtj_conn *vc = data;
  while (vc->der != NULL) {
    vtj_der *d = vc->der;
    vc->der = d->older;
    X509_free(d->cert);
    free(d);
  }
  return APR_SUCCESS;
}

/* mod_ssl's optional hook "pre_handshake" (upstream declares it in mod_ssl_openssl.h, which Debian does
 * not install): every TLS connection's SSL object, before its handshake, in the connection's thread. */
static int vtj_pre_handshake(conn_rec *c, SSL *ssl, int is_proxy) {
  vtj_conn *vc;
  if (is_proxy) {
    return OK;
  }
  vc = apr_pcalloc(c->pool, sizeof *vc);
  if (apr_thread_mutex_create(&vc->lock, APR_THREAD_MUTEX_DEFAULT, c->pool) != APR_SUCCESS) {
    return OK; /* the certificate then comes from SSL_CLIENT_CERT */
  }
  vc->ssl = ssl;
  apr_pool_cleanup_register(c->pool, vc, free_conn, apr_pool_cleanup_null);
  ap_set_module_config(c->conn_config, &vtj_module, vc);
  return OK;
}

/* The DER of the connection's peer certificate, encoded when the certificate is new to the connection. */
static const vtj_der *connection_der(request_rec *r, vtj_conn *vc) {
  X509 *cert = SSL_get1_peer_certificate(vc->ssl);
  vtj_der *d;
  if (cert == NULL) {
    return NULL;
  }
  apr_thread_mutex_lock(vc->lock);
  d = vc->der;
  if (d != NULL && d->cert == cert) {
    X509_free(cert);
  } else {
    int n = i2d_X509(cert, NULL);
    d = n > 0 ? malloc(sizeof *d + (size_t)n) : NULL;
    if (d != NULL) {
      unsigned char *p = d->bytes;
      d->len = (size_t)i2d_X509(cert, &p);
      d->cert = cert; /* the reference SSL_get1_peer_certificate took */
      d->older = vc->der;
      vc->der = d;
      ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                    "vtj: client certificate read from the TLS connection (%" APR_SIZE_T_FMT " bytes)", d->len);
    } else {
      X509_free(cert);
    }
  }
  apr_thread_mutex_unlock(vc->lock);
  return d;
}

/* The verified client certificate of the request (DER, or mod_ssl's PEM), or NULL. */
static const char *client_certificate(request_rec *r, size_t *len) {
  conn_rec *c = r->connection;
  const char *verify = ap_ssl_var_lookup(r->pool, r->server, c, r, "SSL_CLIENT_VERIFY");
  vtj_conn *vc = ap_get_module_config((c->master != NULL ? c->master : c)->conn_config, &vtj_module);
  const char *pem;
  *len = 0;
  if (verify == NULL || strcmp(verify, "SUCCESS") != 0) {
    return NULL;
  }
  if (vc != NULL) {
    const vtj_der *d = connection_der(r, vc);
    if (d != NULL) {
      *len = d->len;
      return (const char *)d->bytes;
    }
  }
  ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r,
                "vtj: client certificate from SSL_CLIENT_CERT (mod_ssl's pre_handshake hook gave no connection)");
  pem = ap_ssl_var_lookup(r->pool, r->server, c, r, "SSL_CLIENT_CERT");
  *len = pem != NULL ? strlen(pem) : 0;
  return pem;
}

/* Per initial request: the resolution, and whether the module answered with its deny already (so the
 * ErrorDocument of that deny is served, while a deny first met inside an ErrorDocument, a redirect or a
 * subrequest is still enforced). */
typedef struct {
  vtj_result *res;
  int deny_sent;
} vtj_request;

static int vtj_fixups(request_rec *r) {
  const vtj_config *here = ap_get_module_config(r->per_dir_config, &vtj_module);
  request_rec *first = initial_request(r);
  vtj_request *req = ap_get_module_config(first->request_config, &vtj_module);
  const char *cert;
  size_t cert_len;
  int outcome, level;
  if (req == NULL && !vtj_config_enabled(here)) {
    return DECLINED;
  }
  if (req == NULL) {
    cert = client_certificate(r, &cert_len);
    req = apr_pcalloc(first->pool, sizeof *req);
    req->res = vtj_resolve(vtj_proc.engine, here, cert, cert_len, VTJ_MODE_FULL);
    if (req->res == NULL) {
      ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "vtj: denied (500): out of memory");
      return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_pool_cleanup_register(first->pool, req->res, free_result, apr_pool_cleanup_null);
    ap_set_module_config(first->request_config, &vtj_module, req);
    level = vtj_result_log_level(req->res);
    if (level != VTJ_LOG_NONE && *vtj_result_log(req->res) != '\0') {
      ap_log_rerror(APLOG_MARK, log_level_for(level), 0, r, "vtj: %s", vtj_result_log(req->res));
    }
  }
  outcome = vtj_result_outcome(req->res);
  if (outcome == VTJ_OUTCOME_DENY && req->deny_sent && r != first) {
    return DECLINED; /* the ErrorDocument of the module's own deny */
  }
  if (outcome == VTJ_OUTCOME_ALLOW) {
    apply_result(r, req->res, r == first);
    /* A page made for one citizen must never be served to another from a response cache. */
    r->no_cache = 1;
    return DECLINED;
  }
  if (outcome == VTJ_OUTCOME_SKIP) {
    return DECLINED;
  }
  if (vtj_result_retry_after(req->res) > 0) {
    apr_table_setn(r->err_headers_out, "Retry-After", apr_itoa(r->pool, vtj_result_retry_after(req->res)));
  }
  req->deny_sent = 1;
  return vtj_result_http_status(req->res) > 0 ? vtj_result_http_status(req->res) : HTTP_INTERNAL_SERVER_ERROR;
}

static void register_hooks(apr_pool_t *p) {
  static const char *const after_ssl[] = {"mod_ssl.c", NULL};
  (void)p;
  ap_hook_test_config(vtj_test_config, NULL, NULL, APR_HOOK_MIDDLE);
  ap_hook_post_config(vtj_post_config, NULL, NULL, APR_HOOK_MIDDLE);
  ap_hook_child_init(vtj_child_init, NULL, NULL, APR_HOOK_MIDDLE);
  ap_hook_header_parser(vtj_header_parser, NULL, NULL, APR_HOOK_REALLY_FIRST);
  ap_hook_fixups(vtj_fixups, after_ssl, NULL, APR_HOOK_FIRST);
  apr_optional_hook_add("pre_handshake", (void (*)(void))vtj_pre_handshake, NULL, NULL, APR_HOOK_MIDDLE);
}

module AP_MODULE_DECLARE_DATA vtj_module = {
    STANDARD20_MODULE_STUFF,
    create_dir_config,
    merge_dir_config,
    create_server_config,
    NULL,
    vtj_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_NONE,
#endif
};
