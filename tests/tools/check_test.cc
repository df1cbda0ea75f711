// `swg check` as an operator runs it: a real process, its stdout and exit status.

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/fixtures.h"

namespace {

namespace fs = std::filesystem;

struct Run {
  int exit_status = -1;
  std::string out;
};

Run run(const std::string& args) {
  const std::string command = std::string(SWG_TOOL) + " " + args + " 2>/dev/null";
  Run result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), n);
  int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string first_file(const fs::path& dir) {
  auto files = swg::testing::files_with_suffix(swg::testing::source_dir() / dir, ".xml");
  REQUIRE_FALSE(files.empty());
  return files.front().string();
}

TEST_CASE("swg check accepts a valid document and prints its model") {
  Run r = run("check " + first_file("tests/fixtures/xml/permit/valid"));
  INFO(r.out);
  CHECK(r.exit_status == 0);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
  CHECK(r.out.find("\"documentType\":\"DOCUMENT_TYPE_PERMIT\"") != std::string::npos);
  CHECK(r.out.find("\"envelope\":{") != std::string::npos);
}

TEST_CASE("swg check rejects with code, line, column and path, exit 1") {
  Run r = run("check " + first_file("tests/fixtures/xml/permit/invalid") + " " +
              first_file("tests/fixtures/xml/permit/valid"));
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"status\":\"rejected\"") != std::string::npos);
  CHECK(r.out.find("\"line\":") != std::string::npos);
  CHECK(r.out.find("\"column\":") != std::string::npos);
  CHECK(r.out.find("\"path\":\"/Envelope") != std::string::npos);
  // One line per file, the valid one still accepted after the rejection.
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 2);
  CHECK(r.out.find("\"status\":\"accepted\"") != std::string::npos);
}

TEST_CASE("swg check tells formats apart") {
  const fs::path dir = fs::temp_directory_path() / "swg_check_test";
  fs::create_directories(dir);
  swg::testing::write_file(dir / "interchange.edi",
                           "UNA:+.? 'UNB+UNOC:3+SENDER+RECEIVER+261122:1200+1'");
  swg::testing::write_file(dir / "notes.txt", "hello");
  Run r = run("check " + (dir / "interchange.edi").string() + " " + (dir / "notes.txt").string());
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"format\":\"edifact\"") != std::string::npos);
  CHECK(r.out.find("\"code\":\"FORMAT_UNSUPPORTED\"") != std::string::npos);
  CHECK(r.out.find("\"code\":\"FORMAT_UNKNOWN\"") != std::string::npos);
  fs::remove_all(dir);
}

TEST_CASE("swg check: usage and I/O errors exit 2") {
  CHECK(run("check").exit_status == 2);
  CHECK(run("frobnicate").exit_status == 2);
  Run missing = run("check /nonexistent/file.xml");
  CHECK(missing.exit_status == 2);
  CHECK(missing.out.find("\"code\":\"IO_ERROR\"") != std::string::npos);
}

TEST_CASE("swg check refuses an oversize file without reading it all") {
  const fs::path file = fs::temp_directory_path() / "swg_check_big.xml";
  swg::testing::write_file(file, "<a>" + std::string(4096, 'x') + "</a>");
  Run r = run("check --max-bytes 1024 " + file.string());
  INFO(r.out);
  CHECK(r.exit_status == 1);
  CHECK(r.out.find("\"code\":\"XML_TOO_LARGE\"") != std::string::npos);
  fs::remove(file);
}

}  // namespace
