#include "target_spec.h"

#include <nlohmann/json.hpp>

#include "certkeeper/util/json.h"

namespace certkeeper::lifecycle::detail {

Result<deploy::TargetSpec> spec_of(const store::TargetRecord& r) {
  deploy::TargetSpec spec;
  spec.dir = r.dir;
  auto layout = deploy::parse_layout(r.layout);
  auto reload = parse_json_or_null(r.reload_json);
  auto probes = parse_json_or_null(r.probes_json);
  auto corrupt = [&](const std::string& what) {
    return make_error(Errc::database_corrupt, "the stored target " + r.dir + " has " + what +
                                                  "; define it again with 'certkeeper target add'",
                      r.certificate_name);
  };
  if (!layout) return corrupt("an unknown layout");
  spec.layout = *layout;
  spec.include_root = r.include_root;
  spec.owner = r.owner;
  spec.group = r.group;
  spec.key_mode = static_cast<mode_t>(r.mode);
  if (!reload.is_array() || !probes.is_array()) return corrupt("unreadable reload commands or probes");
  for (const auto& c : reload) {
    if (!c.is_object() || !c.contains("argv") || !c["argv"].is_array() || c["argv"].empty()) {
      return corrupt("a malformed reload command");
    }
    deploy::ReloadCommand command;
    for (const auto& word : c["argv"]) {
      if (!word.is_string()) return corrupt("a malformed reload command");
      command.argv.push_back(word.get<std::string>());
    }
    command.timeout = std::chrono::milliseconds(c.value("timeout_ms", 60'000));
    spec.reload.push_back(std::move(command));
  }
  for (const auto& p : probes) {
    if (!p.is_string()) return corrupt("a malformed probe");
    auto probe = deploy::parse_probe(p.get<std::string>());
    if (!probe) return corrupt("a malformed probe");
    spec.probes.push_back(*probe);
  }
  return spec;
}

store::TargetRecord record_of(const std::string& certificate_name, const deploy::TargetSpec& spec) {
  store::TargetRecord r;
  r.certificate_name = certificate_name;
  r.dir = spec.dir;
  r.layout = deploy::layout_name(spec.layout);
  r.include_root = spec.include_root;
  r.owner = spec.owner;
  r.group = spec.group;
  r.mode = static_cast<int>(spec.key_mode);
  nlohmann::json reload = nlohmann::json::array();
  for (const auto& c : spec.reload) reload.push_back({{"argv", c.argv}, {"timeout_ms", c.timeout.count()}});
  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : spec.probes) probes.push_back(deploy::probe_text(p));
  r.reload_json = reload.dump();
  r.probes_json = probes.dump();
  return r;
}

}  // namespace certkeeper::lifecycle::detail
