#include "parse_error_interceptor.h"

#include <cstring>

#include "grpcpp/support/status.h"

namespace parley::intake {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr char kSendMethod[] = "/parley.v1.Intake/Send";

// Remembers whether the request failed to parse, and if so replaces the
// status of the call when it is sent.
class ParseErrorInterceptor : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      unparsable_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        unparsable_) {
      methods->ModifySendStatus(grpc::Status(
          grpc::StatusCode::INVALID_ARGUMENT,
          "request: cannot parse parley.v1.SendRequest; room, sender, text and "
          "client_message_id must be valid UTF-8"));
    }
    methods->Proceed();
  }

 private:
  bool unparsable_ = false;
};

}  // namespace

grpc::experimental::Interceptor* ParseErrorInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  if (std::strcmp(info->method(), kSendMethod) != 0) return nullptr;
  return new ParseErrorInterceptor();
}

}  // namespace parley::intake
