// The mail settings file: key = value lines, whole-line '#' comments, mode 0600.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "certkeeper/lifecycle/mail.h"
#include "certkeeper/util/files.h"

namespace certkeeper::lifecycle {
namespace {

constexpr MailSettingKey kKeys[] = {
    {"server", "host name or address (required; no scheme or port)"},
    {"port", "default 587 for `starttls`, 465 for `implicit`, 25 for `none`"},
    {"tls",
     "`starttls` (default; STARTTLS is demanded, a server without it is an error), `implicit` (TLS from the first "
     "byte), `none` (plain SMTP, for a relay on this host; refused together with a `username`, which would send "
     "the password in clear)"},
    {"username", "SMTP AUTH user; no AUTH when absent"},
    {"password", "SMTP AUTH password (never in a message); the file must be mode 0600 or 0400"},
    {"from", "the sender address (required)"},
    {"to", "default recipients, comma-separated (a bare --email sends to them)"},
    {"ca_file", "trust only these CAs (PEM) for the mail server; its certificate is always verified"},
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

std::vector<std::string> split_addresses(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const std::string one = trim(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!one.empty()) out.push_back(one);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Error bad(const std::string& path, int line, const std::string& what) {
  return make_error(Errc::invalid_input, fmt::format("line {}: {}", line, what), path);
}

}  // namespace

std::string default_mail_settings_path() {
  if (const char* env = std::getenv("CERTKEEPER_MAIL_CONFIG"); env && *env) return env;
  if (::geteuid() == 0) return "/etc/certkeeper/mail.conf";
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/certkeeper/mail.conf";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/certkeeper/mail.conf";
  return "certkeeper-mail.conf";
}

std::span<const MailSettingKey> mail_setting_keys() { return kKeys; }

Result<MailSettings> load_mail_settings(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    return make_error(Errc::io,
                      "cannot read the mail settings; create it (MAIL SETTINGS in man certkeeper) or pass "
                      "--mail-config",
                      path);
  }
  if ((st.st_mode & 077) != 0) {
    return make_error(Errc::invalid_input,
                      fmt::format("mode {:04o} lets others read the SMTP password; run 'chmod 600 {}'",
                                  st.st_mode & 07777, path),
                      path);
  }
  auto text = read_input_file(path, 64 * 1024);
  if (!text) return text.error();
  return parse_mail_settings(*text, path);
}

Result<MailSettings> parse_mail_settings(const std::string& t, const std::string& path) {
  MailSettings s;
  bool port_set = false;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < t.size()) {
    const auto end = t.find('\n', pos);
    std::string line = t.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    pos = end == std::string::npos ? t.size() : end + 1;
    ++line_no;
    line = trim(line);  // comments are whole lines: a password may hold '#'

    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) return bad(path, line_no, "expected 'key = value'");
    const std::string key = trim(line.substr(0, eq));
    const std::string value = trim(line.substr(eq + 1));
    if (key == "server") {
      if (value.empty() || value.find_first_of(" /@:") != std::string::npos) {
        return bad(path, line_no, "server must be a host name or address, without scheme or port");
      }
      s.smtp.host = value;
    } else if (key == "port") {
      char* rest = nullptr;
      const long port = std::strtol(value.c_str(), &rest, 10);
      if (value.empty() || *rest != '\0' || port < 1 || port > 65535) return bad(path, line_no, "port must be 1..65535");
      s.smtp.port = static_cast<int>(port);
      port_set = true;
    } else if (key == "tls") {
      if (value == "starttls") s.smtp.tls = net::SmtpTls::starttls;
      else if (value == "implicit") s.smtp.tls = net::SmtpTls::implicit;
      else if (value == "none") s.smtp.tls = net::SmtpTls::none;
      else return bad(path, line_no, "tls must be starttls, implicit or none");
    } else if (key == "username") {
      s.smtp.username = value;
    } else if (key == "password") {
      s.smtp.password = value;
    } else if (key == "from") {
      if (!net::valid_mail_address(value)) return bad(path, line_no, "from must be one address like certkeeper@example.com");
      s.from = value;
    } else if (key == "to") {
      for (const auto& a : split_addresses(value)) {
        if (!net::valid_mail_address(a)) return bad(path, line_no, "'" + a + "' is not an address like ops@example.com");
        s.to.push_back(a);
      }
    } else if (key == "ca_file") {
      s.smtp.ca_file = value;
    } else {
      std::string known;
      for (const auto& k : kKeys) known += (known.empty() ? "" : ", ") + std::string(k.key);
      return bad(path, line_no, "unknown key '" + key + "' (known: " + known + ")");
    }
  }
  if (s.smtp.host.empty()) return make_error(Errc::invalid_input, "no 'server = ...' line; add one", path);
  if (s.from.empty()) return make_error(Errc::invalid_input, "no 'from = ...' line; add one", path);
  if (!port_set) s.smtp.port = s.smtp.tls == net::SmtpTls::implicit ? 465 : s.smtp.tls == net::SmtpTls::none ? 25 : 587;
  if (!s.smtp.username.empty() && s.smtp.tls == net::SmtpTls::none) {
    return make_error(Errc::invalid_input,
                      "a username with tls = none would send the password in clear; use starttls or implicit", path);
  }
  return s;
}

}  // namespace certkeeper::lifecycle
