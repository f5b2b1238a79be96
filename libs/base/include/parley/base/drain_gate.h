#ifndef PARLEY_BASE_DRAIN_GATE_H_
#define PARLEY_BASE_DRAIN_GATE_H_

// Counts work in flight and lets shutdown wait for it: the WaitGroup of the
// Go design, plus a "closed" state that rejects new work.
//
//   auto token = gate.TryEnter();
//   if (!token) return UNAVAILABLE;          // shutting down
//   StartAsyncWork([token = std::move(*token)] { ... });  // released at end
//   ...
//   gate.Close();                            // on SIGTERM
//   size_t left = gate.WaitDrained(deadline);
//
// The gate must outlive every token it hands out.

#include <cstddef>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "parley/base/mutex.h"
#include "absl/time/time.h"

namespace parley {

class DrainGate {
 public:
  // One unit of work in flight; released when destroyed. Move-only.
  class Token {
   public:
    Token(Token&& other) noexcept : gate_(other.gate_) { other.gate_ = nullptr; }
    Token& operator=(Token&& other) noexcept;
    Token(const Token&) = delete;
    Token& operator=(const Token&) = delete;
    ~Token() { Release(); }

    // Releases the token early; destroying it afterwards does nothing.
    void Release();

   private:
    friend class DrainGate;
    explicit Token(DrainGate* gate) : gate_(gate) {}
    DrainGate* gate_;
  };

  DrainGate() = default;
  DrainGate(const DrainGate&) = delete;
  DrainGate& operator=(const DrainGate&) = delete;

  // Returns a token, or nullopt once the gate is closed.
  std::optional<Token> TryEnter();

  // Rejects new entries. Work already in flight continues. Idempotent.
  void Close();

  // Blocks until every token is released or `deadline` passes. Returns the
  // number of tokens still held: 0 means fully drained.
  size_t WaitDrained(absl::Time deadline);

  size_t in_flight() const;
  bool closed() const;

 private:
  void Leave();

  mutable parley::Mutex mu_;
  size_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace parley

#endif  // PARLEY_BASE_DRAIN_GATE_H_
