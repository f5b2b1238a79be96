#ifndef PARLEY_PIPELINE_IN_PROCESS_HOP_H_
#define PARLEY_PIPELINE_IN_PROCESS_HOP_H_

// A Hop inside one process: a bounded Channel and one worker thread that
// hands each item to the next Stage, in order. Unit tests and benchmarks
// wire whole pipelines from these; the services use StreamLink instead.

#include <string>
#include <thread>

#include "parley/base/channel.h"
#include "parley/pipeline/hop.h"

namespace parley::pipeline {

class InProcessHop : public Hop {
 public:
  // `stage` must outlive the hop. Starts the worker thread.
  InProcessHop(Stage& stage, size_t capacity);
  ~InProcessHop() override;  // closes the channel, drains it, joins

  InProcessHop(const InProcessHop&) = delete;
  InProcessHop& operator=(const InProcessHop&) = delete;

  void Send(Item item, absl::Time deadline, OutcomeCallback done) override;
  void Cancel(const std::string& message_id) override;

  // Stops accepting items; those already queued are still handed over.
  void Close();

 private:
  struct Envelope {
    Item item;
    absl::Time deadline;
    OutcomeCallback done;
  };

  void Run();

  Stage& stage_;
  Channel<Envelope> channel_;
  std::thread worker_;
};

}  // namespace parley::pipeline

#endif  // PARLEY_PIPELINE_IN_PROCESS_HOP_H_
