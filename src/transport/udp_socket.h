// UDP sockets and batched I/O. UdpSocket owns one non-blocking socket (IPv4, or IPv6 with
// dual-stack where the address allows it). RxBatch and TxBatch wrap recvmmsg/sendmmsg with
// fixed buffers allocated once per engine, so the data path does no allocation. Runs on
// whichever thread holds the engine lock.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/address.h"

namespace outpost {

inline constexpr size_t kMaxDatagramBytes = 1500;
inline constexpr size_t kBatchSize = 64;

class UdpSocket {
 public:
  // Binds to `bind` (":0" style any-addresses become dual-stack IPv6 where possible).
  static std::unique_ptr<UdpSocket> open(const SocketAddress& bind, std::string* error);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  const SocketAddress& localAddress() const { return local_; }
  // The destination in the form this socket's family needs (v4-mapped on IPv6 sockets).
  SocketAddress destinationFor(const SocketAddress& to) const;
  bool canReach(const SocketAddress& to) const;
  uint64_t engine_id = 0;  // the engine's key for this socket

 private:
  UdpSocket() = default;
  int fd_ = -1;
  int family_ = 0;
  bool dual_stack_ = false;
  SocketAddress local_;
};

class RxBatch {
 public:
  RxBatch();
  // Reads up to kBatchSize datagrams. Returns the count (0 when nothing is waiting).
  int receive(const UdpSocket& socket);
  const uint8_t* data(int i) const { return buffers_[i].data(); }
  size_t size(int i) const { return msgs_[i].msg_len; }
  SocketAddress from(int i) const;

 private:
  std::array<std::array<uint8_t, kMaxDatagramBytes>, kBatchSize> buffers_;
  std::array<mmsghdr, kBatchSize> msgs_{};
  std::array<iovec, kBatchSize> iov_{};
  std::array<sockaddr_storage, kBatchSize> addrs_{};
};

class TxBatch {
 public:
  TxBatch();
  // A buffer of kMaxDatagramBytes for the next datagram to `socket` (flushes first when the
  // batch is full or holds datagrams for another socket).
  uint8_t* next(const UdpSocket& socket);
  void commit(const UdpSocket& socket, const SocketAddress& to, size_t len);
  // Sends everything queued. Returns the number of datagrams the kernel refused.
  int flush();
  uint64_t sentDatagrams() const { return sent_; }
  uint64_t failedDatagrams() const { return failed_; }

 private:
  const UdpSocket* socket_ = nullptr;
  int count_ = 0;
  uint64_t sent_ = 0, failed_ = 0;
  std::array<std::array<uint8_t, kMaxDatagramBytes>, kBatchSize> buffers_;
  std::array<mmsghdr, kBatchSize> msgs_{};
  std::array<iovec, kBatchSize> iov_{};
  std::array<SocketAddress, kBatchSize> addrs_{};
};

}  // namespace outpost
