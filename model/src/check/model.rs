//! The `stateright::Model`: one machine in an environment that calls it, answers its
//! requests and moves its clock, judged by the oracle.

use super::domain::Step;
use super::properties;
use super::state::{CheckState, Environment, LifecycleModel};
use crate::machine::Machine;
use stateright::{Model, Property};

impl<M: Machine> Model for LifecycleModel<M> {
    type State = CheckState<M>;
    type Action = Step;

    fn init_states(&self) -> Vec<CheckState<M>> {
        vec![self.initial()]
    }

    fn actions(&self, state: &CheckState<M>, actions: &mut Vec<Step>) {
        match self.environment() {
            Environment::Adversarial => self.adversarial_actions(state, actions),
            Environment::Cooperative => self.cooperative_actions(state, actions),
        }
    }

    fn next_state(&self, last: &CheckState<M>, action: Step) -> Option<CheckState<M>> {
        let mut next = last.clone();
        self.step(&mut next, &action);
        // A step that changes nothing but the budgets is no step: it would only
        // multiply states (and, in the cooperative environment, keep paths from ending).
        let unchanged = next.machine == last.machine && next.now == last.now && next.oracle == last.oracle;
        (!unchanged).then_some(next)
    }

    fn format_action(&self, action: &Step) -> String {
        action.to_string()
    }

    fn properties(&self) -> Vec<Property<Self>> {
        properties::for_model(self)
    }
}
