// Parsing of the target forms given on the command line (--layout, --probe,
// --reload, --mode).
#include "certkeeper/deploy/target.h"

#include <charconv>
#include <cstdio>

namespace certkeeper::deploy {

const char* layout_name(Layout layout) { return layout == Layout::combined ? "combined" : "separate"; }

Result<Layout> parse_layout(const std::string& text) {
  if (text == "separate") return Layout::separate;
  if (text == "combined") return Layout::combined;
  return make_error(Errc::usage, "unknown layout '" + text + "': use separate or combined");
}

const char* starttls_name(Starttls s) {
  switch (s) {
    case Starttls::smtp: return "smtp";
    case Starttls::imap: return "imap";
    case Starttls::pop3: return "pop3";
    case Starttls::none: break;
  }
  return "none";
}

Result<Starttls> parse_starttls(const std::string& text) {
  if (text == "smtp") return Starttls::smtp;
  if (text == "imap") return Starttls::imap;
  if (text == "pop3") return Starttls::pop3;
  if (text == "none" || text.empty()) return Starttls::none;
  return make_error(Errc::usage, "unknown STARTTLS protocol '" + text + "': use smtp, imap or pop3");
}

namespace {

Result<int> parse_port(const std::string& text, const std::string& whole) {
  int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port < 1 || port > 65535) {
    return make_error(Errc::usage, "probe '" + whole + "': the port must be a number from 1 to 65535");
  }
  return port;
}

// "HOST:PORT" or "[V6]:PORT".
Status parse_endpoint(const std::string& text, const std::string& whole, ProbeSpec& probe) {
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return make_error(Errc::usage, "probe '" + whole + "': write an IPv6 endpoint as [ADDRESS]:PORT");
    }
    probe.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      return make_error(Errc::usage, "probe '" + whole + "': expected HOST:PORT (IPv6 as [ADDRESS]:PORT)");
    }
    probe.host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (probe.host.empty()) return make_error(Errc::usage, "probe '" + whole + "': the host is empty");
  // RFC 3986 §3.2.2: brackets only delimit an IP literal. Inside a host
  // they would not survive probe_text(), so the stored probe would not
  // read back.
  if (probe.host.find_first_of("[]") != std::string::npos) {
    return make_error(Errc::usage, "probe '" + whole + "': the host holds a bracket; write IPv6 as [ADDRESS]:PORT");
  }
  auto p = parse_port(port, whole);
  if (!p) return p.error();
  probe.port = *p;
  return {};
}

}  // namespace

Result<ProbeSpec> parse_probe(const std::string& text) {
  ProbeSpec probe;
  std::size_t start = 0;
  bool first = true;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    std::string part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (first) {
      if (auto st = parse_endpoint(part, text, probe); !st) return st.error();
      first = false;
    } else {
      auto eq = part.find('=');
      std::string key = part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      if (key == "starttls") {
        auto s = parse_starttls(value);
        if (!s || *s == Starttls::none) {
          return make_error(Errc::usage, "probe '" + text + "': starttls must be smtp, imap or pop3");
        }
        probe.starttls = *s;
      } else if (key == "servername" && !value.empty()) {
        probe.servername = value;
      } else {
        return make_error(Errc::usage,
                     "probe '" + text + "': unknown option '" + part + "' (use starttls=PROTO or servername=NAME)");
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return probe;
}

std::string probe_text(const ProbeSpec& probe) {
  std::string text = probe.host.find(':') != std::string::npos ? "[" + probe.host + "]" : probe.host;
  // Appended piece by piece: g++ 12 at -O3 takes ":" + std::to_string(...)
  // for an overlapping memcpy (a false -Wrestrict, an error under -Werror).
  text += ':';
  text += std::to_string(probe.port);
  if (probe.starttls != Starttls::none) text += std::string(",starttls=") + starttls_name(probe.starttls);
  if (!probe.servername.empty()) text += ",servername=" + probe.servername;
  return text;
}

Result<std::vector<std::string>> split_command(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      auto close = line.find('\'', i + 1);
      if (close == std::string::npos) return make_error(Errc::usage, "command '" + line + "': unterminated ' quote");
      word += line.substr(i + 1, close - i - 1);
      in_word = true;
      i = close;
    } else if (c == '"') {
      std::size_t j = i + 1;
      for (; j < line.size() && line[j] != '"'; ++j) {
        if (line[j] == '\\' && j + 1 < line.size() && (line[j + 1] == '"' || line[j + 1] == '\\')) ++j;
        word += line[j];
      }
      if (j >= line.size()) return make_error(Errc::usage, "command '" + line + "': unterminated \" quote");
      in_word = true;
      i = j;
    } else if (c == '\\') {
      if (i + 1 >= line.size()) return make_error(Errc::usage, "command '" + line + "': ends with a lone backslash");
      word += line[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return make_error(Errc::usage, "the command is empty: give a program and its arguments");
  return words;
}

Status check_key_mode(mode_t mode) {
  if (mode == 0600 || mode == 0640 || mode == 0400 || mode == 0440) return {};
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
  return make_error(Errc::usage, std::string("key file mode ") + text +
                                " is not allowed: use 0600, 0640 (group may read), 0400 or 0440; a key is never "
                                "world-readable");
}

}  // namespace certkeeper::deploy
