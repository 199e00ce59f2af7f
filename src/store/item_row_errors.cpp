#include "store/item_row_errors.hpp"

namespace latchkey::store::row_errors {

Error row_security(std::string log) {
  return Error::make(ErrorCode::row_security_violation,
                     "new row violates row-level security policy for table \"user_data\"",
                     std::move(log));
}

Error duplicate_id(std::optional<core::Uuid> id, std::string log) {
  Error e = Error::make(ErrorCode::unique_violation,
                        "duplicate key value violates unique constraint \"user_data_pkey\"",
                        std::move(log));
  if (id) e.details = "Key (id)=(" + id->str() + ") already exists.";
  return e;
}

Error not_null(ItemColumn column, std::string log) {
  const std::string name(column_name(column));
  return Error::make(ErrorCode::not_null_violation,
                     "null value in column \"" + name +
                         "\" of relation \"user_data\" violates not-null constraint",
                     std::move(log))
      .with_details(name);
}

Error title_too_long(std::string log) {
  return Error::make(ErrorCode::value_too_long, "value too long for type character varying(255)",
                     std::move(log))
      .with_details("title");
}

Error metadata_not_object(std::string log) {
  return Error::make(ErrorCode::check_violation,
                     "new row for relation \"user_data\" violates check constraint "
                     "\"user_data_metadata_object\"",
                     std::move(log))
      .with_details("metadata");
}

Error unknown_user(std::optional<core::Uuid> user, std::string log) {
  Error e = Error::make(ErrorCode::foreign_key_violation, {}, std::move(log));
  if (user) e.details = "Key (user_id)=(" + user->str() + ") is not present in table \"users\".";
  return e;
}

bool is_unknown_user(const Error& e) {
  return e.public_code == ErrorCode::foreign_key_violation;
}

Error upsert_row_twice(std::string log) {
  return Error::make(ErrorCode::cardinality_violation, {}, std::move(log))
      .with_details(
      "Ensure that no rows proposed for insertion within the same command have duplicate "
      "constrained values.");
}

Error bad_query(ErrorCode code, std::string message) {
  std::string log = "user_data query: " + message;
  return Error::make(code, std::move(message), std::move(log));
}

}  // namespace latchkey::store::row_errors
