// certkeeper target add|list|remove: where a certificate is installed.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/targets.h"

namespace certkeeper::cli {

namespace {

struct TargetArgs {
  lifecycle::TargetRequest add;
  std::string name;  // list / remove
  std::string dir;   // remove
  std::string node;  // remove
};

nlohmann::json target_json(const lifecycle::TargetView& t) {
  nlohmann::json reload = nlohmann::json::array();
  for (const auto& c : t.spec.reload) {
    reload.push_back({{"argv", c.argv}, {"timeout_seconds", c.timeout.count() / 1000}});
  }
  nlohmann::json probes = nlohmann::json::array();
  for (const auto& p : t.spec.probes) {
    probes.push_back({{"host", p.host},
                      {"port", p.port},
                      {"servername", p.servername},
                      {"starttls", deploy::starttls_name(p.starttls)}});
  }
  return {{"name", t.certificate_name},
          {"dir", t.spec.dir},
          {"layout", deploy::layout_name(t.spec.layout)},
          {"include_root", t.spec.include_root},
          {"owner", t.spec.owner},
          {"group", t.spec.group},
          {"mode", fmt::format("{:04o}", static_cast<unsigned>(t.spec.key_mode))},
          {"reload", reload},
          {"probes", probes},
          {"installed_version", or_null(t.installed_version)},
          {"pending_version", or_null(t.pending_version)},
          {"node", t.node},
          {"installed_at", utc_or_null(t.installed_at)},
          {"probe_ok", or_null(t.probe_ok)},
          {"probe_detail", t.probe_detail},
          {"probed_at", utc_or_null(t.probed_at)},
          {"failed_version", or_null(t.failed_version)}};
}

std::string target_text(const lifecycle::TargetView& t) {
  std::string text = fmt::format("{} ({} layout{}, key mode {:04o}{}{}), installed: {}", t.spec.dir,
                                 deploy::layout_name(t.spec.layout), t.spec.include_root ? " with root" : "",
                                 static_cast<unsigned>(t.spec.key_mode),
                                 t.spec.owner.empty() ? "" : ", owner " + t.spec.owner,
                                 t.spec.group.empty() ? "" : ", group " + t.spec.group,
                                 t.installed_version ? "version " + std::to_string(*t.installed_version) : "nothing");
  for (const auto& c : t.spec.reload) {
    text += fmt::format("\n    reload: {} (timeout {} s)", fmt::join(c.argv, " "), c.timeout.count() / 1000);
  }
  for (const auto& p : t.spec.probes) text += "\n    probe: " + deploy::probe_text(p);
  if (!t.node.empty()) text += "\n    node: " + t.node;
  if (t.probe_ok && !*t.probe_ok) {
    text += fmt::format("\n    last install{} rolled back: {}",
                        t.failed_version ? " of version " + std::to_string(*t.failed_version) : "", t.probe_detail);
  }
  return text;
}

}  // namespace

Command add_target(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("target", "Define where a certificate is installed (add, list, remove)");
  app->require_subcommand(1, 1);
  auto args = std::make_shared<TargetArgs>();

  auto* add = app->add_subcommand("add", "Add a target, or change the target with this --dir");
  auto& r = args->add;
  add->add_option("NAME", r.name, "Certificate name")->required();
  add->add_option("--dir", r.dir, "Directory the service reads the files from (absolute)")
      ->type_name("DIR")
      ->required();
  add->add_option("--layout", r.layout, "separate (cert, chain, fullchain, privkey .pem; default) or combined")
      ->type_name("separate|combined");
  add->add_flag("--include-root", r.include_root, "Append the root to chain.pem, fullchain.pem, combined.pem");
  add->add_option("--owner", r.owner, "Owner of the files (default: the installing user)")->type_name("USER");
  add->add_option("--group", r.group, "Group of the files (default: the installing user's)")->type_name("GROUP");
  add->add_option("--mode", r.mode, "Mode of the key file: 0600 (default), 0640, 0400 or 0440")
      ->type_name("0600|0640|0400|0440");
  add->add_option("--reload", r.reload,
                  "Command that reloads a service reading the files (repeatable; split into words, never run by "
                  "a shell unless written as sh -c '...')")
      ->type_name("CMD");
  add->add_option("--reload-timeout", r.reload_timeout_seconds,
                  "Seconds a reload may take before its process group is killed (default 60)")
      ->type_name("SECONDS");
  add->add_option("--probe", r.probes,
                  "Endpoint that must serve the certificate after a reload: HOST:PORT[,starttls=smtp|imap|pop3]"
                  "[,servername=NAME] (repeatable)")
      ->type_name("HOST:PORT[,starttls=P][,servername=NAME]");
  add->add_option("--node", r.node,
                  "The node that installs it, in a fleet sharing a PostgreSQL inventory (default: this one, "
                  "--node / CERTKEEPER_NODE / the host name)")
      ->type_name("NAME");

  auto* list = app->add_subcommand("list", "Show a certificate's targets");
  list->add_option("NAME", args->name, "Certificate name")->required();

  auto* remove = app->add_subcommand("remove", "Forget a target (its files stay on disk)");
  remove->add_option("NAME", args->name, "Certificate name")->required();
  remove->add_option("--dir", args->dir, "The target's directory")->type_name("DIR")->required();
  remove->add_option("--node", args->node, "The node whose target it is (default: this one)")->type_name("NAME");

  return {app, [&g, args, add, list, remove]() -> int {
            if (add->parsed()) {
              auto t = lifecycle::add_target(g.context(), args->add);
              if (!t) return fail(g, t.error());
              if (g.json) {
                auto doc = target_json(*t);
                doc["ok"] = true;
                doc["created"] = t->created;
                print_json(doc);
              } else {
                out(g, fmt::format("{}: {} target {}", t->certificate_name, t->created ? "added" : "changed",
                                   target_text(*t)));
              }
              return kOk;
            }
            if (list->parsed()) {
              auto ts = lifecycle::list_targets(g.context(), args->name);
              if (!ts) return fail(g, ts.error());
              if (g.json) {
                nlohmann::json doc = {{"ok", true}, {"name", args->name}, {"targets", nlohmann::json::array()}};
                for (const auto& t : *ts) doc["targets"].push_back(target_json(t));
                print_json(doc);
              } else if (ts->empty()) {
                out(g, fmt::format("{}: no targets; add one with 'certkeeper target add {} --dir DIR'", args->name,
                                   args->name));
              } else {
                std::string text = fmt::format("{}: {}", args->name, plural(ts->size(), "target"));
                for (const auto& t : *ts) text += "\n  " + target_text(t);
                out(g, text);
              }
              return kOk;
            }
            (void)remove;
            if (auto ok = lifecycle::remove_target(g.context(), args->name, args->dir, args->node); !ok) {
              return fail(g, ok.error());
            }
            if (g.json) {
              print_json({{"ok", true}, {"name", args->name}, {"dir", args->dir}});
            } else {
              out(g, fmt::format("{}: removed target {} (its files stay on disk)", args->name, args->dir));
            }
            return kOk;
          }};
}

}  // namespace certkeeper::cli
