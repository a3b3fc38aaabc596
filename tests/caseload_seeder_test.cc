// Tests of CaseloadSeeder.
#include <catch2/catch.hpp>
