#ifndef PARLEY_SERVICES_INTAKE_PARSE_ERROR_INTERCEPTOR_H_
#define PARLEY_SERVICES_INTAKE_PARSE_ERROR_INTERCEPTOR_H_

#include "grpcpp/support/server_interceptor.h"

namespace parley::intake {

// Gives a Send whose request protobuf cannot parse INVALID_ARGUMENT with a
// message, in place of the empty UNIMPLEMENTED that gRPC 1.51's callback
// API returns. Protobuf rejects a proto3 string field with invalid UTF-8
// while parsing, so this is how such a Send ends before intake's own
// checks run. Other methods get no interceptor.
class ParseErrorInterceptorFactory
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace parley::intake

#endif  // PARLEY_SERVICES_INTAKE_PARSE_ERROR_INTERCEPTOR_H_
