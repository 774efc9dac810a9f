// certkeeper report: what expires when, as table, JSON, CSV, Prometheus
// text exposition or a self-contained HTML page.
#include <unistd.h>

#include <cstdlib>

#include <fmt/format.h>

#include "app.h"
#include "mail_options.h"
#include "report_mail.h"
#include "certkeeper/report/report.h"
#include "certkeeper/report/queries.h"
#include "certkeeper/util/files.h"

namespace certkeeper::cli {
namespace {

struct ReportArgs {
  std::string format;
  std::string output;
  std::optional<int> within;
  std::optional<int> fail_within;
  MailOptions mail;
};

bool colour_wanted() {
  const char* no_colour = std::getenv("NO_COLOR");
  return ::isatty(STDOUT_FILENO) && !(no_colour && *no_colour);
}

UnixTime horizon(UnixTime now, int days) { return now + static_cast<UnixTime>(days) * kSecondsPerDay; }

}  // namespace

Command add_report(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("report", "Expiry report of every certificate, soonest first");
  auto args = std::make_shared<ReportArgs>();
  app->add_option("--format", args->format, "table (default), json, csv, prometheus or html")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "csv", "prometheus", "html"}));
  app->add_option("--output", args->output, "Write the report to this file (atomically) instead of stdout")
      ->type_name("F");
  app->add_option("--within", args->within, "Only certificates expiring within DAYS days")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 100000));
  app->add_option("--fail-within", args->fail_within,
                  "Exit 6 when a certificate expires within DAYS days")
      ->type_name("DAYS")
      ->check(CLI::Range(0, 100000));
  add_mail_options(app, args->mail, "the report (the table, and the HTML page as its alternative)");
  return {app, [&g, args] {
            auto mail = load_mail(args->mail);
            if (!mail) return fail(g, mail.error());
            std::string format_name = args->format.empty() ? (g.json ? "json" : "table") : args->format;
            auto format = report::parse_format(format_name);
            if (!format) return fail(g, format.error());
            // --json promises one JSON document on stdout: a CSV, HTML or
            // Prometheus report there would break it.
            if (g.json && *format != report::Format::json && args->output.empty()) {
              return fail(g, make_error(Errc::usage,
                                        "--json prints JSON; use --format " + format_name + " without --json, "
                                            "--json without --format, or add --output FILE",
                                        "report"));
            }
            UnixTime now = g.clock.now();
            std::optional<UnixTime> before;
            if (args->within) before = horizon(now, *args->within);
            store::ReportWithHistory loaded;
            const bool with_history = report::shows_history(*format) || *mail;  // a mail carries the HTML
            if (with_history) {
              auto read = report::load_rows_with_history(g.db, before, report::kHistoryVersions,
                                                         report::kHistoryEvents);
              if (!read) return fail(g, read.error());
              loaded = std::move(*read);
            } else {
              auto rows = report::load_rows(g.db, before);
              if (!rows) return fail(g, rows.error());
              loaded.rows = std::move(*rows);
            }
            const auto& rows = loaded.rows;
            std::size_t failing = 0;
            if (args->fail_within) {
              auto due = report::count_expiring(g.db, horizon(now, *args->fail_within));
              if (!due) return fail(g, due.error());
              failing = *due;
            }
            report::ReportOptions options{now, args->within, args->output.empty() && colour_wanted(),
                                          with_history ? &loaded.history : nullptr};
            std::string text = report::render_report(rows, *format, options);
            int code = failing ? int(kExpiring) : int(kOk);
            if (!args->output.empty()) {
              if (auto w = write_file_atomic(args->output, text, 0644); !w) return fail(g, w.error());
              if (g.json) {
                print_json({{"ok", code == kOk},
                            {"exit_code", code},
                            {"path", args->output},
                            {"format", format_name},
                            {"rows", rows.size()},
                            {"bytes", text.size()}});
              } else if (!g.quiet && *format != report::Format::json) {
                out(g, fmt::format("report of {} certificates written to {}", rows.size(), args->output));
              }
            } else {
              std::fwrite(text.data(), 1, text.size(), stdout);
            }
            if (*mail) {
              if (auto sent = mail_report(**mail, args->mail.recipients(), rows, options); !sent) {
                return fail(g, sent.error());
              }
              if (!g.quiet && !g.json) err_line(fmt::format("certkeeper: report of {} mailed", plural(rows.size(), "certificate")));
            }
            if (failing) {
              err_line(fmt::format("certkeeper: {} within {}; renew or replace {}",
                                   failing == 1 ? "1 certificate expires" : plural(failing, "certificate") + " expire",
                                   plural(static_cast<std::size_t>(*args->fail_within), "day"),
                                   failing == 1 ? "it" : "them"));
            }
            return code;
          }};
}

}  // namespace certkeeper::cli
