// Debian's libcurl4-openssl needs librtmp, which needs GnuTLS, so loading this
// module loads GnuTLS, whose constructor initialises it at once (its priority
// configuration, p11-kit, the random generator): about 0.8 MB of an
// issuance's peak memory (README "ACME issuance") for a library certkeeper
// never uses (its TLS is OpenSSL's; the protocols are limited to HTTP(S) and
// SMTP, never RTMP). GnuTLS's documented opt-out (GNUTLS_SKIP_GLOBAL_INIT in
// <gnutls/gnutls.h>) is this function: GnuTLS calls it through its PLT, and
// the module comes before GnuTLS in the scope of the libraries it loaded,
// so this definition wins over GnuTLS's own weak one. Code that does use
// GnuTLS calls gnutls_global_init(), which still works.
extern "C" __attribute__((visibility("default"))) int _gnutls_global_init_skip(void) { return 1; }
