//! Sources: where objects come from. Local files, directories and stdin
//! ([`local`]); S3 buckets, listed or read from an S3 Inventory ([`s3`], [`inventory`]);
//! which listed objects are read ([`filter`]); each bucket's posture ([`posture`]).

pub mod filter;
pub mod inventory;
pub mod local;
pub mod posture;
pub mod s3;
