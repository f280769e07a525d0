#include "telephony/rtp_io.h"

#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

extern "C" {
#include <re.h>
}

#include "telephony/event_loop.h"
#include "telephony/realtime.h"
#include "telephony/thread_clock.h"

namespace dozvon {
namespace {

constexpr uint16_t kMinPort = 10000;
constexpr uint16_t kMaxPort = 59998;
constexpr size_t kMaxDatagram = 1500;
constexpr int64_t kLateUs = 20000;  // a frame sent later than this after its due time is late

// A non-blocking UDP socket at a random free even port on `ip`.
Result<int> BindEvenPort(const struct sa& ip, struct sa* local) {
  int fd = ::socket(sa_af(&ip), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0) return Status::Unavailable(std::string("RTP socket: ") + std::strerror(errno));
  // A random pick can collide with thousands of calls up: retry, like libre's rtp_listen.
  int err = EADDRINUSE;
  struct sa addr = ip;
  for (int attempt = 0; attempt < 64 && err == EADDRINUSE; ++attempt) {
    const uint16_t span = (kMaxPort - kMinPort) / 2 + 1;
    sa_set_port(&addr, static_cast<uint16_t>(kMinPort + 2 * (rand_u16() % span)));
    err = ::bind(fd, &addr.u.sa, addr.len) == 0 ? 0 : errno;
  }
  if (err) {
    ::close(fd);
    return Status::Unavailable(std::string("RTP bind: ") + std::strerror(err));
  }
  *local = addr;
  return fd;
}

// ---- plain: a socket per call on the libre loop, a syscall per datagram ----

class PlainRtpIo final : public RtpIo {
 public:
  ~PlainRtpIo() override {
    for (auto& [id, s] : socks_) {
      fd_close(s->fd);
      ::close(s->fd);
    }
  }
  Backend backend() const override { return Backend::kPlain; }
  bool needs_poll() const override { return false; }
  size_t open_count() const override { return socks_.size(); }
  void Poll() override {}
  void Flush() override {}

  Result<uint64_t> Open(const struct sa& ip, PacketFn fn, void* arg, struct sa* local) override {
    auto fd = BindEvenPort(ip, local);
    if (!fd.ok()) return fd.status();
    auto s = std::make_unique<Sock>(Sock{*fd, fn, arg, next_id_++, this});
    if (int err = fd_listen(s->fd, FD_READ, &PlainRtpIo::OnReadable, s.get())) {
      ::close(s->fd);
      return Status::Unavailable(std::string("RTP fd_listen: ") + std::strerror(err));
    }
    uint64_t id = s->id;
    socks_.emplace(id, std::move(s));
    return id;
  }

  void Close(uint64_t handle) override {
    auto it = socks_.find(handle);
    if (it == socks_.end()) return;
    fd_close(it->second->fd);
    ::close(it->second->fd);
    socks_.erase(it);
  }

  void Send(uint64_t handle, const struct sa& dst, const uint8_t* data, size_t len,
            int64_t due_us) override {
    auto it = socks_.find(handle);
    if (it == socks_.end()) return;
    if (due_us > 0) {
      const int64_t delay = NowUs() - due_us;
      counters_.late_sends += delay > kLateUs;
      counters_.send_delay_max_us = std::max(counters_.send_delay_max_us, delay);
    }
    if (::sendto(it->second->fd, data, len, 0, &dst.u.sa, dst.len) < 0) {
      ++counters_.send_errors;
    } else {
      ++counters_.sent;
    }
  }

 private:
  struct Sock {
    int fd;
    PacketFn fn;
    void* arg;
    uint64_t id;
    PlainRtpIo* io;
  };

  static void OnReadable(int flags, void* arg) {
    (void)flags;
    auto* s = static_cast<Sock*>(arg);
    PlainRtpIo* io = s->io;
    const uint64_t id = s->id;
    uint8_t buf[kMaxDatagram];
    // A few per wake-up: a call gets one packet each 20 ms, a burst must not starve the loop.
    for (int i = 0; i < 8; ++i) {
      auto it = io->socks_.find(id);  // the callback may have closed it
      if (it == io->socks_.end()) return;
      struct sockaddr_storage from;
      socklen_t from_len = sizeof(from);
      ssize_t n = ::recvfrom(it->second->fd, buf, sizeof(buf), MSG_TRUNC,
                             reinterpret_cast<struct sockaddr*>(&from), &from_len);
      if (n < 0) return;
      if (static_cast<size_t>(n) > sizeof(buf)) {
        ++io->counters_.receive_dropped;
        continue;
      }
      ++io->counters_.received;
      struct sa src;
      sa_set_sa(&src, reinterpret_cast<struct sockaddr*>(&from));
      it->second->fn(it->second->arg, &src, buf, static_cast<size_t>(n));
    }
  }

  std::unordered_map<uint64_t, std::unique_ptr<Sock>> socks_;
  uint64_t next_id_ = 1;
};

// ---- io_uring: batched sends, multishot receives into a shared buffer ring ----

class UringRtpIo final : public RtpIo {
 public:
  static std::unique_ptr<UringRtpIo> Create(std::string* why) {
    std::unique_ptr<UringRtpIo> io(new UringRtpIo());
    if (!io->Init(why)) return nullptr;
    return io;
  }

  ~UringRtpIo() override {
    if (submitter_.joinable()) {
      stop_.store(true);
      Kick();
      submitter_.join();
    }
    if (!ring_ok_) return;
    io_uring_queue_exit(&ring_);  // cancels what is pending before the sockets close
    for (auto& [id, e] : eps_) ::close(e.fd);
    if (br_) munmap(br_, BufRingBytes());
  }

  Backend backend() const override { return Backend::kUring; }
  bool needs_poll() const override { return true; }
  size_t open_count() const override { return open_; }

  Result<uint64_t> Open(const struct sa& ip, PacketFn fn, void* arg, struct sa* local) override {
    auto fd = BindEvenPort(ip, local);
    if (!fd.ok()) return fd.status();
    uint64_t id = next_id_++;
    Endpoint& e = eps_[id];
    e.fd = *fd;
    e.fn = fn;
    e.arg = arg;
    ++open_;
    ArmReceive(id, e);
    return id;
  }

  void Close(uint64_t handle) override {
    auto it = eps_.find(handle);
    if (it == eps_.end() || it->second.closing) return;
    Endpoint& e = it->second;
    e.closing = true;
    e.fn = nullptr;
    --open_;
    QueueCancel(handle);
  }

  void Send(uint64_t handle, const struct sa& dst, const uint8_t* data, size_t len,
            int64_t due_us) override {
    auto it = eps_.find(handle);
    if (it == eps_.end() || len > kMaxSend) {
      ++counters_.send_errors;
      return;
    }
    struct io_uring_sqe* sqe = free_slots_.empty() ? nullptr : Sqe();
    if (!sqe) {  // every buffer in flight, or the submitter stuck: drop, never block the loop
      ++counters_.send_errors;
      return;
    }
    uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    SendSlot& s = slots_[slot];
    std::memcpy(s.data, data, len);
    std::memcpy(&s.addr, &dst.u, dst.len);
    s.iov = {s.data, len};
    s.msg = {};
    s.msg.msg_name = &s.addr;
    s.msg.msg_namelen = dst.len;
    s.msg.msg_iov = &s.iov;
    s.msg.msg_iovlen = 1;
    io_uring_prep_sendmsg(sqe, it->second.fd, &s.msg, 0);
    io_uring_sqe_set_data64(sqe, Tag(slot, Op::kSend));
    sqe_due_[sqe - ring_.sq.sqes] = due_us;
    ++sends_since_flush_;
  }

  void Flush() override {
    Publish();
    if (sends_since_flush_ > 0) {
      std::lock_guard<std::mutex> lock(flushes_mu_);
      flushes_.push_back(NowUs());
      sends_since_flush_ = 0;
    }
    Kick();
  }

  void Poll() override {
    // Bounded: the callbacks queue sends, never receives, so this ends.
    for (int round = 0; round < 64; ++round) {
      struct io_uring_cqe* cqes[256];
      unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, 256);
      if (n == 0) break;
      for (unsigned i = 0; i < n; ++i) Complete(cqes[i]);
      io_uring_cq_advance(&ring_, n);
    }
    if (recycled_) io_uring_buf_ring_advance(br_, static_cast<int>(recycled_));
    recycled_ = 0;
    counters_.late_sends = late_sends_.load();
    counters_.submit_delay_max_us = submit_delay_max_us_.load();
    counters_.send_delay_max_us = send_delay_max_us_.load();
    if (submit_longest_new_.load()) {
      std::lock_guard<std::mutex> lock(flushes_mu_);
      counters_.submit_longest = submit_longest_;
      submit_longest_new_ = false;
    }
    // Re-arm the receives that ended (their buffers are back in the ring now).
    std::vector<uint64_t> ids;
    ids.swap(rearm_);
    for (uint64_t id : ids) {
      auto it = eps_.find(id);
      if (it != eps_.end() && !it->second.closing && !it->second.receiving) {
        ++counters_.receive_rearms;
        ArmReceive(id, it->second);
      }
    }
    ids.clear();
    ids.swap(retry_cancel_);
    for (uint64_t id : ids) QueueCancel(id);
  }

 private:
  enum class Op : uint64_t { kReceive = 0, kSend = 1, kCancel = 2 };
  // 2,000 calls queue 500 sends a tick: the SQ holds 160 ms of them, time for a submitter
  // starved of CPU to catch up before sends are dropped.
  static constexpr unsigned kEntries = 16384;
  static constexpr unsigned kCqEntries = 65536;   // sends and receives of about 300 ms
  static constexpr unsigned kRecvBuffers = 4096;  // a power of two (the ring's mask)
  // A buffer holds the recvmsg header and the source address too: 640 bytes leave 596 for
  // the datagram, G.711 up to 60 ms a packet. Larger ones are dropped (counted).
  static constexpr size_t kRecvBufferSize = 640;
  static constexpr unsigned kSendSlots = kEntries;
  static constexpr size_t kMaxSend = 512;  // G.711 up to 60 ms a packet
  static constexpr int kGroup = 0;
  // The submitter enters the kernel for this many SQEs at a time and reads the clock after
  // each: a send's lateness is then known to within one chunk's sends (well under 1 ms), not
  // a whole tick's 500.
  static constexpr unsigned kSubmitChunk = 64;

  struct Endpoint {
    int fd = -1;
    PacketFn fn = nullptr;
    void* arg = nullptr;
    bool closing = false;
    bool receiving = false;  // a multishot receive is armed
    bool cancelled = false;  // the cancel sent by Close completed
    int failures = 0;        // receives ended by an error in a row (not a dry buffer ring)
  };
  struct SendSlot {
    struct msghdr msg;
    struct iovec iov;
    struct sockaddr_storage addr;
    uint8_t data[kMaxSend];
  };

  static uint64_t Tag(uint64_t id, Op op) { return id << 2 | static_cast<uint64_t>(op); }

  size_t BufRingBytes() const { return kRecvBuffers * sizeof(struct io_uring_buf); }

  bool Init(std::string* why) {
    struct io_uring_params p {};
    // COOP_TASKRUN: the receives' task work waits for the submitter's next enter (each tick)
    // instead of interrupting it for every packet.
    p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN;
    p.cq_entries = kCqEntries;
    int err = io_uring_queue_init_params(kEntries, &ring_, &p);
    if (err == -EINVAL) {  // a kernel before 5.19 lacks the hint
      p.flags = IORING_SETUP_CQSIZE;
      err = io_uring_queue_init_params(kEntries, &ring_, &p);
    }
    if (err < 0) {
      *why = std::string("io_uring_queue_init: ") + std::strerror(-err);
      return false;
    }
    ring_ok_ = true;
    // Publish() writes only the SQ tail: every slot must map to its own SQE, as liburing
    // sets it up; set it again rather than rely on that.
    for (unsigned i = 0; i < ring_.sq.ring_entries; ++i) ring_.sq.array[i] = i;
    void* mem =
        mmap(nullptr, BufRingBytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) {
      *why = std::string("mmap: ") + std::strerror(errno);
      return false;
    }
    br_ = static_cast<struct io_uring_buf_ring*>(mem);
    struct io_uring_buf_reg reg {};
    reg.ring_addr = reinterpret_cast<uint64_t>(br_);
    reg.ring_entries = kRecvBuffers;
    reg.bgid = kGroup;
    err = io_uring_register_buf_ring(&ring_, &reg, 0);
    if (err < 0) {  // kernels before 5.19
      *why = std::string("io_uring_register_buf_ring: ") + std::strerror(-err);
      return false;
    }
    io_uring_buf_ring_init(br_);
    buffers_.reset(new uint8_t[kRecvBuffers * kRecvBufferSize]);
    for (unsigned i = 0; i < kRecvBuffers; ++i) {
      io_uring_buf_ring_add(br_, &buffers_[i * kRecvBufferSize], kRecvBufferSize, i,
                            io_uring_buf_ring_mask(kRecvBuffers), static_cast<int>(i));
    }
    io_uring_buf_ring_advance(br_, kRecvBuffers);
    // Default-initialised: pages are touched only as slots are first used (LIFO reuse keeps
    // the working set to what is in flight).
    slots_.reset(new SendSlot[kSendSlots]);
    sqe_due_.reset(new int64_t[ring_.sq.ring_entries]());
    for (uint32_t i = kSendSlots; i > 0; --i) free_slots_.push_back(i - 1);
    recv_msg_ = {};
    recv_msg_.msg_namelen = sizeof(struct sockaddr_in6);
    // The kernel must support multishot recvmsg (6.0): probe it by its opcode.
    struct io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    bool ok = probe && io_uring_opcode_supported(probe, IORING_OP_RECVMSG) &&
              io_uring_opcode_supported(probe, IORING_OP_SENDMSG) &&
              io_uring_opcode_supported(probe, IORING_OP_ASYNC_CANCEL);
    if (probe) io_uring_free_probe(probe);
    if (!ok) {
      *why = "io_uring lacks recvmsg/sendmsg";
      return false;
    }
    if (!Probe(why)) return false;
    submitter_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "dozvon-rtp-io");
      ApplyMediaPriorityOrWarn();  // a late submission is a late frame
      SubmitLoop();
    });
    return true;
  }

  // Returns a probe completion's buffer to the ring at once.
  void GiveBack(const struct io_uring_cqe* cqe) {
    if (!(cqe->flags & IORING_CQE_F_BUFFER)) return;
    const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
    io_uring_buf_ring_add(br_, &buffers_[bid * kRecvBufferSize], kRecvBufferSize,
                          static_cast<unsigned short>(bid), io_uring_buf_ring_mask(kRecvBuffers),
                          0);
    io_uring_buf_ring_advance(br_, 1);
  }

  // Multishot recvmsg with provided buffers needs Linux 6.0, and a seccomp filter may allow
  // io_uring_setup but not its work: receive one datagram on a loopback socket the way every
  // call will, before trusting the ring with calls.
  bool Probe(std::string* why) {
    struct sa lo;
    sa_set_str(&lo, "127.0.0.1", 0);
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    socklen_t len = lo.len;
    bool ok =
        fd >= 0 && ::bind(fd, &lo.u.sa, lo.len) == 0 && ::getsockname(fd, &lo.u.sa, &len) == 0;
    struct io_uring_sqe* sqe = ok ? io_uring_get_sqe(&ring_) : nullptr;
    if (sqe) {
      io_uring_prep_recvmsg_multishot(sqe, fd, &recv_msg_, 0);
      sqe->flags |= IOSQE_BUFFER_SELECT;
      sqe->buf_group = kGroup;
      io_uring_sqe_set_data64(sqe, 1);
      const char byte = 'p';
      ok = io_uring_submit(&ring_) == 1 && ::sendto(fd, &byte, 1, 0, &lo.u.sa, lo.len) == 1;
    }
    struct io_uring_cqe* cqe = nullptr;
    struct __kernel_timespec wait = {1, 0};
    ok = ok && io_uring_wait_cqe_timeout(&ring_, &cqe, &wait) == 0 && cqe;
    if (ok) {
      ok = cqe->res > 0 && (cqe->flags & IORING_CQE_F_MORE) && (cqe->flags & IORING_CQE_F_BUFFER);
      if (!ok) {
        *why =
            std::string("multishot recvmsg: ") + std::strerror(cqe->res < 0 ? -cqe->res : EINVAL);
      }
      GiveBack(cqe);
      io_uring_cqe_seen(&ring_, cqe);
    } else if (why->empty()) {
      *why = "io_uring probe: no datagram received";
    }
    // Cancel the probe's receive and drain what that produces.
    if (struct io_uring_sqe* c = io_uring_get_sqe(&ring_)) {
      io_uring_prep_cancel64(c, 1, 0);
      io_uring_sqe_set_data64(c, 2);
      io_uring_submit(&ring_);
    }
    bool cancel_done = false, receive_done = false;
    for (int i = 0; i < 8 && !(cancel_done && receive_done); ++i) {
      struct __kernel_timespec w = {0, 200 * 1000 * 1000};
      if (io_uring_wait_cqe_timeout(&ring_, &cqe, &w) != 0) break;
      GiveBack(cqe);
      if (io_uring_cqe_get_data64(cqe) == 2) cancel_done = true;
      if (io_uring_cqe_get_data64(cqe) == 1 && !(cqe->flags & IORING_CQE_F_MORE)) {
        receive_done = true;
      }
      io_uring_cqe_seen(&ring_, cqe);
    }
    if (fd >= 0) ::close(fd);
    return ok;
  }

  // The submitting thread. It runs no call logic: it only enters the kernel when a tick has
  // queued work, so the kernel's send path (on loopback, the receiver's path too) and the
  // receives' task work run there, on another core, instead of in the loop's one thread.
  // SQPOLL would do the same with a kernel thread, but it spins for its idle time (at least
  // one 4 ms jiffy here), which with a 5 ms tick is a whole core.
  // A send given a due time counts late when the kernel has taken it more than 20 ms after
  // that time (UDP sends run inside io_uring_enter): late queueing by the tick and this
  // thread's own delays alike.
  void SubmitLoop() {
    uint32_t seen = 0;
    std::vector<int64_t> batch;
    RunQueueClock runqueue;
    int64_t waited0_us = runqueue.WaitedUs();
    while (!stop_.load()) {
      kick_.wait(seen);
      const int64_t woke_us = NowUs();
      const int64_t cpu0_us = ThreadCpuUs();
      seen = kick_.load();
      {
        std::lock_guard<std::mutex> lock(flushes_mu_);
        batch.swap(flushes_);
      }
      const int64_t sends = SubmitPublished();
      const int64_t done = NowUs();
      const int64_t waited_us = runqueue.WaitedUs();
      if (!batch.empty()) {
        const int64_t first_us = *std::min_element(batch.begin(), batch.end());
        if (done - first_us > submit_delay_max_us_.load()) {
          submit_delay_max_us_ = done - first_us;
          std::lock_guard<std::mutex> lock(flushes_mu_);
          submit_longest_ = {woke_us - first_us, done - woke_us, ThreadCpuUs() - cpu0_us,
                             RunQueueClock::Between(waited0_us, waited_us), sends};
          submit_longest_new_ = true;
        }
      }
      waited0_us = waited_us;
      batch.clear();
    }
  }

  // Submits what Publish made visible, a chunk at a time, then flushes an overflowed CQ and
  // runs pending task work (GETEVENTS). Returns how many SQEs the kernel took.
  int64_t SubmitPublished() {
    struct io_uring_sq* sq = &ring_.sq;
    // Acquire pairs with Publish: the SQEs and their due times up to `tail` are visible.
    const unsigned tail = io_uring_smp_load_acquire(sq->ktail);
    unsigned head = io_uring_smp_load_acquire(sq->khead);
    int64_t dues[kSubmitChunk];
    int64_t late = 0, taken_all = 0;
    // Bounded: each round takes at least one SQE of the at most ring_entries published.
    for (unsigned round = 0; head != tail && round < sq->ring_entries; ++round) {
      const unsigned n = std::min(tail - head, kSubmitChunk);
      // Copied before the enter: once the kernel takes an SQE the loop may reuse its slot.
      for (unsigned i = 0; i < n; ++i) dues[i] = sqe_due_[(head + i) & sq->ring_mask];
      const int taken = io_uring_enter(ring_.ring_fd, n, 0, 0, nullptr);
      if (taken <= 0) break;  // -EBUSY: completions backed up; GETEVENTS below clears them
      late += CountLate(dues, taken, NowUs());
      head += static_cast<unsigned>(taken);
      taken_all += taken;
    }
    // Flushes an overflowed CQ and runs pending task work. What an -EBUSY left is submitted at
    // the next kick and judged then, as it leaves then.
    io_uring_enter(ring_.ring_fd, 0, 0, IORING_ENTER_GETEVENTS, nullptr);
    if (late) late_sends_.fetch_add(late);
    return taken_all;
  }

  // Of `n` sends the kernel took by `now`: how many left late. Notes the longest delay.
  int64_t CountLate(const int64_t* dues, int n, int64_t now) {
    int64_t late = 0, worst = std::numeric_limits<int64_t>::min();
    for (int i = 0; i < n; ++i) {
      if (dues[i] <= 0) continue;
      late += now - dues[i] > kLateUs;
      worst = std::max(worst, now - dues[i]);
    }
    if (worst > send_delay_max_us_.load()) send_delay_max_us_ = worst;
    return late;
  }

  // Makes the SQEs prepared so far visible to the kernel (what io_uring_submit does before
  // its enter, which happens on the submitting thread instead).
  void Publish() {
    struct io_uring_sq* sq = &ring_.sq;
    if (sq->sqe_head == sq->sqe_tail) return;
    sq->sqe_head = sq->sqe_tail;
    io_uring_smp_store_release(sq->ktail, sq->sqe_tail);
  }

  void Kick() {
    kick_.fetch_add(1);
    kick_.notify_one();
  }

  // Null when the SQ is full: the submitter is far behind. The caller drops (a send) or
  // retries at the next Poll (a receive to arm, a cancel) - the loop never waits, and never
  // submits itself: entering the kernel beside the submitter, it waited on the ring's lock.
  struct io_uring_sqe* Sqe() {
    struct io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe) sqe_due_[sqe - ring_.sq.sqes] = 0;  // Send sets its own
    return sqe;
  }

  // The fd stays open until the cancel completes: sends queued before it still name it.
  void QueueCancel(uint64_t id) {
    struct io_uring_sqe* sqe = Sqe();
    if (!sqe) {  // the SQ stayed full: try again at the next Poll
      retry_cancel_.push_back(id);
      return;
    }
    io_uring_prep_cancel64(sqe, Tag(id, Op::kReceive), 0);
    io_uring_sqe_set_data64(sqe, Tag(id, Op::kCancel));
  }

  void ArmReceive(uint64_t id, Endpoint& e) {
    struct io_uring_sqe* sqe = Sqe();
    if (!sqe) {
      rearm_.push_back(id);
      return;
    }
    io_uring_prep_recvmsg_multishot(sqe, e.fd, &recv_msg_, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kGroup;
    io_uring_sqe_set_data64(sqe, Tag(id, Op::kReceive));
    e.receiving = true;
  }

  void Complete(struct io_uring_cqe* cqe) {
    const uint64_t tag = io_uring_cqe_get_data64(cqe);
    const uint64_t id = tag >> 2;
    switch (static_cast<Op>(tag & 3)) {
      case Op::kSend:
        free_slots_.push_back(static_cast<uint32_t>(id));
        if (cqe->res < 0) {
          ++counters_.send_errors;
        } else {
          ++counters_.sent;
        }
        return;
      case Op::kCancel: {
        auto it = eps_.find(id);
        if (it != eps_.end()) {
          it->second.cancelled = true;
          MaybeFinish(it);
        }
        return;
      }
      case Op::kReceive:
        break;
    }
    if (cqe->flags & IORING_CQE_F_BUFFER) {
      const unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
      uint8_t* buf = &buffers_[bid * kRecvBufferSize];
      auto it = eps_.find(id);
      if (cqe->res >= 0 && it != eps_.end()) Deliver(it->second, buf, cqe->res);
      // Back to the ring at once; Poll publishes the batch with one advance.
      io_uring_buf_ring_add(br_, buf, kRecvBufferSize, static_cast<unsigned short>(bid),
                            io_uring_buf_ring_mask(kRecvBuffers), static_cast<int>(recycled_++));
    }
    auto it = eps_.find(id);  // again: the callback may have opened sockets (a rehash)
    if (!(cqe->flags & IORING_CQE_F_MORE) && it != eps_.end()) {
      // The multishot receive ended: cancelled by Close, out of buffers (-ENOBUFS), or an error.
      Endpoint& e = it->second;
      e.receiving = false;
      e.failures = cqe->res < 0 && cqe->res != -ENOBUFS ? e.failures + 1 : 0;
      if (e.closing) {
        MaybeFinish(it);
      } else if (e.failures <= 3) {
        rearm_.push_back(id);
      } else {
        ++counters_.receive_errors;  // a socket that keeps failing is left deaf, not spun on
      }
    }
  }

  void Deliver(Endpoint& e, uint8_t* buf, int len) {
    struct io_uring_recvmsg_out* out = io_uring_recvmsg_validate(buf, len, &recv_msg_);
    if (!out || (out->flags & MSG_TRUNC) || out->namelen > recv_msg_.msg_namelen) {
      ++counters_.receive_dropped;
      return;
    }
    ++counters_.received;
    if (!e.fn) return;
    struct sa src;
    sa_set_sa(&src, static_cast<struct sockaddr*>(io_uring_recvmsg_name(out)));
    auto* payload = static_cast<uint8_t*>(io_uring_recvmsg_payload(out, &recv_msg_));
    e.fn(e.arg, &src, payload, io_uring_recvmsg_payload_length(out, len, &recv_msg_));
  }

  void MaybeFinish(std::unordered_map<uint64_t, Endpoint>::iterator it) {
    Endpoint& e = it->second;
    if (!e.closing || !e.cancelled || e.receiving) return;
    ::close(e.fd);
    eps_.erase(it);
  }

  UringRtpIo() = default;
  struct io_uring ring_ {};
  bool ring_ok_ = false;
  std::thread submitter_;
  std::atomic<uint32_t> kick_{0};
  std::atomic<bool> stop_{false};
  int64_t sends_since_flush_ = 0;  // loop thread only
  std::mutex flushes_mu_;          // also guards submit_longest_
  RtpIoCounters::SubmitLongest submit_longest_;
  std::atomic<bool> submit_longest_new_{false};
  std::vector<int64_t> flushes_;  // when each tick handed its sends over, not yet submitted
  // Per SQ slot: the due time of the send in it (0: none, or not a send). Written by the loop
  // before Publish, read by the submitter before it hands that slot to the kernel.
  std::unique_ptr<int64_t[]> sqe_due_;
  std::atomic<int64_t> late_sends_{0};
  std::atomic<int64_t> submit_delay_max_us_{0};  // written by the submitter only
  std::atomic<int64_t> send_delay_max_us_{std::numeric_limits<int64_t>::min()};  // the same
  struct io_uring_buf_ring* br_ = nullptr;
  std::unique_ptr<uint8_t[]> buffers_;
  std::unique_ptr<SendSlot[]> slots_;
  std::vector<uint32_t> free_slots_;
  struct msghdr recv_msg_ {};
  std::unordered_map<uint64_t, Endpoint> eps_;
  std::vector<uint64_t> rearm_;
  std::vector<uint64_t> retry_cancel_;
  size_t open_ = 0;
  uint64_t next_id_ = 1;
  unsigned recycled_ = 0;  // buffers given back since the last advance
};

}  // namespace

int64_t RtpIo::NowUs() { return static_cast<int64_t>(MonotonicUs()); }

const char* ToString(RtpIo::Backend b) {
  return b == RtpIo::Backend::kUring ? "io_uring" : "plain";
}

std::unique_ptr<RtpIo> RtpIo::Create() {
  const char* env = std::getenv("DOZVON_RTP_IO");
  bool plain = env && std::strcmp(env, "plain") == 0;
  return Create(plain ? Backend::kPlain : Backend::kUring);
}

std::unique_ptr<RtpIo> RtpIo::Create(Backend want) {
  if (want == Backend::kUring) {
    std::string why;
    if (auto io = UringRtpIo::Create(&why)) return io;
    // Not an error: the plain backend carries the same calls, with more CPU per packet.
    std::fprintf(stderr, "dozvon: RTP without io_uring (%s)\n", why.c_str());
  }
  return std::make_unique<PlainRtpIo>();
}

}  // namespace dozvon
