#include "telephony/sip_stack.h"

#include <dirent.h>
#include <sys/socket.h>

#include <cstdlib>
#include <cstring>

extern "C" {
#include <re.h>
}

namespace dozvon {
namespace {

// libre 1.1.0 keeps the SIP UDP socket to itself, so it is found by its address among the
// process's descriptors. Bursts of 200 OKs and BYE answers at hundreds of calls a second
// overflowed the default 208 KB receive buffer (TELEPHONY.md pitfall 4): 19% of calls at
// 500 CPS looked unanswered. The kernel caps the size at net.core.rmem_max.
void EnlargeReceiveBuffer(const struct sa& laddr, int bytes) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (struct dirent* e = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0') continue;
    int type = 0;
    socklen_t len = sizeof type;
    if (getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        type != SOCK_DGRAM) {
      continue;
    }
    struct sockaddr_storage ss {};
    socklen_t sl = sizeof ss;
    struct sa bound;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<struct sockaddr*>(&ss), &sl) != 0 ||
        sa_set_sa(&bound, reinterpret_cast<struct sockaddr*>(&ss)) != 0 ||
        !sa_cmp(&bound, &laddr, SA_ALL)) {
      continue;
    }
    setsockopt(static_cast<int>(fd), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  }
  closedir(dir);
}

}  // namespace

Result<std::unique_ptr<SipStack>> SipStack::Open(const std::string& ip, uint16_t port,
                                                 const char* software, uint32_t hash_size,
                                                 const SipStackOptions& options) {
  std::unique_ptr<SipStack> s(new SipStack());
  s->hash_size_ = hash_size;
  if (options.dns) {
    // Without a resolver libre only takes IP addresses (TELEPHONY.md pitfall 7).
    std::vector<struct sa> servers(8);
    uint32_t n = 0;
    for (const std::string& d : options.dns_servers) {
      if (n == servers.size()) break;
      if (sa_decode(&servers[n], d.c_str(), d.size()) && sa_set_str(&servers[n], d.c_str(), 53)) {
        return Status::InvalidArgument("DNS server \"" + d + "\": expected IP or IP:PORT");
      }
      ++n;
    }
    if (n == 0) {
      char domain[64] = "";
      n = static_cast<uint32_t>(servers.size());
      int err = dns_srv_get(domain, sizeof domain, servers.data(), &n);
      if (err || n == 0) {
        return Status::Unavailable("no DNS server for SIP host names (/etc/resolv.conf): " +
                                   std::string(std::strerror(err ? err : ENOENT)));
      }
    }
    int err = dnsc_alloc(&s->dnsc_, nullptr, servers.data(), n);
    if (err) return Status::Internal(std::string("dnsc_alloc: ") + std::strerror(err));
  }
  int err =
      sip_alloc(&s->sip_, s->dnsc_, hash_size, hash_size, hash_size, software, nullptr, nullptr);
  if (err) return Status::Internal(std::string("sip_alloc: ") + std::strerror(err));
  struct sa laddr;
  if (sa_set_str(&laddr, ip.c_str(), port)) {
    return Status::InvalidArgument("SIP address \"" + ip + "\": not an IP address");
  }
  err = sip_transp_add(s->sip_, SIP_TRANSP_UDP, &laddr);
  if (err) {
    return Status::Unavailable("SIP listen " + ip + ":" + std::to_string(port) + ": " +
                               std::strerror(err));
  }
  err = sip_transp_laddr(s->sip_, &laddr, SIP_TRANSP_UDP, nullptr);
  if (err) return Status::Internal(std::string("sip_transp_laddr: ") + std::strerror(err));
  s->port_ = sa_port(&laddr);
  EnlargeReceiveBuffer(laddr, 4 << 20);
  if (options.tcp) {
    // The UDP port for TCP too, so one IP:PORT names the endpoint for both.
    err = sip_transp_add(s->sip_, SIP_TRANSP_TCP, &laddr);
    if (err) {
      return Status::Unavailable("SIP listen tcp " + ip + ":" + std::to_string(s->port_) + ": " +
                                 std::strerror(err));
    }
  }
  return s;
}

Status SipStack::ListenSessions(void (*on_invite)(const struct sip_msg*, void*), void* arg) {
  int err = sipsess_listen(&sock_, sip_, static_cast<int>(hash_size_), on_invite, arg);
  if (err) return Status::Internal(std::string("sipsess_listen: ") + std::strerror(err));
  return Status::Ok();
}

SipStack::~SipStack() {
  if (sock_) {
    sipsess_close_all(sock_);
    sock_ = static_cast<struct sipsess_sock*>(mem_deref(sock_));
  }
  if (sip_) {
    sip_close(sip_, true);
    sip_ = static_cast<struct sip*>(mem_deref(sip_));
  }
  dnsc_ = static_cast<struct dnsc*>(mem_deref(dnsc_));
}

}  // namespace dozvon
