#ifndef PARLEY_SERVICES_BROADCASTER_SHARED_EVENT_H_
#define PARLEY_SERVICES_BROADCASTER_SHARED_EVENT_H_

#include <cstddef>
#include <memory>

#include "grpcpp/support/byte_buffer.h"
#include "parley/v1/chat.pb.h"

namespace parley::broadcaster {

// One event and its wire form, serialized once when it is built. Every
// subscriber stream writes a copy of `bytes()`, and such a copy shares the
// serialized data through reference-counted gRPC slices, so fanning an
// event out to many subscribers costs one serialization. Immutable, so
// safe to share between threads. Room history keeps these objects, so each
// message held there costs its decoded and its serialized form.
class SharedEvent {
 public:
  explicit SharedEvent(v1::Event event);

  const v1::Event& event() const { return event_; }
  const grpc::ByteBuffer& bytes() const { return bytes_; }
  // Serialized size in bytes.
  size_t size() const { return size_; }

  bool has_message() const { return event_.has_message(); }
  const v1::ChatMessage& message() const { return event_.message(); }
  bool has_gap() const { return event_.has_gap(); }
  const v1::Gap& gap() const { return event_.gap(); }
  bool has_presence() const { return event_.has_presence(); }
  const v1::Presence& presence() const { return event_.presence(); }

 private:
  const v1::Event event_;
  grpc::ByteBuffer bytes_;
  size_t size_ = 0;
};

using EventPtr = std::shared_ptr<const SharedEvent>;

// Serializes `event` once and returns it ready to share.
EventPtr MakeSharedEvent(v1::Event event);

}  // namespace parley::broadcaster

#endif  // PARLEY_SERVICES_BROADCASTER_SHARED_EVENT_H_
