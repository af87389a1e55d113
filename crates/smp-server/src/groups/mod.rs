//! The management groups: one module each, exposing one static [`Group`](crate::dispatch::Group) table.

pub mod enumeration;
pub mod fs;
pub mod image;
pub mod memfault;
pub mod os;
pub mod settings;
pub mod shell;
pub mod stat;
pub mod zephyr_basic;

#[cfg(test)]
pub(crate) mod fakes;

#[cfg(test)]
mod tests;
