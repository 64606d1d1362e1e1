#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "opforge/core/error.hpp"
#include "opforge/core/file_commit.hpp"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(FileCommit, ReplacesThePathWithTheTemporaryAndRemovesTheTemporary) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "opforge_file_commit";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "report.json").string(), temporary = path + ".tmp";
  std::ofstream(path) << "old";
  std::ofstream(temporary) << "new";
  opforge::commit_file(temporary, path);
  EXPECT_EQ(read(path), "new");
  EXPECT_FALSE(std::filesystem::exists(temporary));
  // A relative path commits into the working directory.
  std::ofstream("file_commit_relative.tmp") << "here";
  opforge::commit_file("file_commit_relative.tmp", "file_commit_relative.txt");
  EXPECT_EQ(read("file_commit_relative.txt"), "here");
  std::filesystem::remove_all(dir);
}

TEST(FileCommit, AMissingTemporaryIsAnIoErrorAndLeavesThePathAlone) {
  const std::string path = (std::filesystem::temp_directory_path() / "opforge_commit_kept.txt").string();
  std::ofstream(path) << "kept";
  try {
    opforge::commit_file(path + ".missing", path);
    ADD_FAILURE() << "no exception";
  } catch (const opforge::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot sync '" + path + ".missing'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read(path), "kept");
  std::filesystem::remove(path);
}

}  // namespace
