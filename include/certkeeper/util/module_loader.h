// certkeeper's loadable modules. The parts that pull in large libraries are
// shared objects built with the binary and loaded on first use: today the
// HTTP client (libcurl and its ~25 libraries). Commands that never contact a
// CA, and the `run` daemon between passes, never map it (bench/README.md, "Renewal passes").
//
// A module is looked for in the directory of the running executable (a build
// tree: the tests and ./build/certkeeper), then in the install directory
// (CERTKEEPER_MODULE_DIR, e.g. /usr/local/lib/certkeeper). Both are
// directories only the installer can write; no environment variable can
// point the loader elsewhere.
#pragma once

#include <string>
#include <vector>

#include "certkeeper/util/result.h"

namespace certkeeper {

// Where modules are looked for, in order.
std::vector<std::string> module_dirs();

// Loads `file` (e.g. "certkeeper-curl.so") once per process from the first
// directory that holds it, and returns its exported `symbol`. The module is
// never unloaded. Errc::io naming the file, the directories searched and what
// to do when it is missing or broken.
Result<void*> module_symbol(const std::string& file, const std::string& symbol);

}  // namespace certkeeper
