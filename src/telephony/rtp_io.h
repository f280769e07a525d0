// RtpIo: the UDP sockets that carry every call's RTP, on the libre loop thread.
//
// Why not libre's rtp_sock: it receives and sends each datagram with its own syscall, and each
// received one costs an epoll wake-up too. At 2,000 calls that is 200,000 packets a second,
// and the kernel's syscall path took two thirds of the loop's one core (docs/benchmarks.md).
// The io_uring backend queues the sends of one media tick and submits them with one syscall;
// it receives through a multishot recvmsg per socket into one shared ring of buffers, and
// hands the packets over at the next Poll (the media tick), with no syscall per packet.
// Where the kernel refuses io_uring (old kernels, seccomp filters in containers) the plain
// backend does the same a packet at a time on the libre loop. libre still encodes and decodes
// the RTP headers (rtp_hdr_encode/decode in MediaSession); only the socket I/O lives here.
//
// RTCP: no RTCP socket is bound (the old rtp_sock bound one and never read it).
// Thread-safety: all on the libre loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>

#include "core/status.h"

struct sa;  // libre

namespace dozvon {

struct RtpIoCounters {
  int64_t sent = 0;
  int64_t send_errors = 0;  // the kernel refused the datagram, or no send buffer was free
  int64_t received = 0;
  int64_t receive_dropped = 0;  // truncated (larger than a receive buffer) or malformed
  int64_t receive_rearms = 0;   // uring: a socket's multishot receive ended and was re-armed
  int64_t receive_errors = 0;   // uring: sockets whose receive kept failing and was given up
  // Datagrams given a due time that left more than 20 ms after it (uring: judged after each
  // chunk of the submission that carried them, so to within one chunk's sends).
  int64_t late_sends = 0;
  int64_t submit_delay_max_us = 0;  // uring: longest from a tick's Flush to its submission's end
  // uring: where that longest went. From the Flush until the submitting thread woke, then its
  // submission of `sends` datagrams; the CPU time the thread got from waking to the end, and
  // its run-queue wait from going to sleep to the end (runnable but off a CPU, or on a vCPU
  // the hypervisor had stopped; -1 without schedstat).
  struct SubmitLongest {
    int64_t wake_us = 0, submit_us = 0, cpu_us = 0, runqueue_wait_us = 0, sends = 0;
  } submit_longest;
  // The most any datagram given a due time left after it (negative: every one left early).
  int64_t send_delay_max_us = std::numeric_limits<int64_t>::min();
};

class RtpIo {
 public:
  enum class Backend { kUring, kPlain };
  // `src` and the bytes are valid only during the call. It may Send, never Close its own handle.
  using PacketFn = void (*)(void* arg, const struct sa* src, const uint8_t* data, size_t len);

  // kUring unless DOZVON_RTP_IO=plain or the kernel refuses io_uring; then kPlain.
  static std::unique_ptr<RtpIo> Create();
  // `want` kUring still falls back to kPlain when io_uring cannot be set up.
  static std::unique_ptr<RtpIo> Create(Backend want);
  virtual ~RtpIo() = default;

  virtual Backend backend() const = 0;
  // A UDP socket on `ip` at a free even port in 10000-59998, picked at random. Returns its
  // handle (> 0) and writes the bound address to `local`.
  virtual Result<uint64_t> Open(const struct sa& ip, PacketFn fn, void* arg, struct sa* local) = 0;
  // No callback for this handle after Close. Datagrams already queued are still sent.
  virtual void Close(uint64_t handle) = 0;
  // Copies the datagram: kUring sends it at the next Flush, kPlain at once. `due_us` (steady
  // clock, 0 = none) is when it should leave: one that leaves over 20 ms later counts late.
  virtual void Send(uint64_t handle, const struct sa& dst, const uint8_t* data, size_t len,
                    int64_t due_us = 0) = 0;
  // Microseconds on the clock `due_us` is read on: MonotonicUs (event_loop.h).
  static int64_t NowUs();
  // kUring: delivers the datagrams received since the last Poll. kPlain: nothing to do, the
  // libre loop delivers them as they arrive.
  virtual void Poll() = 0;
  virtual void Flush() = 0;
  // True when datagrams arrive only through Poll: something must call it while sockets are open.
  virtual bool needs_poll() const = 0;
  virtual size_t open_count() const = 0;
  const RtpIoCounters& counters() const { return counters_; }

 protected:
  RtpIoCounters counters_;
};

const char* ToString(RtpIo::Backend b);

}  // namespace dozvon
