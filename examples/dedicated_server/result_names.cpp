// Names for the SDK's result enums (result_names.h), as the example server prints them.
#include "result_names.h"

#include "outpost/game_server.h"

namespace example {

const char* resultName(int r) {
  switch (r) {
    case outpost::RESULT_OK: return "OK";
    case outpost::RESULT_FAIL: return "failure";
    case outpost::RESULT_NO_CONNECTION: return "no connection to the hub";
    case outpost::RESULT_INVALID_PASSWORD: return "invalid password";
    case outpost::RESULT_LOGGED_IN_ELSEWHERE: return "logged in elsewhere";
    case outpost::RESULT_INVALID_PARAM: return "invalid parameter";
    case outpost::RESULT_ACCESS_DENIED: return "access denied";
    case outpost::RESULT_BANNED: return "banned";
    case outpost::RESULT_LOG_ON_SESSION_REPLACED: return "logon session replaced";
    case outpost::RESULT_REVOKED: return "revoked";
    case outpost::RESULT_EXPIRED: return "expired";
    case outpost::RESULT_GSLT_DENIED: return "login token denied";
    case outpost::RESULT_GSLT_EXPIRED: return "login token expired";
    default: return "error";
  }
}

const char* beginAuthResultName(int r) {
  switch (r) {
    case outpost::BEGIN_AUTH_SESSION_RESULT_OK: return "OK";
    case outpost::BEGIN_AUTH_SESSION_RESULT_INVALID_TICKET: return "invalid ticket";
    case outpost::BEGIN_AUTH_SESSION_RESULT_DUPLICATE_REQUEST: return "duplicate request";
    case outpost::BEGIN_AUTH_SESSION_RESULT_INVALID_VERSION: return "invalid version";
    case outpost::BEGIN_AUTH_SESSION_RESULT_GAME_MISMATCH: return "ticket for another game";
    case outpost::BEGIN_AUTH_SESSION_RESULT_EXPIRED_TICKET: return "expired ticket";
    default: return "unknown result";
  }
}

const char* authResponseName(int r) {
  switch (r) {
    case outpost::AUTH_SESSION_RESPONSE_OK: return "OK";
    case outpost::AUTH_SESSION_RESPONSE_USER_NOT_CONNECTED_TO_STEAM: return "user not connected to the hub";
    case outpost::AUTH_SESSION_RESPONSE_NO_LICENSE_OR_EXPIRED: return "no licence or expired";
    case outpost::AUTH_SESSION_RESPONSE_VAC_BANNED: return "VAC banned";
    case outpost::AUTH_SESSION_RESPONSE_LOGGED_IN_ELSEWHERE: return "logged in elsewhere";
    case outpost::AUTH_SESSION_RESPONSE_VAC_CHECK_TIMED_OUT: return "VAC check timed out";
    case outpost::AUTH_SESSION_RESPONSE_AUTH_TICKET_CANCELED: return "ticket cancelled";
    case outpost::AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID_ALREADY_USED: return "ticket already used";
    case outpost::AUTH_SESSION_RESPONSE_AUTH_TICKET_INVALID: return "ticket invalid";
    case outpost::AUTH_SESSION_RESPONSE_PUBLISHER_ISSUED_BAN: return "publisher ban";
    case outpost::AUTH_SESSION_RESPONSE_AUTH_TICKET_NETWORK_IDENTITY_FAILURE: return "ticket bound to another server";
    default: return "unknown response";
  }
}

const char* denyReasonName(int r) {
  switch (r) {
    case outpost::DENY_INVALID_VERSION: return "invalid version";
    case outpost::DENY_GENERIC: return "generic";
    case outpost::DENY_NOT_LOGGED_ON: return "not logged on";
    case outpost::DENY_NO_LICENSE: return "no licence";
    case outpost::DENY_CHEATER: return "cheater";
    case outpost::DENY_LOGGED_IN_ELSEWHERE: return "logged in elsewhere";
    case outpost::DENY_UNKNOWN_TEXT: return "unknown text";
    case outpost::DENY_INCOMPATIBLE_ANTI_CHEAT: return "incompatible anti-cheat";
    case outpost::DENY_MEMORY_CORRUPTION: return "memory corruption";
    case outpost::DENY_INCOMPATIBLE_SOFTWARE: return "incompatible software";
    case outpost::DENY_STEAM_CONNECTION_LOST: return "hub connection lost";
    case outpost::DENY_STEAM_CONNECTION_ERROR: return "hub connection error";
    case outpost::DENY_STEAM_RESPONSE_TIMED_OUT: return "hub response timed out";
    case outpost::DENY_STEAM_VALIDATION_STALLED: return "hub validation stalled";
    case outpost::DENY_STEAM_OWNER_LEFT_GUEST_USER: return "licence owner left";
    default: return "no reason given";
  }
}

}  // namespace example
