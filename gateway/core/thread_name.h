#pragma once
// Names the calling thread for the operating system (top -H, ps -L, perf, /proc/<pid>/task/*/comm),
// so that an operator can tell swgd's ingest pool from its committer or its socket threads. Linux
// keeps at most 15 bytes: a longer name is cut. Failure is harmless and ignored.

#include <string_view>

namespace swg {

void name_this_thread(std::string_view name);

}  // namespace swg
