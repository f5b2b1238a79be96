#include "shared_event.h"

#include <cstdlib>
#include <utility>

#include "grpcpp/impl/codegen/proto_utils.h"
#include "parley/runtime/logging.h"

namespace parley::broadcaster {

SharedEvent::SharedEvent(v1::Event event) : event_(std::move(event)) {
  bool own_buffer = false;
  grpc::Status status =
      grpc::SerializationTraits<v1::Event>::Serialize(event_, &bytes_, &own_buffer);
  if (!status.ok()) {
    // Protobuf fails to serialize only messages of 2 GiB or more, and
    // intake's limits keep events far below that.
    runtime::Logger("fanout")->critical("cannot serialize an event: {}", status.error_message());
    std::abort();
  }
  size_ = bytes_.Length();
}

EventPtr MakeSharedEvent(v1::Event event) {
  return std::make_shared<const SharedEvent>(std::move(event));
}

}  // namespace parley::broadcaster
