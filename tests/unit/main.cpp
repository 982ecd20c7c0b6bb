// The Catch2 main for the unit tests of common/.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
