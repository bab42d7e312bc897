//! [`MutantAdapter`]: a mutant as an SDK under test, in process, on a virtual clock.

use crate::catalogue::Mutation;
use crate::wrapper::Mutant;
use jwt_lifecycle_conformance::adapter::{
    Adapter, AdapterError, Hello, Started, StepReply, PROTOCOL_VERSION,
};
use jwt_lifecycle_model::Driver;
use jwt_lifecycle_spec::alphabet::{Input, UnixMillis};
use jwt_lifecycle_spec::profile::ProfileId;

/// One mutant, running every case on a fresh instance.
#[derive(Clone, Debug)]
pub struct MutantAdapter {
    bug: Mutation,
    profiles: Vec<ProfileId>,
    driver: Option<Driver<Mutant>>,
}

impl MutantAdapter {
    /// The mutant `bug`, running every profile.
    pub fn new(bug: Mutation) -> Self {
        Self { bug, profiles: ProfileId::ALL.to_vec(), driver: None }
    }

    /// Announces only `profiles` in the handshake and refuses the others.
    pub fn with_profiles(mut self, profiles: Vec<ProfileId>) -> Self {
        self.profiles = profiles;
        self
    }

    fn driver(&mut self) -> Result<&mut Driver<Mutant>, AdapterError> {
        self.driver.as_mut().ok_or_else(|| AdapterError::Reported { message: "no case started".into() })
    }
}

impl Adapter for MutantAdapter {
    fn hello(&mut self) -> Result<Hello, AdapterError> {
        Ok(Hello {
            adapter: format!("jwt-lifecycle-mutant+{}", self.bug),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            profiles: self.profiles.clone(),
            // The machine inside handles every input the suite has, as the reference does.
            protocol: PROTOCOL_VERSION,
        })
    }

    fn start(&mut self, _case: &str, profile: ProfileId, clock: UnixMillis) -> Result<Started, AdapterError> {
        if !self.profiles.contains(&profile) {
            self.driver = None;
            return Ok(Started::Unsupported(format!("this adapter was started without profile {profile}")));
        }
        self.driver = Some(Driver::new(Mutant::new(self.bug, &profile.profile()), clock));
        Ok(Started::Ready)
    }

    fn input(&mut self, input: &Input) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.input(input)))
    }

    fn advance(&mut self, ms: u64) -> Result<StepReply, AdapterError> {
        Ok(StepReply::Done(self.driver()?.advance(ms)))
    }
}
