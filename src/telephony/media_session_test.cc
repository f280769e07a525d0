// MediaSession's frame schedule, seen from the far end: a plain UDP socket on 127.0.0.1 that
// the kernel timestamps on arrival. A frame may leave up to one frame before its time (so a
// late tick still sends it on time), never earlier. The loop run is bounded by a guard timer.
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
  size_t bytes;
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
      a.bytes = static_cast<size_t>(n);
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

TEST(MediaSessionTest, AFrameLeavesAtMostOneFrameBeforeItsTime) {
  auto l = EventLoop::Init();
  ASSERT_TRUE(l.ok()) << l.status().message();
  FarEnd far;
  int64_t start_ns = 0;
  {
    MediaTicker ticker;
    auto s = MediaSession::Create(&ticker, "127.0.0.1");
    ASSERT_TRUE(s.ok()) << s.status().message();
    std::unique_ptr<MediaSession> session = std::move(s).value();
    ASSERT_TRUE(session->Offer().ok());
    ASSERT_TRUE(session->ApplyAnswer(AnswerSdp(far.port())).ok());
    session->Play(std::make_shared<const Pcm>(Tone(400, -10, 1000, 0, 1000)));
    timespec t;
    ::clock_gettime(CLOCK_REALTIME, &t);  // the clock of SO_TIMESTAMPNS
    start_ns = int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
    session->Start();  // frame k is due k * 20 ms from here
    LoopTimer guard;
    guard.Start(1000, [] { EventLoop::Stop(); });
    EventLoop::Run();
    session->Stop();
  }
  std::vector<Arrival> got = far.Drain();
  // About 50 frames in a second; a stalled VM may send fewer, never none.
  ASSERT_GE(got.size(), 20u);
  ASSERT_LE(got.size(), 52u);
  std::vector<double> offsets_ms;  // arrival against the frame's due time
  for (size_t k = 0; k < got.size(); ++k) {
    if (k > 0) ASSERT_EQ(got[k].ts - got[k - 1].ts, 160u) << "frame " << k;  // 20 ms each
    offsets_ms.push_back((got[k].at_ns - start_ns) / 1e6 - 20.0 * static_cast<double>(k));
  }
  // Never more than one frame early. The schedule starts at a whole millisecond (tmr_jiffies),
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

}  // namespace
}  // namespace dozvon
