#pragma once
// Finding and reading test fixtures. Tests run from the source root (ctest sets the working
// directory and SWG_SOURCE_DIR), so fixture paths are relative to the repository root.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace swg::testing {

/// The repository root: $SWG_SOURCE_DIR, or the source dir the tests were built from.
std::filesystem::path source_dir();

/// Whole file as bytes; fails the current test when it cannot be read.
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& bytes);

/// Files in `dir` (not recursive) whose name ends with `suffix`, sorted by name.
std::vector<std::filesystem::path> files_with_suffix(const std::filesystem::path& dir,
                                                     const std::string& suffix);

/// True when golden files should be rewritten instead of compared (SWG_UPDATE_GOLDEN=1).
bool update_golden();

/// What a command printed on standard output, and its exit status (-1 when it did not exit).
struct CommandResult {
  int exit_status = -1;
  std::string out;
};

/// Runs `command` with /bin/sh, standard error discarded; fails the current test when it cannot
/// be started.
CommandResult run_command(const std::string& command);

/// A fresh folder under the system's temporary folder, removed with everything in it (unless
/// SWG_KEEP_TEST_DIRS is set, for a post-mortem).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace swg::testing
