// swgd: the Single Window Gateway daemon. Usage: swgd [--config FILE] (default
// config/gateway.toml). Logs are JSON lines on standard error. SIGTERM or SIGINT shut it down
// cleanly (exit 0). Exit 2 when the configuration is wrong (one line naming file:line), 1 when it
// cannot start serving (journal, sockets, keys).

#include <malloc.h>
#include <pthread.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "gateway/config/config.h"
#include "gateway/core/log.h"
#include "gateway/server/daemon.h"

namespace {

// glibc gives the top of a thread's heap back to the kernel once 128 KiB of it is free, and
// raises that limit as it sees large blocks come and go. ZeroMQ's I/O thread allocates every
// received document and the pool frees it, so its heap grew and shrank by a document a message:
// about one page fault a message on that thread, each a costly page-table update on this kind of
// guest. Fixed limits keep up to 32 MiB of freed memory a heap for reuse and hand blocks of
// 4 MiB and more (large documents) to mmap directly. Must run before any thread starts.
void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory_for_reuse();
  std::string config_path = "config/gateway.toml";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--config" || arg == "-c") && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.starts_with("--config=")) {
      config_path = arg.substr(std::strlen("--config="));
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: swgd [--config FILE]\n"
                   "  Serves SWGP/1 to partners and SWGA/1 to agencies as FILE says\n"
                   "  (default config/gateway.toml; format: docs/configuration.md).\n";
      return 0;
    } else {
      std::cerr << "swgd: unknown argument '" << arg << "' (try --help)\n";
      return 2;
    }
  }

  // Signals are taken by this thread alone (sigwait below); every thread started from here on
  // inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto deployment = swg::config::load_deployment(config_path);
  if (!deployment.ok()) {
    std::cerr << "swgd: " << deployment.status().to_string() << "\n";
    return 2;
  }
  auto daemon = swg::server::Daemon::start(*deployment);
  if (!daemon.ok()) {
    std::cerr << "swgd: cannot start: " << daemon.status().to_string() << "\n";
    return 1;
  }
  int received = 0;
  sigwait(&signals, &received);
  swg::log::info("signal", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
  (*daemon)->stop();
  return 0;
}
