//! Minting and validating each profile's tokens (the backend side).
