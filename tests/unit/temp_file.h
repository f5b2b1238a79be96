#ifndef PARLEY_TESTS_UNIT_TEMP_FILE_H_
#define PARLEY_TESTS_UNIT_TEMP_FILE_H_

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace parley::unit_test {

// A file in the test temporary directory, removed when the object goes out
// of scope. The process id in its name keeps parallel test processes apart.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(absl::StrCat(::testing::TempDir(), "parley_unit_", getpid(), "_", name)) {
    std::ofstream out(path_, std::ios::trunc);
    out << contents;
    out.close();
    EXPECT_TRUE(out.good()) << "cannot write " << path_;
  }
  ~TempFile() { std::remove(path_.c_str()); }

  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace parley::unit_test

#endif  // PARLEY_TESTS_UNIT_TEMP_FILE_H_
