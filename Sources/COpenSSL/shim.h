#ifndef SECUREDROP_COPENSSL_SHIM_H
#define SECUREDROP_COPENSSL_SHIM_H
/*
 * The system OpenSSL 3 as seen from Swift.
 *
 * Swift imports functions but not function-like macros, and many of OpenSSL's knobs are
 * macros over SSL_CTX_ctrl. Each `sd_` function below is a one-line, typed wrapper around
 * one such macro, so the Swift side never calls the untyped *_ctrl entry points itself.
 * The two callbacks at the end are plain C because OpenSSL calls them without a context
 * pointer Swift could use.
 */
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/bn.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <string.h>

/* --- SSL_CTX configuration ---------------------------------------------------------- */

static inline int sd_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}
static inline int sd_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long sd_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline int sd_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}
static inline long sd_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

/* Option and mode bits are built by macros (SSL_OP_BIT) Swift cannot evaluate. */
static inline uint64_t sd_SSL_OP_NO_COMPRESSION(void) { return SSL_OP_NO_COMPRESSION; }
static inline uint64_t sd_SSL_OP_NO_RENEGOTIATION(void) { return SSL_OP_NO_RENEGOTIATION; }
static inline long sd_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline long sd_SSL_SESS_CACHE_SERVER(void) { return SSL_SESS_CACHE_SERVER; }

/* --- per-connection ------------------------------------------------------------------ */

static inline int sd_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

/* --- memory BIOs ----------------------------------------------------------------------- */

static inline size_t sd_BIO_pending(BIO *bio) { return (size_t)BIO_pending(bio); }
static inline int sd_BIO_set_mem_eof_return(BIO *bio, int value) {
    return (int)BIO_set_mem_eof_return(bio, value);
}

/* --- misc ------------------------------------------------------------------------------ */

static inline void sd_OPENSSL_free(void *pointer) { OPENSSL_free(pointer); }
static inline EVP_PKEY *sd_EVP_EC_gen_P256(void) { return EVP_EC_gen("P-256"); }

/* --- ALPN ------------------------------------------------------------------------------ */

/*
 * Server-side ALPN selection: the only protocol spoken is HTTP/1.1. A client that offers
 * ALPN without "http/1.1" (an h2-only client, say) gets the fatal no_application_protocol
 * alert RFC 7301 asks for, rather than a connection it cannot use.
 */
static const unsigned char sd_alpn_http11[] = { 8, 'h', 't', 't', 'p', '/', '1', '.', '1' };

static inline int sd_alpn_select_http11(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                        const unsigned char *in, unsigned int inlen, void *arg) {
    (void)ssl; (void)arg;
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, outlen, sd_alpn_http11, sizeof(sd_alpn_http11), in, inlen)
            != OPENSSL_NPN_NEGOTIATED) {
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    }
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static inline void sd_SSL_CTX_use_http11_alpn_server(SSL_CTX *ctx) {
    SSL_CTX_set_alpn_select_cb(ctx, sd_alpn_select_http11, NULL);
}

static inline int sd_SSL_CTX_use_http11_alpn_client(SSL_CTX *ctx) {
    /* Note the inverted convention: SSL_CTX_set_alpn_protos returns 0 on success. */
    return SSL_CTX_set_alpn_protos(ctx, sd_alpn_http11, sizeof(sd_alpn_http11));
}

#endif
