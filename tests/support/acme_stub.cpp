// The stub's server side: request parsing and logging, scripted faults, and
// how a StubResponse goes onto the wire. The ACME resources themselves are
// in acme_stub_flow.cpp.
#include "support/acme_stub.h"

#include <httplib.h>
#include <strings.h>

#include <stdexcept>
#include <thread>

#include "support/acme_stub_ca.h"
#include "support/acme_stub_impl.h"

namespace certkeeper::testing {

using namespace std::chrono_literals;

StubResponse StubResponse::problem(int status, const std::string& type, const std::string& detail) {
  StubResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = nlohmann::json{{"type", "urn:ietf:params:acme:error:" + type}, {"detail", detail}, {"status", status}}.dump();
  return r;
}

namespace {

StubRequest parse_request(const httplib::Request& req, const std::string& base) {
  StubRequest r;
  r.method = req.method;
  r.path = req.path;
  r.url = base + req.path;
  for (const auto& [k, v] : req.headers) r.headers.emplace(k, v);
  r.body = req.body;
  if (r.method != "POST") return r;
  auto outer = nlohmann::json::parse(req.body, nullptr, false);
  if (!outer.is_object() || !outer.contains("protected") || !outer["protected"].is_string() ||
      !outer.contains("payload") || !outer["payload"].is_string() || !outer.contains("signature") ||
      !outer["signature"].is_string()) {
    return r;
  }
  auto header = stub::b64url_decode(outer["protected"].get<std::string>());
  auto payload = stub::b64url_decode(outer["payload"].get<std::string>());
  if (!header || !payload) return r;
  r.protected_header = nlohmann::json::parse(*header, nullptr, false);
  if (r.protected_header.is_discarded()) r.protected_header = nullptr;
  r.jws = r.protected_header.is_object();
  r.payload_raw = *payload;
  r.post_as_get = payload->empty();
  if (!r.post_as_get) {
    r.payload = nlohmann::json::parse(*payload, nullptr, false);
    if (r.payload.is_discarded()) r.payload = nullptr;
  }
  return r;
}

bool has_header(const std::map<std::string, std::string>& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && strncasecmp(k.c_str(), name.c_str(), k.size()) == 0) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------- Impl: serving

void AcmeStub::Impl::start() {
  const UnixTime wall = static_cast<UnixTime>(std::time(nullptr));
  CertOptions o;
  o.cn = "localhost";
  o.dns = {"localhost"};
  o.ips = {"127.0.0.1"};
  o.not_before = wall - 3600;
  o.not_after = wall + days(30);
  listener.emplace(pki.issue(o, pki.root()));
  ca_file = pki.write("acme-stub-ca.pem", pki.root().pem());

  server = std::make_unique<httplib::SSLServer>(listener->get(), listener->key().get());
  if (!server->is_valid()) throw std::runtime_error("acme stub: cannot set up TLS");
  server->set_keep_alive_timeout(1);  // bounds how long stop() waits for idle connections
  server->set_read_timeout(5, 0);
  server->set_write_timeout(5, 0);
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server->Get(".*", handler);  // GET and HEAD
  server->Post(".*", handler);
  server->Put(".*", handler);
  server->Patch(".*", handler);
  server->Delete(".*", handler);
  server->Options(".*", handler);
  // A bug in the stub (or a hook) answers 500 with the reason instead of
  // vanishing into httplib.
  server->set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
    std::string what = "unknown exception";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    res.status = 500;
    res.set_content(nlohmann::json{{"type", "urn:ietf:params:acme:error:serverInternal"},
                                   {"detail", "acme stub: " + what}}
                        .dump(),
                    "application/problem+json");
  });
  port = server->bind_to_any_port("127.0.0.1");
  if (port <= 0) throw std::runtime_error("acme stub: cannot bind 127.0.0.1");
  base = "https://127.0.0.1:" + std::to_string(port);
  thread = std::thread([this] { server->listen_after_bind(); });
  // stop() is a no-op until the loop runs: wait for it (bounded) so that
  // the destructor can always end it.
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!server->is_running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  if (!server->is_running()) throw std::runtime_error("acme stub: the server did not start");
}

void AcmeStub::Impl::stop() {
  {
    std::lock_guard lock(mu);
    stopping = true;
  }
  wake.notify_all();
  if (server) server->stop();
  if (thread.joinable()) thread.join();
}

std::optional<AcmeStub::Impl::Fault> AcmeStub::Impl::take_fault(const std::string& path) {
  for (auto it = faults.begin(); it != faults.end(); ++it) {
    if (path.rfind(it->prefix, 0) != 0) continue;
    Fault f = *it;
    if (--it->remaining <= 0) faults.erase(it);
    return f;
  }
  return std::nullopt;
}

std::string AcmeStub::Impl::new_nonce() {
  unsigned char bytes[16];
  for (auto& b : bytes) b = static_cast<unsigned char>(rng());
  std::string nonce = stub::b64url_encode(std::string(reinterpret_cast<char*>(bytes), sizeof bytes));
  nonces.insert(nonce);
  return nonce;
}

void AcmeStub::Impl::handle(const httplib::Request& req, httplib::Response& res) {
  StubRequest r = parse_request(req, base);
  std::optional<Fault> fault;
  StubHook hook_copy;
  {
    std::lock_guard lock(mu);
    // Every JWS uses up its nonce, whatever the answer (RFC 8555 §6.5).
    if (r.jws && r.protected_header.contains("nonce") && r.protected_header["nonce"].is_string()) {
      r.nonce_valid = nonces.erase(r.protected_header["nonce"].get<std::string>()) > 0;
    }
    log.push_back(r);
    fault = take_fault(r.path);
    hook_copy = hook;
  }
  std::optional<StubResponse> out;
  if (fault && fault->replacement) out = fault->replacement;
  if (!out && hook_copy) out = hook_copy(r);  // outside the lock: a hook may call the stub
  if (!out) {
    std::lock_guard lock(mu);
    out = route(r);
  }
  if (fault) {
    if (fault->omit_nonce) out->omit_nonce = true;
    if (fault->delay > 0ms) out->delay = fault->delay;
    if (fault->truncate) out->truncate_to = out->body.size() / 2;
    // Trailing whitespace keeps a JSON body valid JSON at any size.
    if (out->body.size() < fault->oversize) out->body.append(fault->oversize - out->body.size(), ' ');
  }
  send(*out, res);
}

void AcmeStub::Impl::send(const StubResponse& out, httplib::Response& res) {
  if (out.delay > 0ms) {
    std::unique_lock lock(mu);
    wake.wait_for(lock, out.delay, [this] { return stopping; });
  }
  res.status = out.status;
  for (const auto& [k, v] : out.headers) res.set_header(k, v);
  if (!out.omit_nonce && !has_header(out.headers, "Replay-Nonce")) {
    std::lock_guard lock(mu);
    res.set_header("Replay-Nonce", new_nonce());
  }
  if (out.body.empty()) {
    if (!out.content_type.empty() && out.status != 204) res.set_header("Content-Type", out.content_type);
    return;
  }
  // Always through a content provider with a length: httplib then sends the
  // bytes as given (it compresses only set_content bodies), and a provider
  // is the one way to stop short of the declared Content-Length.
  auto body = std::make_shared<std::string>(out.body);
  const std::size_t sent = std::min(out.truncate_to.value_or(body->size()), body->size());
  res.set_content_provider(body->size(), out.content_type,
                           [body, sent](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                             if (offset < sent) {
                               // Whole chunks, so that a truncation ends exactly at `sent`.
                               const std::size_t n = std::min<std::size_t>(sent - offset, 64 * 1024);
                               return sink.write(body->data() + offset, n);
                             }
                             return false;  // fewer bytes than declared: httplib closes the connection
                           });
}

// ---------------------------------------------------------------- AcmeStub

AcmeStub::AcmeStub(const AcmeStubOptions& options) : impl_(std::make_unique<Impl>(options)) { impl_->start(); }

AcmeStub::~AcmeStub() { impl_->stop(); }

int AcmeStub::port() const { return impl_->port; }
std::string AcmeStub::base_url() const { return impl_->base; }
std::string AcmeStub::directory_url() const { return impl_->base + "/dir"; }
std::string AcmeStub::ca_file() const { return impl_->ca_file; }
const TestPki& AcmeStub::pki() const { return impl_->pki; }

std::vector<StubRequest> AcmeStub::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->log;
}

std::vector<StubRequest> AcmeStub::requests_to(const std::string& path_prefix) const {
  std::lock_guard lock(impl_->mu);
  std::vector<StubRequest> out;
  for (const auto& r : impl_->log) {
    if (r.path.rfind(path_prefix, 0) == 0) out.push_back(r);
  }
  return out;
}

void AcmeStub::clear_log() {
  std::lock_guard lock(impl_->mu);
  impl_->log.clear();
}

void AcmeStub::set_override(StubHook hook) {
  std::lock_guard lock(impl_->mu);
  impl_->hook = std::move(hook);
}

void AcmeStub::Impl::add(Fault f) {
  std::lock_guard lock(mu);
  if (f.remaining > 0) faults.push_back(std::move(f));
}

void AcmeStub::fail_next(const std::string& path_prefix, int status, std::string body,
                         std::map<std::string, std::string> headers, int times, std::string content_type) {
  StubResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  r.content_type = std::move(content_type);
  impl_->add({path_prefix, times, std::move(r)});
}

void AcmeStub::bad_nonce_next(const std::string& path_prefix, int times) {
  impl_->add({path_prefix, times, StubResponse::problem(400, "badNonce", "JWS has an invalid anti-replay nonce")});
}

void AcmeStub::rate_limited_next(const std::string& path_prefix, int retry_after_seconds, int times) {
  StubResponse r = StubResponse::problem(429, "rateLimited", "too many requests");
  r.headers["Retry-After"] = std::to_string(retry_after_seconds);
  impl_->add({path_prefix, times, std::move(r)});
}

void AcmeStub::truncate_next(const std::string& path_prefix, int times) {
  Impl::Fault f{path_prefix, times, std::nullopt};
  f.truncate = true;
  impl_->add(std::move(f));
}

void AcmeStub::oversize_next(const std::string& path_prefix, std::size_t bytes, int times) {
  Impl::Fault f{path_prefix, times, std::nullopt};
  f.oversize = bytes;
  impl_->add(std::move(f));
}

void AcmeStub::delay_next(const std::string& path_prefix, std::chrono::milliseconds delay, int times) {
  Impl::Fault f{path_prefix, times, std::nullopt};
  f.delay = delay;
  impl_->add(std::move(f));
}

void AcmeStub::omit_nonce_next(const std::string& path_prefix, int times) {
  Impl::Fault f{path_prefix, times, std::nullopt};
  f.omit_nonce = true;
  impl_->add(std::move(f));
}

void AcmeStub::respond_next(const std::string& path_prefix, StubResponse response, int times) {
  impl_->add({path_prefix, times, std::move(response)});
}

void AcmeStub::user_action_required_next(const std::string& path_prefix, const std::string& instance,
                                         const std::string& terms, int times) {
  StubResponse r = StubResponse::problem(403, "userActionRequired", "the terms of service have changed");
  auto body = nlohmann::json::parse(r.body);
  body["instance"] = instance;
  r.body = body.dump();
  r.headers["Link"] = "<" + terms + ">;rel=\"terms-of-service\"";
  impl_->add({path_prefix, times, std::move(r)});
}

void AcmeStub::unavailable_next(const std::string& path_prefix, const std::string& retry_after, int times) {
  StubResponse r;
  r.status = 503;
  r.content_type = "text/html";
  r.body = "<html><body>503 Service Unavailable</body></html>";
  r.headers["Retry-After"] = retry_after;
  impl_->add({path_prefix, times, std::move(r)});
}

void AcmeStub::forget_accounts() {
  std::lock_guard lock(impl_->mu);
  impl_->accounts.clear();
}

void AcmeStub::set_order_retry_after(std::string value) {
  std::lock_guard lock(impl_->mu);
  impl_->order_retry_after = std::move(value);
}

void AcmeStub::clear_faults() {
  std::lock_guard lock(impl_->mu);
  impl_->faults.clear();
}

void AcmeStub::set_wrong_certificate(bool on) {
  std::lock_guard lock(impl_->mu);
  impl_->wrong_certificate = on;
}

void AcmeStub::set_renewal_info(nlohmann::json body, int retry_after_seconds) {
  std::lock_guard lock(impl_->mu);
  impl_->renewal_body = std::move(body);
  impl_->renewal_retry_after = retry_after_seconds;
}

void AcmeStub::set_already_replaced(std::vector<std::string> cert_ids) {
  std::lock_guard lock(impl_->mu);
  impl_->already_replaced = std::set<std::string>(cert_ids.begin(), cert_ids.end());
}

std::vector<StubIssued> AcmeStub::issued() const {
  std::lock_guard lock(impl_->mu);
  return impl_->issued;
}

}  // namespace certkeeper::testing
