// `outpost admin`: turns command-line arguments into one AdminRequest, sends it to the hub over a
// pinned, encrypted connection and prints the answer. Secrets never need the command line (where
// `ps` shows them to every user): the admin token comes from --admin-token-file, OUTPOST_ADMIN_TOKEN
// or --data-dir, a new user's password from --password-file, --password-stdin or
// OUTPOST_USER_PASSWORD (docs/decisions/008-secrets-and-settings-on-the-command-line.md). Exit status: 0 done,
// 1 refused by the hub, 2 usage error, 3 hub unreachable.
#include "admin_command.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "base/settings.h"
#include "base/utf8.h"
#include "crypto/crypto.h"
#include "hubrpc/client_credentials.h"
#include "hubrpc/hub_client.h"
#include "hubrpc/hub_contact.h"

namespace {

using outpost::hubrpc::AdminRequest;
using outpost::hubrpc::AdminResponse;

const char* kUsage =
    "usage: outpost admin [--hub KEY@IP:PORT | --hub IP:PORT --hub-key HEX] [--data-dir DIR | --admin-token-file FILE]\n"
    "                     COMMAND\n"
    "  The hub: --hub or $OUTPOST_HUB, either the contact the hub prints at start (KEY@IP:PORT, also in\n"
    "  DIR/hub.address) or IP:PORT with the key from --hub-key, $OUTPOST_HUB_KEY or --data-dir (hub.pub);\n"
    "  default 127.0.0.1:27100. The CLI only talks to a hub presenting that key.\n"
    "  The admin token: --admin-token-file FILE, $OUTPOST_ADMIN_TOKEN or --data-dir (admin.token). It is\n"
    "  never taken on the command line, where other users see it in ps.\n"
    "commands:\n"
    "  app put APP_ID NAME [--required-version V] [--anonymous none|logon[,listed][,secure]]\n"
    "  app list                                     app delete APP_ID\n"
    "  user create NAME [--password-file FILE | --password-stdin]   (or $OUTPOST_USER_PASSWORD)\n"
    "                                               user show NAME\n"
    "  token create APP_ID OWNER [--memo TEXT]      token list APP_ID      token revoke ACCOUNT_ID\n"
    "  licence grant USER APP_ID [--borrowed-from USER] [--expires UNIX_TIME]\n"
    "  licence revoke USER APP_ID\n"
    "  group create NAME                            group member CLAN_ID USER [--officer] [--remove]\n"
    "  block USER OTHER                             unblock USER OTHER\n"
    "  ban USER APP_ID [--vac | --publisher] [--reason TEXT]   unban USER APP_ID\n"
    "  servers                                      status\n"
    "  cert sign (--request HEX | --request-file FILE) [--app APP_ID]... [--steam-id ID]\n"
    "            [--address IP[/BITS]]... [--lifetime SECONDS] [--out FILE]\n"
    "      signs a certificate request from getCertificateRequest (docs/spec/cert.md section 7);\n"
    "      prints certificate=HEX, and writes the raw bytes to --out for setCertificate\n"
    "  (`user create NAME PASSWORD` still works but warns: the password shows in ps.)\n";

int usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

// Removes "--name VALUE" (or a bare "--flag" when has_value is false) from args.
bool takeOption(std::vector<std::string>& args, const std::string& name, std::string* value, bool has_value = true) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != name) continue;
    if (has_value) {
      if (i + 1 >= args.size()) return false;
      *value = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
    } else {
      *value = "1";
      args.erase(args.begin() + static_cast<long>(i));
    }
    return true;
  }
  return false;
}

// Plain decimal within [0, max] (settings::parseInteger: no sign, spaces or suffix).
bool parseUnsigned(const std::string& s, uint64_t max, uint64_t* out) {
  auto v = outpost::base::settings::parseInteger(s);
  if (!v || *v < 0 || static_cast<uint64_t>(*v) > max) return false;
  *out = static_cast<uint64_t>(*v);
  return true;
}

bool parseU32(const std::string& s, uint32_t* out) {
  uint64_t v = 0;
  if (!parseUnsigned(s, 0xFFFFFFFFull, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

// Where a new user's password comes from: --password-file, --password-stdin, the environment, or
// (deprecated, with a warning) the command line. false and a message on stderr when none or
// several are given.
bool userPassword(std::vector<std::string>& a, std::string* password) {
  std::string file, from_stdin, error;
  bool has_file = takeOption(a, "--password-file", &file);
  bool has_stdin = takeOption(a, "--password-stdin", &from_stdin, false);
  const char* env = std::getenv("OUTPOST_USER_PASSWORD");
  bool has_argv = a.size() == 4;
  if (has_file + has_stdin + has_argv > 1) {
    std::fprintf(stderr,
                 "outpost admin: give the password one way (--password-file, --password-stdin or as an argument)\n");
    return false;
  }
  if (has_file) {
    if (outpost::hubrpc::readSecretFile(file, password, &error)) return true;
    std::fprintf(stderr, "outpost admin: %s\n", error.c_str());
    return false;
  }
  if (has_stdin) {
    std::getline(std::cin, *password);
    while (!password->empty() && (password->back() == '\r' || password->back() == '\n')) password->pop_back();
    if (!password->empty()) return true;
    std::fprintf(stderr, "outpost admin: --password-stdin read no password\n");
    return false;
  }
  if (has_argv) {
    std::fprintf(stderr,
                 "outpost admin: warning: a password on the command line is visible to other users (ps, "
                 "shell history); use --password-file, --password-stdin or OUTPOST_USER_PASSWORD\n");
    *password = a[3];
    a.pop_back();
    return true;
  }
  if (env && *env) {
    *password = env;
    return true;
  }
  std::fprintf(stderr,
               "outpost admin: user create needs a password (--password-file FILE, --password-stdin or "
               "OUTPOST_USER_PASSWORD)\n");
  return false;
}

// --anonymous: "none", or "logon" with "listed" and/or "secure" (comma-separated, in any order).
bool parseAnonymous(const std::string& text, outpost::hubrpc::AnonymousPolicy* p) {
  if (text == "none") return true;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string word = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (word == "logon") p->set_logon(true);
    else if (word == "listed") p->set_listed(true);
    else if (word == "secure") p->set_secure(true);
    else return false;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if ((p->listed() || p->secure()) && !p->logon()) return false;  // listed and secure need logon
  return true;
}

std::string anonymousText(const outpost::hubrpc::AnonymousPolicy& p) {
  if (!p.logon()) return "none";
  return std::string("logon") + (p.listed() ? ",listed" : "") + (p.secure() ? ",secure" : "");
}

// Builds the request from the command words. false on a usage error.
bool buildRequest(std::vector<std::string> a, AdminRequest& r) {
  std::string opt;
  auto is = [&](const char* w0, const char* w1, size_t n) {
    return a.size() == n && a[0] == w0 && (!w1 || a[1] == w1);
  };
  uint32_t x = 0, y = 0;
  if (a.size() >= 2 && a[0] == "app" && a[1] == "put") {
    std::string required, anonymous;
    takeOption(a, "--required-version", &required);
    bool policy = takeOption(a, "--anonymous", &anonymous);
    if (a.size() != 4 || !parseU32(a[2], &x)) return false;
    r.mutable_put_app()->set_app_id(x);
    r.mutable_put_app()->set_name(a[3]);
    r.mutable_put_app()->set_required_version(required);
    if (policy && !parseAnonymous(anonymous, r.mutable_put_app()->mutable_anonymous())) {
      std::fprintf(stderr,
                   "outpost admin: --anonymous %s: expected none, or logon with listed and/or secure "
                   "(e.g. logon,listed)\n",
                   anonymous.c_str());
      return false;
    }
  } else if (is("app", "list", 2)) {
    r.mutable_list_apps();
  } else if (is("app", "delete", 3) && parseU32(a[2], &x)) {
    r.set_delete_app(x);
  } else if (a.size() >= 3 && a[0] == "user" && a[1] == "create") {
    std::string password;
    if (!userPassword(a, &password) || a.size() != 3) return false;
    r.mutable_create_user()->set_name(a[2]);
    r.mutable_create_user()->set_password(password);
  } else if (is("user", "show", 3)) {
    r.mutable_show_user()->set_name(a[2]);
  } else if (a.size() >= 2 && a[0] == "token" && a[1] == "create") {
    std::string memo;
    takeOption(a, "--memo", &memo);
    if (a.size() != 4 || !parseU32(a[2], &x)) return false;
    r.mutable_create_token()->set_app_id(x);
    r.mutable_create_token()->set_owner(a[3]);
    r.mutable_create_token()->set_memo(memo);
  } else if (is("token", "list", 3) && parseU32(a[2], &x)) {
    r.set_list_tokens_for_app(x);
  } else if (is("token", "revoke", 3) && parseU32(a[2], &x)) {
    r.set_revoke_token(x);
  } else if (a.size() >= 2 && a[0] == "licence" && a[1] == "grant") {
    std::string lender, expires;
    takeOption(a, "--borrowed-from", &lender);
    takeOption(a, "--expires", &expires);
    uint64_t expires_at = 0;
    if (a.size() != 4 || !parseU32(a[3], &x) || (!expires.empty() && !parseUnsigned(expires, INT64_MAX, &expires_at)))
      return false;
    auto* g = r.mutable_grant_licence();
    g->set_user(a[2]);
    g->set_app_id(x);
    g->set_borrowed_from(lender);
    g->set_expires_at(static_cast<int64_t>(expires_at));
  } else if (is("licence", "revoke", 4) && parseU32(a[3], &x)) {
    r.mutable_revoke_licence()->set_user(a[2]);
    r.mutable_revoke_licence()->set_app_id(x);
  } else if (is("group", "create", 3)) {
    r.mutable_create_group()->set_name(a[2]);
  } else if (a.size() >= 2 && a[0] == "group" && a[1] == "member") {
    std::string officer, remove;
    takeOption(a, "--officer", &officer, false);
    takeOption(a, "--remove", &remove, false);
    uint64_t clan = 0;
    if (a.size() != 4 || !parseUnsigned(a[2], UINT64_MAX, &clan)) {
      // A clan id is a full Steam ID (up to 2^64-1) or a bare account id; a sign-extended 32-bit
      // form (a negative number) is not taken here.
      return false;
    }
    auto* m = r.mutable_set_member();
    m->set_clan(clan);
    m->set_user(a[3]);
    m->set_officer(!officer.empty());
    m->set_remove(!remove.empty());
  } else if ((is("block", nullptr, 3) || is("unblock", nullptr, 3))) {
    auto* p = a[0] == "block" ? r.mutable_block() : r.mutable_unblock();
    p->set_user(a[1]);
    p->set_other(a[2]);
  } else if (a.size() >= 1 && a[0] == "ban") {
    std::string vac, publisher, reason;
    takeOption(a, "--vac", &vac, false);
    takeOption(a, "--publisher", &publisher, false);
    takeOption(a, "--reason", &reason);
    if (a.size() != 3 || !parseU32(a[2], &y) || (!vac.empty() && !publisher.empty())) return false;
    r.mutable_ban()->set_user(a[1]);
    r.mutable_ban()->set_app_id(y);
    r.mutable_ban()->set_vac(!vac.empty());
    r.mutable_ban()->set_reason(reason);
  } else if (is("unban", nullptr, 3) && parseU32(a[2], &y)) {
    r.mutable_unban()->set_user(a[1]);
    r.mutable_unban()->set_app_id(y);
  } else if (a.size() >= 2 && a[0] == "cert" && a[1] == "sign") {
    std::string hex, file, steam_id, lifetime, value;
    takeOption(a, "--request", &hex);
    takeOption(a, "--request-file", &file);
    takeOption(a, "--steam-id", &steam_id);
    takeOption(a, "--lifetime", &lifetime);
    auto* q = r.mutable_sign_certificate();
    while (takeOption(a, "--app", &value)) {
      if (!parseU32(value, &x) || x == 0) return false;
      q->add_app_ids(x);
    }
    while (takeOption(a, "--address", &value)) q->add_addresses(value);
    if (a.size() != 2 || hex.empty() == file.empty()) return false;
    std::string blob;
    if (!file.empty()) {
      FILE* f = std::fopen(file.c_str(), "rb");
      if (!f) {
        std::fprintf(stderr, "outpost admin: cannot read %s\n", file.c_str());
        return false;
      }
      char buf[512];
      size_t n = std::fread(buf, 1, sizeof buf, f);
      std::fclose(f);
      blob.assign(buf, n);
    } else {
      std::vector<uint8_t> bytes(hex.size() / 2);
      if (hex.size() % 2 != 0 || bytes.empty() || bytes.size() > 512 || !outpost::crypto::fromHex(hex, bytes)) {
        std::fprintf(stderr, "outpost admin: --request is not hex\n");
        return false;
      }
      blob.assign(bytes.begin(), bytes.end());
    }
    q->set_request(blob);
    uint64_t number = 0;
    if (!steam_id.empty()) {
      if (!parseUnsigned(steam_id, UINT64_MAX, &number) || number == 0) return false;
      q->set_steam_id(number);
    }
    if (!lifetime.empty()) {
      if (!parseUnsigned(lifetime, 366ull * 24 * 3600, &number) || number == 0) return false;
      q->set_lifetime_s(static_cast<int64_t>(number));
    }
  } else if (is("servers", nullptr, 1)) {
    r.mutable_list_servers();
  } else if (is("status", nullptr, 1)) {
    r.mutable_status();
  } else {
    return false;
  }
  return true;
}

// Text from the hub, in a "key=value" line: quoted and escaped (outpost::utf8::escapeForTerminal)
// so that no value, whoever set it, can forge a line or send a terminal escape.
std::string quoted(const std::string& s) { return "\"" + outpost::base::utf8::escapeForTerminal(s) + "\""; }
// The same, left bare when it is a plain word (printable ASCII without space, quote, backslash or
// '='), as the values of these fields usually are.
std::string word(const std::string& s) {
  bool plain = !s.empty();
  for (unsigned char c : s) plain = plain && c > 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '=';
  return plain || s.empty() ? s : quoted(s);
}

void print(const AdminResponse& r) {
  std::printf("ok");
  if (r.steam_id()) std::printf(" steam_id=%llu", static_cast<unsigned long long>(r.steam_id()));
  if (!r.name().empty()) std::printf(" name=%s", word(r.name()).c_str());
  if (!r.token().empty()) std::printf(" token=%s", word(r.token()).c_str());
  if (!r.certificate().empty())
    std::printf(" certificate=%s", outpost::crypto::toHex({reinterpret_cast<const uint8_t*>(r.certificate().data()),
                                                           r.certificate().size()})
                                       .c_str());
  std::printf("\n");
  for (const auto& a : r.apps())
    std::printf("app %u name=%s required_version=%s anonymous=%s\n", a.app_id(), word(a.name()).c_str(),
                word(a.required_version()).c_str(), anonymousText(a.anonymous()).c_str());
  for (const auto& t : r.tokens())
    std::printf("token account=%u steam_id=%llu app=%u owner=%s memo=%s last_used=%lld revoked=%d\n", t.account_id(),
                static_cast<unsigned long long>(t.steam_id()), t.app_id(), word(t.owner()).c_str(),
                word(t.memo()).c_str(), static_cast<long long>(t.last_used_at()), t.revoked() ? 1 : 0);
  for (const auto& l : r.licences())
    std::printf("licence app=%u owner_steam_id=%llu expires=%lld\n", l.app_id(),
                static_cast<unsigned long long>(l.owner_steam_id()), static_cast<long long>(l.expires_at()));
  for (const auto& s : r.servers()) {
    const auto& o = s.logon();
    const auto& l = s.listing();
    std::printf(
        "server steam_id=%llu address=%s query_port=%u app=%u version=%s secure=%d dedicated=%d "
        "advertise=%d name=\"%s\" map=%s product=%s description=\"%s\" mod_dir=%s players=%u max_players=%u "
        "bots=%u password=%d tags=%s gamedata=%s region=%s spectator_port=%u spectator_name=\"%s\"\n",
        static_cast<unsigned long long>(s.steam_id()), word(s.address()).c_str(), o.query_port(), o.app_id(),
        word(o.version()).c_str(), s.secure() ? 1 : 0, o.dedicated() ? 1 : 0, l.advertise() ? 1 : 0,
        outpost::base::utf8::escapeForTerminal(l.name()).c_str(), word(l.map()).c_str(), word(o.product()).c_str(),
        outpost::base::utf8::escapeForTerminal(o.description()).c_str(), word(o.mod_dir()).c_str(), l.players(),
        l.max_players(), l.bots(), l.password() ? 1 : 0, word(l.tags()).c_str(), word(l.gamedata()).c_str(),
        word(l.region()).c_str(), l.spectator_port(),
        outpost::base::utf8::escapeForTerminal(l.spectator_name()).c_str());
  }
  for (const auto& [k, v] : r.counters()) std::printf("%s %llu\n", word(k).c_str(), static_cast<unsigned long long>(v));
}

}  // namespace

int runAdminCommand(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
  const char* env_hub = std::getenv("OUTPOST_HUB");
  const char* env_key = std::getenv("OUTPOST_HUB_KEY");
  const char* env_token = std::getenv("OUTPOST_ADMIN_TOKEN");
  std::string hub = env_hub && *env_hub ? env_hub : "127.0.0.1:27100";
  std::string key = env_key ? env_key : "";
  std::string token = env_token ? env_token : "";
  std::string data_dir, token_file, unused, error;
  takeOption(args, "--hub", &hub);
  takeOption(args, "--hub-key", &key);
  takeOption(args, "--data-dir", &data_dir);
  takeOption(args, "--admin-token-file", &token_file);
  if (takeOption(args, "--admin-token", &unused)) {
    std::fprintf(stderr,
                 "outpost admin: --admin-token is gone: a token on the command line is visible to other users "
                 "(ps, shell history); use --admin-token-file FILE, OUTPOST_ADMIN_TOKEN or --data-dir DIR\n");
    return 2;
  }
  // Options the commands take (buildRequest); anything else that looks like an option is named.
  const std::vector<std::string> with_value = {
      "--required-version", "--memo", "--borrowed-from", "--expires", "--reason",   "--password-file", "--request",
      "--request-file",     "--app",  "--steam-id",      "--address", "--lifetime", "--out",           "--anonymous"};
  const std::vector<std::string> bare = {"--officer", "--remove", "--vac", "--publisher", "--password-stdin"};
  for (size_t i = 0; i < args.size(); ++i) {
    bool takes_value = std::find(with_value.begin(), with_value.end(), args[i]) != with_value.end();
    if (takes_value) {
      ++i;
    } else if (args[i].rfind("--", 0) == 0 && std::find(bare.begin(), bare.end(), args[i]) == bare.end()) {
      std::fprintf(stderr, "outpost admin: unknown option \"%s\"\n", args[i].c_str());
      return usage();
    }
  }
  if (!data_dir.empty()) {
    std::string data_key;
    if (!outpost::hubrpc::readClientCredentials(data_dir, &data_key, &token, &error)) {
      std::fprintf(stderr, "outpost admin: %s\n", error.c_str());
      return 2;
    }
    if (key.empty()) key = data_key;
  }
  if (!token_file.empty() && !outpost::hubrpc::readSecretFile(token_file, &token, &error)) {
    std::fprintf(stderr, "outpost admin: %s\n", error.c_str());
    return 2;
  }
  auto target = outpost::hubrpc::resolveHub(hub, key, &error);
  if (!target) {
    std::fprintf(stderr, "outpost admin: %s\n", error.c_str());
    return 2;
  }
  auto normalised_token = outpost::hubrpc::normaliseHubKey(token);  // 64 hex, any case
  if (target->key_hex.empty() || !normalised_token) {
    std::fprintf(stderr, "outpost admin: the hub's public key and the admin token (64 hex characters) are required\n");
    return usage();
  }
  std::string out_file;
  takeOption(args, "--out", &out_file);
  outpost::hubrpc::Envelope request;
  AdminRequest* r = request.mutable_admin_request();
  r->set_admin_token(*normalised_token);
  if (!buildRequest(args, *r)) return usage();

  outpost::hubrpc::HubClient client;
  if (!client.connect(target->address, target->key_hex, 5000, &error)) {
    std::fprintf(stderr, "outpost admin: %s\n", error.c_str());
    return 3;
  }
  auto response = client.call(request, 30000, &error);
  if (!response || !response->has_admin_response()) {
    std::fprintf(stderr, "outpost admin: %s\n", error.empty() ? "no answer" : error.c_str());
    return 3;
  }
  const AdminResponse& a = response->admin_response();
  if (a.result() != 1) {
    std::fprintf(stderr, "outpost admin: refused (result %d): %s\n", a.result(),
                 outpost::base::utf8::escapeForTerminal(a.error()).c_str());
    return 1;
  }
  print(a);
  if (!out_file.empty() && !a.certificate().empty()) {
    FILE* f = std::fopen(out_file.c_str(), "wb");
    if (!f || std::fwrite(a.certificate().data(), 1, a.certificate().size(), f) != a.certificate().size()) {
      if (f) std::fclose(f);
      std::fprintf(stderr, "outpost admin: cannot write %s\n", out_file.c_str());
      return 1;
    }
    std::fclose(f);
  }
  return 0;
}
