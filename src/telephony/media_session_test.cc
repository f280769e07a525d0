// MediaSession's frame schedule, seen from the far end: a plain UDP socket on 127.0.0.1 that
// the kernel timestamps on arrival. A frame may leave up to one frame before its time (so a
// late tick still sends it on time), never earlier; frames skipped after a stall are counted
// and the timestamp moves past them. Each loop run is bounded by a guard timer.
#include "telephony/media_session.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "telephony/event_loop.h"

extern "C" {
#include <re.h>
}

namespace dozvon {
namespace {

struct Arrival {
  uint32_t ts;    // RTP timestamp (8 kHz)
  int64_t at_ns;  // kernel receive time
};

class FarEnd {
 public:
  FarEnd() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    int buf = 1 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~FarEnd() { ::close(fd_); }
  int port() const { return port_; }

  // Every datagram queued so far (bounded by the socket buffer).
  std::vector<Arrival> Drain() {
    std::vector<Arrival> out;
    for (int i = 0; i < 100000; ++i) {
      uint8_t data[512];
      char control[256];
      iovec iov{data, sizeof data};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      ssize_t n = ::recvmsg(fd_, &msg, 0);
      if (n < 0) break;
      if (n < 12) continue;
      Arrival a{};
      a.ts = (uint32_t{data[4]} << 24) | (uint32_t{data[5]} << 16) | (uint32_t{data[6]} << 8) |
             data[7];
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
          timespec t;
          std::memcpy(&t, CMSG_DATA(c), sizeof t);
          a.at_ns = int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
        }
      }
      out.push_back(a);
    }
    return out;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

std::string AnswerSdp(int port) {
  return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
         "m=audio " +
         std::to_string(port) +
         " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
         "a=fmtp:101 0-15\r\na=sendrecv\r\n";
}

struct Played {
  std::vector<Arrival> got;
  int64_t start_ns = 0;  // CLOCK_REALTIME, the clock of SO_TIMESTAMPNS, just before Start
  TickTimings timings;
};

// Plays a tone to `far` for `run_ms`; with `stall_ms`, the loop thread sleeps that long at
// `stall_at_ms`, as a loop held up by other work would.
Played Play(FarEnd& far, int run_ms, int stall_at_ms = 0, int stall_ms = 0) {
  Played out;
  MediaTicker ticker;
  auto s = MediaSession::Create(&ticker, "127.0.0.1");
  EXPECT_TRUE(s.ok()) << s.status().message();
  if (!s.ok()) return out;
  std::unique_ptr<MediaSession> session = std::move(s).value();
  EXPECT_TRUE(session->Offer().ok());
  EXPECT_TRUE(session->ApplyAnswer(AnswerSdp(far.port())).ok());
  session->Play(std::make_shared<const Pcm>(Tone(400, -10, run_ms, 0, run_ms)));
  timespec t;
  ::clock_gettime(CLOCK_REALTIME, &t);
  out.start_ns = int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
  session->Start();  // frame k is due k * 20 ms from here
  LoopTimer stall, guard;
  if (stall_ms > 0) stall.Start(stall_at_ms, [stall_ms] { ::usleep(stall_ms * 1000); });
  guard.Start(run_ms, [] { EventLoop::Stop(); });
  EventLoop::Run();
  session->Stop();
  out.timings = ticker.timings();
  out.got = far.Drain();
  return out;
}

// Arrival against the frame's due time, from its RTP timestamp, in ms.
double Offset(const Played& p, const Arrival& a) {
  return (a.at_ns - p.start_ns) / 1e6 - (a.ts - p.got[0].ts) / 8.0;
}

TEST(MediaSessionTest, AFrameLeavesAtMostOneFrameBeforeItsTime) {
  auto l = EventLoop::Init();
  ASSERT_TRUE(l.ok()) << l.status().message();
  FarEnd far;
  Played p = Play(far, 1000);
  // About 50 frames in a second; a stalled VM may send fewer, never none.
  ASSERT_GE(p.got.size(), 20u);
  ASSERT_LE(p.got.size(), 52u);
  std::vector<double> offsets_ms;
  for (size_t k = 0; k < p.got.size(); ++k) {
    if (k > 0) {  // 20 ms each, or more where a stalled VM made the tick skip frames
      ASSERT_EQ((p.got[k].ts - p.got[k - 1].ts) % 160, 0u) << "frame " << k;
    }
    offsets_ms.push_back(Offset(p, p.got[k]));
  }
  // Never more than one frame early. The schedule starts at a whole millisecond (MonotonicMs),
  // so a due time can be up to 1 ms before the one computed here.
  for (size_t k = 0; k < offsets_ms.size(); ++k) {
    EXPECT_GE(offsets_ms[k], -21.5) << "frame " << k;
  }
  // And ahead of time is where frames normally leave (about 20 ms; without the lead, 0-5 ms
  // after): only a VM stalled for most of the second could move the median past -10 ms.
  std::nth_element(offsets_ms.begin(), offsets_ms.begin() + offsets_ms.size() / 2,
                   offsets_ms.end());
  EXPECT_LT(offsets_ms[offsets_ms.size() / 2], -10.0);
}

// Start then Play, as on an answer: the prompt's first frame leaves at once, before the loop
// runs a single tick.
TEST(MediaSessionTest, APromptPlayedAsMediaStartsSendsItsFirstFrameAtOnce) {
  auto l = EventLoop::Init();
  ASSERT_TRUE(l.ok()) << l.status().message();
  FarEnd far;
  MediaTicker ticker;
  auto s = MediaSession::Create(&ticker, "127.0.0.1");
  ASSERT_TRUE(s.ok()) << s.status().message();
  std::unique_ptr<MediaSession> session = std::move(s).value();
  ASSERT_TRUE(session->Offer().ok());
  ASSERT_TRUE(session->ApplyAnswer(AnswerSdp(far.port())).ok());
  session->Start();
  session->Play(std::make_shared<const Pcm>(Tone(400, -10, 200, 0, 200)));
  // The loop is not run: only RtpIo's own thread can send it. Bounded wait.
  std::vector<Arrival> got;
  for (int i = 0; i < 200 && got.empty(); ++i) {
    ::usleep(5000);
    got = far.Drain();
  }
  ASSERT_EQ(got.size(), 1u) << "one frame, the first, and no tick's";
  EXPECT_EQ(session->stats().frames_sent, 1);
  EXPECT_GT(session->stats().prompt_seconds_played, 0.0) << "the prompt's, not silence";
  session->Stop();
}

TEST(MediaSessionTest, FramesSkippedAfterAStallAreCountedAndTheTimestampMovesOn) {
  auto l = EventLoop::Init();
  ASSERT_TRUE(l.ok()) << l.status().message();
  FarEnd far;
  Played p = Play(far, 1000, 300, 150);
  ASSERT_GE(p.got.size(), 10u);
  // 150 ms lost: three frames catch up, the rest of the time is skipped.
  EXPECT_GE(p.timings.frames_skipped, 2);
  size_t gap_at = 0;
  for (size_t k = 1; k < p.got.size(); ++k) {
    uint32_t step = p.got[k].ts - p.got[k - 1].ts;
    ASSERT_EQ(step % 160, 0u) << "frame " << k;
    if (step > 160 && gap_at == 0) gap_at = k;
  }
  ASSERT_GT(gap_at, 0u) << "no timestamp gap where frames were skipped";
  // Every 20 ms of the timestamps' span was either sent or counted as skipped.
  const uint32_t span = p.got.back().ts - p.got[0].ts;
  EXPECT_EQ(span / 160 + 1, p.got.size() + static_cast<size_t>(p.timings.frames_skipped));
  // After the gap the frames are back on their schedule (about 20 ms ahead), not all late by
  // the time that was skipped (which, with the timestamp held back, would be +60 ms or more).
  std::vector<double> after;
  for (size_t k = gap_at + 5; k < p.got.size(); ++k) after.push_back(Offset(p, p.got[k]));
  ASSERT_GE(after.size(), 5u);
  std::nth_element(after.begin(), after.begin() + after.size() / 2, after.end());
  EXPECT_LT(after[after.size() / 2], 10.0);
}

}  // namespace
}  // namespace dozvon
