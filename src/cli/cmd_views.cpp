// certkeeper list | show NAME | history NAME: read-only views of the inventory.
#include "app.h"
#include "certkeeper/report/queries.h"
#include "certkeeper/report/views.h"

namespace certkeeper::cli {
namespace {

// JSON documents are printed whatever -q says; text obeys -q.
int print_view(const Globals& g, const std::string& text) {
  if (g.json) {
    std::fputs(text.c_str(), stdout);
  } else {
    out(g, text);
  }
  return kOk;
}

}  // namespace

Command add_list(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("list", "List every certificate with its current version");
  return {app, [&g] {
            auto rows = report::load_rows(g.db, std::nullopt);
            if (!rows) return fail(g, rows.error());
            return print_view(g, report::render_list(*rows, g.clock.now(), g.json));
          }};
}

Command add_show(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("show", "Show one certificate in detail");
  auto name = std::make_shared<std::string>();
  app->add_option("NAME", *name, "Certificate name")->required();
  return {app, [&g, name] {
            auto view = report::load_certificate(g.db, *name);
            if (!view) return fail(g, view.error());
            return print_view(g, report::render_show(view->certificate, view->versions, g.clock.now(), g.json));
          }};
}

Command add_history(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("history", "Every version and event of one certificate");
  auto name = std::make_shared<std::string>();
  app->add_option("NAME", *name, "Certificate name")->required();
  return {app, [&g, name] {
            auto view = report::load_certificate(g.db, *name);
            if (!view) return fail(g, view.error());
            return print_view(g, report::render_history(*name, view->versions, view->events, g.json));
          }};
}

}  // namespace certkeeper::cli
