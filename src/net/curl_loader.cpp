// make_curl_client and make_curl_mailer: from the certkeeper-curl.so module,
// loaded on the first call (util/module_loader.h says why). When the module
// cannot be loaded the client (mailer) answers every request with that
// error, so the command that needed the network fails with it and nothing
// else does.
#include "certkeeper/util/module_loader.h"
#include "curl_module.h"

namespace certkeeper::net {
namespace {

class UnavailableClient final : public HttpClient {
 public:
  explicit UnavailableClient(Error why) : why_(std::move(why)) {}
  Result<HttpResponse> send(const HttpRequest&) override { return why_; }
  std::size_t requests_sent() const override { return 0; }

 private:
  Error why_;
};

class UnavailableMailer final : public Mailer {
 public:
  explicit UnavailableMailer(Error why) : why_(std::move(why)) {}
  Status send(const MailEnvelope&) override { return why_; }

 private:
  Error why_;
};

}  // namespace

std::unique_ptr<Mailer> make_curl_mailer(const SmtpOptions& options) {
  auto symbol = module_symbol(module::kFile, module::kMakeMailer);
  if (!symbol) return std::make_unique<UnavailableMailer>(symbol.error());
  Mailer* mailer = reinterpret_cast<module::MakeMailer>(*symbol)(&options);
  if (mailer == nullptr) {
    return std::make_unique<UnavailableMailer>(
        make_error(Errc::internal, "the mailer could not be created (out of memory?)", module::kFile));
  }
  return std::unique_ptr<Mailer>(mailer);
}

std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& options) {
  auto symbol = module_symbol(module::kFile, module::kMakeClient);
  if (!symbol) return std::make_unique<UnavailableClient>(symbol.error());
  HttpClient* client = reinterpret_cast<module::MakeClient>(*symbol)(&options);
  if (client == nullptr) {
    return std::make_unique<UnavailableClient>(
        make_error(Errc::internal, "the HTTP client could not be created (out of memory?)", module::kFile));
  }
  return std::unique_ptr<HttpClient>(client);
}

}  // namespace certkeeper::net
