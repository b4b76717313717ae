// Server strings: the limits of a game server's logon and listing fields, and the one check both
// ends apply — the SDK's setters (a caller's mistake: refused with a logged reason, never
// truncated) and the hub (a hostile or broken server: the logon or listing is refused with
// InvalidParam naming the field). docs/spec/hub-rpc.md §4.6 lists them.
//
// Limits are buffer sizes that include the NUL terminator, as the reference's MAX_GAME_SERVER_*
// are (godotsteam-api.md §2.3, "buffer sizes including the NUL terminator"): a string may have one
// byte less. Fields the reference does not bound get Outpost's own limit in the same form. A
// string must be valid UTF-8 without control characters (C0, DEL, C1): they would forge lines
// in logs and in `outpost admin servers`, and terminal escapes in anyone's console.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hubrpc.pb.h"

namespace outpost::hubrpc {

// Outpost's own buffer sizes (NUL included) for fields the reference does not bound.
inline constexpr size_t kMaxTokenBuffer = 129;      // login tokens are 48 hex characters
inline constexpr size_t kMaxVersionBuffer = 32;     // serverInit's version, "x.y.z.w"
inline constexpr size_t kMaxProductBuffer = 64;     // setProduct
inline constexpr size_t kMaxRegionBuffer = 33;      // setRegion (the SDK's limit was 32 characters)
inline constexpr uint32_t kMaxListedCount = 65535;  // players, max players, bots (the master's u16)

// "" if `value` fits a buffer of `buffer_bytes` (NUL included) and is valid UTF-8 without control
// characters; otherwise why not, for a log line ("64 bytes is over the limit of 63").
std::string checkServerString(std::string_view value, size_t buffer_bytes);

// "" if every field of the logon is acceptable; otherwise "<field>: <why>". The token is only
// bounded in size (it is a credential: the hub looks its hash up).
std::string checkServerLogOn(const ServerLogOn& logon);
// "" if every field of the listing is acceptable; otherwise "<field>: <why>".
std::string checkServerListing(const ServerListing& listing);

}  // namespace outpost::hubrpc
