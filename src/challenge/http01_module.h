// The contract between ck_challenge and the certkeeper-http01.so module (see
// util/module_loader.h): the file name and the C entry point. Both sides are
// built from the same tree, so C++ types may cross; nothing may throw across.
#pragma once

#include <string>

#include "certkeeper/challenge/solver.h"

namespace certkeeper::challenge::module {

inline constexpr char kFile[] = "certkeeper-http01.so";

// Solver* certkeeper_http01_make_solver(const std::string* listen, int
// log_level): a new built-in http-01 responder (the caller owns it), or
// nullptr. `log_level` is the caller's log::Level: the module has its own
// copy of the logger.
inline constexpr char kMakeSolver[] = "certkeeper_http01_make_solver";
using MakeSolver = Solver* (*)(const std::string*, int) noexcept;

}  // namespace certkeeper::challenge::module
