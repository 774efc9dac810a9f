// `target add|list|remove`: where a certificate is installed, how the
// services reading it are reloaded, and which endpoints must then serve it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "certkeeper/deploy/target.h"
#include "certkeeper/lifecycle/context.h"
#include "certkeeper/util/result.h"

namespace certkeeper::lifecycle {

// A target as the command line gives it (DESIGN.md `target add`).
struct TargetRequest {
  std::string name;  // the certificate
  std::string node;  // the node that installs it; "" for this one (Context::node_name)
  std::string dir;
  std::string layout = "separate";
  bool include_root = false;
  std::string owner;
  std::string group;
  std::string mode = "0600";            // of the key file(s), octal
  std::vector<std::string> reload;      // command lines, split like a shell would (no expansion)
  int reload_timeout_seconds = 60;
  std::vector<std::string> probes;      // HOST:PORT[,starttls=P][,servername=N]
};

struct TargetView {
  std::string certificate_name;
  deploy::TargetSpec spec;
  std::optional<int> installed_version;
  std::optional<int> pending_version;
  bool created = false;  // target add: new (not a change of an existing one)
  // The node that installs it, and what that node last saw there.
  std::string node;
  std::optional<UnixTime> installed_at;
  std::optional<bool> probe_ok;
  std::string probe_detail;
  std::optional<UnixTime> probed_at;
  std::optional<int> failed_version;
};

// Checks every field (Errc::usage naming it: a relative dir, an unknown
// layout, mode, user or group, an empty or unterminated command, a malformed
// probe, a node name) and stores the target with its event. Errc::not_found
// when the certificate does not exist. The directory and reload programs
// of a target of this node are checked here; those of another node's are
// checked by that node when it installs.
Result<TargetView> add_target(const Context& ctx, const TargetRequest& request);
Result<std::vector<TargetView>> list_targets(const Context& ctx, const std::string& name);
// `node` "": this one.
Status remove_target(const Context& ctx, const std::string& name, const std::string& dir, const std::string& node);

}  // namespace certkeeper::lifecycle
