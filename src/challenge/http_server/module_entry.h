// Inside the certkeeper-http01.so module: the factory its C entry point calls.
#pragma once

#include <memory>
#include <string>

#include "certkeeper/challenge/solver.h"

namespace certkeeper::challenge {

std::unique_ptr<Solver> make_httplib_solver(std::string listen);

}  // namespace certkeeper::challenge
