// Wakeup on an eventfd (wakeup.h).

#include "gateway/server/wakeup.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace swg::server {

Wakeup::Wakeup() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (fd_ < 0) std::abort();
}

Wakeup::~Wakeup() {
  ::close(fd_);
}

void Wakeup::signal() {
  const std::uint64_t one = 1;
  // EAGAIN only when the counter is at its maximum: it is signalled already.
  (void)!::write(fd_, &one, sizeof one);
}

void Wakeup::clear() {
  std::uint64_t count = 0;
  (void)!::read(fd_, &count, sizeof count);
}

}  // namespace swg::server
