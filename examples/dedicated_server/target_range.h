// The example game's rules, with no networking: a target moves around a ring of kRingSize
// positions, changing speed and direction now and then; a shot hits when it lands within
// kHitRadius positions of the target (3 points for a direct hit, 1 otherwise). The random
// generator is seeded by the caller, so a test can replay a game. Single-threaded.
#pragma once

#include <cstdint>
#include <random>

#include "game_protocol.h"

namespace example {

inline constexpr int kHitRadius = 2;

struct ShotVerdict {
  bool hit = false;
  uint32_t points = 0;  // 0, 1, or 3 for a direct hit
  int distance = 0;     // ring distance between the aim and the target
};

class TargetRange {
 public:
  explicit TargetRange(uint32_t seed);
  // One game tick: the target moves by its velocity; one tick in ten it may change velocity.
  void tick();
  ShotVerdict judge(uint8_t aim) const;
  State state() const { return {tick_, target_, velocity_}; }

 private:
  std::mt19937 rng_;
  uint32_t tick_ = 0;
  uint8_t target_ = 0;
  int8_t velocity_ = 1;
};

// The shorter way round the ring between two positions.
int ringDistance(int a, int b);

}  // namespace example
