// certkeeper list | show NAME | history NAME: read-only views of the inventory.
#include "app.h"
#include "certkeeper/report/views.h"
#include "certkeeper/store/inventory.h"

namespace certkeeper::cli {
namespace {

Result<store::Inventory> open_for_reading(const Globals& g) {
  return store::Inventory::open(g.db, store::OpenMode::read_only);
}

}  // namespace

Command add_list(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("list", "List every certificate with its current version");
  return {app, [&g] {
            auto inv = open_for_reading(g);
            if (!inv) return fail(g, inv.error());
            auto rows = inv->report_rows(std::nullopt);
            if (!rows) return fail(g, rows.error());
            std::string text = report::render_list(*rows, g.clock.now(), g.json);
            if (g.json) {
              std::fputs(text.c_str(), stdout);
            } else {
              out(g, text);
            }
            return int(kOk);
          }};
}

Command add_show(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("show", "Show one certificate in detail");
  auto name = std::make_shared<std::string>();
  app->add_option("NAME", *name, "Certificate name")->required();
  return {app, [&g, name] {
            auto inv = open_for_reading(g);
            if (!inv) return fail(g, inv.error());
            auto cert = inv->find_certificate(*name);
            if (!cert) return fail(g, cert.error());
            if (!*cert) {
              return fail(g, make_error(Errc::not_found, "no such certificate; 'certkeeper list' shows the names", *name));
            }
            auto versions = inv->versions(*name);
            if (!versions) return fail(g, versions.error());
            std::string text = report::render_show(**cert, *versions, g.clock.now(), g.json);
            if (g.json) {
              std::fputs(text.c_str(), stdout);
            } else {
              out(g, text);
            }
            return int(kOk);
          }};
}

Command add_history(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("history", "Every version and event of one certificate");
  auto name = std::make_shared<std::string>();
  app->add_option("NAME", *name, "Certificate name")->required();
  return {app, [&g, name] {
            auto inv = open_for_reading(g);
            if (!inv) return fail(g, inv.error());
            auto events = inv->events(*name);  // not_found for an unknown name
            if (!events) return fail(g, events.error());
            auto versions = inv->versions(*name);
            if (!versions) return fail(g, versions.error());
            std::string text = report::render_history(*name, *versions, *events, g.json);
            if (g.json) {
              std::fputs(text.c_str(), stdout);
            } else {
              out(g, text);
            }
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
