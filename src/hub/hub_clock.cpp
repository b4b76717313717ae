// HubClock (see hub_clock.h): the daemon's instance.
#include "hub/hub_clock.h"

namespace outpost::hub {

const SystemHubClock& SystemHubClock::instance() {
  static const SystemHubClock clock;
  return clock;
}

}  // namespace outpost::hub
