// parley-broadcaster: fans committed messages out to subscribers.

#include "broadcaster_service.h"
#include "config.h"
#include "parley/runtime/service_main.h"

int main(int argc, char** argv) {
  return parley::runtime::ServiceMain<parley::broadcaster::BroadcasterConfig,
                                      parley::broadcaster::BroadcasterService>(
      argc, argv, "broadcaster", &parley::broadcaster::LoadBroadcasterConfig);
}
