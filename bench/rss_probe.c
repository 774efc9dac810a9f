/* A baseline for certkeeper's idle memory (bench/renew.sh): an empty
 * program that loads, and optionally initialises, one of the libraries
 * certkeeper links, then prints its own memory from /proc/self/status:
 *   VmRSS VmHWM RssAnon RssFile (kB, one line)
 * Built by bench/renew.sh with cc, one binary per variant:
 *   -DPROBE_SSL     OPENSSL_init_ssl (libssl + libcrypto)
 *   -DPROBE_SQLITE  sqlite3_initialize and an in-memory database
 *   -DPROBE_CURL    curl_global_init(CURL_GLOBAL_DEFAULT), as certkeeper's
 *                   curl client does before its first request
 * and with none of them (plus -Wl,--no-as-needed and any libraries) it
 * measures what merely loading those libraries costs. */
#include <stdio.h>
#include <string.h>

#ifdef PROBE_SSL
#include <openssl/ssl.h>
#endif
#ifdef PROBE_SQLITE
#include <sqlite3.h>
#endif
#ifdef PROBE_CURL
#include <curl/curl.h>
#endif

static long field(const char* status, const char* name) {
  const char* p = strstr(status, name);
  long kb = -1;
  if (p) sscanf(p + strlen(name), ":%ld", &kb);
  return kb;
}

int main(void) {
#ifdef PROBE_SSL
  if (!OPENSSL_init_ssl(0, NULL)) return 1;
#endif
#ifdef PROBE_SQLITE
  sqlite3* db = NULL;
  if (sqlite3_initialize() != SQLITE_OK || sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  if (sqlite3_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", NULL, NULL, NULL) != SQLITE_OK) return 1;
#endif
#ifdef PROBE_CURL
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
#endif
  static char status[8192];
  FILE* f = fopen("/proc/self/status", "r");
  if (!f) return 1;
  size_t n = fread(status, 1, sizeof status - 1, f);
  fclose(f);
  status[n] = '\0';
  printf("%ld %ld %ld %ld\n", field(status, "VmRSS"), field(status, "VmHWM"), field(status, "RssAnon"),
         field(status, "RssFile"));
  return 0;
}
