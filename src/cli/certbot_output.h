// Private to the CLI: `import --from-certbot` run and printed (text or JSON).
#pragma once

#include "app.h"
#include "certkeeper/lifecycle/certbot.h"

namespace certkeeper::cli {

// Exit 0 when every lineage was imported (or already was), 3 when at least
// one was rejected or skipped (the others are stored), else the error's.
int run_certbot_migration(const Globals& g, const lifecycle::CertbotRequest& request);

}  // namespace certkeeper::cli
