// certkeeper watch add|list|check: remote endpoints kept in the inventory.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/watch.h"
#include "certkeeper/util/text.h"
#include "probe_output.h"

namespace certkeeper::cli {

namespace {

struct WatchArgs {
  std::vector<std::string> endpoints;
  std::string starttls, servername, ca_file, name;
  std::vector<std::string> names;  // check
};

// Prints observations; exit 1 when any endpoint was not reached (for
// check), or when what one served could not be recorded.
int print_observations(const Globals& g, const std::vector<lifecycle::Observation>& list, bool unreachable_fails) {
  const UnixTime now = g.clock.now();
  bool all_reached = true;
  bool all_recorded = true;
  for (const auto& o : list) {
    all_reached = all_reached && o.probed.has_value();
    all_recorded = all_recorded && !(o.probed && o.error);
  }
  const int code = ((!all_reached && unreachable_fails) || !all_recorded) ? int(kFailure) : int(kOk);
  if (g.json) {
    nlohmann::json doc = {{"ok", code == 0}, {"endpoints", nlohmann::json::array()}};
    for (const auto& o : list) doc["endpoints"].push_back(observation_json(o, now));
    print_json(doc);
    return code;
  }
  std::string text;
  for (const auto& o : list) {
    if (o.probed && !o.error) {
      text += observation_line(o, now) + "\n";
    } else {
      err_line("certkeeper: " + observation_line(o, now));
    }
  }
  if (!text.empty()) {
    text.pop_back();
    out(g, text);
  }
  return code;
}

}  // namespace

Command add_watch(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("watch", "Remote endpoints kept in the inventory (add, list, check)");
  app->require_subcommand(1, 1);
  auto args = std::make_shared<WatchArgs>();

  auto* add = app->add_subcommand("add", "Watch endpoints: probe them now and in every scheduler pass");
  add->add_option("HOST:PORT", args->endpoints, "Endpoints ([v6]:PORT for IPv6)")->required();
  add->add_option("--starttls", args->starttls, "smtp, imap or pop3: the STARTTLS dialogue first")
      ->type_name("smtp|imap|pop3");
  add->add_option("--servername", args->servername, "SNI to send and name to check (default: HOST)")
      ->type_name("NAME");
  add->add_option("--ca-file", args->ca_file, "Also trust these CAs (PEM) when verifying the chain")
      ->type_name("F");
  add->add_option("--name", args->name, "Inventory name (one endpoint only; default HOST-PORT)")
      ->type_name("NAME");

  auto* list = app->add_subcommand("list", "Show the watched endpoints");

  auto* check = app->add_subcommand("check", "Probe watched endpoints now (all, or these names)");
  check->add_option("NAME", args->names, "Watched endpoint names");

  return {app, [&g, args, add, list, check]() -> int {
            const UnixTime now = g.clock.now();
            if (add->parsed()) {
              if (!args->name.empty() && args->endpoints.size() != 1) {
                return fail(g, make_error(Errc::usage, "--name names one endpoint; give one HOST:PORT with it"));
              }
              std::vector<lifecycle::WatchRequest> requests;
              for (const auto& e : args->endpoints) {
                auto spec = probe_spec(e, args->starttls, args->servername);
                if (!spec) return fail(g, spec.error());
                requests.push_back({{*spec, args->ca_file}, args->name});
              }
              auto added = lifecycle::watch_add(g.context(), requests);
              if (!added) return fail(g, added.error());
              // An endpoint that is down now is still watched: a warning, not a failure.
              return print_observations(g, *added, false);
            }
            if (check->parsed()) {
              auto checked = lifecycle::watch_check(g.context(), args->names);
              if (!checked) return fail(g, checked.error());
              if (checked->empty() && !g.json) {
                out(g, "no watched endpoints; add one with 'certkeeper watch add HOST:PORT'");
                return int(kOk);
              }
              return print_observations(g, *checked, true);
            }
            (void)list;
            auto endpoints = lifecycle::watched(g.context());
            if (!endpoints) return fail(g, endpoints.error());
            if (g.json) {
              nlohmann::json doc = {{"ok", true}, {"endpoints", nlohmann::json::array()}};
              for (const auto& c : *endpoints) {
                auto probe = lifecycle::watched_probe(c);
                doc["endpoints"].push_back(
                    {{"name", c.name},
                     {"endpoint", probe ? deploy::probe_text(probe->probe) : ""},
                     {"version", or_null(c.current_version)},
                     {"not_after", utc_or_null(c.current_not_after)},
                     {"failures", c.failures},
                     {"last_error", text::to_utf8(c.last_error)},
                     {"last_success", utc_or_null(c.last_success)},
                     {"next_check", utc_or_null(c.next_check)}});
              }
              print_json(doc);
              return int(kOk);
            }
            if (endpoints->empty()) {
              out(g, "no watched endpoints; add one with 'certkeeper watch add HOST:PORT'");
              return int(kOk);
            }
            std::string text;
            for (const auto& c : *endpoints) {
              auto probe = lifecycle::watched_probe(c);
              text += fmt::format("{} ({}): {}, {}\n", c.name, probe ? deploy::probe_text(probe->probe) : "?",
                                  c.current_not_after ? "serves a certificate valid until " + format_utc(*c.current_not_after)
                                                      : std::string("no certificate seen yet"),
                                  c.failures > 0 ? fmt::format("unreachable for {} probes: {}", c.failures,
                                                               text::printable(c.last_error))
                                                 : std::string("reachable"));
            }
            (void)now;
            text.pop_back();
            out(g, text);
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
