// UDP sockets and batched I/O. UdpSocket owns one non-blocking socket (IPv4, or IPv6 with
// dual-stack where the address allows it). RxBatch and TxBatch wrap recvmmsg/sendmmsg with
// fixed buffers allocated once per engine, so the data path does no allocation.
// Where the kernel supports it, runs of equal-size datagrams to one destination leave as one
// UDP GSO send (UDP_SEGMENT) and arrive as one UDP GRO read (UDP_GRO), which RxBatch splits back
// into datagrams: one kernel buffer per run instead of one per datagram. Runs on whichever
// thread holds the engine lock.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/address.h"

namespace outpost::net {

inline constexpr size_t kMaxDatagramBytes = 1500;
inline constexpr size_t kBatchSize = 64;

class UdpSocket {
 public:
  // Binds to `bind` (":0" style any-addresses become dual-stack IPv6 where possible).
  static std::unique_ptr<UdpSocket> open(const base::SocketAddress& bind, std::string* error);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  const base::SocketAddress& localAddress() const { return local_; }
  // The destination in the form this socket's family needs (v4-mapped on IPv6 sockets).
  base::SocketAddress destinationFor(const base::SocketAddress& to) const;
  bool canReach(const base::SocketAddress& to) const;
  bool gso() const { return gso_; }
  void disableGso() const { gso_ = false; }
  uint64_t engine_id = 0;  // the engine's key for this socket

 private:
  UdpSocket() = default;
  int fd_ = -1;
  int family_ = 0;
  bool dual_stack_ = false;
  mutable bool gso_ = false;
  base::SocketAddress local_;
};

class RxBatch {
 public:
  static constexpr size_t kSlots = 32;
  static constexpr size_t kSlotBytes = 65536;  // room for a coalesced (GRO) read
  RxBatch();
  // Reads up to kSlots kernel datagrams. Returns the count (0 when nothing is waiting).
  int receive(const UdpSocket& socket);
  const uint8_t* data(int i) const { return buffers_.data() + static_cast<size_t>(i) * kSlotBytes; }
  size_t size(int i) const { return msgs_[i].msg_len; }
  // Size of each datagram within read i (GRO); equal to size(i) for a single datagram.
  size_t segmentSize(int i) const;
  base::SocketAddress from(int i) const;

 private:
  std::vector<uint8_t> buffers_;
  std::array<mmsghdr, kSlots> msgs_{};
  std::array<iovec, kSlots> iov_{};
  std::array<sockaddr_storage, kSlots> addrs_{};
  std::array<std::array<uint8_t, 64>, kSlots> control_{};
};

class TxBatch {
 public:
  TxBatch();
  // A buffer of kMaxDatagramBytes for the next datagram to `socket` (flushes first when the
  // batch is full or holds datagrams for another socket).
  uint8_t* next(const UdpSocket& socket);
  void commit(const UdpSocket& socket, const base::SocketAddress& to, size_t len);
  // Sends everything queued. Returns the number of datagrams the kernel refused.
  int flush();
  uint64_t sentDatagrams() const { return sent_; }
  uint64_t failedDatagrams() const { return failed_; }

 private:
  // Groups the queued datagrams into sendmmsg entries (GSO runs where possible).
  int buildMessages(bool gso);
  const UdpSocket* socket_ = nullptr;
  int count_ = 0;
  uint64_t sent_ = 0, failed_ = 0;
  std::array<std::array<uint8_t, kMaxDatagramBytes>, kBatchSize> buffers_;
  std::array<iovec, kBatchSize> iov_{};
  std::array<base::SocketAddress, kBatchSize> addrs_{};
  std::array<mmsghdr, kBatchSize> msgs_{};
  std::array<std::array<uint8_t, 32>, kBatchSize> control_{};
  std::array<int, kBatchSize> first_{};  // first datagram of each entry
};

}  // namespace outpost::net
