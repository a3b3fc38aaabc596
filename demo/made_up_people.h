// Made-up people for the demo caseload: the random choices every household draws from (Rng)
// and the names, National Insurance numbers, phones, postcodes and email addresses of the
// people it makes up. Names are a British mix, some with accents; contact details come
// from ranges that reach no one: Ofcom's drama numbers and the example domains of RFC 2606.
//
// Every random choice of a household comes from its own generator, drawn in a fixed order
// (never two draws whose order C++ leaves open, as in the arguments of one call), and mapped
// to numbers by hand rather than by <random>'s distributions, whose results differ between
// standard libraries: one seed gives one caseload everywhere.
//
// Threading: an Rng belongs to one household; the rest is pure.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace caseengine::demo {

uint64_t Mix(uint64_t x);  // SplitMix64's finaliser

// Households draw their shape, their script and their start day from separate streams, so
// that planning (which draws only shapes and start days) and playing agree whatever the
// script does.
enum class Stream : uint64_t { kShape = 1, kScript = 2, kStart = 3 };

class Rng {
 public:
  Rng(uint64_t seed, int household, Stream stream)
      : engine_(Mix(Mix(Mix(seed) ^ static_cast<uint64_t>(household)) ^
                    static_cast<uint64_t>(stream))) {}

  uint64_t Below(uint64_t n) { return engine_() % n; }  // the bias is far below notice
  int Uniform(int lo, int hi) { return lo + static_cast<int>(Below(hi - lo + 1)); }
  double Unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <class T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }
  template <class T>
  const T& Pick(const std::vector<T>& items) {
    return items[Below(items.size())];
  }

 private:
  std::mt19937_64 engine_;
};

inline constexpr const char* kFemaleNames[] = {
    "Olivia",   "Amelia",    "Isla",      "Ava",        "Mia",       "Ivy",      "Lily",
    "Freya",    "Grace",     "Sophie",    "Emily",      "Chloe",     "Jessica",  "Hannah",
    "Megan",    "Siobhán",   "Aoife",     "Niamh",      "Róisín",    "Caitlin",  "Eilidh",
    "Seren",    "Cerys",     "Ffion",     "Aisha",      "Fatima",    "Amira",    "Zainab",
    "Maryam",   "Priya",     "Anjali",    "Sunita",     "Harpreet",  "Chloë",    "Zoë",
    "Renée",    "Amélie",    "Agnieszka", "Małgorzata", "Katarzyna", "Ioana",    "Elena",
    "Ngozi",    "Adaeze",    "Abena",     "Yasmin",     "Leila",     "Mei",      "Precious",
    "Blessing", "Chantelle", "Kayleigh",  "Stacey",     "Tracey",    "Danielle", "Margaret",
    "Patricia", "Janet",     "Shirley",   "Bernadette", "Hawa",      "Fartun",   "Nadia"};

inline constexpr const char* kMaleNames[] = {
    "Oliver", "George", "Harry",   "Jack",     "Noah",   "Muhammad", "Mohammed", "Leo",
    "Arthur", "Oscar",  "Charlie", "Jacob",    "Thomas", "James",    "William",  "Daniel",
    "Joshua", "Ryan",   "Liam",    "Kieran",   "Aidan",  "Declan",   "Seán",     "Ciarán",
    "Rhys",   "Dylan",  "Owen",    "Gruffydd", "Iestyn", "Callum",   "Ewan",     "Hamish",
    "Tariq",  "Imran",  "Bilal",   "Arjun",    "Rohan",  "Sanjay",   "Gurpreet", "Kwame",
    "Kofi",   "Chidi",  "Tunde",   "Emeka",    "Marek",  "Piotr",    "Łukasz",   "Tomasz",
    "Andrei", "Mihai",  "José",    "Andrés",   "Rubén",  "François", "Jürgen",   "Wei",
    "Hao",    "Abdi",   "Mustafa", "Dean",     "Wayne",  "Kevin",    "Terence"};

inline constexpr const char* kSurnames[] = {
    "Smith",          "Jones",       "Williams",    "Taylor",    "Brown",      "Davies",
    "Evans",          "Wilson",      "Thomas",      "Johnson",   "Roberts",    "Robinson",
    "Thompson",       "Wright",      "Walker",      "White",     "Edwards",    "Hughes",
    "Green",          "Hall",        "Lewis",       "Harris",    "Clarke",     "Patel",
    "Jackson",        "Wood",        "Turner",      "Martin",    "Cooper",     "Hill",
    "Ward",           "Morris",      "Moore",       "Clark",     "Lee",        "King",
    "Baker",          "Harrison",    "Morgan",      "Allen",     "James",      "Scott",
    "Phillips",       "Watson",      "Davis",       "Parker",    "Price",      "Bennett",
    "Young",          "Griffiths",   "Mitchell",    "Kelly",     "Cook",       "Carter",
    "Richardson",     "Bailey",      "Collins",     "Bell",      "Shaw",       "Murphy",
    "Miller",         "Cox",         "Richards",    "Khan",      "Marshall",   "Anderson",
    "Simpson",        "Ellis",       "Adams",       "Singh",     "Begum",      "Wilkinson",
    "Foster",         "Chapman",     "Powell",      "Webb",      "Rogers",     "Gray",
    "Mason",          "Ali",         "Hunt",        "Hussain",   "Campbell",   "Matthews",
    "Owen",           "Palmer",      "Holmes",      "Mills",     "Barnes",     "Knight",
    "Lloyd",          "Butler",      "Russell",     "Barker",    "Fisher",     "Stevens",
    "Jenkins",        "Murray",      "Dixon",       "Harvey",    "Ahmed",      "Rahman",
    "Chowdhury",      "Uddin",       "Okafor",      "Adeyemi",   "Mensah",     "Osei",
    "Mohamed",        "Abdullahi",   "Nowak",       "Kowalczyk", "Wiśniewski", "Popescu",
    "Nguyen",         "Chen",        "Wong",        "O'Brien",   "O'Connor",   "MacDonald",
    "McLeod",         "Núñez",       "Gonçalves",   "Müller",    "Öztürk",     "Yılmaz",
    "Bradley-Hughes", "Lloyd-Jones", "Ó Ceallaigh", "da Silva",  "Kaur",       "Gill",
    "Sandhu"};

// Outward codes of areas with a lot of housing casework, in several nations and regions.
inline constexpr const char* kPostcodeAreas[] = {
    "SW9",  "SE15", "E8",  "N17",  "NW10", "W12",  "E16", "B12", "B21",  "M14",
    "M8",   "L8",   "LS9", "BD3",  "S2",   "NG7",  "LE2", "BS5", "CF24", "SA1",
    "G31",  "EH7",  "DD3", "NE6",  "SR5",  "BN2",  "PL4", "CV1", "OX4",  "CB1",
    "SO14", "HU3",  "ST4", "DE23", "WV2",  "BT12", "BT5", "LU1", "MK6",  "PE1"};

// The letters an inward code uses (Royal Mail never uses C I K M O V there).
inline constexpr char kInwardLetters[] = "ABDEFGHJLNPQRSTUWXYZ";

// Folds the accented letters of the name lists to ASCII, for made-up email addresses.
std::string AsciiLower(std::string_view name);
// `n` decimal digits.
std::string Digits(Rng& rng, int n);
// A National Insurance number HMRC could have issued, written the way people write it.
std::string MakeNino(Rng& rng);
// A mobile or landline number from the drama ranges, written the way people write it.
std::string MakePhone(Rng& rng);
// A postcode in the outward code `area`.
std::string MakePostcode(Rng& rng, const std::string& area);
std::string MakeEmail(Rng& rng, const std::string& forename, const std::string& surname,
                      int birth_year);

}  // namespace caseengine::demo
