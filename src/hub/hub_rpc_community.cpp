// Hub: the community family (see hub.h) — GroupStatusRequest, AssociateClan,
// PlayerCompatRequest, GameplayStatsRequest. Only a logged-on game server asks, and only about
// players holding an auth session on it: a server learns nothing about a player who did not
// present it a ticket. Hub thread. docs/spec/hub-rpc.md §7.
#include "hub/hub.h"
#include "outpost/steam_id.h"

namespace outpost::hub {

void Hub::onGroupStatus(uint32_t connection, const hubrpc::Envelope& request) {
  const auto& g = request.group_status_request();
  uint32_t clan = steamid::accountId(steamid::clanIdFromAny(g.group_id()));  // full, bare or sign-extended
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  auto* r = response.mutable_group_status_result();
  r->set_steam_id(g.steam_id());
  r->set_group_id(steamid::clan(clan));
  if (!servers_->serverOf(connection)) {
    counters_.add(HubCounter::kRpcRefusedNotAServer);
    r->set_result(RESULT_NOT_LOGGED_ON);
  } else if (!players_->inSession(connection, g.steam_id())) {
    counters_.add(HubCounter::kRpcRefusedNotInSession);
    r->set_result(RESULT_ACCESS_DENIED);
  } else {
    r->set_result(RESULT_OK);
    if (auto m = store_->membership(clan, steamid::accountId(g.steam_id()))) {
      r->set_member(true);
      r->set_officer(m->officer);
    }
  }
  send(connection, response);
}

void Hub::onAssociateClan(uint32_t connection, const hubrpc::Envelope& request) {
  uint32_t clan = steamid::accountId(steamid::clanIdFromAny(request.associate_clan().clan_id()));
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  int32_t result = RESULT_OK;
  auto server = servers_->serverOf(connection);
  if (!server) {
    counters_.add(HubCounter::kRpcRefusedNotAServer);
    result = RESULT_NOT_LOGGED_ON;
  } else if (!store_->getGroup(clan)) {
    result = RESULT_FAIL;
  } else if (!server->owner_account || !store_->membership(clan, server->owner_account)) {
    // A server speaks for a clan only if its login token's owner is a member: otherwise anyone
    // could associate with any clan and count whom its members block.
    counters_.add(HubCounter::kRpcRefusedNotAMember);
    result = RESULT_ACCESS_DENIED;
  }
  if (result == RESULT_OK) clan_of_server_[connection] = clan;
  response.mutable_associate_clan_result()->set_result(result);
  send(connection, response);
}

void Hub::onPlayerCompat(uint32_t connection, const hubrpc::Envelope& request) {
  uint64_t candidate = request.player_compat_request().steam_id();
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  auto* r = response.mutable_player_compat_result();
  r->set_steam_id(candidate);
  if (!servers_->serverOf(connection)) {
    counters_.add(HubCounter::kRpcRefusedNotAServer);
    r->set_result(RESULT_NOT_LOGGED_ON);
    return send(connection, response);
  }
  if (!players_->inSession(connection, candidate)) {
    counters_.add(HubCounter::kRpcRefusedNotInSession);
    r->set_result(RESULT_ACCESS_DENIED);
    return send(connection, response);
  }
  uint32_t cand = steamid::accountId(candidate);
  int dont_like = 0, candidate_dislikes = 0, clan_dont_like = 0;
  for (uint64_t user : players_->authenticatedUsers(connection)) {
    if (user == candidate) continue;
    uint32_t u = steamid::accountId(user);
    dont_like += store_->blocks(u, cand);
    candidate_dislikes += store_->blocks(cand, u);
  }
  auto clan = clan_of_server_.find(connection);
  if (clan != clan_of_server_.end())
    for (const auto& m : store_->members(clan->second))
      if (m.account_id != cand) clan_dont_like += store_->blocks(m.account_id, cand);
  r->set_result(RESULT_OK);
  r->set_players_dont_like_candidate(dont_like);
  r->set_players_candidate_doesnt_like(candidate_dislikes);
  r->set_clan_players_dont_like_candidate(clan_dont_like);
  send(connection, response);
}

void Hub::onGameplayStats(uint32_t connection, const hubrpc::Envelope& request) {
  hubrpc::Envelope response;
  response.set_request_id(request.request_id());
  auto* r = response.mutable_gameplay_stats_result();
  auto server = servers_->serverOf(connection);
  if (!server) {
    counters_.add(HubCounter::kRpcRefusedNotAServer);
    r->set_result(RESULT_NOT_LOGGED_ON);
    return send(connection, response);
  }
  players_->flushStats();
  int64_t connects = 0, seconds = 0;
  int rank = 0;
  store_->serverStats(server->steam_id, server->app_id, &connects, &seconds, &rank);
  r->set_result(RESULT_OK);
  r->set_rank(rank);
  r->set_total_connects(static_cast<uint32_t>(connects));
  r->set_total_minutes_played(static_cast<uint32_t>(seconds / 60));
  send(connection, response);
}

}  // namespace outpost::hub
