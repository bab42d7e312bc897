//! The reference adapter: the model's [`Driver`] running the reference [`Sdk`].

use super::{Adapter, AdapterError, Hello, Started, StepReply};
use jwt_lifecycle_model::{Driver, Sdk};
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;

/// The model as an SDK under test.
#[derive(Clone, Debug)]
pub struct ReferenceAdapter {
    profiles: Vec<ProfileId>,
    driver: Option<Driver>,
}

impl ReferenceAdapter {
    /// The model, running every profile.
    pub fn new() -> Self {
        Self { profiles: ProfileId::ALL.to_vec(), driver: None }
    }

    /// Announces only `profiles` in the handshake and refuses the others.
    pub fn with_profiles(mut self, profiles: Vec<ProfileId>) -> Self {
        self.profiles = profiles;
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

impl Adapter for ReferenceAdapter {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        Ok(Hello {
            adapter: "jwt-lifecycle-reference".to_owned(),
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
        self.driver = Some(Driver::new(Sdk::sharing(profile.shared()), clock));
        Ok(Started::Ready)
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.input(input)))
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.advance(ms)))
    }
}
