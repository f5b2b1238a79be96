// parley-intake: accepts Send calls from clients and forwards them to
// processor.

#include "config.h"
#include "intake_service.h"
#include "parley/runtime/service_main.h"

int main(int argc, char** argv) {
  return parley::runtime::ServiceMain<parley::intake::IntakeConfig,
                                      parley::intake::IntakeService>(
      argc, argv, "intake", &parley::intake::LoadIntakeConfig);
}
