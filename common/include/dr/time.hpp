// Moved to dr/core/time.hpp; this forwarder goes once every includer has switched.
#pragma once
#include "dr/core/time.hpp"
