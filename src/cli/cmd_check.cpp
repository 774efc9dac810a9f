// certkeeper check: run the validation gate on files; change nothing.
#include <fmt/format.h>

#include "app.h"
#include "certkeeper/lifecycle/check.h"
#include "certkeeper/util/text.h"
#include "source_options.h"

namespace certkeeper::cli {
namespace {

struct CheckArgs {
  SourceOptions source;
  std::string host, external_url;
};

// Every field is the certificate's (outside input): escaped, one line each.
std::string certificate_summary(const crypto::Bundle& b) {
  const auto& leaf = b.leaf();
  std::string text = fmt::format("certificate: {}\n  names:     {}\n  issuer:    {}\n  not after: {}\n",
                                 text::printable(leaf.subject), printable_list(leaf.names(), " "),
                                 text::printable(leaf.issuer), format_utc(leaf.not_after));
  for (const auto& c : b.chain()) text += fmt::format("  chain:     {}\n", text::printable(c.subject));
  if (b.root()) text += fmt::format("  root:      {}\n", text::printable(b.root()->subject));
  return text;
}

}  // namespace

nlohmann::json verdict_json(const lifecycle::CheckOutcome& outcome) {
  const auto& v = outcome.verdict;
  nlohmann::json doc{{"accepted", v.accepted()},
                     {"origin", v.origin},
                     {"names_checked", outcome.names_checked},
                     {"names_from", outcome.names_from},
                     {"findings", findings_json(v.findings)},
                     {"certificate", nullptr},
                     {"chain", nlohmann::json::array()},
                     {"root", nullptr}};
  if (v.bundle) {
    doc["certificate"] = facts_json(v.bundle->leaf());
    for (const auto& c : v.bundle->chain()) doc["chain"].push_back(facts_json(c));
    if (v.bundle->root()) doc["root"] = facts_json(*v.bundle->root());
  }
  return doc;
}

Command add_check(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("check", "Validate certificate files; change nothing");
  auto args = std::make_shared<CheckArgs>();
  add_source_options(*app, args->source);
  auto* host = app->add_option("--host", args->host, "Host name or IP address the certificate must cover")
                   ->type_name("NAME");
  app->add_option("--external-url", args->external_url, "URL whose host the certificate must cover")
      ->type_name("URL")
      ->excludes(host);
  return {app, [&g, args] {
            lifecycle::CheckRequest req;
            req.sources = args->source.sources;
            req.ca_file = args->source.ca_file;
            req.host = args->host;
            req.external_url = args->external_url;
            auto outcome = lifecycle::check(g.context(), req);
            if (!outcome) return fail(g, outcome.error());
            const auto& v = outcome->verdict;
            int code = v.accepted() ? int(kOk) : int(kRejected);
            if (g.json) {
              auto doc = verdict_json(*outcome);
              doc["ok"] = v.accepted();
              doc["exit_code"] = code;
              print_json(doc);
              return code;
            }
            if (v.bundle) out(g, certificate_summary(*v.bundle));
            print_findings(g, v.findings);
            std::string summary = "check: " + verdict_summary(v);
            if (v.accepted()) {
              out(g, summary);
            } else {
              err_line(summary + "; fix the errors above, nothing was changed");
            }
            return code;
          }};
}

}  // namespace certkeeper::cli
