#include "revocation_watch.h"

#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "certkeeper/crypto/crl.h"
#include "certkeeper/net/http_client.h"
#include "certkeeper/store/event_kinds.h"
#include "certkeeper/util/log.h"
#include "event_alert.h"

namespace certkeeper::lifecycle::detail {

namespace {

class Watch {
 public:
  Watch(const Context& ctx, store::Inventory& inv, const RenewRequest& request)
      : ctx_(ctx), inv_(inv), request_(request), now_(ctx.now()) {}

  void expected_revocations(const std::vector<RenewItem>& items) {
    for (const auto& item : items) {
      if (!item.ari_window || !item.ari_version || item.ari_window->end >= now_) continue;
      auto versions = inv_.versions(item.name);
      if (!versions) {
        log::warn("certkeeper: " + versions.error().what());
        continue;
      }
      for (const auto& v : *versions) {
        if (v.version != *item.ari_version || v.revoked_at || v.not_after <= now_) continue;
        std::string why = fmt::format("the CA's renewal window ended {} before expiry ({}): replace it now, "
                                      "the CA is expected to revoke it",
                                      format_utc(item.ari_window->end), format_utc(v.not_after));
        nlohmann::json detail = {{"ari_start", item.ari_window->start}, {"ari_end", item.ari_window->end}};
        auto recorded = inv_.record_event_once(item.name, store::event::revocation_expected, v.version, detail.dump(),
                                               ctx_.actor, now_);
        if (!recorded) {
          log::warn("certkeeper: " + recorded.error().what());
        } else if (*recorded) {
          fire({item.name, v.version, hook::revocation_expected, why, std::nullopt, "", ""}, v.not_after);
        }
      }
    }
  }

  // Step 2: what versions stored since the last pass name. Returns the
  // versions read, by URL.
  std::map<std::string, std::vector<store::CrlSubject>> read_new_versions() {
    std::map<std::string, std::vector<store::CrlSubject>> by_url;
    auto scan = inv_.crl_unscanned();
    if (!scan) {
      log::warn("certkeeper: " + scan.error().what());
      return by_url;
    }
    std::vector<std::pair<std::int64_t, std::vector<std::string>>> links;
    for (auto& v : scan->versions) {
      auto urls = crypto::crl_distribution_points(v.leaf_pem);
      if (!urls || urls->empty()) continue;
      links.emplace_back(v.version_id, *urls);
      for (const auto& url : *urls) by_url[url].push_back(v);
    }
    if (auto ok = inv_.crl_link(links, scan->upto); !ok) log::warn("certkeeper: " + ok.error().what());
    return by_url;
  }

  // Step 3 for one stale URL.
  void refresh(const store::CrlRecord& row) {
    auto subjects = inv_.crl_subjects(row.url);
    if (!subjects) {
      log::warn("certkeeper: " + subjects.error().what());
      return;
    }
    if (subjects->empty()) {  // no current version names it any more
      if (auto ok = inv_.crl_defer(row.url, now_ + kCrlDefaultLifetime); !ok) log::warn("certkeeper: " + ok.error().what());
      return;
    }
    CrlCheck check{row.url, "fetched", "", subjects->size(), 0, std::nullopt};
    auto names = [&] {
      std::string out;
      for (std::size_t i = 0; i < subjects->size() && i < 3; ++i) out += (i ? ", " : "") + (*subjects)[i].certificate_name;
      if (subjects->size() > 3) out += fmt::format(" and {} more", subjects->size() - 3);
      return out;
    };
    auto give_up = [&](const std::string& status, const std::string& what, const std::string& todo) {
      check.status = status;
      check.error = what;
      check.next_fetch = now_ + kCrlRetry;
      if (auto ok = inv_.crl_failed(row.url, what, now_, *check.next_fetch); !ok) log::warn("certkeeper: " + ok.error().what());
      log::warn(fmt::format("certkeeper: CRL {}: {}; {}; revocation of {} not checked, tried again at {}", row.url,
                            what, todo, names(), format_utc(*check.next_fetch)));
      result_.crls.push_back(check);
    };
    auto body = fetch(row.url);
    if (!body) return give_up("unreachable", body.error().message, "check that this host can reach it");
    auto crl = crypto::Crl::parse(*body);
    if (!crl) {
      return give_up("rejected", "the answer " + crl.error().message + ": not cached, not trusted",
                     "check the URL in the certificate's CRL distribution point");
    }
    // Every issuer that the naming versions have must have signed it. A
    // version stored without its issuer (nothing to verify with) is skipped.
    std::set<std::string> verified, unverifiable;
    std::vector<store::CrlSubject> checked;
    for (const auto& s : *subjects) {
      const std::string chain = s.chain_pem + s.root_pem;
      if (!verified.count(chain) && !unverifiable.count(chain)) {
        auto ok = crl->verify_for(s.leaf_pem, chain);
        if (!ok && ok.error().code != Errc::not_found) {
          return give_up("rejected", ok.error().message + ": not cached, not trusted",
                         "the CRL server may be misconfigured or the answer forged; tell the CA");
        }
        (ok ? verified : unverifiable).insert(chain);
        if (!ok) log::debug(fmt::format("{}: CRL {}: {}", s.certificate_name, row.url, ok.error().message));
      }
      if (verified.count(chain)) checked.push_back(s);
    }
    if (checked.empty()) {
      return give_up("rejected", "no certificate that names it has its issuer in the stored chain: not trusted",
                     "import the certificates again with their CA file (--chain)");
    }
    store::CrlRecord cached;
    cached.url = row.url;
    cached.issuer = crl->issuer();
    cached.this_update = crl->this_update();
    cached.next_update = crl->next_update();
    cached.fetched_at = now_;
    cached.der = crl->der();
    cached.next_fetch = !cached.next_update ? now_ + kCrlDefaultLifetime
                        : *cached.next_update > now_ ? *cached.next_update
                                                     : now_ + kCrlRetry;  // a CRL past its nextUpdate: look again soon
    if (auto ok = inv_.crl_fetched(cached); !ok) log::warn("certkeeper: " + ok.error().what());
    check.entries = crl->entries();
    check.next_fetch = cached.next_fetch;
    result_.crls.push_back(check);
    fetched_.insert(row.url);
    look_up(*crl, row.url, checked);
  }

  // New versions naming a URL whose cached CRL was not refreshed in this
  // pass: looked up in the cached CRL (verified again for their issuer).
  void check_against_cache(const std::string& url, const std::vector<store::CrlSubject>& versions) {
    if (fetched_.count(url)) return;
    auto row = inv_.crl(url);
    if (!row || !*row || (*row)->der.empty()) return;  // nothing cached yet: the next fetch checks them
    auto crl = crypto::Crl::parse((*row)->der);
    if (!crl) return;
    std::vector<store::CrlSubject> trusted;
    for (const auto& v : versions) {
      if (crl->verify_for(v.leaf_pem, v.chain_pem + v.root_pem)) trusted.push_back(v);
    }
    look_up(*crl, url, trusted);
  }

  void dry_run() {
    auto unread = inv_.crl_unscanned_count();
    if (unread) result_.unread_versions = *unread;
    auto due = inv_.crls_due(now_);
    if (!due) {
      log::warn("certkeeper: " + due.error().what());
      return;
    }
    for (const auto& row : *due) {
      auto subjects = inv_.crl_subjects(row.url);
      if (!subjects || subjects->empty()) continue;
      result_.crls.push_back({row.url, "would-fetch", "", subjects->size(), 0, std::nullopt});
    }
  }

  void run(const std::vector<RenewItem>& items) {
    if (request_.dry_run) {
      dry_run();
    } else {
      expected_revocations(items);
      auto fresh = read_new_versions();
      auto due = inv_.crls_due(now_);
      if (!due) log::warn("certkeeper: " + due.error().what());
      if (due) {
        for (const auto& row : *due) refresh(row);
      }
      for (const auto& [url, versions] : fresh) check_against_cache(url, versions);
    }
    auto next = inv_.earliest_crl_fetch();
    if (next) result_.next_fetch = *next;
  }

  RevocationWatch take() { return std::move(result_); }

 private:
  Result<std::string> fetch(const std::string& url) {
    if (!http_) {
      net::HttpOptions options;
      options.https_only = false;  // CRLs are served over plain HTTP (RFC 5280 §4.2.1.13); they are signed
      options.max_body = kCrlMaxBody;
      http_ = ctx_.http(options);
    }
    net::HttpRequest request;
    request.url = url;
    auto response = http_->send(request);
    if (!response) {
      Error e = std::move(response).error();
      return make_error(e.code, "cannot fetch it: " + e.message, url);
    }
    if (response->status != 200) {
      return make_error(Errc::network, fmt::format("cannot fetch it: the server answered HTTP {}", response->status), url);
    }
    return std::move(response->body);
  }

  void look_up(const crypto::Crl& crl, const std::string& url, const std::vector<store::CrlSubject>& subjects) {
    for (const auto& s : subjects) {
      auto entry = crl.find(s.serial);
      if (!entry) continue;
      auto marked = inv_.mark_revoked(s.certificate_name, s.version, entry->reason, ctx_.actor, now_,
                                      entry->revoked_at, url);
      if (!marked) {
        log::warn("certkeeper: " + marked.error().what());
        continue;
      }
      if (!*marked) continue;  // marked before (revoke, or another pass): announced then
      fire({s.certificate_name, s.version, hook::revoked, entry->reason, entry->revoked_at, url, ""}, s.not_after);
    }
  }

  void fire(WatchEvent event, UnixTime not_after) {
    std::string line = event.event == hook::revoked
                           ? fmt::format("version {} was revoked ({}) on {} according to the CRL {}; replace it now",
                                         event.version, event.reason, format_utc(*event.revoked_at), event.url)
                           : fmt::format("version {}: {}", event.version, event.reason);
    HookEvent e{event.event, event.name, not_after, now_, line};
    if (auto delivered = deliver_event(request_, e); !delivered) event.hook_error = delivered.error().message;
    result_.events.push_back(std::move(event));
  }

  const Context& ctx_;
  store::Inventory& inv_;
  const RenewRequest& request_;
  UnixTime now_;
  std::unique_ptr<net::HttpClient> http_;
  std::set<std::string> fetched_;
  RevocationWatch result_;
};

}  // namespace

RevocationWatch watch_revocations(const Context& ctx, store::Inventory& inv, const RenewRequest& request,
                                  const std::vector<RenewItem>& items) {
  Watch watch(ctx, inv, request);
  watch.run(items);
  return watch.take();
}

}  // namespace certkeeper::lifecycle::detail
