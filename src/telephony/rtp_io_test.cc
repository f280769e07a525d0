// RtpIo on real UDP sockets over 127.0.0.1, for both backends: datagrams arrive whole and
// from the right source, sends queued before a Close still leave, nothing is delivered after
// a Close, and an oversized datagram is either delivered whole or counted as dropped.
// Every loop run is bounded by a guard timer.
#include "telephony/rtp_io.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "telephony/event_loop.h"

extern "C" {
#include <re.h>
}

namespace dozvon {

void PrintTo(RtpIo::Backend b, std::ostream* os) { *os << ToString(b); }

namespace {

struct Received {
  std::vector<std::string> datagrams;
  std::vector<uint16_t> source_ports;
};

void Collect(void* arg, const struct sa* src, const uint8_t* data, size_t len) {
  auto* r = static_cast<Received*>(arg);
  r->datagrams.emplace_back(reinterpret_cast<const char*>(data), len);
  r->source_ports.push_back(sa_port(src));
}

class RtpIoTest : public ::testing::TestWithParam<RtpIo::Backend> {
 protected:
  void SetUp() override {
    auto l = EventLoop::Init();
    ASSERT_TRUE(l.ok()) << l.status().message();
    loop_ = std::move(l).value();
    io_ = RtpIo::Create(GetParam());
    ASSERT_NE(io_, nullptr);
    if (io_->backend() != GetParam()) GTEST_SKIP() << "io_uring is not available here";
    ASSERT_EQ(sa_set_str(&ip_, "127.0.0.1", 0), 0);
  }
  void TearDown() override { io_.reset(); }

  uint64_t Open(Received* r, struct sa* local) {
    auto h = io_->Open(ip_, &Collect, r, local);
    EXPECT_TRUE(h.ok()) << h.status().message();
    return h.ok() ? *h : 0;
  }

  // Runs the loop, polling like the media tick does, until `done` or `guard_ms`.
  void RunUntil(const std::function<bool()>& done, uint64_t guard_ms = 3000) {
    LoopTimer guard;
    guard.Start(guard_ms, [] { EventLoop::Stop(); });
    PeriodicTimer tick([&] {
      io_->Poll();
      io_->Flush();
      if (done()) EventLoop::Stop();
    });
    tick.Start(2);
    EventLoop::Run();
  }

  static void SendRaw(const struct sa& to, const std::string& bytes) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::sendto(fd, bytes.data(), bytes.size(), 0, &to.u.sa, to.len),
              static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }

  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<RtpIo> io_;
  struct sa ip_ {};
};

TEST_P(RtpIoTest, DatagramsArriveWholeFromTheSendersPort) {
  Received ra, rb;
  struct sa a, b;
  uint64_t ha = Open(&ra, &a), hb = Open(&rb, &b);
  ASSERT_TRUE(ha && hb);
  EXPECT_EQ(sa_port(&a) % 2, 0) << "RTP ports are even";
  EXPECT_GE(sa_port(&a), 10000);
  EXPECT_LE(sa_port(&a), 59998);
  EXPECT_EQ(io_->open_count(), 2u);
  for (int i = 0; i < 200; ++i) {
    std::string d = "packet " + std::to_string(i) + std::string(static_cast<size_t>(i), 'x');
    io_->Send(ha, b, reinterpret_cast<const uint8_t*>(d.data()), d.size());
  }
  RunUntil([&] { return rb.datagrams.size() >= 200; });
  ASSERT_EQ(rb.datagrams.size(), 200u);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(rb.datagrams[i], "packet " + std::to_string(i) + std::string(i, 'x'));
    EXPECT_EQ(rb.source_ports[i], sa_port(&a));
  }
  EXPECT_TRUE(ra.datagrams.empty());
  EXPECT_GE(io_->counters().received, 200);
  EXPECT_EQ(io_->counters().send_errors, 0);
}

TEST_P(RtpIoTest, SendsQueuedBeforeCloseStillLeaveAndNothingArrivesAfterIt) {
  Received ra, rb;
  struct sa a, b;
  uint64_t ha = Open(&ra, &a), hb = Open(&rb, &b);
  ASSERT_TRUE(ha && hb);
  const std::string d = "last words";
  for (int i = 0; i < 10; ++i) {
    io_->Send(ha, b, reinterpret_cast<const uint8_t*>(d.data()), d.size());
  }
  io_->Close(ha);  // before any Flush
  EXPECT_EQ(io_->open_count(), 1u);
  RunUntil([&] { return rb.datagrams.size() >= 10; });
  EXPECT_EQ(rb.datagrams.size(), 10u);

  io_->Close(hb);
  EXPECT_EQ(io_->open_count(), 0u);
  RunUntil([] { return false; }, 50);  // the close completes
  SendRaw(b, "too late");
  RunUntil([] { return false; }, 50);
  EXPECT_EQ(rb.datagrams.size(), 10u) << "a closed socket delivers nothing";
  // Sending on a closed handle is refused quietly.
  io_->Send(hb, a, reinterpret_cast<const uint8_t*>(d.data()), d.size());
  RunUntil([] { return false; }, 20);
}

// The late count follows each datagram's due time: ones due 30 ms ago or more leave late, ones
// not yet due or with no due time do not (due a second ahead: a slow machine cannot make them
// late), and the count is per datagram, not per batch.
TEST_P(RtpIoTest, ADatagramCountsLateByItsOwnDueTime) {
  Received ra, rb;
  struct sa a, b;
  uint64_t ha = Open(&ra, &a), hb = Open(&rb, &b);
  ASSERT_TRUE(ha && hb);
  const std::string d = "frame";
  const auto* p = reinterpret_cast<const uint8_t*>(d.data());
  const int64_t now = RtpIo::NowUs();
  io_->Send(ha, b, p, d.size(), now - 30000);
  io_->Send(ha, b, p, d.size(), now - 45000);
  io_->Send(ha, b, p, d.size(), now + 1000000);
  io_->Send(ha, b, p, d.size());
  RunUntil([&] { return rb.datagrams.size() >= 4 && io_->counters().late_sends >= 2; });
  EXPECT_EQ(rb.datagrams.size(), 4u);
  EXPECT_EQ(io_->counters().late_sends, 2);
  EXPECT_GE(io_->counters().send_delay_max_us, 45000) << "the latest one, 45 ms and more";
  // Due in the same batch as late ones, on time: still not late.
  io_->Send(ha, b, p, d.size(), now - 60000);
  io_->Send(ha, b, p, d.size(), RtpIo::NowUs() + 1000000);
  RunUntil([&] { return rb.datagrams.size() >= 6 && io_->counters().late_sends >= 3; });
  EXPECT_EQ(rb.datagrams.size(), 6u);
  EXPECT_EQ(io_->counters().late_sends, 3);
  EXPECT_GE(io_->counters().submit_delay_max_us, 0);
}

// A tick's sends are submitted in chunks; each keeps its own due time across them, and the
// receives armed among them (sockets opened mid-batch) carry none. Like a tick's, the batch
// goes to many sockets, 100 each.
TEST_P(RtpIoTest, LateCountsHoldAcrossABatchOfManyChunks) {
  constexpr int kTo = 7, kEach = 100;
  Received ra;
  struct sa a;
  const uint64_t ha = Open(&ra, &a);
  std::vector<Received> got(kTo);
  std::vector<struct sa> to(kTo);
  for (int i = 0; i < kTo; ++i) ASSERT_TRUE(Open(&got[i], &to[i]));
  const std::string d = "frame";
  const auto* p = reinterpret_cast<const uint8_t*>(d.data());
  const int64_t now = RtpIo::NowUs();
  std::vector<Received> extra(5);
  int expect_late = 0;
  for (int i = 0; i < kTo * kEach; ++i) {
    const bool late = i % 9 == 3;
    expect_late += late;
    io_->Send(ha, to[i % kTo], p, d.size(), late ? now - 50000 : now + 10000000);
    if (i % 150 == 0) {
      struct sa ignored;
      Open(&extra[i / 150], &ignored);
    }
  }
  auto all = [&] {
    for (auto& r : got) {
      if (r.datagrams.size() < kEach) return false;
    }
    return true;
  };
  RunUntil(all);
  for (int i = 0; i < kTo; ++i) EXPECT_EQ(got[i].datagrams.size(), size_t{kEach}) << i;
  EXPECT_EQ(io_->counters().late_sends, expect_late);
}

TEST_P(RtpIoTest, ManySocketsEachGetTheirOwn) {
  constexpr int kSockets = 300;
  std::vector<Received> got(kSockets);
  std::vector<struct sa> addr(kSockets);
  std::vector<uint64_t> h(kSockets);
  for (int i = 0; i < kSockets; ++i) h[i] = Open(&got[i], &addr[i]);
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < kSockets; ++i) {
      std::string d = std::to_string(i) + "/" + std::to_string(round);
      int to = (i + 1) % kSockets;
      io_->Send(h[i], addr[to], reinterpret_cast<const uint8_t*>(d.data()), d.size());
    }
  }
  auto all = [&] {
    for (auto& r : got) {
      if (r.datagrams.size() < 5) return false;
    }
    return true;
  };
  RunUntil(all);
  for (int i = 0; i < kSockets; ++i) {
    const int from = (i + kSockets - 1) % kSockets;
    ASSERT_EQ(got[i].datagrams.size(), 5u) << "socket " << i;
    for (int round = 0; round < 5; ++round) {
      EXPECT_EQ(got[i].datagrams[round], std::to_string(from) + "/" + std::to_string(round));
    }
  }
  for (uint64_t x : h) io_->Close(x);
  EXPECT_EQ(io_->open_count(), 0u);
}

TEST_P(RtpIoTest, AnOversizedDatagramIsWholeOrCountedNeverCut) {
  Received rb;
  struct sa b;
  ASSERT_TRUE(Open(&rb, &b));
  const std::string big(1400, 'b');
  const std::string small = "after";
  SendRaw(b, big);
  SendRaw(b, small);
  RunUntil([&] { return !rb.datagrams.empty() && rb.datagrams.back() == small; });
  ASSERT_FALSE(rb.datagrams.empty());
  EXPECT_EQ(rb.datagrams.back(), small) << "the socket keeps receiving after a big one";
  if (rb.datagrams.size() == 2) {
    EXPECT_EQ(rb.datagrams[0], big);
  } else {
    EXPECT_EQ(rb.datagrams.size(), 1u);
    EXPECT_EQ(io_->counters().receive_dropped, 1);
  }
}

TEST_P(RtpIoTest, ABurstLargerThanTheBufferRingAllArrives) {
  // 5,000 datagrams queued at once: more than the io_uring receive buffer ring holds (4,096:
  // receives that run dry are re-armed and the rest waits in the sockets). 20 pairs keep each
  // socket's queue within its buffer.
  constexpr int kPairs = 20, kEach = 250;
  std::vector<Received> got(kPairs), unused(kPairs);
  std::vector<struct sa> to(kPairs), from(kPairs);
  std::vector<uint64_t> tx(kPairs), rx(kPairs);
  for (int i = 0; i < kPairs; ++i) {
    rx[i] = Open(&got[i], &to[i]);
    tx[i] = Open(&unused[i], &from[i]);
  }
  const std::string d(40, 'p');
  for (int n = 0; n < kEach; ++n) {
    for (int i = 0; i < kPairs; ++i) {
      io_->Send(tx[i], to[i], reinterpret_cast<const uint8_t*>(d.data()), d.size());
    }
  }
  // Let everything be sent and received into the ring before anything is delivered (uring:
  // the submitter's enters run the receives; plain: the datagrams wait in the sockets).
  for (int i = 0; i < 40; ++i) {
    io_->Flush();
    usleep(10 * 1000);
  }
  auto all = [&] {
    for (auto& r : got) {
      if (r.datagrams.size() < kEach) return false;
    }
    return true;
  };
  RunUntil(all, 10000);
  for (int i = 0; i < kPairs; ++i) EXPECT_EQ(got[i].datagrams.size(), size_t{kEach}) << i;
  EXPECT_EQ(io_->counters().send_errors, 0);
  if (io_->backend() == RtpIo::Backend::kUring) {
    EXPECT_GT(io_->counters().receive_rearms, 0) << "5,000 receives overflow 4,096 buffers";
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RtpIoTest,
                         ::testing::Values(RtpIo::Backend::kUring, RtpIo::Backend::kPlain),
                         [](const auto& info) {
                           return info.param == RtpIo::Backend::kPlain ? "plain" : "uring";
                         });

}  // namespace
}  // namespace dozvon
