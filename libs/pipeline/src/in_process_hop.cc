#include "parley/pipeline/in_process_hop.h"

namespace parley::pipeline {

InProcessHop::InProcessHop(Stage& stage, size_t capacity)
    : stage_(stage), channel_(capacity), worker_([this] { Run(); }) {}

InProcessHop::~InProcessHop() {
  Close();
  worker_.join();
}

void InProcessHop::Send(Item item, absl::Time deadline, OutcomeCallback done) {
  Envelope envelope{std::move(item), deadline, std::move(done)};
  switch (channel_.TrySend(envelope)) {
    case SendResult::kSent:
      return;
    case SendResult::kFull:
      envelope.done(absl::UnavailableError("in-process hop is full"));
      return;
    default:
      envelope.done(absl::UnavailableError("in-process hop is closed"));
      return;
  }
}

void InProcessHop::Cancel(const std::string& message_id) { stage_.Cancel(message_id); }

void InProcessHop::Close() { channel_.Close(); }

void InProcessHop::Run() {
  while (std::optional<Envelope> envelope = channel_.Receive()) {
    stage_.Handle(std::move(envelope->item), envelope->deadline, std::move(envelope->done));
  }
}

}  // namespace parley::pipeline
