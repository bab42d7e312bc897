//! Temporary: where do the states come from?
use jwt_lifecycle_model::check::{Bounds, Environment, LifecycleModel};
use jwt_lifecycle_spec::profile::ProfileId;
use stateright::Model;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};

fn h<T: Hash>(t: &T) -> u64 {
    let mut s = DefaultHasher::new();
    t.hash(&mut s);
    s.finish()
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let n = |i: usize| a[i].parse::<u8>().unwrap();
    let bounds = Bounds {
        calls: n(0),
        events: n(1),
        replies: n(2),
        advances: n(3),
        failure_limit: 10,
        answers: n(4),
        ..Bounds::FULL
    };
    let id: ProfileId = a[5].parse().ok().unwrap();
    let model = LifecycleModel::new(&id.profile(), Environment::Adversarial, bounds);
    let mut seen = HashSet::new();
    let mut no_budget = HashSet::new();
    let mut no_oracle = HashSet::new();
    let mut machine_only = HashSet::new();
    let mut belief_only = HashSet::new();
    let mut drops: Vec<HashSet<u64>> = (0..14).map(|_| HashSet::new()).collect();
    let names = [
        "tokens",
        "customers",
        "events",
        "handler_since",
        "failures_in_session",
        "stored.set_at/told",
        "lifted",
        "previous_wait",
        "sendable_since",
        "gate",
        "violated",
        "events.sends",
        "tokens-sorted",
        "tokens-sorted-live-only",
    ];
    let mut by_calls: HashMap<u8, usize> = HashMap::new();
    let mut queue = VecDeque::new();
    for s in model.init_states() {
        seen.insert(h(&s));
        queue.push_back(s);
    }
    let mut actions = Vec::new();
    while let Some(s) = queue.pop_front() {
        no_budget.insert(h(&(&s.machine, s.now, &s.oracle)));
        no_oracle.insert(h(&(
            &s.machine,
            s.now,
            s.calls_left,
            s.events_tracked,
            s.replies_left,
            s.advances_left,
            s.answers_left,
        )));
        machine_only.insert(h(&(&s.machine, s.now)));
        belief_only.insert(h(&(s.oracle.belief(), s.now)));
        for (i, set) in drops.iter_mut().enumerate() {
            let mut b = s.oracle.belief().clone();
            match i {
                0 => b.tokens = Default::default(),
                1 => b.customers = Default::default(),
                2 => b.events = Vec::new(),
                3 => b.handler_since = 0,
                4 => b.failures_in_session = 0,
                5 => {
                    if let Some(st) = b.stored.as_mut() {
                        st.set_at = 0;
                        st.told_at = 0;
                    }
                }
                6 => b.lifted = false,
                7 => b.previous_wait = jwt_lifecycle_oracle::belief::PreviousWait::AfterSuccess,
                8 => b.sendable_since = None,
                9 => b.gate = None,
                10 => {}
                _ => {
                    for e in b.events.iter_mut() {
                        e.sends_since_call = 0;
                        e.requeued = false;
                    }
                }
            }
            if i >= 12 {
                let orig = s.oracle.belief();
                let raw = |t: jwt_lifecycle_oracle::book::Tok| orig.tokens.get(t).raw.clone();
                let mut infos: Vec<_> = orig.tokens.iter().map(|(_, t)| t.clone()).collect();
                let zero = orig.tokens.iter().next().map(|(t, _)| t);
                let _ = &mut infos;
                let live: Vec<_> = orig
                    .stored
                    .map(|st| raw(st.tok))
                    .into_iter()
                    .chain(orig.requests.iter().filter_map(|r| r.carried.map(raw)))
                    .collect();
                if i == 13 {
                    infos.retain(|t| live.contains(&t.raw));
                }
                infos.sort_by(|x, y| x.raw.cmp(&y.raw));
                let mut b = orig.clone();
                b.tokens = Default::default();
                if let Some(st) = b.stored.as_mut() {
                    st.tok = zero.unwrap();
                }
                for r in b.requests.iter_mut() {
                    r.carried = r.carried.and(zero);
                }
                set.insert(h(&(
                    &s.machine,
                    s.now,
                    &b,
                    s.oracle.violated_bits(),
                    infos,
                    live,
                    (s.calls_left, s.events_tracked, s.replies_left, s.advances_left, s.answers_left),
                )));
                continue;
            }
            let v = if i == 10 { 0 } else { s.oracle.violated_bits() };
            set.insert(h(&(&s.machine, s.now, &b, v)));
        }
        *by_calls.entry(s.calls_left).or_default() += 1;
        actions.clear();
        model.actions(&s, &mut actions);
        for act in actions.drain(..).collect::<Vec<_>>() {
            if let Some(next) = model.next_state(&s, act) {
                if seen.insert(h(&next)) {
                    queue.push_back(next);
                }
            }
        }
    }
    println!(
        "unique={} no_budget={} no_oracle={} machine_only={} belief_only={}",
        seen.len(),
        no_budget.len(),
        no_oracle.len(),
        machine_only.len(),
        belief_only.len()
    );
    for (n, d) in names.iter().zip(&drops) {
        println!("without {n}: {}", d.len());
    }
    let mut v: Vec<_> = by_calls.into_iter().collect();
    v.sort();
    println!("by calls_left {:?}", v);
}
