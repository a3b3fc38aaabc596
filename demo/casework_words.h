// Words of the casework for the demo caseload: what people tell a housing officer, what
// the officer does about it, why cases close and reopen, client groups, who refers people
// to the Lobby, and the demo users who do the work. Made up, naming no one.
#pragma once

namespace caseengine::demo {

inline constexpr const char* kSituations[] = {
    "Client attended the office in person; sofa surfing with friends after being asked to "
    "leave the family home.",
    "Telephone approach: a section 21 notice was served, the landlord is selling the "
    "property.",
    "Household is in temporary accommodation and says the room is too small for them.",
    "Client reports damp and mould in the bedroom affecting a child's asthma; photos supplied.",
    "Relationship breakdown: client left the shared home and is staying with a sibling.",
    "Client is fleeing domestic abuse; police reference supplied. Contact by text only.",
    "Rent arrears of about £1,200 after a change in Universal Credit; the landlord has started "
    "possession proceedings.",
    "Client was discharged from hospital with nowhere to go; referred under the duty to refer.",
    "The outreach team found the client sleeping rough near the railway station.",
    "Client leaves prison in three weeks and has no address to go to.",
    "Overcrowded: the household shares a one-bedroom flat.",
    "Client needs an interpreter (Polish) for appointments.",
    "Care leaver, turning 21; the personal adviser from children's services is involved.",
    "Client works zero-hours shifts and cannot afford the new rent.",
    "Home visit: the property has had no working heating since October.",
    "Client asked about their position on the waiting list; explained the banding scheme.",
    "Left a voicemail and sent a text asking the client to call back.",
    "Client's mother rang on the client's behalf; consent to share is on file.",
    "Client has been served a notice to quit by the housing association after anti-social "
    "behaviour complaints.",
    "Household is expecting a baby and lives in a shared house without a kitchen.",
    "Client uses a wheelchair and cannot manage the stairs in the current flat.",
    "Mortgage arrears: lender has a possession hearing listed next month.",
    "Client arrived from Ukraine under the sponsorship scheme; the sponsor arrangement ended.",
    "Client prefers to be called by a shortened name; noted in the contact preferences.",
    "Asylum decision granted; the Home Office accommodation ends in 28 days."};

inline constexpr const char* kFollowUps[] = {
    "Advised on the documents needed: ID, proof of income and three months of bank "
    "statements.",
    "Personal housing plan agreed and sent by email.",
    "Booked interim accommodation for tonight.",
    "Referred to the tenancy sustainment team.",
    "Wrote to the landlord to negotiate more time.",
    "Asked the GP for medical evidence.",
    "Explained the prevention duty and the 56 days.",
    "Will review at the next appointment.",
    "Made a safeguarding referral.",
    "Applied for a discretionary housing payment.",
    "Checked the Housing Register application and the banding.",
    "Gave the details of the local food bank."};

inline constexpr const char* kActionTitles[] = {"Request proof of identity",
                                                "Chase the landlord for a rent statement",
                                                "Home visit",
                                                "Review the personal housing plan",
                                                "Send the section 184 decision letter",
                                                "Check eligibility (immigration status)",
                                                "Book an interpreter",
                                                "Ask the GP for medical evidence",
                                                "Arrange temporary accommodation",
                                                "Verify income",
                                                "Complete the bedroom assessment",
                                                "Call the client back",
                                                "Contact the referring agency",
                                                "Check the Universal Credit housing element",
                                                "Send the Housing Register banding letter"};

inline constexpr const char* kCloseReasons[] = {"Housed: social housing tenancy",
                                                "Housed: private rented tenancy",
                                                "Prevention duty ended: the home was kept",
                                                "Relief duty ended: 56 days passed",
                                                "Lost contact",
                                                "Client withdrew",
                                                "Moved out of the area",
                                                "Not eligible for assistance"};

inline constexpr const char* kReopenReasons[] = {"Client approached again", "Private tenancy ended",
                                                 "Closed in error", "New information received"};

inline constexpr const char* kGroups[] = {
    "Care leaver",   "Armed forces",  "Domestic abuse",      "Refugee",  "Young person",
    "Prison leaver", "Mental health", "Learning disability", "Pregnant", "Over 55"};

inline constexpr const char* kDutyToReferBodies[] = {"HMP Pentonville resettlement team",
                                                     "Royal Infirmary discharge team",
                                                     "Jobcentre Plus",
                                                     "Children's social care",
                                                     "Adult social care",
                                                     "Youth offending team",
                                                     "Mental health inpatient unit",
                                                     "Armed forces resettlement"};
inline constexpr const char* kThirdParties[] = {
    "Citizens Advice", "Shelter",         "Women's Aid",   "MP's constituency office",
    "Food bank",       "Church outreach", "Family member", "GP surgery"};
inline constexpr const char* kProviders[] = {
    "St Mungo's outreach", "Salvation Army hostel",      "YMCA",
    "Centrepoint",         "Supported housing provider", "Night shelter"};

inline constexpr const char* kUsers[] = {"officer", "supervisor", "admin"};

}  // namespace caseengine::demo
