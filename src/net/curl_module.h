// The contract between ck_net and the certkeeper-curl.so module (see
// util/module_loader.h): the file name, and the C entry points with their
// signatures. Both sides are built from the same tree, so C++ types may
// cross; nothing may throw across it.
#pragma once

#include "certkeeper/net/http_client.h"
#include "certkeeper/net/mailer.h"

namespace certkeeper::net::module {

inline constexpr char kFile[] = "certkeeper-curl.so";

// HttpClient* certkeeper_curl_make_client(const HttpOptions*): a new client
// (the caller owns it), or nullptr when it could not be made.
inline constexpr char kMakeClient[] = "certkeeper_curl_make_client";
using MakeClient = HttpClient* (*)(const HttpOptions*) noexcept;

// Mailer* certkeeper_curl_make_mailer(const SmtpOptions*): the same for SMTP.
inline constexpr char kMakeMailer[] = "certkeeper_curl_make_mailer";
using MakeMailer = Mailer* (*)(const SmtpOptions*) noexcept;

}  // namespace certkeeper::net::module
