#include "certkeeper/acme/problem.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"

namespace certkeeper::acme {
namespace {

struct TypeName {
  ProblemType type;
  const char* name;
};

constexpr TypeName kTypes[] = {
    {ProblemType::account_does_not_exist, "accountDoesNotExist"},
    {ProblemType::already_replaced, "alreadyReplaced"},
    {ProblemType::already_revoked, "alreadyRevoked"},
    {ProblemType::bad_csr, "badCSR"},
    {ProblemType::bad_nonce, "badNonce"},
    {ProblemType::bad_public_key, "badPublicKey"},
    {ProblemType::bad_revocation_reason, "badRevocationReason"},
    {ProblemType::bad_signature_algorithm, "badSignatureAlgorithm"},
    {ProblemType::caa, "caa"},
    {ProblemType::compound, "compound"},
    {ProblemType::connection, "connection"},
    {ProblemType::dns, "dns"},
    {ProblemType::external_account_required, "externalAccountRequired"},
    {ProblemType::incorrect_response, "incorrectResponse"},
    {ProblemType::invalid_contact, "invalidContact"},
    {ProblemType::malformed, "malformed"},
    {ProblemType::order_not_ready, "orderNotReady"},
    {ProblemType::rate_limited, "rateLimited"},
    {ProblemType::rejected_identifier, "rejectedIdentifier"},
    {ProblemType::server_internal, "serverInternal"},
    {ProblemType::tls, "tls"},
    {ProblemType::unauthorized, "unauthorized"},
    {ProblemType::unsupported_contact, "unsupportedContact"},
    {ProblemType::unsupported_identifier, "unsupportedIdentifier"},
    {ProblemType::user_action_required, "userActionRequired"},
};

constexpr const char* kUrnPrefix = "urn:ietf:params:acme:error:";

std::string one_line(std::string s) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  if (s.size() > 300) s = s.substr(0, 300) + "...";
  return s;
}

}  // namespace

const char* problem_type_name(ProblemType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "other";
}

ProblemType parse_problem_type(const std::string& urn) {
  if (urn.rfind(kUrnPrefix, 0) != 0) return ProblemType::other;
  std::string name = urn.substr(std::char_traits<char>::length(kUrnPrefix));
  for (const auto& t : kTypes) {
    if (name == t.name) return t.type;
  }
  return ProblemType::other;
}

std::string Problem::summary() const {
  std::string text = type == ProblemType::other && !type_urn.empty() ? type_urn : problem_type_name(type);
  if (!detail.empty()) text += ": " + detail;
  for (const auto& sub : subproblems) {
    text += fmt::format("; {}{}: {}", sub.identifier.empty() ? "" : sub.identifier + " ",
                        problem_type_name(sub.type), sub.detail);
  }
  if (retry_after) text += " (retry after " + format_utc(*retry_after) + ")";
  return one_line(text);
}

bool Problem::transient() const {
  switch (type) {
    case ProblemType::rate_limited:
    case ProblemType::server_internal:
    case ProblemType::bad_nonce:
    case ProblemType::connection:
    case ProblemType::dns:
    case ProblemType::tls:
    case ProblemType::incorrect_response:
    case ProblemType::unauthorized:
    case ProblemType::order_not_ready:
      return true;
    case ProblemType::other:
      return status == 0 || status >= 500 || status == 429;
    default:
      return false;
  }
}

std::optional<UnixTime> parse_retry_after(const std::string& value, UnixTime now) {
  if (value.empty()) return std::nullopt;
  bool digits = value.find_first_not_of("0123456789 ") == std::string::npos;
  if (digits) {
    // RFC 9111 §1.2.2: delta-seconds too large to represent count as 2^31,
    // which keeps `now +` and every later sum far from overflowing.
    constexpr long long kMaxDelay = 1LL << 31;
    try {
      return now + static_cast<UnixTime>(std::min(std::stoll(value), kMaxDelay));
    } catch (const std::out_of_range&) {
      return now + static_cast<UnixTime>(kMaxDelay);
    } catch (...) {
      return std::nullopt;
    }
  }
  std::tm tm{};
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (!strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return std::nullopt;
  return static_cast<UnixTime>(timegm(&tm));
}

Problem parse_problem(int status, const std::string& body, const std::string& retry_after_header,
                      UnixTime now) {
  Problem p;
  p.status = status;
  p.retry_after = parse_retry_after(retry_after_header, now);
  if (json_nested_deeper_than(body, kMaxJsonDepth)) {
    p.detail = fmt::format("HTTP {} with a body of JSON nested too deeply (more than {} levels, {} bytes)", status,
                           kMaxJsonDepth, body.size());
    return p;
  }
  auto doc = parse_json_or_null(body);
  if (!doc.is_object() || !doc.contains("type") || !doc["type"].is_string()) {
    p.detail = fmt::format("HTTP {} without an ACME problem document ({} bytes{})", status, body.size(),
                           body.find("<html") != std::string::npos || body.find("<HTML") != std::string::npos
                               ? " of HTML"
                               : "");
    return p;
  }
  p.type_urn = doc["type"].get<std::string>();
  p.type = parse_problem_type(p.type_urn);
  if (doc.contains("detail") && doc["detail"].is_string()) p.detail = one_line(doc["detail"].get<std::string>());
  if (doc.contains("subproblems") && doc["subproblems"].is_array()) {
    for (const auto& s : doc["subproblems"]) {
      if (!s.is_object()) continue;
      Subproblem sub;
      if (s.contains("type") && s["type"].is_string()) sub.type = parse_problem_type(s["type"].get<std::string>());
      if (s.contains("detail") && s["detail"].is_string()) sub.detail = one_line(s["detail"].get<std::string>());
      if (s.contains("identifier") && s["identifier"].is_object() && s["identifier"].contains("value") &&
          s["identifier"]["value"].is_string()) {
        sub.identifier = s["identifier"]["value"].get<std::string>();
      }
      p.subproblems.push_back(std::move(sub));
    }
  }
  return p;
}

}  // namespace certkeeper::acme
