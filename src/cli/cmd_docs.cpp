// certkeeper docs --format markdown|man|bash|json [--output PATH]: the
// reference documentation, generated from this binary's own command-line
// definition and tables. Hidden: it is for the build (man pages and
// completion are made by it at build time) and for docs/reference, which a
// test compares with what it prints.
//
// A subcommand rather than a separate generator program, because the CLI11
// tree it walks is built by the command files that only this executable
// links; a second program would compile and link them all again, and could
// differ from the binary that is installed.
#include <filesystem>

#include <fmt/format.h>

#include "app.h"
#include "certkeeper/util/files.h"
#include "docs_render.h"

#ifndef CERTKEEPER_VERSION
#error "CERTKEEPER_VERSION must be defined by the build"
#endif
#ifndef CERTKEEPER_RELEASE_DATE
#error "CERTKEEPER_RELEASE_DATE must be defined by the build"
#endif

namespace certkeeper::cli {
namespace {

struct DocsArgs {
  std::string format;
  std::string output;
};

// Writes each file into `dir` (created when missing).
Status write_all(const std::string& dir, const std::vector<docs::GeneratedFile>& pages) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(Errc::io, "cannot create the directory: " + ec.message(), dir);
  for (const auto& p : pages) {
    if (auto w = write_file_atomic(dir + "/" + p.name, p.content, 0644); !w) return w.error();
  }
  return {};
}

}  // namespace

Command add_docs(CLI::App& root, Globals& g) {
  auto* app = root.add_subcommand("docs", "Generate the reference documentation from this binary");
  app->group("");  // hidden
  auto args = std::make_shared<DocsArgs>();
  app->add_option("--format", args->format, "markdown (docs/reference), man, bash (completion) or json (catalogue)")
      ->required()
      ->check(CLI::IsMember({"markdown", "man", "bash", "json"}));
  app->add_option("--output", args->output,
                  "Directory for markdown and man; file for bash and json (default: stdout)");
  return {app, [&g, &root, args]() -> int {
            const docs::CommandDoc tree = docs::describe(root);
            if (args->format == "markdown" || args->format == "man") {
              if (args->output.empty()) {
                return fail(g, make_error(Errc::usage, "--format " + args->format + " writes files: give --output DIR",
                                          "docs"));
              }
              auto pages = args->format == "markdown"
                               ? docs::markdown_pages(tree)
                               : docs::man_pages(tree, CERTKEEPER_VERSION, CERTKEEPER_RELEASE_DATE);
              if (auto w = write_all(args->output, pages); !w) return fail(g, w.error());
              out(g, fmt::format("wrote {} to {}", plural(pages.size(), "file"), args->output));
              return int(kOk);
            }
            std::string text = args->format == "bash" ? docs::bash_completion(tree) : docs::catalogue_json(tree);
            if (args->output.empty()) {
              std::fwrite(text.data(), 1, text.size(), stdout);
              return int(kOk);
            }
            if (auto w = write_file_atomic(args->output, text, 0644); !w) return fail(g, w.error());
            return int(kOk);
          }};
}

}  // namespace certkeeper::cli
