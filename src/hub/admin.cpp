// Admin operations (see admin.h). Runs on the hub's thread; each call is a few store
// transactions. Refusals carry an EResult and a sentence for the operator.
#include "hub/admin.h"

#include <sodium.h>

#include "base/log.h"
#include "crypto/crypto.h"
#include "outpost/steam_id.h"
#include "outpost/types.h"

namespace outpost::hub {

namespace {

using hubrpc::AdminRequest;
using hubrpc::AdminResponse;

AdminResponse fail(int result, std::string why) {
  AdminResponse r;
  r.set_result(result);
  r.set_error(std::move(why));
  return r;
}

AdminResponse fromStatus(const store::Status& s, int failure_result = RESULT_FAIL) {
  if (!s.ok)
    return fail(s.error.find("already exists") != std::string::npos ? RESULT_DUPLICATE_NAME : failure_result, s.error);
  AdminResponse r;
  r.set_result(RESULT_OK);
  return r;
}

bool tokenMatches(const std::string& given, const std::string& expected_hex) {
  std::string given_hex = crypto::toHex({reinterpret_cast<const uint8_t*>(given.data()), given.size()});
  if (given.size() == expected_hex.size()) {  // sent as hex text, in either case
    given_hex = given;
    for (char& c : given_hex) c = static_cast<char>(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  }
  return given_hex.size() == expected_hex.size() &&
         sodium_memcmp(given_hex.data(), expected_hex.data(), expected_hex.size()) == 0;
}

// Finds a user by name or refuses with AccountNotFound.
std::optional<store::User> user(AdminContext& ctx, const std::string& name, AdminResponse* refusal) {
  auto u = ctx.store.getUserByName(name);
  if (!u) *refusal = fail(RESULT_ACCOUNT_NOT_FOUND, "no user named \"" + name + "\"");
  return u;
}

}  // namespace

AdminResponse handleAdmin(const AdminRequest& req, AdminContext& ctx) {
  if (!tokenMatches(req.admin_token(), ctx.admin_token_hex)) return fail(RESULT_ACCESS_DENIED, "wrong admin token");
  AdminResponse refusal;
  switch (req.op_case()) {
    case AdminRequest::kPutApp: {
      const auto& a = req.put_app();
      if (a.app_id() == 0 || a.name().empty() || a.name().size() > 128)
        return fail(RESULT_INVALID_PARAM, "an app needs a non-zero id and a name of 1-128 bytes");
      store::App app{a.app_id(), a.name(), a.required_version(), {}};
      if (a.has_anonymous()) {
        const auto& p = a.anonymous();
        if ((p.listed() || p.secure()) && !p.logon())
          return fail(RESULT_INVALID_PARAM, "anonymous servers can be listed or secure only if they may log on");
        app.anonymous = {p.logon(), p.listed(), p.secure()};
      } else if (auto old = ctx.store.getApp(a.app_id())) {
        app.anonymous = old->anonymous;  // not given: an existing app keeps its policy
      }
      AdminResponse r = fromStatus(ctx.store.putApp(app));
      if (r.result() == RESULT_OK && ctx.on_app_changed) ctx.on_app_changed(app.app_id, app);
      return r;
    }
    case AdminRequest::kDeleteApp: {
      AdminResponse r = fromStatus(ctx.store.deleteApp(req.delete_app()), RESULT_INVALID_PARAM);
      if (r.result() == RESULT_OK && ctx.on_app_changed) ctx.on_app_changed(req.delete_app(), std::nullopt);
      return r;
    }
    case AdminRequest::kListApps: {
      AdminResponse r;
      r.set_result(RESULT_OK);
      for (const auto& a : ctx.store.listApps()) {
        auto* out = r.add_apps();
        out->set_app_id(a.app_id);
        out->set_name(a.name);
        out->set_required_version(a.required_version);
        out->mutable_anonymous()->set_logon(a.anonymous.logon);
        out->mutable_anonymous()->set_listed(a.anonymous.listed);
        out->mutable_anonymous()->set_secure(a.anonymous.secure);
      }
      return r;
    }
    case AdminRequest::kCreateUser: {
      const auto& c = req.create_user();
      if (c.name().empty() || c.name().size() > 64) return fail(RESULT_INVALID_NAME, "a user name has 1-64 bytes");
      if (c.password().size() < 8) return fail(RESULT_ILLEGAL_PASSWORD, "a password has at least 8 characters");
      std::string hash = crypto::hashPassword(c.password());
      if (hash.empty()) return fail(RESULT_FAIL, "password hashing failed");
      uint32_t account = 0;
      AdminResponse r = fromStatus(ctx.store.createUser(c.name(), hash, ctx.now_unix, &account));
      if (r.result() == RESULT_OK) r.set_steam_id(steamid::individual(account));
      return r;
    }
    case AdminRequest::kShowUser: {
      auto u = user(ctx, req.show_user().name(), &refusal);
      if (!u) return refusal;
      AdminResponse r;
      r.set_result(RESULT_OK);
      r.set_steam_id(steamid::individual(u->account_id));
      r.set_name(u->name);
      for (const auto& l : ctx.store.licences(u->account_id)) {
        auto* out = r.add_licences();
        out->set_app_id(l.app_id);
        out->set_owner_steam_id(l.owner_account_id ? steamid::individual(l.owner_account_id) : 0);
        out->set_expires_at(l.expires_at);
      }
      return r;
    }
    case AdminRequest::kCreateToken: {
      const auto& c = req.create_token();
      if (!ctx.store.getApp(c.app_id())) return fail(RESULT_INVALID_PARAM, "no app " + std::to_string(c.app_id()));
      auto owner = user(ctx, c.owner(), &refusal);
      if (!owner) return refusal;
      std::array<uint8_t, 24> raw{};
      crypto::randomBytes(raw.data(), raw.size());
      std::string token = crypto::toHex(raw);
      store::Token t;
      t.app_id = c.app_id();
      t.owner_account_id = owner->account_id;
      t.token_hash = crypto::hashHex({reinterpret_cast<const uint8_t*>(token.data()), token.size()});
      t.memo = c.memo();
      t.created_at = ctx.now_unix;
      uint32_t account = 0;
      AdminResponse r = fromStatus(ctx.store.createToken(t, &account));
      if (r.result() == RESULT_OK) {
        r.set_token(token);
        r.set_steam_id(steamid::gameServer(account));
      }
      return r;
    }
    case AdminRequest::kListTokensForApp: {
      AdminResponse r;
      r.set_result(RESULT_OK);
      for (const auto& t : ctx.store.listTokens(req.list_tokens_for_app())) {
        auto* out = r.add_tokens();
        out->set_account_id(t.account_id);
        out->set_steam_id(steamid::gameServer(t.account_id));
        out->set_app_id(t.app_id);
        auto owner = ctx.store.getUser(t.owner_account_id);
        out->set_owner(owner ? owner->name : "");
        out->set_memo(t.memo);
        out->set_created_at(t.created_at);
        out->set_last_used_at(t.last_used_at);
        out->set_revoked(t.revoked);
      }
      return r;
    }
    case AdminRequest::kRevokeToken: {
      AdminResponse r = fromStatus(ctx.store.revokeToken(req.revoke_token()), RESULT_INVALID_PARAM);
      if (r.result() == RESULT_OK && ctx.on_token_revoked) ctx.on_token_revoked(req.revoke_token());
      return r;
    }
    case AdminRequest::kGrantLicence: {
      const auto& g = req.grant_licence();
      auto u = user(ctx, g.user(), &refusal);
      if (!u) return refusal;
      uint32_t lender = 0;
      if (!g.borrowed_from().empty()) {
        auto l = user(ctx, g.borrowed_from(), &refusal);
        if (!l) return refusal;
        lender = l->account_id;
      }
      return fromStatus(ctx.store.grantLicence({u->account_id, g.app_id(), lender, g.expires_at()}));
    }
    case AdminRequest::kRevokeLicence: {
      auto u = user(ctx, req.revoke_licence().user(), &refusal);
      if (!u) return refusal;
      return fromStatus(ctx.store.revokeLicence(u->account_id, req.revoke_licence().app_id()), RESULT_INVALID_PARAM);
    }
    case AdminRequest::kCreateGroup: {
      if (req.create_group().name().empty()) return fail(RESULT_INVALID_NAME, "a group needs a name");
      uint32_t clan = 0;
      AdminResponse r = fromStatus(ctx.store.createGroup(req.create_group().name(), &clan));
      if (r.result() == RESULT_OK) r.set_steam_id(steamid::clan(clan));
      return r;
    }
    case AdminRequest::kSetMember: {
      const auto& m = req.set_member();
      auto u = user(ctx, m.user(), &refusal);
      if (!u) return refusal;
      uint32_t clan = steamid::accountId(steamid::clanIdFromAny(m.clan()));  // full, bare or sign-extended
      if (m.remove()) return fromStatus(ctx.store.removeMembership(clan, u->account_id), RESULT_INVALID_PARAM);
      return fromStatus(ctx.store.setMembership({clan, u->account_id, m.officer()}));
    }
    case AdminRequest::kBlock:
    case AdminRequest::kUnblock: {
      const auto& p = req.op_case() == AdminRequest::kBlock ? req.block() : req.unblock();
      auto a = user(ctx, p.user(), &refusal);
      if (!a) return refusal;
      auto b = user(ctx, p.other(), &refusal);
      if (!b) return refusal;
      return fromStatus(req.op_case() == AdminRequest::kBlock ? ctx.store.block(a->account_id, b->account_id)
                                                              : ctx.store.unblock(a->account_id, b->account_id),
                        RESULT_INVALID_PARAM);
    }
    case AdminRequest::kBan: {
      const auto& b = req.ban();
      auto u = user(ctx, b.user(), &refusal);
      if (!u) return refusal;
      auto kind = b.vac() ? store::BanKind::kVac : store::BanKind::kPublisher;
      AdminResponse r = fromStatus(ctx.store.ban({b.app_id(), u->account_id, kind, b.reason(), ctx.now_unix}));
      if (r.result() == RESULT_OK && ctx.on_ban) ctx.on_ban(b.app_id(), u->account_id, kind);
      return r;
    }
    case AdminRequest::kUnban: {
      auto u = user(ctx, req.unban().user(), &refusal);
      if (!u) return refusal;
      return fromStatus(ctx.store.unban(req.unban().app_id(), u->account_id), RESULT_INVALID_PARAM);
    }
    case AdminRequest::kStatus: {
      AdminResponse r;
      r.set_result(RESULT_OK);
      if (ctx.counters)
        for (const auto& [k, v] : ctx.counters()) (*r.mutable_counters())[k] = v;
      (*r.mutable_counters())["store.schema_version"] = static_cast<uint64_t>(ctx.store.schemaVersion());
      return r;
    }
    case AdminRequest::kListServers: {
      AdminResponse r;
      r.set_result(RESULT_OK);
      if (ctx.servers)
        for (auto& s : ctx.servers()) *r.add_servers() = std::move(s);
      return r;
    }
    case AdminRequest::kSignCertificate:
      if (ctx.sign_certificate) return ctx.sign_certificate(req.sign_certificate());
      break;
    case AdminRequest::OP_NOT_SET: break;
  }
  return fail(RESULT_INVALID_PARAM, "unknown admin operation");
}

}  // namespace outpost::hub
