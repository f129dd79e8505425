#pragma once
// Small value types shared by the register codec, the transport and the configuration.

#include <string>

namespace vtj::reg {

enum class Transport { Soso, XRoad };

// An X-Road 4.0 identifier: INSTANCE/CLASS/CODE/SUBSYSTEM for a client subsystem, plus
// SERVICE/VERSION for a service.
struct XRoadId {
  std::string instance;
  std::string member_class;
  std::string member_code;
  std::string subsystem;
  std::string service_code;     // services only
  std::string service_version;  // services only, may be empty
};

}  // namespace vtj::reg
