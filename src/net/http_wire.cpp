#include "http_wire.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

#include "certkeeper/util/text.h"

namespace certkeeper::net {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxChunkSizeLine = 1024;  // the size in hex and its extensions
constexpr std::size_t kMaxChunkSizeDigits = 15;  // below 2^60: no overflow

bool breaks_framing(std::string_view s) { return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos; }

// RFC 9110 §5.6.2: a field name is a token.
bool is_token(std::string_view s) {
  constexpr std::string_view kSymbols = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           kSymbols.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// Whether a comma-separated list of tokens (Connection: keep-alive, close)
// holds `token`, compared case-insensitively.
bool lists_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (text::ascii_lower(text::trim_blanks(list.substr(0, comma))) == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Every value of a header, joined as one list (RFC 9110 §5.3).
std::string joined(const HeaderList& headers, std::string_view name) {
  std::string out;
  for (const auto& [key, value] : headers) {
    if (key != name) continue;
    if (!out.empty()) out += ',';
    out += value;
  }
  return out;
}

// "HTTP/1.1 200 OK": the status and whether the version is 1.1.
bool parse_status_line(std::string_view line, int& status, bool& http11) {
  if (line.size() < 12 || !line.starts_with("HTTP/1.") || (line[7] != '0' && line[7] != '1') || line[8] != ' ') {
    return false;
  }
  if (line.size() > 12 && line[12] != ' ') return false;
  const auto [end, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  http11 = line[7] == '1';
  return ec == std::errc() && end == line.data() + 12 && status >= 100 && status <= 999;
}

// A chunk-size line (RFC 9112 §7.1): hex digits, then optional extensions.
bool parse_chunk_size(std::string_view line, std::size_t& size) {
  const auto digits_end = std::min(line.find_first_not_of("0123456789abcdefABCDEF"), line.size());
  if (digits_end == 0 || digits_end > kMaxChunkSizeDigits) return false;
  const std::string_view rest = text::trim_blanks(line.substr(digits_end));
  if (!rest.empty() && rest.front() != ';') return false;
  const auto [end, ec] = std::from_chars(line.data(), line.data() + digits_end, size, 16);
  return ec == std::errc() && end == line.data() + digits_end;
}

// Content-Length (RFC 9110 §8.6): digits; repeated values must agree.
bool parse_content_length(std::string_view list, std::size_t& length) {
  bool seen = false;
  while (true) {
    const auto comma = list.find(',');
    const std::string_view item = text::trim_blanks(list.substr(0, comma));
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || item.size() > 18 || ec != std::errc() || end != item.data() + item.size()) return false;
    if (seen && value != length) return false;
    length = value;
    seen = true;
    if (comma == std::string_view::npos) return true;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

Result<std::string> request_head(const std::string& method, const Url& url, const HeaderList& headers,
                                 std::size_t body_size, const std::string& user_agent) {
  if (breaks_framing(user_agent)) return make_error(Errc::internal, "the User-Agent holds a line break");
  std::string out = method + " " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
                    "\r\nUser-Agent: " + user_agent + "\r\nAccept: */*\r\n";
  for (const auto& [name, value] : headers) {
    if (name.empty() || breaks_framing(name) || name.find(':') != std::string::npos || breaks_framing(value)) {
      return make_error(Errc::internal, "a request header would break the HTTP framing", name);
    }
    out += name + ": " + value + "\r\n";
  }
  if (method == "POST") out += "Content-Length: " + std::to_string(body_size) + "\r\n";
  out += "\r\n";
  return out;
}

// One more read into the buffer: false when the server has closed.
Status ResponseReader::more(const char* doing) {
  if (pos_ == buffer_.size()) {
    buffer_.clear();
    pos_ = 0;
  } else if (pos_ >= kReadChunk) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  std::array<char, kReadChunk> chunk;
  auto n = in_.receive(chunk.data(), chunk.size(), doing);
  if (!n) return std::move(n).error();
  if (*n == 0) {
    closed_ = true;
    return in_.fail(Errc::network, std::string("the server closed the connection while ") + doing);
  }
  received_ += *n;
  buffer_.append(chunk.data(), *n);
  return {};
}

Result<std::string> ResponseReader::line(std::size_t max, const char* doing) {
  std::size_t scanned = 0;  // bytes after pos_ known to hold no line feed (more() may move pos_)
  while (true) {
    const auto eol = buffer_.find('\n', pos_ + scanned);
    if (eol != std::string::npos) {
      std::size_t end = eol;
      if (end > pos_ && buffer_[end - 1] == '\r') --end;
      if (end - pos_ > max) break;
      std::string out = buffer_.substr(pos_, end - pos_);
      pos_ = eol + 1;
      return out;
    }
    scanned = buffer_.size() - pos_;
    if (scanned > max) break;
    if (auto got = more(doing); !got) return std::move(got).error();
  }
  return in_.fail(Errc::network, "the server sent a line longer than " + std::to_string(max) + " bytes while " + doing);
}

Status ResponseReader::read_headers(HeaderList& headers) {
  std::size_t block = 0;
  while (true) {
    auto next = line(kMaxHeaderLine, "reading the response headers");
    if (!next) return std::move(next).error();
    block += next->size() + 2;
    if (block > kMaxHeaderBlock) {
      return in_.fail(Errc::network, "the response headers are larger than " + std::to_string(kMaxHeaderBlock) + " bytes");
    }
    if (next->empty()) return {};
    if (next->front() == ' ' || next->front() == '\t') {
      // obs-fold (RFC 9112 §5.2): a continuation of the previous value.
      if (headers.empty()) return in_.fail(Errc::network, "the response headers start with a continuation line");
      if (breaks_framing(*next)) {
        return in_.fail(Errc::network, "the server sent a malformed header line: " + text::printable(*next));
      }
      headers.back().second += ' ';
      headers.back().second += text::trim_blanks(*next);
      continue;
    }
    // RFC 9112 §5.1: a token, the colon right after it (no whitespace);
    // RFC 9110 §5.5: a CR or NUL in a value is invalid and dangerous.
    const auto colon = next->find(':');
    const std::string_view name = std::string_view(*next).substr(0, colon);
    if (colon == std::string::npos || !is_token(name) || breaks_framing(*next)) {
      return in_.fail(Errc::network, "the server sent a malformed header line: " + text::printable(*next));
    }
    if (headers.size() == kMaxHeaderCount) {
      return in_.fail(Errc::network, "the response has more than " + std::to_string(kMaxHeaderCount) + " headers");
    }
    headers.emplace_back(text::ascii_lower(name), std::string(text::trim_blanks(std::string_view(*next).substr(colon + 1))));
  }
}

Status ResponseReader::append_body(std::string& out, std::string_view bytes) {
  if (out.size() + bytes.size() > max_body_) {
    return in_.fail(Errc::network, "response larger than " + std::to_string(max_body_) + " bytes");
  }
  out.append(bytes);
  return {};
}

Status ResponseReader::read_exact(std::size_t n, std::string& out) {
  while (n > 0) {
    if (pos_ == buffer_.size()) {
      if (auto got = more("reading the response body"); !got) return got;
    }
    const std::size_t take = std::min(n, buffer_.size() - pos_);
    if (auto kept = append_body(out, std::string_view(buffer_).substr(pos_, take)); !kept) return kept;
    pos_ += take;
    n -= take;
  }
  return {};
}

Status ResponseReader::read_chunked(std::string& out) {
  while (true) {
    auto size_line = line(kMaxChunkSizeLine, "reading a chunk size");
    if (!size_line) return std::move(size_line).error();
    std::size_t size = 0;
    if (!parse_chunk_size(*size_line, size)) {
      return in_.fail(Errc::network, "the server sent a malformed chunk size: " + text::printable(*size_line));
    }
    if (size == 0) {
      HeaderList trailers;  // read to find the end; nothing in them is used
      return read_headers(trailers);
    }
    if (size > max_body_ - std::min(max_body_, out.size())) {
      return in_.fail(Errc::network, "response larger than " + std::to_string(max_body_) + " bytes");
    }
    if (auto data = read_exact(size, out); !data) return data;
    auto end = line(kMaxChunkSizeLine, "reading the end of a chunk");
    if (!end) return std::move(end).error();
    if (!end->empty()) return in_.fail(Errc::network, "a chunk is longer than its size says");
  }
}

Status ResponseReader::read_to_close(std::string& out) {
  while (true) {
    if (auto kept = append_body(out, std::string_view(buffer_).substr(pos_)); !kept) return kept;
    pos_ = buffer_.size();
    if (auto got = more("reading the response body"); !got) {
      if (closed_) return {};  // the end of the body
      return got;
    }
  }
}

Result<WireResponse> ResponseReader::read(bool head) {
  for (int interim = 0;; ++interim) {
    auto status_line = line(kMaxHeaderLine, "waiting for the response");
    if (!status_line) return std::move(status_line).error();
    WireResponse r;
    bool http11 = false;
    if (!parse_status_line(*status_line, r.status, http11)) {
      return in_.fail(Errc::network, "the server's answer is not an HTTP/1.x response: " +
                                         text::printable(text::truncate_utf8(*status_line, 80)));
    }
    if (auto headers = read_headers(r.headers); !headers) return std::move(headers).error();
    if (r.status < 200) {
      if (r.status == 101) return in_.fail(Errc::network, "the server switched to another protocol");
      if (interim == kMaxInterimResponses) {
        return in_.fail(Errc::network, "the server sent more than " + std::to_string(kMaxInterimResponses) +
                                           " interim (1xx) responses");
      }
      continue;
    }
    const bool keep_alive = http11 && !lists_token(joined(r.headers, "connection"), "close");
    // RFC 9112 §6.3: what delimits the body.
    if (head || r.status == 204 || r.status == 304) {
      r.reusable = keep_alive;
      return r;
    }
    const std::string coding = joined(r.headers, "transfer-encoding");
    const std::string length = joined(r.headers, "content-length");
    if (!coding.empty()) {
      const std::string_view last = text::trim_blanks(std::string_view(coding).substr(coding.rfind(',') + 1));
      const bool chunked = text::ascii_lower(last) == "chunked";
      if (auto body = chunked ? read_chunked(r.body) : read_to_close(r.body); !body) return std::move(body).error();
      // Both framings at once may be an attempt at request smuggling: never reuse.
      r.reusable = chunked && keep_alive && length.empty();
      return r;
    }
    if (!length.empty()) {
      std::size_t size = 0;
      if (!parse_content_length(length, size)) {
        return in_.fail(Errc::network, "the server sent an invalid Content-Length: " + text::printable(length));
      }
      if (size > max_body_) return in_.fail(Errc::network, "response larger than " + std::to_string(max_body_) + " bytes");
      if (auto body = read_exact(size, r.body); !body) return std::move(body).error();
      r.reusable = keep_alive;
      return r;
    }
    if (auto body = read_to_close(r.body); !body) return std::move(body).error();
    return r;
  }
}

}  // namespace certkeeper::net
