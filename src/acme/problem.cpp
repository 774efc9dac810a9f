#include "certkeeper/acme/problem.h"

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"
#include "certkeeper/util/text.h"

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

// Bounds for text from the CA: a detail is a sentence, a URL a URL; the
// whole summary must stay one readable line (it becomes last_error, an
// event, a mail).
constexpr std::size_t kMaxDetail = 300;
constexpr std::size_t kMaxUrl = 500;
constexpr std::size_t kMaxSummary = 2000;
constexpr std::size_t kMaxSubproblemsShown = 10;

// Outside text as one printable line of valid UTF-8: line breaks and tabs
// become spaces (CAs wrap long details), the rest is escaped (util/text.h),
// and it is cut only on a character boundary.
std::string one_line(std::string_view in, std::size_t max_bytes) {
  std::string s(in);
  for (auto& c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text::printable(text::truncate_utf8(s, max_bytes));
}

std::string string_member(const nlohmann::json& doc, const char* key, std::size_t max_bytes) {
  auto it = doc.find(key);
  return it != doc.end() && it->is_string() ? one_line(it->get_ref<const std::string&>(), max_bytes) : "";
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
  for (std::size_t i = 0; i < subproblems.size() && i < kMaxSubproblemsShown; ++i) {
    const auto& sub = subproblems[i];
    text += fmt::format("; {}{}: {}", sub.identifier.empty() ? "" : sub.identifier + " ",
                        problem_type_name(sub.type), sub.detail);
  }
  if (subproblems.size() > kMaxSubproblemsShown) {
    text += fmt::format("; and {} more", subproblems.size() - kMaxSubproblemsShown);
  }
  // The operator has to open these (userActionRequired: agree to new terms).
  if (!instance.empty()) text += " (see " + instance + ")";
  if (!terms_of_service.empty() && terms_of_service != instance) {
    text += " (terms of service: " + terms_of_service + ")";
  }
  if (retry_after) text += " (retry after " + format_utc(*retry_after) + ")";
  // Every part is printable already; this bounds the whole on a boundary.
  return text::truncate_utf8(text, kMaxSummary);
}

Cause Problem::cause() const {
  Cause c;
  c.kind = CauseKind::ca_problem;
  c.type = type != ProblemType::other ? problem_type_name(type) : type_urn;
  c.http_status = status;
  c.transient = transient();
  c.retry_after = retry_after;
  c.instance = instance;
  c.terms_of_service = terms_of_service;
  for (const auto& sub : subproblems) c.subproblems.push_back({problem_type_name(sub.type), sub.detail, sub.identifier});
  return c;
}

Error Problem::to_error(const std::string& subject) const {
  Error e = make_error(Errc::ca_failed, summary(), subject);
  e.cause = cause();
  return e;
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

std::optional<std::int64_t> parse_retry_after_delay(const std::string& value, UnixTime now) {
  const auto begin = value.find_first_not_of(' ');
  if (begin == std::string::npos) return std::nullopt;
  const auto end = value.find_last_not_of(' ') + 1;
  const std::string_view v(value.data() + begin, end - begin);
  if (v.find_first_not_of("0123456789") == std::string_view::npos) {
    // delay-seconds: saturated digit by digit, so no value can overflow.
    std::int64_t seconds = 0;
    for (char c : v) {
      seconds = std::min<std::int64_t>(seconds * 10 + (c - '0'), kRetryAfterMax);
    }
    return seconds;
  }
  std::tm tm{};
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  const std::string date(v);
  const char* rest = strptime(date.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!rest || *rest != '\0') return std::nullopt;
  const std::int64_t at = timegm(&tm);
  // Subtracted only when it cannot overflow: a date far away saturates.
  std::int64_t delay = 0;
  if (at <= now) return 0;
  if (__builtin_sub_overflow(at, now, &delay) || delay > kRetryAfterMax) return kRetryAfterMax;
  return delay;
}

std::optional<UnixTime> parse_retry_after(const std::string& value, UnixTime now) {
  auto delay = parse_retry_after_delay(value, now);
  if (!delay) return std::nullopt;
  UnixTime at = 0;
  if (__builtin_add_overflow(now, std::clamp(*delay, kRetryAfterMin, kRetryAfterMax), &at)) {
    return std::numeric_limits<UnixTime>::max();
  }
  return at;
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
  p.type = parse_problem_type(doc["type"].get<std::string>());
  p.type_urn = string_member(doc, "type", kMaxUrl);
  p.detail = string_member(doc, "detail", kMaxDetail);
  p.instance = string_member(doc, "instance", kMaxUrl);
  if (doc.contains("subproblems") && doc["subproblems"].is_array()) {
    for (const auto& s : doc["subproblems"]) {
      if (!s.is_object()) continue;
      Subproblem sub;
      if (s.contains("type") && s["type"].is_string()) sub.type = parse_problem_type(s["type"].get<std::string>());
      sub.detail = string_member(s, "detail", kMaxDetail);
      if (s.contains("identifier") && s["identifier"].is_object()) {
        sub.identifier = string_member(s["identifier"], "value", kMaxUrl);
      }
      p.subproblems.push_back(std::move(sub));
    }
  }
  return p;
}

}  // namespace certkeeper::acme
