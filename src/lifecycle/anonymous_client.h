// Private to lifecycle: an ACME client for requests that need no account
// (the directory, renewalInfo). The client type wants a signer, so it gets
// a throwaway key that never signs anything.
#pragma once

#include <memory>

#include "acme_session.h"

namespace certkeeper::lifecycle::detail {

struct AnonymousClient {
  std::unique_ptr<net::HttpClient> http;
  std::unique_ptr<crypto::Signer> signer;
  std::unique_ptr<acme::Client> client;
};

Result<AnonymousClient> anonymous_client(const Context& ctx, const AcmeServer& server);

}  // namespace certkeeper::lifecycle::detail
