#include "probe_output.h"

#include <fmt/format.h>

#include "app.h"
#include "certkeeper/util/expiry.h"
#include "certkeeper/util/text.h"

namespace certkeeper::cli {

nlohmann::json probe_json(const lifecycle::ProbeResult& result, UnixTime now) {
  const auto& r = result.report;
  nlohmann::json chain = nlohmann::json::array();
  for (const auto& f : r.served) {
    chain.push_back({{"subject", text::to_utf8(f.subject)},
                     {"subject_cn", text::to_utf8(f.subject_cn)},
                     {"names", utf8_list(f.names())},
                     {"issuer", text::to_utf8(f.issuer)},
                     {"issuer_cn", text::to_utf8(f.issuer_cn)},
                     {"serial", f.serial_hex},
                     {"not_before", format_utc(f.not_before)},
                     {"not_after", format_utc(f.not_after)},
                     {"days_left", days_left(f.not_after, now)},
                     {"fingerprint_sha256", f.fingerprint_sha256},
                     {"key_type", f.key_type}});
  }
  nlohmann::json inventory;
  if (result.inventory) inventory = {{"name", result.inventory->first}, {"version", result.inventory->second}};
  return {{"endpoint", r.endpoint},
          {"servername", r.servername},
          {"tls_version", r.tls_version},
          {"chain", chain},
          {"verifies", r.chain_verifies},
          {"verify_error", text::to_utf8(r.verify_error)},
          {"name_covered", r.name_covered},
          {"inventory", inventory}};
}

// What the endpoint served is outside input: every field escaped.
std::string probe_lines(const lifecycle::ProbeResult& result, UnixTime now) {
  const auto& r = result.report;
  std::string text = fmt::format("{} ({}{})", r.endpoint, r.tls_version,
                                 r.servername.empty() ? "" : ", servername " + r.servername);
  for (std::size_t i = 0; i < r.served.size(); ++i) {
    const auto& f = r.served[i];
    const auto names = f.names();
    text += fmt::format("\n  {} {}\n         issuer {}; {} .. {} ({})\n         sha256 {}",
                        i == 0 ? "leaf " : "chain", names.empty() ? text::printable(f.subject) : printable_list(names, ", "),
                        text::printable(f.issuer_cn.empty() ? f.issuer : f.issuer_cn), format_utc(f.not_before),
                        format_utc(f.not_after),
                        f.not_after > now ? fmt::format("{} days left", days_left(f.not_after, now)) : "EXPIRED",
                        f.fingerprint_sha256);
  }
  text += "\n  verifies: " + (r.chain_verifies ? std::string("yes") : "no (" + text::printable(r.verify_error) + ")");
  if (!r.servername.empty()) text += fmt::format("\n  name {}: {}", r.servername, r.name_covered ? "covered" : "NOT covered");
  text += "\n  inventory: " + (result.inventory ? fmt::format("{} version {}", result.inventory->first,
                                                              result.inventory->second)
                                                : std::string("no managed certificate has this leaf"));
  return text;
}

nlohmann::json observation_json(const lifecycle::Observation& o, UnixTime now) {
  nlohmann::json j = {{"name", o.name},
                      {"endpoint", o.endpoint},
                      {"reachable", o.probed.has_value()},
                      {"new_version", or_null(o.new_version)},
                      {"probe", o.probed ? probe_json(*o.probed, now) : nlohmann::json()}};
  if (o.error) j["error"] = error_json(*o.error);
  return j;
}

std::string observation_line(const lifecycle::Observation& o, UnixTime now) {
  if (!o.probed) return fmt::format("{} ({}): {}", o.name, o.endpoint, o.error ? o.error->message : "not reached");
  const auto& r = o.probed->report;
  const auto& leaf = r.served.front();
  std::string line = fmt::format("{} ({}): {}{}, {} until {}, {}", o.name, o.endpoint,
                                 o.new_version ? fmt::format("new version {}: ", *o.new_version) : "",
                                 printable_list(leaf.names(), " "), leaf.not_after > now ? "valid" : "EXPIRED",
                                 format_utc(leaf.not_after),
                                 r.chain_verifies ? "verifies" : "does not verify (" + r.verify_error + ")");
  // Reached, but what it served could not be recorded: say so.
  if (o.error) line += "; not recorded: " + o.error->message;
  return text::printable(line);
}

}  // namespace certkeeper::cli
