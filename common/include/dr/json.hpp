// Moved to dr/core/json.hpp; this forwarder goes once every includer has switched.
#pragma once
#include "dr/core/json.hpp"
