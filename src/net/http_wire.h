// HTTP/1.1 on the wire (RFC 9112) for the HTTPS client: the request it
// writes and the response it reads, with every length bounded. A server's
// bytes are outside input; tests/fuzz/http_wire_fuzz.cpp feeds this reader
// through a scripted Channel. Internal to the net module.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "certkeeper/net/connection.h"
#include "certkeeper/util/result.h"
#include "url.h"

namespace certkeeper::net {

// Bounds on what a server may send before its body.
inline constexpr std::size_t kMaxHeaderLine = 8 * 1024;
inline constexpr std::size_t kMaxHeaderBlock = 64 * 1024;
inline constexpr std::size_t kMaxHeaderCount = 100;
inline constexpr int kMaxInterimResponses = 10;  // 1xx before the final answer

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The request line and header block, ending with the empty line. Errc::internal
// when a header name or value would break the framing (CR, LF, NUL).
Result<std::string> request_head(const std::string& method, const Url& url, const HeaderList& headers,
                                 std::size_t body_size, const std::string& user_agent);

struct WireResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased, in arrival order, folded lines joined
  std::string body;
  bool reusable = false;  // the connection may carry the next request
};

// Reads responses from one connection.
class ResponseReader {
 public:
  ResponseReader(Channel& in, std::size_t max_body) : in_(in), max_body_(max_body) {}

  // The final response to one request (interim 1xx responses skipped);
  // `head` when the request was HEAD (no body follows, whatever the headers
  // say). Errc::network for anything malformed, cut short or too large
  // ("response larger than N bytes").
  Result<WireResponse> read(bool head);
  // Bytes received so far: 0 after a failure means the server sent nothing.
  std::size_t received() const { return received_; }

 private:
  Status more(const char* doing);
  Result<std::string> line(std::size_t max, const char* doing);
  Status read_headers(HeaderList& headers);
  Status read_exact(std::size_t n, std::string& out);
  Status read_chunked(std::string& out);
  Status read_to_close(std::string& out);
  Status append_body(std::string& out, std::string_view bytes);

  Channel& in_;
  std::size_t max_body_;
  std::string buffer_;
  std::size_t pos_ = 0;  // the first unread byte of buffer_
  std::size_t received_ = 0;
  bool closed_ = false;
};

}  // namespace certkeeper::net
