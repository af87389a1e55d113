//! The management groups: one module each, exposing one static [`Group`](crate::dispatch::Group) table.

pub mod enumeration;
pub mod image;
pub mod os;
