#ifndef PARLEY_CLIENT_OUTPUT_LINE_H_
#define PARLEY_CLIENT_OUTPUT_LINE_H_

#include <string>

namespace parley::client {

// Writes `line` and a newline to stdout and flushes, so a program reading a
// pipe receives each event at once. Returns false when stdout cannot be written.
bool WriteOutputLine(const std::string& line);

}  // namespace parley::client

#endif  // PARLEY_CLIENT_OUTPUT_LINE_H_
