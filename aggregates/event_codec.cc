// EventCodec: see event_codec.h.
#include "aggregates/event_codec.h"

#include "base/aes_gcm.h"
#include "domain_generated.h"

namespace caseengine {
namespace {

using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::String;

Offset<String> Opt(FlatBufferBuilder& b, const std::string& s) {
  return s.empty() ? Offset<String>() : b.CreateString(s);
}
Offset<String> Opt(FlatBufferBuilder& b, const std::optional<std::string>& s) {
  return s ? b.CreateString(*s) : Offset<String>();
}
std::string Str(const String* s) { return s == nullptr ? std::string() : s->str(); }
std::optional<std::string> OptStr(const String* s) {
  return s == nullptr ? std::nullopt : std::optional<std::string>(s->str());
}

// An event with a subject seals its free text (title, reason, referrer) with the personal
// fields: what a caseworker types may name people, so erasure must reach it. Events
// without a subject carry only text the engine wrote, in the clear.
bool SealsFreeText(const Event& e) {
  return !e.subject.empty() && (!e.title.empty() || !e.reason.empty() || !e.referrer.empty());
}

std::string EncodePersonal(const Event& e) {
  const PersonalFields& p = e.personal;
  FlatBufferBuilder b(256);
  auto surname = Opt(b, p.surname), forenames = Opt(b, p.forenames), dob = Opt(b, p.date_of_birth),
       nino = Opt(b, p.nino), email = Opt(b, p.email), phone = Opt(b, p.phone),
       postcode = Opt(b, p.postcode), text = Opt(b, p.text), title = Opt(b, e.title),
       reason = Opt(b, e.reason), referrer = Opt(b, e.referrer);
  b.Finish(fb::CreatePersonalData(b, surname, forenames, dob, nino, email, phone, postcode, text,
                                  title, reason, referrer));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

// Opens into the event's personal fields and its sealed free text.
Status DecodePersonal(std::string_view bytes, Event* e) {
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (!v.VerifyBuffer<fb::PersonalData>(nullptr)) {
    return Status::Corruption("sealed personal data is malformed");
  }
  auto* d = flatbuffers::GetRoot<fb::PersonalData>(bytes.data());
  if (d->title()) e->title = d->title()->str();
  if (d->reason()) e->reason = d->reason()->str();
  if (d->referrer()) e->referrer = d->referrer()->str();
  PersonalFields* p = &e->personal;
  p->surname = OptStr(d->surname());
  p->forenames = OptStr(d->forenames());
  p->date_of_birth = OptStr(d->date_of_birth());
  p->nino = OptStr(d->nino());
  p->email = OptStr(d->email());
  p->phone = OptStr(d->phone());
  p->postcode = OptStr(d->postcode());
  p->text = OptStr(d->text());
  return Status::Ok();
}

}  // namespace

Status EventCodec::Encode(const Event& e, std::string* payload, WriteBatch* new_keys) const {
  // Encoding runs for every event on the writer thread: reuse the builder's buffer.
  thread_local FlatBufferBuilder b(1024);
  b.Clear();
  Offset<fb::Sealed> personal;
  const bool seal_text = SealsFreeText(e);
  if (!e.personal.Empty() || seal_text) {
    if (e.subject.empty()) return Status::InvalidArgument("personal data needs a subject");
    std::string key, sealed;
    Status s = keys_->KeyFor(e.subject, /*create=*/true, &key, new_keys);
    if (s.ok()) s = Seal(key, EncodePersonal(e), e.subject, &sealed);
    if (!s.ok()) return s;
    personal = fb::CreateSealed(
        b, b.CreateString(e.subject),
        b.CreateVector(reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size()));
  }
  auto client_id = Opt(b, e.client_id), case_id = Opt(b, e.case_id), user_id = Opt(b, e.user_id),
       role = Opt(b, e.role), team_id = Opt(b, e.team_id), status = Opt(b, e.status),
       client_type = Opt(b, e.client_type), case_number = Opt(b, e.case_number),
       group = Opt(b, e.group), relationship = Opt(b, e.relationship), date = Opt(b, e.date),
       reason = Opt(b, seal_text ? std::string() : e.reason),
       title = Opt(b, seal_text ? std::string() : e.title), item_id = Opt(b, e.item_id),
       strand_id = Opt(b, e.strand_id), strand_type = Opt(b, e.strand_type),
       other_case_id = Opt(b, e.other_case_id), other_item_id = Opt(b, e.other_item_id),
       mode = Opt(b, std::string(DeleteModeName(e.mode))), source = Opt(b, e.source),
       referrer = Opt(b, seal_text ? std::string() : e.referrer), workflow = Opt(b, e.workflow),
       trigger = Opt(b, e.trigger), access = Opt(b, e.access),
       organisation = Opt(b, e.organisation);
  Offset<flatbuffers::Vector<Offset<String>>> list;
  if (!e.list.empty()) list = b.CreateVectorOfStrings(e.list);
  fb::BodyBuilder body(b);
  body.add_client_id(client_id);
  body.add_case_id(case_id);
  body.add_user_id(user_id);
  body.add_role(role);
  body.add_team_id(team_id);
  body.add_status(status);
  body.add_client_type(client_type);
  body.add_case_number(case_number);
  body.add_group(group);
  body.add_relationship(relationship);
  body.add_joint_applicant(e.joint_applicant);
  body.add_date(date);
  body.add_reason(reason);
  body.add_title(title);
  body.add_item_id(item_id);
  body.add_strand_id(strand_id);
  body.add_strand_type(strand_type);
  body.add_other_case_id(other_case_id);
  body.add_other_item_id(other_item_id);
  body.add_mode(mode);
  body.add_resend(e.resend);
  body.add_personal(personal);
  body.add_source(source);
  body.add_referrer(referrer);
  body.add_workflow(workflow);
  body.add_trigger(trigger);
  body.add_access(access);
  body.add_organisation(organisation);
  body.add_list(list);
  body.add_due_days(e.due_days);
  body.add_client_task(e.client_task);
  b.Finish(body.Finish());
  payload->assign(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  return Status::Ok();
}

Status EventCodec::Decode(std::string_view type, std::string_view payload, Event* e,
                          const OpenPersonal& open_personal) const {
  *e = Event();
  if (!ParseEventType(type, &e->type)) {
    return Status::Corruption("unknown event type " + std::string(type));
  }
  flatbuffers::Verifier v(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  if (!v.VerifyBuffer<fb::Body>(nullptr)) {
    return Status::Corruption("payload of a " + std::string(type) + " is malformed");
  }
  auto* body = flatbuffers::GetRoot<fb::Body>(payload.data());
  e->client_id = Str(body->client_id());
  e->case_id = Str(body->case_id());
  e->user_id = Str(body->user_id());
  e->role = Str(body->role());
  e->team_id = Str(body->team_id());
  e->status = Str(body->status());
  e->client_type = Str(body->client_type());
  e->case_number = Str(body->case_number());
  e->group = Str(body->group());
  e->relationship = Str(body->relationship());
  e->joint_applicant = body->joint_applicant();
  e->date = Str(body->date());
  e->reason = Str(body->reason());
  e->title = Str(body->title());
  e->item_id = Str(body->item_id());
  e->strand_id = Str(body->strand_id());
  e->strand_type = Str(body->strand_type());
  e->other_case_id = Str(body->other_case_id());
  e->other_item_id = Str(body->other_item_id());
  if (!ParseDeleteMode(Str(body->mode()), &e->mode)) {
    return Status::Corruption("a " + std::string(type) + " has an unknown mode");
  }
  e->resend = body->resend();
  e->source = Str(body->source());
  e->referrer = Str(body->referrer());
  e->workflow = Str(body->workflow());
  e->trigger = Str(body->trigger());
  e->access = Str(body->access());
  e->organisation = Str(body->organisation());
  if (const auto* list = body->list()) {
    e->list.reserve(list->size());
    for (const String* item : *list) e->list.push_back(Str(item));
  }
  e->due_days = body->due_days();
  e->client_task = body->client_task();
  if (const fb::Sealed* sealed = body->personal()) {
    e->subject = Str(sealed->subject());
    if (open_personal && !open_personal(e->type)) return Status::Ok();
    std::string key, plain;
    Status s = keys_->KeyFor(e->subject, /*create=*/false, &key);
    if (s.code() == Status::Code::kNotFound) {
      e->personal.erased = true;  // the key was destroyed: the data is gone for good
      return Status::Ok();
    }
    if (!s.ok()) return s;
    const auto* bytes = sealed->sealed();
    std::string_view cipher =
        bytes ? std::string_view(reinterpret_cast<const char*>(bytes->data()), bytes->size())
              : std::string_view();
    s = Unseal(key, cipher, e->subject, &plain);
    if (s.ok()) s = DecodePersonal(plain, e);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status EventCodec::AsDecoded(Event* e, const OpenPersonal& open_personal) const {
  // As Encode seals them: the personal fields and, with a subject, the free text.
  const bool sealed = !e->personal.Empty() || SealsFreeText(*e);
  if (!sealed) {
    e->subject.clear();
    e->personal = PersonalFields();
    return Status::Ok();
  }
  if (e->subject.empty()) return Status::InvalidArgument("personal data needs a subject");
  // Shut or erased: what the body holds in the clear, the sealed text absent.
  auto shut = [&](bool erased) {
    e->title.clear();
    e->reason.clear();
    e->referrer.clear();
    e->personal = PersonalFields();
    e->personal.erased = erased;
  };
  if (open_personal && !open_personal(e->type)) {
    shut(false);
    return Status::Ok();
  }
  std::string key;
  Status s = keys_->KeyFor(e->subject, /*create=*/false, &key);
  if (s.code() == Status::Code::kNotFound) {
    shut(true);  // the key was destroyed since: its data must not be seen any more
    return Status::Ok();
  }
  if (!s.ok()) return s;
  e->personal.erased = false;
  return Status::Ok();
}

}  // namespace caseengine
