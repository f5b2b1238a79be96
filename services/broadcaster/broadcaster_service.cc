#include "broadcaster_service.h"

#include "absl/strings/str_cat.h"
#include "parley/chat/validation.h"
#include "parley/pipeline/outcomes.h"
#include "parley/runtime/logging.h"
#include "request_validation.h"
#include "subscribe_reactor.h"

namespace parley::broadcaster {
grpc::Status DeliverService::Deliver(grpc::ServerContext* context,
                                     pipeline::HopServerStream* stream) {
  absl::Time started = absl::Now();
  grpc::Status status = hop_server_.Serve(context, stream);
  rpc_metrics_.Observe("parley.internal.v1.Fanout", "Deliver", status.error_code(),
                       absl::Now() - started);
  return status;
}

grpc::Status DeliverService::Recover(grpc::ServerContext* /*context*/,
                                     const internal::v1::RecoverRequest* /*request*/,
                                     grpc::ServerWriter<internal::v1::RoomState>* writer) {
  absl::Time started = absl::Now();
  std::vector<internal::v1::RoomState> states = fanout_.Snapshot();
  grpc::Status status = grpc::Status::OK;
  for (const internal::v1::RoomState& state : states) {
    if (!writer->Write(state)) {
      status = grpc::Status(grpc::StatusCode::CANCELLED, "processor went away during recovery");
      break;
    }
  }
  runtime::Logger("recover")->info("sent the state of {} rooms to processor", states.size());
  rpc_metrics_.Observe("parley.internal.v1.Fanout", "Recover", status.error_code(),
                       absl::Now() - started);
  return status;
}

BroadcasterService::BroadcasterService(const BroadcasterConfig& config,
                                       runtime::ServiceHost& host)
    : config_(config),
      rpc_metrics_(host.rpc_metrics()),
      metrics_(host.registry()),
      fanout_(static_cast<size_t>(config.history_max_messages_per_room), metrics_),
      hop_server_("deliver", fanout_, host.registry()),
      deliver_service_(hop_server_, fanout_, host.rpc_metrics()),
      shutdown_(host.shutdown()) {
  hop_server_.SetCancellation(&shutdown_);
  rpc_metrics_.Declare("parley.v1.Broadcaster", "Subscribe");
  rpc_metrics_.Declare("parley.internal.v1.Fanout", "Deliver");
  rpc_metrics_.Declare("parley.internal.v1.Fanout", "Recover");
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* BroadcasterService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  if (!accepting_.load()) {
    return SubscribeReactor::Rejected(
        {grpc::StatusCode::UNAVAILABLE, "broadcaster is shutting down; subscribe again"},
        rpc_metrics_);
  }
  absl::StatusOr<v1::SubscribeRequest> parsed = ParseSubscribeRequest(*raw_request);
  if (!parsed.ok()) {
    return SubscribeReactor::Rejected(pipeline::ToGrpcStatus(parsed.status()), rpc_metrics_);
  }
  const v1::SubscribeRequest* request = &*parsed;
  if (absl::Status invalid = ValidateSubscribe(*request); !invalid.ok()) {
    return SubscribeReactor::Rejected(pipeline::ToGrpcStatus(invalid), rpc_metrics_);
  }
  uint64_t id = next_subscriber_id_.fetch_add(1);
  std::vector<std::string> rooms(request->rooms().begin(), request->rooms().end());
  absl::flat_hash_map<std::string, uint64_t> from_sequence;
  for (const std::string& room : rooms) {
    auto it = request->room_from_sequence().find(room);
    from_sequence[room] =
        it == request->room_from_sequence().end() ? request->from_sequence() : it->second;
  }
  runtime::Logger("subscribe")
      ->debug("subscriber_id={} from {} joined {} rooms", id, context->peer(), rooms.size());
  auto queue = std::make_shared<SubscriberQueue>(
      id, std::move(rooms), from_sequence,
      QueueLimits{.max_messages = static_cast<size_t>(config_.subscriber_max_queued_messages),
                  .max_bytes = static_cast<size_t>(config_.subscriber_max_queued_bytes)},
      request->sender(), QueueGauges{&metrics_.queued_events, &metrics_.queued_bytes});
  return new SubscribeReactor(fanout_, std::move(queue), metrics_, rpc_metrics_, shutdown_);
}

grpc::ServerUnaryReactor* BroadcasterService::History(grpc::CallbackServerContext* context,
                                                      const v1::HistoryRequest* request,
                                                      v1::HistoryResponse* response) {
  absl::Time started = absl::Now();
  absl::Status status = FillHistory(*request, response);
  rpc_metrics_.Observe("parley.v1.Broadcaster", "History",
                       static_cast<grpc::StatusCode>(status.code()), absl::Now() - started);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(pipeline::ToGrpcStatus(status));
  return reactor;
}

absl::Status BroadcasterService::FillHistory(const v1::HistoryRequest& request,
                                             v1::HistoryResponse* response) const {
  absl::StatusOr<size_t> limit =
      ValidateHistory(request, static_cast<size_t>(config_.history_max_messages_per_room));
  if (!limit.ok()) return limit.status();
  Fanout::HistoryPage page = fanout_.History(request.room(), request.before_sequence(), *limit);
  for (const EventPtr& event : page.messages) *response->add_messages() = event->message();
  response->set_first_available_sequence(page.first_available_sequence);
  return absl::OkStatus();
}

grpc::ServerUnaryReactor* BroadcasterService::Members(grpc::CallbackServerContext* context,
                                                      const v1::MembersRequest* request,
                                                      v1::MembersResponse* response) {
  absl::Time started = absl::Now();
  absl::Status status = ValidateMembers(*request);
  if (status.ok()) {
    for (v1::Member& member : fanout_.Members(request->room())) {
      *response->add_members() = std::move(member);
    }
  }
  rpc_metrics_.Observe("parley.v1.Broadcaster", "Members",
                       static_cast<grpc::StatusCode>(status.code()), absl::Now() - started);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(pipeline::ToGrpcStatus(status));
  return reactor;
}

void BroadcasterService::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(static_cast<BroadcasterApi*>(this));
  builder.RegisterService(&deliver_service_);
}

std::string BroadcasterService::Describe() {
  return absl::StrCat(fanout_.subscribers(), " subscribers");
}

void BroadcasterService::StopAccepting() {
  accepting_.store(false);
  hop_server_.StopAccepting();
}

size_t BroadcasterService::WaitDrained(absl::Time deadline) {
  // 1. Commits already accepted are in every queue once the hop drained.
  size_t left = hop_server_.WaitDrained(deadline);
  if (left > 0) return left;

  // 2. Subscribers write out their queues and end with UNAVAILABLE, which
  // names the sequence to resume from.
  fanout_.CloseAll(absl::UnavailableError("broadcaster is shutting down"));
  return fanout_.WaitUnsubscribed(deadline);
}

void BroadcasterService::EndStreams() {
  fanout_.CloseAll(absl::UnavailableError("broadcaster is shutting down"));
  hop_server_.EndStreams();
}

}  // namespace parley::broadcaster
