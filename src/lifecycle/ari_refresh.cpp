#include "ari_refresh.h"

#include "anonymous_client.h"
#include "certkeeper/crypto/ari_id.h"

namespace certkeeper::lifecycle::detail {

namespace {

AriRefresh stored(const store::CertificateRecord& c, std::string note) {
  AriRefresh r;
  if (c.ari_start && c.ari_end && *c.ari_end > *c.ari_start) r.window = AriWindow{*c.ari_start, *c.ari_end};
  r.next_fetch = c.ari_next_fetch;
  r.note = std::move(note);
  return r;
}

}  // namespace

std::string replaces_id(const std::string& leaf_pem) {
  auto id = crypto::ari_cert_id(leaf_pem);
  return id ? *id : std::string();
}

AriRefresh refresh_ari(const Context& ctx, store::Inventory& inv, const store::CertificateRecord& c,
                       const std::string& leaf_pem) {
  UnixTime now = ctx.now();
  if (c.ari_next_fetch && *c.ari_next_fetch > now) return stored(c, "ARI window kept until the next fetch");
  // The rule: when ARI fails or is malformed, the time rule decides
  // (no window, not even an older one) and ARI is asked again in 6 hours.
  auto failed = [&](const std::string& why) {
    AriRefresh r;
    r.next_fetch = now + kAriDefaultRecheck;
    r.note = "ARI: " + why + "; using the time rule, asking again in 6 hours";
    return r;
  };
  auto id = crypto::ari_cert_id(leaf_pem);
  if (!id) return failed(id.error().message);
  auto server = acme_server_for(inv, &c);
  if (!server) return failed(server.error().message);
  // renewalInfo is fetched without a signature (RFC 9773 §4.1): no account.
  auto anonymous = anonymous_client(ctx, *server);
  if (!anonymous) return failed(anonymous.error().message);
  acme::Client& client = *anonymous->client;
  auto directory = client.directory();
  if (!directory) return failed(directory.error().message);
  if (directory->renewal_info.empty()) {
    AriRefresh none;
    none.note = "the CA offers no renewal information (ARI)";
    none.answered = true;  // its directory did: the CA is reachable
    return none;  // no window, no next fetch: the time rule decides
  }
  auto info = client.renewal_info(*id);
  if (!info) return failed(info.error().message);
  AriRefresh r;
  r.window = AriWindow{info->start, info->end};
  r.next_fetch = info->retry_after.value_or(now + kAriDefaultRecheck);
  r.note = "ARI window fetched";
  r.answered = true;
  return r;
}

}  // namespace certkeeper::lifecycle::detail
