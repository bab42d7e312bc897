//! The token module's tests, mapped to the token rules they check.
//!
//! docs/formats.md §4 asks unit tests to start their names with the ids they check; the token
//! tests were written before that convention, with names that say the behaviour instead.
//! This table maps them explicitly. Every entry is checked against the tree (the function
//! must exist in the named file), so a renamed or deleted test shows up as a failure of
//! the drift test instead of a silently covered rule.

use super::sources::UnitTestRef;
use super::DocgenError;
use std::fs;
use std::path::Path;

const PROFILES: &str = "token/tests/token_profiles.rs";
const HOSTILE: &str = "token/tests/token_hostile.rs";
const JSON: &str = "token/src/strict_json.rs";
const CLI: &str = "conformance/tests/cli_token.rs";

/// `(requirement, file, test function)`. The hostile corpus
/// (`token/tests/data/hostile/corpus.jsonl`) has named entries for each rejection reason;
/// `every_hostile_token_gets_its_expected_decision` asserts them one by one.
pub const TOKEN_TESTS: &[(&str, &str, &str)] = &[
    ("CLAIM-001", PROFILES, "exponea_mints_with_each_of_its_algorithms"),
    ("CLAIM-001", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-002", PROFILES, "every_profile_mints_tokens_its_validator_accepts_with_the_claims_it_minted"),
    ("CLAIM-002", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-003", PROFILES, "exponea_ids_must_match_exactly_and_mismatches_are_403"),
    ("CLAIM-004", PROFILES, "the_minter_refuses_what_the_profile_forbids"),
    ("CLAIM-004", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-005", PROFILES, "khoros_and_webex_headers_carry_typ_jwt_and_khoros_carries_kid"),
    ("CLAIM-005", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-006", PROFILES, "every_profile_mints_tokens_its_validator_accepts_with_the_claims_it_minted"),
    ("CLAIM-006", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-007", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-008", CLI, "khoros_keys_can_be_given_as_the_app_key_secret_text"),
    ("CLAIM-009", PROFILES, "khoros_and_webex_headers_carry_typ_jwt_and_khoros_carries_kid"),
    ("CLAIM-010", PROFILES, "webex_binds_app_user_and_customer_on_link_only"),
    ("CLAIM-011", PROFILES, "webex_binds_app_user_and_customer_on_link_only"),
    ("CLAIM-012", PROFILES, "webex_binds_app_user_and_customer_on_link_only"),
    ("CLAIM-013", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("CLAIM-014", PROFILES, "key_rings_refuse_short_keys_with_a_message_that_says_what_to_fix"),
    ("CLAIM-015", PROFILES, "moengage_binds_sub_to_the_identifier_passed_with_the_token"),
    ("CLAIM-016", PROFILES, "key_rings_refuse_short_keys_with_a_message_that_says_what_to_fix"),
    ("CLAIM-017", PROFILES, "claim_017_iterable_tokens_are_hs256_typ_jwt_and_bound_to_the_user_id"),
    ("CLAIM-018", PROFILES, "claim_018_braze_tokens_are_rs256_with_sub_and_exp"),
    ("VALID-001", PROFILES, "validators_refuse_rings_that_do_not_fit_the_profile"),
    ("VALID-001", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("VALID-002", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("VALID-003", JSON, "header_reads_alg_kid_typ_and_crit"),
    ("VALID-003", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("VALID-004", HOSTILE, "the_size_limit_applies_before_any_decoding"),
    ("VALID-005", JSON, "repeated_names_are_found_at_every_depth_and_through_escapes"),
    ("VALID-005", HOSTILE, "every_hostile_token_gets_its_expected_decision"),
    ("VALID-006", JSON, "numeric_dates_are_integers_in_range"),
    ("VALID-007", PROFILES, "leeway_is_the_profiles_and_nothing_else"),
    ("VALID-009", HOSTILE, "statuses_and_vendor_codes_follow_valid_009_and_notify_005"),
];

/// The mapped tests found in the tree, and the entries whose function is gone.
pub fn mapped_token_tests(root: &Path) -> Result<(Vec<UnitTestRef>, Vec<String>), DocgenError> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for (id, file, function) in TOKEN_TESTS {
        let path = root.join(file);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(DocgenError::Io { path, source }),
        };
        let name = format!("{file}::{function}");
        if super::sources::test_fn_names(&text).any(|name| name == *function) {
            found.push(UnitTestRef { requirements: vec![(*id).to_owned()], name });
        } else {
            missing.push(format!("{id}: {name}"));
        }
    }
    Ok((found, missing))
}
