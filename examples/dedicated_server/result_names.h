// Readable names for the SDK's numeric results in the example server's log: EResult values a
// game server meets, BeginAuthSessionResult, AuthSessionResponse and DenyReason. Pure functions.
#pragma once

namespace example {

const char* resultName(int result);
const char* beginAuthResultName(int result);
const char* authResponseName(int response);
const char* denyReasonName(int reason);

}  // namespace example
