//! Sources: where objects come from. Local files, directories and stdin now; S3 comes
//! with the S3 issue behind the same `ObjectInfo` + `std::io::Read` interface.

pub mod local;
