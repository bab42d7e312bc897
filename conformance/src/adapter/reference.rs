//! The reference adapter: the model's [`Driver`], optionally built with a [`Mutation`].

use super::{Adapter, AdapterError, Hello, Started, StepReply};
use jwt_lifecycle_model::{Driver, Mutation, Sdk};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;

/// The model as an SDK under test.
#[derive(Clone, Debug)]
pub struct ReferenceAdapter {
    profiles: Vec<ProfileId>,
    mutation: Option<Mutation>,
    driver: Option<Driver>,
}

impl ReferenceAdapter {
    /// The model, running every profile.
    pub fn new() -> Self {
        Self { profiles: ProfileId::ALL.to_vec(), mutation: None, driver: None }
    }

    /// Announces only `profiles` in the handshake and refuses the others.
    pub fn with_profiles(mut self, profiles: Vec<ProfileId>) -> Self {
        self.profiles = profiles;
        self
    }

    /// Builds every SDK with `mutation`.
    pub fn with_mutation(mut self, mutation: Option<Mutation>) -> Self {
        self.mutation = mutation;
        self
    }

    fn driver(&mut self) -> Result<&mut Driver, AdapterError> {
        self.driver.as_mut().ok_or_else(|| AdapterError::Reported { message: "no case started".into() })
    }
}

impl Default for ReferenceAdapter {
    fn default() -> Self {
        Self::new()
    }
}

/// The snake_case name of a mutation, as `--mutant` takes it.
pub fn mutation_name(mutation: Mutation) -> String {
    serde_json::to_value(mutation).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// Parses a mutation name (snake_case).
pub fn parse_mutation(name: &str) -> Option<Mutation> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

impl Adapter for ReferenceAdapter {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        let adapter = match self.mutation {
            Some(m) => format!("jwt-lifecycle-reference+{}", mutation_name(m)),
            None => "jwt-lifecycle-reference".to_owned(),
        };
        Ok(Hello {
            adapter,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            profiles: self.profiles.clone(),
            protocol: super::PROTOCOL_VERSION,
        })
    }

    fn start(&mut self, _case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        if !self.profiles.contains(&profile) {
            self.driver = None;
            return Ok(Started::Unsupported(format!("this adapter was started without profile {profile}")));
        }
        let sdk = match self.mutation {
            Some(m) => Sdk::with_mutation(profile.profile(), m),
            None => Sdk::new(profile.profile()),
        };
        self.driver = Some(Driver::new(sdk, clock));
        Ok(Started::Ready)
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.input(input)))
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.advance(ms)))
    }
}
