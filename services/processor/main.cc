// parley-processor: sequences accepted messages and hands them to
// broadcaster.

#include "config.h"
#include "parley/runtime/service_main.h"
#include "processor_service.h"

int main(int argc, char** argv) {
  return parley::runtime::ServiceMain<parley::processor::ProcessorConfig,
                                      parley::processor::ProcessorService>(
      argc, argv, "processor", &parley::processor::LoadProcessorConfig);
}
