#pragma once
// Wakes a socket thread that is waiting in RouterEndpoint::receive: an eventfd that the thread
// polls beside its socket. signal() is thread-safe and cheap when already signalled; the
// waiting thread calls clear() before it looks for the work it was woken for, so that a signal
// given after the look wakes it again.

namespace swg::server {

class Wakeup {
 public:
  /// Aborts when the kernel gives no eventfd (out of file descriptors at start-up).
  Wakeup();
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  /// The descriptor to poll for reading.
  int fd() const { return fd_; }
  void signal();
  void clear();

 private:
  int fd_ = -1;
};

}  // namespace swg::server
