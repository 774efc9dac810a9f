#include "anonymous_client.h"

#include "certkeeper/crypto/jose.h"
#include "certkeeper/net/http_client.h"

namespace certkeeper::lifecycle::detail {

Result<AnonymousClient> anonymous_client(const Context& ctx, const AcmeServer& server) {
  AnonymousClient c;
  net::HttpOptions options;
  options.ca_file = server.ca_file;
  c.http = ctx.http(options);
  auto key = crypto::generate_private_key("ec-p256");
  if (!key) return key.error();
  auto signer = crypto::make_signer(*key);
  if (!signer) return signer.error();
  c.signer = std::move(*signer);
  c.client = std::make_unique<acme::Client>(*c.http, *c.signer, server.directory_url, *ctx.clock);
  return c;
}

}  // namespace certkeeper::lifecycle::detail
