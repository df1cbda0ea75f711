#include "gateway/journal/log_sync.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

namespace swg::journal {

LogSync::LogSync(std::function<int()> sync) : sync_(std::move(sync)) {}

std::unique_ptr<LogSync> LogSync::of_file(int fd) {
  auto log = std::make_unique<LogSync>([fd] { return ::fdatasync(fd) == 0 ? 0 : errno; });
  log->owned_fd_ = fd;
  return log;
}

LogSync::~LogSync() {
  if (owned_fd_ >= 0) ::close(owned_fd_);
}

std::uint64_t LogSync::wrote() {
  std::lock_guard lock(mu_);
  return ++written_;
}

Status LogSync::wait(std::uint64_t ticket) {
  std::unique_lock lock(mu_);
  while (durable_ < ticket) {
    if (!failed_.ok()) return failed_;
    if (syncing_) {
      synced_.wait(lock);
      continue;
    }
    syncing_ = true;
    ++syncs_;
    const std::uint64_t covers = written_;  // these commits' frames are already written
    lock.unlock();
    const int error = sync_();
    lock.lock();
    syncing_ = false;
    if (error == 0) {
      durable_ = std::max(durable_, covers);
    } else {
      failed_ = Status(StatusCode::kDataLoss, "JOURNAL_DATA_LOSS",
                       std::string("fsync of the write-ahead log failed: ") + std::strerror(error));
    }
    synced_.notify_all();
  }
  return ok_status();
}

std::uint64_t LogSync::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace swg::journal
