#include "telephony/sip_stack.h"

#include <cstring>

extern "C" {
#include <re.h>
}

namespace dozvon {

Result<std::unique_ptr<SipStack>> SipStack::Open(const std::string& ip, uint16_t port,
                                                 const char* software, uint32_t hash_size) {
  std::unique_ptr<SipStack> s(new SipStack());
  s->hash_size_ = hash_size;
  int err =
      sip_alloc(&s->sip_, nullptr, hash_size, hash_size, hash_size, software, nullptr, nullptr);
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
}

}  // namespace dozvon
