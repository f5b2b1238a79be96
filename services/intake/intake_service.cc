#include "intake_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "grpcpp/create_channel.h"
#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "grpcpp/security/credentials.h"
#include "parley/base/ids.h"
#include "parley/pipeline/drop_metrics.h"
#include "parley/runtime/grpc_options.h"
#include "parley/runtime/logging.h"
#include "parse_error_interceptor.h"
#include "send_reactor.h"

namespace parley::intake {
namespace {

// Metadata key a client may set to follow its message through every
// service's logs. Intake returns the trace id it used under the same key in
// the initial metadata of its response.
constexpr char kTraceIdHeader[] = "x-parley-trace-id";
constexpr size_t kMaxTraceIdBytes = 64;

// Accepts 1 to 64 ASCII letters, digits and "-_.:/", so that a trace id
// stays one token in the `trace_id=` field of every log line.
bool IsValidTraceId(absl::string_view value) {
  if (value.empty() || value.size() > kMaxTraceIdBytes) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
           c == '.' || c == ':' || c == '/';
  });
}

// Returns the client's trace id, or a new random one when the client sent
// none or an invalid one.
std::string TraceIdOf(const grpc::CallbackServerContext& context) {
  auto it = context.client_metadata().find(kTraceIdHeader);
  if (it != context.client_metadata().end()) {
    absl::string_view value(it->second.data(), it->second.size());
    if (IsValidTraceId(value)) return std::string(value);
    runtime::Logger("send")->debug("ignored an invalid {} of {} bytes", kTraceIdHeader,
                                   value.size());
  }
  return RandomHexId();
}

absl::Time DeadlineOf(const grpc::CallbackServerContext& context, absl::Duration fallback) {
  auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::Now() + fallback;
  return absl::FromChrono(deadline);
}

// Buckets from 250 us (both hops on one host, idle) to 10 s (a Send that
// waited for a restarting processor).
prometheus::Histogram& CommitLatency(prometheus::Registry& registry) {
  return prometheus::BuildHistogram()
      .Name("parley_commit_latency_seconds")
      .Help("Time from intake receiving a Send to broadcaster accepting the message.")
      .Register(registry)
      .Add({}, prometheus::Histogram::BucketBoundaries{0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                       0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                       2.5, 5, 10});
}

prometheus::Counter& RateLimited(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("parley_intake_rate_limited_total")
      .Help("Sends rejected with RESOURCE_EXHAUSTED by the per-sender rate limit.")
      .Register(registry)
      .Add({});
}

std::unique_ptr<RateLimiter> MakeRateLimiter(const RateLimitOptions& options) {
  if (options.messages_per_second == 0) return nullptr;
  return std::make_unique<RateLimiter>(options);
}

}  // namespace

IntakeService::IntakeService(const IntakeConfig& config, runtime::ServiceHost& host)
    : config_(config),
      rpc_metrics_(host.rpc_metrics()),
      processor_channel_(grpc::CreateCustomChannel(
          config.processor.target, grpc::InsecureChannelCredentials(),
          runtime::ClientChannelArguments(config.server.max_message_bytes))),
      processor_stub_(internal::v1::Processor::NewStub(processor_channel_)),
      processor_("processor", config.processor,
                 [this](grpc::ClientContext* context) { return processor_stub_->Submit(context); },
                 pipeline::LinkMetrics::Create(host.registry(), "processor")),
      rate_limiter_(MakeRateLimiter(config.rate_limit)),
      stage_(config.limits, processor_, rate_limiter_.get()),
      send_metrics_{pipeline::DroppedCounter(host.registry(), "intake", "expired"),
                    pipeline::DroppedCounter(host.registry(), "intake", "cancelled"),
                    CommitLatency(host.registry()), RateLimited(host.registry())},
      shutdown_(host.shutdown()) {
  rpc_metrics_.Declare("parley.v1.Intake", "Send");
}

grpc::ServerUnaryReactor* IntakeService::Send(grpc::CallbackServerContext* context,
                                              const v1::SendRequest* request,
                                              v1::SendResponse* response) {
  auto* reactor = new SendReactor(context, stage_, rpc_metrics_, send_metrics_, response);
  std::optional<DrainGate::Token> token = gate_.TryEnter();
  if (!token.has_value()) {
    reactor->Reject({grpc::StatusCode::UNAVAILABLE,
                     "intake is shutting down; retry with the same client_message_id"});
    return reactor;
  }
  std::string trace_id = TraceIdOf(*context);
  context->AddInitialMetadata(kTraceIdHeader, trace_id);
  reactor->Start(*request, DeadlineOf(*context, config_.default_timeout), trace_id,
                 std::move(*token));
  return reactor;
}

void IntakeService::Register(grpc::ServerBuilder& builder) {
  builder.RegisterService(this);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<ParseErrorInterceptorFactory>());
  // NOTE: this replaces any interceptor list set on `builder` before, and
  // ServiceHost sets none.
  builder.experimental().SetInterceptorCreators(std::move(factories));
}

void IntakeService::Start() {
  if (rate_limiter_ == nullptr) {
    runtime::Logger("intake")->info("per-sender rate limit off");
  } else {
    runtime::Logger("intake")->info(
        "per-sender rate limit {} messages per second, burst {}, up to {} senders",
        config_.rate_limit.messages_per_second, config_.rate_limit.burst,
        config_.rate_limit.max_senders);
  }
  processor_.Start(&shutdown_);
  processor_.WaitConnected(absl::Now() + absl::Seconds(5));
}

std::string IntakeService::Describe() {
  return absl::StrCat("processor link ", processor_.connected() ? "up" : "down", " (",
                      config_.processor.target, ")");
}

}  // namespace parley::intake
