#include "telephony/registrar.h"

#include "telephony/event_loop.h"
#include "telephony/sip_stack.h"

#include <cstdint>
#include <cstring>

extern "C" {
#include <re.h>
}

namespace dozvon {
namespace {

std::string PlString(const struct pl& p) { return std::string(p.p ? p.p : "", p.l); }

constexpr int kDefaultExpires = 3600;
constexpr int kMaxExpires = 7200;
constexpr int kMinExpires = 30;

}  // namespace

struct Registrar::Impl {
  std::unique_ptr<SipStack> stack;  // first: destroyed last
  struct sip_lsnr* lsnr = nullptr;
  SteadyTimer sweep;
  std::string realm;
  Ha1Lookup lookup;
  ChangeHandler on_change;
  uint64_t nonce_seq = 0;
  struct Entry {
    Registration reg;
    uint64_t expires_at_ms = 0;
  };
  std::map<std::string, Entry> bindings;

  ~Impl() {
    sweep.Cancel();
    lsnr = static_cast<struct sip_lsnr*>(mem_deref(lsnr));
  }

  void Challenge(const struct sip_msg* msg) {
    sip_replyf(stack->sip(), msg, 401, "Unauthorized",
               "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%016llx\", algorithm=MD5\r\n"
               "Content-Length: 0\r\n\r\n",
               realm.c_str(), static_cast<unsigned long long>(++nonce_seq * 0x9E3779B97F4A7C15ULL));
  }

  // The authenticated user name, or "" when the credentials are missing or wrong.
  std::string Authenticate(const struct sip_msg* msg) {
    const struct sip_hdr* h = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    if (!h) return "";
    struct httpauth_digest_resp resp;
    if (httpauth_digest_response_decode(&resp, &h->val)) return "";
    std::string user = PlString(resp.username);
    if (pl_strcmp(&resp.realm, realm.c_str()) != 0) return "";
    std::optional<std::string> hex = lookup ? lookup(user) : std::nullopt;
    uint8_t ha1[16];
    if (!hex || str_hex(ha1, sizeof ha1, hex->c_str()) != 0) return "";
    if (httpauth_digest_response_auth(&resp, &msg->met, ha1) != 0) return "";
    return user;
  }

  static bool OnRequest(const struct sip_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (pl_strcmp(&msg->met, "REGISTER") != 0) {
      sip_reply(self->stack->sip(), msg, 405, "Method Not Allowed");
      return true;
    }
    if (!msg->callid.l || !msg->to.auri.l || !msg->cseq.num) {
      sip_reply(self->stack->sip(), msg, 400, "Bad Request");
      return true;
    }
    std::string user = self->Authenticate(msg);
    if (user.empty()) {
      self->Challenge(msg);
      return true;
    }
    // The To URI names the account; a phone may only register itself.
    if (PlString(msg->to.uri.user) != user) {
      sip_reply(self->stack->sip(), msg, 403, "Forbidden");
      return true;
    }
    int expires = kDefaultExpires;
    if (msg->expires.l) expires = static_cast<int>(pl_u32(&msg->expires));
    std::string contact;
    if (const struct sip_hdr* ch = sip_msg_hdr(msg, SIP_HDR_CONTACT)) {
      struct sip_addr addr;
      if (sip_addr_decode(&addr, &ch->val) == 0) {
        contact = PlString(addr.auri);
        struct pl ex;
        if (msg_param_decode(&addr.params, "expires", &ex) == 0) {
          expires = static_cast<int>(pl_u32(&ex));
        }
      } else if (pl_strcmp(&ch->val, "*") != 0) {
        sip_reply(self->stack->sip(), msg, 400, "Bad Contact");
        return true;
      }
    }
    if (expires > 0 && expires < kMinExpires) {
      sip_replyf(self->stack->sip(), msg, 423, "Interval Too Brief",
                 "Min-Expires: %d\r\nContent-Length: 0\r\n\r\n", kMinExpires);
      return true;
    }
    expires = std::min(expires, kMaxExpires);
    if (expires == 0 || contact.empty()) {
      auto it = self->bindings.find(user);
      sip_reply(self->stack->sip(), msg, 200, "OK");
      if (it != self->bindings.end()) {
        Registration gone = it->second.reg;
        self->bindings.erase(it);
        if (self->on_change) self->on_change(gone, false);
      }
      return true;
    }
    Entry& e = self->bindings[user];
    bool fresh = e.reg.contact != contact;
    e.reg = Registration{user, contact, expires};
    e.expires_at_ms = MonotonicMs() + static_cast<uint64_t>(expires) * 1000;
    // The Contact goes back inside "%s" only: never peer text as a format (TELEPHONY.md).
    sip_replyf(self->stack->sip(), msg, 200, "OK",
               "Contact: <%s>;expires=%d\r\nContent-Length: 0\r\n\r\n", contact.c_str(), expires);
    if (fresh && self->on_change) self->on_change(e.reg, true);
    return true;
  }

  static void Sweep(void* arg) {
    auto* self = static_cast<Impl*>(arg);
    uint64_t now = MonotonicMs();
    for (auto it = self->bindings.begin(); it != self->bindings.end();) {
      if (it->second.expires_at_ms <= now) {
        Registration gone = it->second.reg;
        it = self->bindings.erase(it);
        if (self->on_change) self->on_change(gone, false);
      } else {
        ++it;
      }
    }
    self->sweep.Start(1000, Sweep, self);
  }
};

Registrar::Registrar(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registrar::~Registrar() = default;
uint16_t Registrar::port() const { return impl_->stack->port(); }
size_t Registrar::size() const { return impl_->bindings.size(); }

std::optional<Registration> Registrar::Find(const std::string& user) const {
  auto it = impl_->bindings.find(user);
  if (it == impl_->bindings.end()) return std::nullopt;
  return it->second.reg;
}

std::string DigestHa1(const std::string& user, const std::string& realm,
                      const std::string& password) {
  const std::string a1 = user + ":" + realm + ":" + password;
  uint8_t digest[16];
  md5(reinterpret_cast<const uint8_t*>(a1.data()), a1.size(), digest);
  char hex[2 * sizeof digest + 1];
  re_snprintf(hex, sizeof hex, "%w", digest, sizeof digest);
  return hex;
}

Result<std::unique_ptr<Registrar>> Registrar::Create(const std::string& ip, uint16_t port,
                                                     std::string realm, Ha1Lookup lookup,
                                                     ChangeHandler on_change) {
  auto impl = std::make_unique<Impl>();
  impl->realm = std::move(realm);
  impl->lookup = std::move(lookup);
  impl->on_change = std::move(on_change);
  DZ_ASSIGN_OR_RETURN(impl->stack, SipStack::Open(ip, port, "dozvon-registrar", 64));
  int err = sip_listen(&impl->lsnr, impl->stack->sip(), true, Impl::OnRequest, impl.get());
  if (err) return Status::Internal(std::string("sip_listen: ") + std::strerror(err));
  impl->sweep.Start(1000, Impl::Sweep, impl.get());
  return std::unique_ptr<Registrar>(new Registrar(std::move(impl)));
}

}  // namespace dozvon
