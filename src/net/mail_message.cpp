// compose_mail: a MIME message built by hand (RFC 5322, RFC 2045/2046 for the
// multipart/alternative body, RFC 2047 for a non-ASCII subject). Every body is
// base64, so nothing in a report (long HTML lines, a line starting with ".")
// can break the SMTP transfer.
#include <ctime>
#include <random>

#include <fmt/format.h>

#include "certkeeper/net/mailer.h"

namespace certkeeper::net {
namespace {

constexpr char kCrlf[] = "\r\n";

std::string base64(const std::string& in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// base64 in lines of 76 characters (RFC 2045 §6.8), CRLF after each.
std::string base64_lines(const std::string& in) {
  const std::string flat = base64(in);
  std::string out;
  out.reserve(flat.size() + flat.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < flat.size(); i += 76) {
    out += flat.substr(i, 76);
    out += kCrlf;
  }
  return out;
}

bool ascii_printable(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// RFC 2047 encoded-words for a subject that is not plain ASCII; each word
// holds whole UTF-8 characters and stays within 75 characters.
std::string header_text(const std::string& value) {
  if (ascii_printable(value)) return value;
  std::string out, chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(chunk) + "?=";
    chunk.clear();
  };
  for (std::size_t i = 0; i < value.size();) {
    std::size_t len = 1;
    const unsigned char c = value[i];
    if (c >= 0xf0) len = 4;
    else if (c >= 0xe0) len = 3;
    else if (c >= 0xc0) len = 2;
    std::string ch = value.substr(i, len);
    for (char& x : ch) {
      if (x == '\r' || x == '\n') x = ' ';
    }
    if ((chunk.size() + ch.size() + 2) / 3 * 4 > 45) flush();  // 12 + 60 + 2 <= 75
    chunk += ch;
    i += len;
  }
  flush();
  return out;
}

std::string rfc5322_date(UnixTime t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string text_part(const std::string& type, const std::string& body) {
  return "Content-Type: " + type + "; charset=utf-8" + kCrlf + "Content-Transfer-Encoding: base64" + kCrlf + kCrlf +
         base64_lines(body);
}

}  // namespace

bool valid_mail_address(const std::string& address) {
  const auto at = address.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size() || address.size() > 254) return false;
  for (unsigned char c : address) {
    if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' || c == '(' ||
        c == ')' || c == '\\') {
      return false;
    }
  }
  return true;
}

std::string compose_mail(const MailContent& content) {
  std::string to;
  for (const auto& address : content.to) to += (to.empty() ? "" : ", ") + address;
  std::string m;
  m += "Date: " + rfc5322_date(content.date) + kCrlf;
  m += "From: " + content.from + kCrlf;
  m += "To: " + to + kCrlf;
  m += "Subject: " + header_text(content.subject) + kCrlf;
  if (!content.message_id.empty()) m += "Message-ID: " + content.message_id + kCrlf;
  m += std::string("MIME-Version: 1.0") + kCrlf;
  m += std::string("Auto-Submitted: auto-generated") + kCrlf;  // RFC 3834: no auto-replies, please
  if (content.html.empty()) return m + text_part("text/plain", content.text);

  // A boundary that cannot occur in base64 text (it contains '=' and '_').
  std::random_device random;
  const std::string boundary = fmt::format("=_certkeeper_{:08x}{:08x}", random(), random());
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"" + kCrlf + kCrlf;
  m += "--" + boundary + kCrlf + text_part("text/plain", content.text);
  m += "--" + boundary + kCrlf + text_part("text/html", content.html);
  m += "--" + boundary + "--" + kCrlf;
  return m;
}

}  // namespace certkeeper::net
