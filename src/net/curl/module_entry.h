// Inside the certkeeper-curl.so module: the factories its C entry points call.
#pragma once

#include <memory>

#include "certkeeper/net/http_client.h"
#include "certkeeper/net/mailer.h"

namespace certkeeper::net {

std::unique_ptr<HttpClient> make_libcurl_client(const HttpOptions& options);
std::unique_ptr<Mailer> make_libcurl_mailer(const SmtpOptions& options);

}  // namespace certkeeper::net
