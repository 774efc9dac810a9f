#include "certkeeper/util/result.h"

namespace certkeeper {

const char* errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::usage: return "usage";
    case Errc::io: return "io";
    case Errc::not_found: return "not-found";
    case Errc::invalid_input: return "invalid-input";
    case Errc::rejected: return "rejected";
    case Errc::crypto: return "crypto";
    case Errc::database: return "database";
    case Errc::database_corrupt: return "database-corrupt";
    case Errc::database_newer: return "database-newer";
    case Errc::conflict: return "conflict";
    case Errc::network: return "network";
    case Errc::ca_failed: return "ca-failed";
    case Errc::timeout: return "timeout";
    case Errc::internal: return "internal";
  }
  return "internal";
}

std::string Error::what() const {
  if (subject.empty()) return message;
  return subject + ": " + message;
}

}  // namespace certkeeper
