#include "starttls.h"

#include <unistd.h>

#include <array>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace certkeeper::deploy::probe_detail {
namespace {

constexpr std::size_t kMaxQuoted = 120;

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

// A server line for a one-line message: printable ASCII only, shortened.
std::string quote(std::string_view line) {
  std::string out = "'";
  for (char c : line.substr(0, kMaxQuoted)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out + (line.size() > kMaxQuoted ? "...'" : "'");
}

// Lines from the server, CRLF (or a bare LF) removed, within kMaxLineLength
// and kMaxLines for the whole dialogue.
class LineReader {
 public:
  explicit LineReader(Channel& conn) : conn_(conn) {}

  Channel& conn() { return conn_; }

  Result<std::string> next(std::string_view doing) {
    while (true) {
      if (auto end = buffer_.find('\n'); end != std::string::npos && end <= kMaxLineLength) {
        if (++lines_ > kMaxLines) {
          return conn_.fail(Errc::network,
                            fmt::format("the server sent more than {} lines while {}", kMaxLines, doing));
        }
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (buffer_.size() > kMaxLineLength) {
        return conn_.fail(Errc::network,
                          fmt::format("the server sent a line longer than {} bytes while {}", kMaxLineLength, doing));
      }
      std::array<char, 1024> chunk;
      auto n = conn_.receive(chunk.data(), chunk.size(), doing);
      if (!n) return std::move(n).error();
      if (*n == 0) return conn_.fail(Errc::network, fmt::format("the server closed the connection while {}", doing));
      buffer_.append(chunk.data(), *n);
    }
  }

  // After the server's go-ahead the client speaks first (the ClientHello).
  // Bytes already waiting were sent before TLS and cannot be trusted or
  // handed to TLS (RFC 3207 §4.2, RFC 2595 §3.1): a broken or tampered
  // dialogue.
  Status expect_drained(std::string_view protocol) {
    if (buffer_.empty()) return {};
    return conn_.fail(
        Errc::network,
        fmt::format("the server sent more data after agreeing to {} STARTTLS; its dialogue is broken", protocol));
  }

 private:
  Channel& conn_;
  std::string buffer_;
  int lines_ = 0;
};

Status send_line(Channel& conn, const std::string& command, std::string_view doing) {
  return conn.send_all(command + "\r\n", doing);
}

// ------------------------------------------------------------------ SMTP

struct SmtpReply {
  int code = 0;
  std::vector<std::string> lines;
  const std::string& last() const { return lines.back(); }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 5321 §4.2: every line starts with the three-digit code, followed by
// '-' on all lines but the last, which has ' ' or nothing.
Result<SmtpReply> read_smtp_reply(LineReader& in, std::string_view doing) {
  SmtpReply reply;
  while (true) {
    auto line = in.next(doing);
    if (!line) return std::move(line).error();
    const std::string& l = *line;
    if (l.size() < 3 || !is_digit(l[0]) || !is_digit(l[1]) || !is_digit(l[2]) ||
        (l.size() > 3 && l[3] != '-' && l[3] != ' ')) {
      return in.conn().fail(Errc::network,
                            fmt::format("the server does not speak SMTP: it sent {} while {}", quote(l), doing));
    }
    reply.code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
    reply.lines.push_back(l);
    if (l.size() == 3 || l[3] == ' ') return reply;
  }
}

// RFC 5321 §4.1.1.1 wants our domain name after EHLO; the host name will do
// (no server checks it before STARTTLS), "certkeeper" when it has none.
std::string ehlo_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0') return "certkeeper";
  std::string name(buf.data());
  for (char c : name) {
    if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-' || c == '.')) return "certkeeper";
  }
  return name;
}

// An EHLO reply line offers an extension when its keyword (RFC 5321
// §4.1.1.1: the first word after the code) is the one asked for.
bool offers(const SmtpReply& ehlo, std::string_view keyword) {
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {  // line 0 is the server's greeting
    if (ehlo.lines[i].size() <= 4) continue;
    std::string_view rest = std::string_view(ehlo.lines[i]).substr(4);
    if (iequals(rest.substr(0, rest.find(' ')), keyword)) return true;
  }
  return false;
}

Status smtp(LineReader& in) {
  Channel& conn = in.conn();
  auto greeting = read_smtp_reply(in, "reading the SMTP greeting");
  if (!greeting) return std::move(greeting).error();
  if (greeting->code != 220) {
    return conn.fail(Errc::network,
                     "the server does not accept mail sessions: it greeted with " + quote(greeting->last()));
  }
  if (auto sent = send_line(conn, "EHLO " + ehlo_name(), "sending EHLO"); !sent) return sent;
  auto ehlo = read_smtp_reply(in, "reading the answer to EHLO");
  if (!ehlo) return std::move(ehlo).error();
  if (ehlo->code != 250) return conn.fail(Errc::network, "the server did not accept EHLO: " + quote(ehlo->last()));
  if (!offers(*ehlo, "STARTTLS")) {
    return conn.fail(Errc::network, "the server does not offer STARTTLS (it is not in the answer to EHLO)");
  }
  if (auto sent = send_line(conn, "STARTTLS", "sending STARTTLS"); !sent) return sent;
  auto go = read_smtp_reply(in, "reading the answer to STARTTLS");
  if (!go) return std::move(go).error();
  if (go->code != 220) return conn.fail(Errc::network, "the server refused STARTTLS: " + quote(go->last()));
  return in.expect_drained("SMTP");
}

// ------------------------------------------------------------------ IMAP

constexpr std::string_view kImapTag = "a001";

Status imap(LineReader& in) {
  Channel& conn = in.conn();
  auto greeting = in.next("reading the IMAP greeting");
  if (!greeting) return std::move(greeting).error();
  if (istarts_with(*greeting, "* PREAUTH")) {
    // RFC 3501 §6.2.1: STARTTLS is only valid in the not-authenticated state.
    return conn.fail(Errc::network,
                     "the server greeted with PREAUTH, after which STARTTLS is not allowed: " + quote(*greeting));
  }
  if (istarts_with(*greeting, "* BYE")) {
    return conn.fail(Errc::network, "the server refused the IMAP session: " + quote(*greeting));
  }
  if (!istarts_with(*greeting, "* OK")) {
    return conn.fail(Errc::network, "the server does not speak IMAP: it greeted with " + quote(*greeting));
  }
  if (auto sent = send_line(conn, std::string(kImapTag) + " STARTTLS", "sending STARTTLS"); !sent) return sent;
  while (true) {
    auto line = in.next("reading the answer to STARTTLS");
    if (!line) return std::move(line).error();
    if (line->starts_with("* ")) continue;  // untagged data, e.g. a CAPABILITY
    const std::string tagged = std::string(kImapTag) + " ";
    if (!istarts_with(*line, tagged)) {
      return conn.fail(Errc::network, "the server sent an unexpected answer to STARTTLS: " + quote(*line));
    }
    std::string_view status = std::string_view(*line).substr(tagged.size());
    if (istarts_with(status, "OK")) return in.expect_drained("IMAP");
    if (istarts_with(status, "BAD")) {
      // BAD: the command is unknown or not allowed here.
      return conn.fail(Errc::network, "the server does not offer STARTTLS: it answered " + quote(*line));
    }
    return conn.fail(Errc::network, "the server refused STARTTLS: " + quote(*line));
  }
}

// ------------------------------------------------------------------ POP3

bool pop3_ok(std::string_view line) { return line == "+OK" || istarts_with(line, "+OK "); }

Status pop3(LineReader& in) {
  Channel& conn = in.conn();
  auto greeting = in.next("reading the POP3 greeting");
  if (!greeting) return std::move(greeting).error();
  if (istarts_with(*greeting, "-ERR")) {
    return conn.fail(Errc::network, "the server refused the POP3 session: " + quote(*greeting));
  }
  if (!pop3_ok(*greeting)) {
    return conn.fail(Errc::network, "the server does not speak POP3: it greeted with " + quote(*greeting));
  }
  if (auto sent = send_line(conn, "STLS", "sending STLS"); !sent) return sent;
  auto answer = in.next("reading the answer to STLS");
  if (!answer) return std::move(answer).error();
  if (!pop3_ok(*answer)) {
    // POP3 has one error reply for "unknown command" and "not now".
    return conn.fail(Errc::network, "the server refused STARTTLS (STLS): " + quote(*answer));
  }
  return in.expect_drained("POP3");
}

}  // namespace

Status run_starttls(Channel& conn, Starttls protocol) {
  LineReader in(conn);
  switch (protocol) {
    case Starttls::smtp: return smtp(in);
    case Starttls::imap: return imap(in);
    case Starttls::pop3: return pop3(in);
    case Starttls::none: break;
  }
  return {};
}

}  // namespace certkeeper::deploy::probe_detail
