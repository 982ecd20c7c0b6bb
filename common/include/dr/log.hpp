// Moved to dr/core/log.hpp; this forwarder goes once every includer has switched.
#pragma once
#include "dr/core/log.hpp"
