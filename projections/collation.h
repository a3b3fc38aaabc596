// CollateNames: people's names compared as a reader of the en-GB locale expects them in
// a list (ICU's collator: "Öztürk" beside "Ozturk" and before "Patel", "Ó Ceallaigh"
// among the O's, case and accents second to the letters), not by their UTF-8 bytes,
// which put every accented capital after "Z". Lists sort their name columns with it
// (Cell::Name), and the client search breaks ties in score with it.
//
// Threading: any thread; each thread opens its own collator once (ICU collators are not
// safe to share for comparing).
#pragma once

#include <string_view>

namespace caseengine {

// <0, 0, >0 as `a` sorts before, with, after `b`. Texts that collate alike (canonically
// equivalent) are ordered by their bytes, so only identical texts are 0: a total order.
int CollateNames(std::string_view a, std::string_view b);

}  // namespace caseengine
