// SMTP submission through libcurl (inside certkeeper-curl.so): one
// connection per message, TLS verified, STARTTLS demanded when asked for, the
// message read from memory. libcurl escapes lines that begin with a dot
// (RFC 5321 §4.5.2); compose_mail never produces one anyway.
#include <cstring>

#include <fmt/format.h>

#include "certkeeper/net/mailer.h"
#include "curl_ptr.h"
#include "module_entry.h"

namespace certkeeper::net {
namespace {

struct Upload {
  const std::string* data = nullptr;
  std::size_t offset = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->data->size() - upload->offset);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

class CurlMailer final : public Mailer {
 public:
  explicit CurlMailer(SmtpOptions options) : options_(std::move(options)) {}

  Status send(const MailEnvelope& mail) override {
    const std::string where = fmt::format("{}:{}", options_.host, options_.port);
    if (global_init() != CURLE_OK) {
      return make_error(Errc::network, "libcurl could not be initialised", where);
    }
    CurlPtr handle(curl_easy_init());
    if (!handle) return make_error(Errc::network, "libcurl could not be initialised", where);
    CURL* h = handle.get();
    const std::string scheme = options_.tls == SmtpTls::implicit ? "smtps" : "smtp";
    const std::string url = fmt::format("{}://{}:{}/certkeeper", scheme, options_.host, options_.port);
    const std::string from = "<" + mail.from + ">";
    CurlSlistPtr recipients;
    bool ok = true;
    for (const auto& to : mail.to) ok = ok && slist_append(recipients, ("<" + to + ">").c_str());
    Upload upload{&mail.message, 0};
    char error_buffer[CURL_ERROR_SIZE] = {};
    auto set = [&ok](CURLcode rc) { ok = ok && rc == CURLE_OK; };
    set(curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer));
    set(curl_easy_setopt(h, CURLOPT_URL, url.c_str()));
    set(curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, scheme.c_str()));
    set(curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L));
    set(curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count())));
    set(curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10'000L));
    if (options_.tls == SmtpTls::starttls) set(curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL)));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L));
    set(curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L));
    if (!options_.ca_file.empty()) {
      set(curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_file.c_str()));
      set(curl_easy_setopt(h, CURLOPT_CAPATH, nullptr));
    }
    if (!options_.username.empty()) {
      set(curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str()));
      set(curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str()));
    }
    set(curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str()));
    set(curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get()));
    set(curl_easy_setopt(h, CURLOPT_UPLOAD, 1L));
    set(curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read));
    set(curl_easy_setopt(h, CURLOPT_READDATA, &upload));
    set(curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(mail.message.size())));
    if (!ok) return make_error(Errc::internal, "setting up the SMTP transfer failed", where);

    const CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) return {};
    return make_error(Errc::network, describe(code, error_buffer), where);
  }

 private:
  // One line naming what failed; never the password.
  std::string describe(CURLcode code, const char* buffer) const {
    std::string detail = buffer[0] ? std::string(buffer) : curl_easy_strerror(code);
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
    if (!options_.password.empty()) {
      for (std::size_t at; (at = detail.find(options_.password)) != std::string::npos;) {
        detail.replace(at, options_.password.size(), "***");
      }
    }
    // libcurl reports a refused envelope as a receive error; its text says which.
    if (detail.find("RCPT failed") != std::string::npos) {
      return "the mail server refused a recipient (" + detail + "); check the addresses";
    }
    if (detail.find("MAIL failed") != std::string::npos) {
      return "the mail server refused the sender (" + detail + "); check 'from' in the mail settings";
    }
    switch (code) {
      case CURLE_COULDNT_CONNECT:
        return "cannot connect to the mail server (" + detail + "); check server and port in the mail settings";
      case CURLE_COULDNT_RESOLVE_HOST:
        return "cannot resolve the mail server (" + detail + "); check server in the mail settings";
      case CURLE_USE_SSL_FAILED:
        return "the mail server does not offer STARTTLS; use tls = implicit (port 465) or a server that does";
      case CURLE_LOGIN_DENIED:
        return "the mail server refused the login; check username and password in the mail settings";
      case CURLE_PEER_FAILED_VERIFICATION:
        return "the mail server's certificate is not trusted or does not match (" + detail + "); set ca_file";
      case CURLE_SSL_CONNECT_ERROR:
        return "TLS handshake with the mail server failed (" + detail + ")";
      case CURLE_OPERATION_TIMEDOUT:
        return "the mail server timed out (" + detail + ")";
      case CURLE_SEND_ERROR:
      case CURLE_RECV_ERROR:
      case CURLE_GOT_NOTHING:
        return "the connection to the mail server broke (" + detail + ")";
      default:
        return "the mail server refused the message (" + detail + ")";
    }
  }

  SmtpOptions options_;
};

}  // namespace

std::unique_ptr<Mailer> make_libcurl_mailer(const SmtpOptions& options) { return std::make_unique<CurlMailer>(options); }

}  // namespace certkeeper::net
