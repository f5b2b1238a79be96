#ifndef PARLEY_BASE_IDS_H_
#define PARLEY_BASE_IDS_H_

#include <string>

namespace parley {

// Returns 32 random hex digits (128 bits), for message and trace ids.
// Thread-safe.
std::string RandomHexId();

}  // namespace parley

#endif  // PARLEY_BASE_IDS_H_
