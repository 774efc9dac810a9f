// Private to acme: JSON bodies into the plain values of types.h. Malformed
// bodies are Errc::ca_failed naming the URL.
#pragma once

#include <string>

#include "certkeeper/acme/types.h"
#include "certkeeper/util/result.h"

namespace certkeeper::acme::detail {

Result<Directory> parse_directory(const std::string& body, const std::string& url);
Result<Account> parse_account(const std::string& body, const std::string& location);
Result<Order> parse_order(const std::string& body, const std::string& url, UnixTime now);
Result<Authorization> parse_authorization(const std::string& body, const std::string& url, UnixTime now);
Result<Challenge> parse_challenge(const std::string& body, const std::string& url, UnixTime now);

std::string identifiers_json(const std::vector<Identifier>& identifiers);

}  // namespace certkeeper::acme::detail
