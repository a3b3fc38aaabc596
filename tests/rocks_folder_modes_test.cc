// The data folder's modes are narrowed (storage/rocks_folder.h, RestrictModes) while
// RocksDB may be deleting files in the background (obsolete table files after an open):
// a file that goes between the listing and its change is no error. Found by the crash
// test, which reopened a killed writer's folder and was refused "cannot restrict the mode
// of .../000293.sst: No such file or directory".
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "storage/rocks_folder.h"
#include "tests/test_support.h"

namespace caseengine {

TEST_CASE("narrowing a data folder's modes passes over files deleted meanwhile",
          "[storage][folder]") {
  testing::TempDir tmp;
  const std::string dir = tmp.Sub("data");
  std::filesystem::create_directories(dir);
  for (int round = 0; round < 20; ++round) {
    // Given many files open to others, deleted by another thread as the modes are narrowed
    std::vector<std::string> files;
    for (int i = 0; i < 400; ++i) {
      files.push_back(dir + "/" + std::to_string(round) + "-" + std::to_string(i) + ".sst");
      std::ofstream(files.back()) << "x";
      chmod(files.back().c_str(), 0644);
    }
    std::atomic<bool> go{false};
    std::thread deleter([&] {
      while (!go.load()) {
      }
      for (const std::string& f : files) std::filesystem::remove(f);
    });
    go = true;
    const Status s = RestrictModes(dir);
    deleter.join();
    // Then it goes through, and what is left is the owner's alone
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  std::ofstream(dir + "/kept") << "x";
  chmod((dir + "/kept").c_str(), 0644);
  REQUIRE(RestrictModes(dir).ok());
  struct stat st;
  REQUIRE(stat((dir + "/kept").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

}  // namespace caseengine
