// RFC 8555 resources as plain values (§7.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "certkeeper/acme/problem.h"

namespace certkeeper::acme {

struct Directory {  // §7.1.1
  std::string new_nonce, new_account, new_order, revoke_cert, key_change;
  std::string renewal_info;  // RFC 9773, "" when absent
  std::string terms_of_service;
  bool external_account_required = false;
  std::vector<std::string> profiles;  // meta.profiles names, "" absent
};

struct Identifier {  // §7.1.3; RFC 8738 for "ip"
  std::string type;  // "dns" or "ip"
  std::string value;
};

// "dns" for names, "ip" for IP literals.
Identifier identifier_for(const std::string& name);

struct Account {  // §7.1.2
  std::string url;  // the kid
  std::string status;
  std::vector<std::string> contact;
};

struct Challenge {  // §7.1.5, §8
  std::string type, url, status, token;
  std::optional<Problem> error;
};

struct Authorization {  // §7.1.4
  std::string url;
  Identifier identifier;
  std::string status;
  bool wildcard = false;
  std::vector<Challenge> challenges;
};

struct Order {  // §7.1.3
  std::string url;
  std::string status;  // pending, ready, processing, valid, invalid
  std::vector<Identifier> identifiers;
  std::vector<std::string> authorizations;
  std::string finalize;
  std::string certificate;
  std::optional<Problem> error;
  std::optional<UnixTime> retry_after;
  std::string replaces;  // RFC 9773 §5 as the server echoes it; "" when none (or not echoed)
};

// RFC 9773 §4.2: when the CA suggests renewing a certificate.
struct RenewalInfo {
  UnixTime start = 0;  // suggestedWindow; always start < end
  UnixTime end = 0;
  std::string explanation_url;  // explanationURL, "" when absent
  // When to fetch it again (§4.3): the response's Retry-After as an
  // absolute time, clamped to [now + kRenewalInfoMinRecheck, now +
  // kRenewalInfoMaxRecheck]; nullopt when the header was absent (or
  // unreadable), so the caller picks its own default.
  std::optional<UnixTime> retry_after;
};

constexpr std::int64_t kRenewalInfoMinRecheck = 60;             // 1 minute
constexpr std::int64_t kRenewalInfoMaxRecheck = kSecondsPerDay;  // 1 day

struct ExternalAccountBinding {  // §7.3.4
  std::string kid;
  std::string hmac_key;  // base64url, as CAs hand it out
};

}  // namespace certkeeper::acme
