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

// RFC 9773 §4.2 from a renewalInfo response: the body and its raw
// Retry-After header (clamped as RenewalInfo says). A document that is not
// a valid window (missing fields, unreadable times, end <= start) is
// Errc::ca_failed saying the renewalInfo is malformed.
Result<RenewalInfo> parse_renewal_info(const std::string& body, const std::string& retry_after_header,
                                       const std::string& url, UnixTime now);

std::string identifiers_json(const std::vector<Identifier>& identifiers);

}  // namespace certkeeper::acme::detail
