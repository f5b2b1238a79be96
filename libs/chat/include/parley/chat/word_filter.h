#ifndef PARLEY_CHAT_WORD_FILTER_H_
#define PARLEY_CHAT_WORD_FILTER_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace parley::chat {

// Finds the words of a moderation list in UTF-8 text. A word is a maximal
// run of letters, combining marks and digits (Unicode categories L, M and
// N), so "darn" matches in "darn!" and "Darn it" but not in "darned".
// Matching compares Unicode case foldings of the NFC forms. Immutable and
// thread-safe.
class WordFilter {
 public:
  // Builds a filter of `words`, each of which must be one word as defined
  // above. An error names the entry's index in `field`, for example
  // "moderation.words[2]".
  static absl::StatusOr<WordFilter> Create(absl::string_view field,
                                           const std::vector<std::string>& words);

  // Returns OK when `word` is valid UTF-8 and one word as defined above,
  // or else INVALID_ARGUMENT naming `field`.
  static absl::Status CheckWord(absl::string_view field, absl::string_view word);

  WordFilter() = default;

  bool empty() const { return folded_words_.empty(); }

  // Returns true when valid UTF-8 `text` contains a listed word.
  bool Matches(absl::string_view text) const;

  // Returns `text` with every letter and digit of each listed word
  // replaced by '*' (combining marks are dropped), and sets `*masked` to
  // the number of words replaced.
  std::string Mask(absl::string_view text, int* masked) const;

 private:
  explicit WordFilter(absl::flat_hash_set<std::string> folded_words)
      : folded_words_(std::move(folded_words)) {}

  bool Listed(absl::string_view word) const;

  absl::flat_hash_set<std::string> folded_words_;
};

}  // namespace parley::chat

#endif  // PARLEY_CHAT_WORD_FILTER_H_
