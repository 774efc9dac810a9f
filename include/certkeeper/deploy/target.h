// What an install target is: a directory, a file layout, who may read the
// key, the commands that reload the services reading it, and the endpoints
// that must then serve it. Plain values; parsing of the command-line forms.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper::deploy {

enum class Layout {
  separate,  // cert.pem, chain.pem, fullchain.pem, privkey.pem
  combined,  // combined.pem: key + leaf + chain in one file (haproxy, mail suites)
};

const char* layout_name(Layout layout);
Result<Layout> parse_layout(const std::string& text);  // Errc::usage when unknown

// One reload command: an argument vector, never a shell line. A shell runs
// only when argv says so ("sh", "-c", "...").
struct ReloadCommand {
  std::vector<std::string> argv;
  std::chrono::milliseconds timeout{60'000};  // then the whole process group is killed
};

enum class Starttls { none, smtp, imap, pop3 };

const char* starttls_name(Starttls s);  // "none", "smtp", "imap", "pop3"
Result<Starttls> parse_starttls(const std::string& text);

// An endpoint that must serve the installed certificate after a reload.
struct ProbeSpec {
  std::string host;        // a name or IP literal (IPv6 without brackets)
  int port = 0;
  std::string servername;  // SNI and the name checked; "" = the certificate's first name
  Starttls starttls = Starttls::none;
};

// "HOST:PORT[,starttls=smtp|imap|pop3][,servername=NAME]"; "[v6]:PORT" for
// IPv6. Errc::usage with a message naming what is wrong.
Result<ProbeSpec> parse_probe(const std::string& text);
// The same form back ("127.0.0.1:8443,starttls=smtp").
std::string probe_text(const ProbeSpec& probe);

// Splits a command line into words the way a shell would split a simple
// command, without expanding anything: whitespace separates words; '...'
// keeps everything literally; "..." keeps everything but \" and \\; a
// backslash outside quotes escapes the next character. Errc::usage for an
// empty command or an unterminated quote.
Result<std::vector<std::string>> split_command(const std::string& line);

struct TargetSpec {
  std::string dir;  // absolute
  Layout layout = Layout::separate;
  bool include_root = false;  // append the root to chain.pem / fullchain.pem / combined.pem
  std::string owner;          // user name or "" (keep the installing user)
  std::string group;          // group name or "" (keep the installing user's group)
  mode_t key_mode = 0600;     // privkey.pem / combined.pem: 0600, 0640, 0400 or 0440
  std::vector<ReloadCommand> reload;
  std::vector<ProbeSpec> probes;
};

// Key file modes allowed: owner read(-write), optionally group read; never
// group write, never anything for others, no special bits.
Status check_key_mode(mode_t mode);

}  // namespace certkeeper::deploy
