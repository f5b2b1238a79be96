#include "output_line.h"

#include <iostream>

namespace parley::client {

bool WriteOutputLine(const std::string& line) {
  std::cout << line << '\n';
  std::cout.flush();
  return static_cast<bool>(std::cout);
}

}  // namespace parley::client
