// FakeUDPPorts: the fake UDP ports of one NetworkingSockets (fake_udp_port.cpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "outpost/fake_udp_port.h"
#include "outpost/networking_sockets.h"

namespace outpost::transport {

class Engine;

class FakeUDPPorts {
 public:
  FakeUDPPorts(NetworkingSockets& net, Engine& engine) : net_(net), engine_(engine) {}
  ~FakeUDPPorts();
  FakeUDPPort* create(int index);
  void destroy(FakeUDPPort* port);

 private:
  friend class FakeUDPPortImpl;
  NetworkingSockets& net_;
  Engine& engine_;
  std::mutex mu_;
  std::vector<std::unique_ptr<FakeUDPPort>> ports_;
};

}  // namespace outpost::transport
