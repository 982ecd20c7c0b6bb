// Moved to dr/core/error.hpp; this forwarder goes once every includer has switched.
#pragma once
#include "dr/core/error.hpp"
