#include "app/control.h"

extern "C" {
#include <re.h>
}

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dozvon {
namespace {

constexpr size_t kMaxLine = 512;

Result<sockaddr_un> Address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    return Status::InvalidArgument("control socket path too long: " + path);
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

void AcceptHandler(int flags, void* arg) {
  (void)flags;
  static_cast<ControlServer*>(arg)->OnAccept();
}

void ClientHandler(int flags, void* arg);

}  // namespace

struct ControlServer::Client {
  ControlServer* server;
  int fd;
  std::string buf;  // bytes read so far
};

namespace {
void ClientHandler(int flags, void* arg) {
  (void)flags;
  auto* c = static_cast<ControlServer::Client*>(arg);
  c->server->OnClient(c->fd);
}
}  // namespace

Result<std::unique_ptr<ControlServer>> ControlServer::Listen(const std::string& path,
                                                             Handler handler) {
  DZ_ASSIGN_OR_RETURN(sockaddr_un addr, Address(path));
  if (ControlRequest(path, "status").ok()) {
    return Status::FailedPrecondition("another dozvon serve is running on " + path);
  }
  ::unlink(path.c_str());  // a stale socket from a killed server
  std::unique_ptr<ControlServer> s(new ControlServer());
  s->path_ = path;
  s->handler_ = std::move(handler);
  s->fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->fd_ < 0) return Status::IoError(std::string("control socket: ") + std::strerror(errno));
  if (::bind(s->fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(s->fd_, 16) != 0) {
    return Status::IoError(path + ": " + std::strerror(errno));
  }
  int err = fd_listen(s->fd_, FD_READ, AcceptHandler, s.get());
  if (err) return Status::Internal(std::string("fd_listen: ") + std::strerror(err));
  return s;
}

ControlServer::~ControlServer() {
  for (auto& [fd, client] : clients_) {
    fd_close(fd);
    ::close(fd);
  }
  if (fd_ >= 0) {
    fd_close(fd_);
    ::close(fd_);
    ::unlink(path_.c_str());
  }
}

void ControlServer::OnAccept() {
  for (int i = 0; i < 16; ++i) {
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    auto client = std::make_unique<Client>(Client{this, fd, {}});
    if (fd_listen(fd, FD_READ, ClientHandler, client.get()) != 0) {
      ::close(fd);
      continue;
    }
    clients_[fd] = std::move(client);
  }
}

void ControlServer::OnClient(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  std::string& buf = it->second->buf;
  char tmp[256];
  bool closed = false;
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n > 0) {
      buf.append(tmp, static_cast<size_t>(n));
      if (buf.size() > kMaxLine) break;
      continue;
    }
    if (n == 0) closed = true;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0) closed = true;
    break;
  }
  size_t nl = buf.find('\n');
  if (nl == std::string::npos && !closed && buf.size() <= kMaxLine) return;  // more to come
  std::string reply;
  if (nl == std::string::npos && buf.size() > kMaxLine) {
    reply = "error: line too long\n";
  } else if (nl != std::string::npos) {
    std::string line = buf.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    reply = handler_(line) + "\n";
  }
  if (!reply.empty()) {
    ssize_t w = ::write(fd, reply.data(), reply.size());  // short replies fit the socket buffer
    (void)w;
  }
  fd_close(fd);
  ::close(fd);
  clients_.erase(fd);
}

Result<std::string> ControlRequest(const std::string& path, const std::string& line) {
  DZ_ASSIGN_OR_RETURN(sockaddr_un addr, Address(path));
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd);
    return Status::Unavailable("no dozvon serve on " + path + ": " + std::strerror(e));
  }
  std::string msg = line + "\n";
  if (::write(fd, msg.data(), msg.size()) != static_cast<ssize_t>(msg.size())) {
    ::close(fd);
    return Status::IoError("control socket: write failed");
  }
  std::string reply;
  char tmp[512];
  for (;;) {
    ssize_t n = ::read(fd, tmp, sizeof tmp);
    if (n <= 0) break;
    reply.append(tmp, static_cast<size_t>(n));
    if (reply.find('\n') != std::string::npos) break;
  }
  ::close(fd);
  if (reply.empty()) return Status::Unavailable("no reply from " + path);
  if (reply.back() == '\n') reply.pop_back();
  return reply;
}

}  // namespace dozvon
