#include "processor_service.h"

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "parley/runtime/grpc_options.h"
#include "parley/runtime/logging.h"

namespace parley::processor {
namespace {

// Reads every room's state from broadcaster's Recover stream.
absl::StatusOr<std::vector<internal::v1::RoomState>> RecoverFrom(
    internal::v1::Fanout::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  auto reader = stub.Recover(&context, internal::v1::RecoverRequest());
  std::vector<internal::v1::RoomState> rooms;
  internal::v1::RoomState room;
  while (reader->Read(&room)) rooms.push_back(room);
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return rooms;
}

ProcessorOptions OptionsFrom(const ProcessorConfig& config, internal::v1::Fanout::Stub& stub,
                             pipeline::StreamLink& link) {
  return ProcessorOptions{
      .dedup_window = config.dedup_window,
      .dedup_max_entries = static_cast<size_t>(config.dedup_max_entries),
      .queue_capacity = static_cast<size_t>(config.queue_capacity),
      .commit_delay = config.commit_delay,
      .recover = [&stub] { return RecoverFrom(stub); },
      .recover_backoff = config.broadcaster.reconnect,
      .replay_per_room = static_cast<size_t>(config.replay_max_messages_per_room),
      .wait_for_downstream = [&link](absl::Time deadline) { return link.WaitForRoom(deadline); },
      .moderation = config.moderation,
  };
}

}  // namespace

ProcessorService::ProcessorService(const ProcessorConfig& config, runtime::ServiceHost& host)
    : config_(config),
      rpc_metrics_(host.rpc_metrics()),
      metrics_(host.registry()),
      broadcaster_channel_(grpc::CreateCustomChannel(
          config.broadcaster.target, grpc::InsecureChannelCredentials(),
          runtime::ClientChannelArguments(config.server.max_message_bytes))),
      broadcaster_stub_(internal::v1::Fanout::NewStub(broadcaster_channel_)),
      broadcaster_("broadcaster", config.broadcaster,
                   [this](grpc::ClientContext* context) {
                     return broadcaster_stub_->Deliver(context);
                   },
                   pipeline::LinkMetrics::Create(host.registry(), "broadcaster")),
      shutdown_(host.shutdown()),
      stage_(OptionsFrom(config, *broadcaster_stub_, broadcaster_), broadcaster_, metrics_),
      hop_server_("submit", stage_, host.registry()) {
  hop_server_.SetCancellation(&shutdown_);
  rpc_metrics_.Declare("parley.internal.v1.Processor", "Submit");
}

grpc::Status ProcessorService::Submit(grpc::ServerContext* context,
                                      pipeline::HopServerStream* stream) {
  absl::Time started = absl::Now();
  grpc::Status status = hop_server_.Serve(context, stream);
  rpc_metrics_.Observe("parley.internal.v1.Processor", "Submit", status.error_code(),
                       absl::Now() - started);
  return status;
}

void ProcessorService::Register(grpc::ServerBuilder& builder) { builder.RegisterService(this); }

void ProcessorService::Start() {
  broadcaster_.SetReplay([this] { return stage_.ReplayItems(); });
  broadcaster_.Start(&shutdown_);
  stage_.Start(&shutdown_);
  // READY waits briefly for the downstream stream; without it the service
  // still starts and queues commits until broadcaster is reachable.
  broadcaster_.WaitConnected(absl::Now() + absl::Seconds(5));
}

std::string ProcessorService::Describe() {
  return absl::StrCat("broadcaster link ", broadcaster_.connected() ? "up" : "down", " (",
                      config_.broadcaster.target, ")");
}

bool ProcessorService::Healthy() { return stage_.Progressing(config_.stall_timeout); }

void ProcessorService::StopAccepting() { hop_server_.StopAccepting(); }

size_t ProcessorService::WaitDrained(absl::Time deadline) {
  return hop_server_.WaitDrained(deadline);
}

void ProcessorService::CloseDownstream(absl::Time deadline) {
  stage_.Stop();
  broadcaster_.Close(deadline);
}

void ProcessorService::EndStreams() { hop_server_.EndStreams(); }

void ProcessorService::Stop() {}

}  // namespace parley::processor
