//! Writing findings and discovery results to S3 the way Macie does: JSON Lines (gzip for
//! results) in files named by RFC 4122 version-3 UUIDs under
//! `AWSLogs/<account>/Macie/<region>/<jobId>/<account>/`, SSE-KMS when a key is given.
//!
//! Output rolls over to a new file at every checkpoint (so a checkpoint only ever refers
//! to completed S3 objects) and when a file reaches its size limit. A file is one
//! PutObject when small, a multipart upload (8 MiB parts, sent as they fill) when not.
//! File names come from the job id and the file's index, so a file rewritten after a
//! crash replaces the one an interrupted run may have left, never adds a second.

use std::io::Write;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption};
use aws_sdk_s3::Client;
use flate2::write::GzEncoder;
use tokio::runtime::Handle;

use crate::source::s3::{describe, S3Error};

/// Size of one multipart part (S3's minimum is 5 MiB).
const PART: usize = 8 << 20;

/// Where and how one output is written.
#[derive(Debug, Clone)]
pub struct S3OutSpec {
    /// Bucket.
    pub bucket: String,
    /// Key of the folder files go in, ending in `/` (or empty).
    pub folder: String,
    /// Name seed (job id and output kind): file `i` is `uuid_v3(seed/i)`.
    pub seed: String,
    /// `.jsonl.gz` (gzip) or `.jsonl`.
    pub gzip: bool,
    /// SSE-KMS key id or ARN; SSE-S3 (AES256) when `None`.
    pub kms_key_id: Option<String>,
    /// Roll over to a new file past this many (compressed) bytes.
    pub max_file_bytes: usize,
}

/// A rolling writer of JSON Lines files to S3. Blocking: call outside the runtime.
pub struct S3Writer {
    spec: S3OutSpec,
    client: Client,
    handle: Handle,
    index: u64,
    encoder: Option<GzEncoder<Vec<u8>>>,
    plain: Vec<u8>,
    upload: Option<(String, Vec<CompletedPart>)>,
    lines: u64,
    written: Vec<String>,
}

impl std::fmt::Debug for S3Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Writer")
            .field("spec", &self.spec)
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

impl S3Writer {
    /// A writer whose next file is number `index` (0 for a fresh job, the checkpoint's
    /// count on resume).
    pub fn new(spec: S3OutSpec, client: Client, handle: Handle, index: u64) -> S3Writer {
        S3Writer {
            spec,
            client,
            handle,
            index,
            encoder: None,
            plain: Vec::new(),
            upload: None,
            lines: 0,
            written: Vec::new(),
        }
    }

    /// The key of file `index`.
    pub fn key_of(&self, index: u64) -> String {
        let name = format!("{}/{index}", self.spec.seed);
        let id = uuid::Uuid::new_v3(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
        let ext = if self.spec.gzip { "jsonl.gz" } else { "jsonl" };
        format!("{}{id}.{ext}", self.spec.folder)
    }

    /// `s3://bucket/key` of the file being written now.
    pub fn current_url(&self) -> String {
        format!("s3://{}/{}", self.spec.bucket, self.key_of(self.index))
    }

    /// Files completed so far (their number is what a checkpoint records).
    pub fn files(&self) -> u64 {
        self.index
    }

    /// Keys completed by this writer.
    pub fn written(&self) -> &[String] {
        &self.written
    }

    fn err(&self, message: String) -> S3Error {
        S3Error::Write {
            bucket: self.spec.bucket.clone(),
            key: self.key_of(self.index),
            message,
        }
    }

    /// Appends one line (a newline is added).
    pub fn write_line(&mut self, line: &[u8]) -> Result<(), S3Error> {
        self.lines += 1;
        if self.spec.gzip {
            let enc = self
                .encoder
                .get_or_insert_with(|| GzEncoder::new(Vec::new(), flate2::Compression::default()));
            enc.write_all(line)
                .and_then(|()| enc.write_all(b"\n"))
                .map_err(|e| S3Error::Write {
                    bucket: self.spec.bucket.clone(),
                    key: String::new(),
                    message: e.to_string(),
                })?;
            if enc.get_ref().len() >= PART {
                let part = std::mem::take(enc.get_mut());
                self.send_part(part)?;
            }
        } else {
            self.plain.extend_from_slice(line);
            self.plain.push(b'\n');
            if self.plain.len() >= PART {
                let part = std::mem::take(&mut self.plain);
                self.send_part(part)?;
            }
        }
        let sent = self.upload.as_ref().map_or(0, |(_, p)| p.len() * PART);
        if sent >= self.spec.max_file_bytes {
            self.roll()?;
        }
        Ok(())
    }

    fn sse(&self) -> (ServerSideEncryption, Option<String>) {
        match &self.spec.kms_key_id {
            Some(k) => (ServerSideEncryption::AwsKms, Some(k.clone())),
            None => (ServerSideEncryption::Aes256, None),
        }
    }

    /// Uploads one full part, starting the multipart upload if needed.
    fn send_part(&mut self, part: Vec<u8>) -> Result<(), S3Error> {
        let key = self.key_of(self.index);
        if self.upload.is_none() {
            let (sse, kms) = self.sse();
            let created = self
                .handle
                .block_on(
                    self.client
                        .create_multipart_upload()
                        .bucket(&self.spec.bucket)
                        .key(&key)
                        .content_type(self.content_type())
                        .server_side_encryption(sse)
                        .set_ssekms_key_id(kms)
                        .send(),
                )
                .map_err(|e| self.err(describe(&e)))?;
            let id = created
                .upload_id()
                .ok_or_else(|| self.err("CreateMultipartUpload returned no upload id".into()))?;
            self.upload = Some((id.to_string(), Vec::new()));
        }
        let Some((id, parts)) = self.upload.as_mut() else {
            return Ok(());
        };
        let number = parts.len() as i32 + 1;
        let sent = self.handle.block_on(
            self.client
                .upload_part()
                .bucket(&self.spec.bucket)
                .key(&key)
                .upload_id(id.as_str())
                .part_number(number)
                .body(ByteStream::from(part))
                .send(),
        );
        match sent {
            Ok(out) => {
                parts.push(
                    CompletedPart::builder()
                        .part_number(number)
                        .set_e_tag(out.e_tag().map(str::to_string))
                        .build(),
                );
                Ok(())
            }
            Err(e) => Err(self.err(describe(&e))),
        }
    }

    fn content_type(&self) -> &'static str {
        if self.spec.gzip {
            "application/gzip"
        } else {
            "application/x-ndjson"
        }
    }

    /// Completes the current file (if it has any lines) and starts the next one.
    pub fn roll(&mut self) -> Result<(), S3Error> {
        if self.lines == 0 {
            return Ok(());
        }
        let rest = if self.spec.gzip {
            match self.encoder.take() {
                Some(enc) => enc.finish().map_err(|e| self.err(e.to_string()))?,
                None => Vec::new(),
            }
        } else {
            std::mem::take(&mut self.plain)
        };
        let key = self.key_of(self.index);
        if self.upload.is_some() {
            if !rest.is_empty() {
                self.send_part(rest)?;
            }
            if let Some((id, parts)) = self.upload.take() {
                self.handle
                    .block_on(
                        self.client
                            .complete_multipart_upload()
                            .bucket(&self.spec.bucket)
                            .key(&key)
                            .upload_id(id)
                            .multipart_upload(
                                CompletedMultipartUpload::builder()
                                    .set_parts(Some(parts))
                                    .build(),
                            )
                            .send(),
                    )
                    .map_err(|e| self.err(describe(&e)))?;
            }
        } else {
            let (sse, kms) = self.sse();
            self.handle
                .block_on(
                    self.client
                        .put_object()
                        .bucket(&self.spec.bucket)
                        .key(&key)
                        .content_type(self.content_type())
                        .server_side_encryption(sse)
                        .set_ssekms_key_id(kms)
                        .body(ByteStream::from(rest))
                        .send(),
                )
                .map_err(|e| self.err(describe(&e)))?;
        }
        self.written.push(key);
        self.index += 1;
        self.lines = 0;
        Ok(())
    }

    /// Aborts multipart uploads an interrupted run left for the file about to be written
    /// (their parts would otherwise be stored, invisible, until a lifecycle rule ran).
    pub fn abort_leftovers(&self) -> Result<(), S3Error> {
        let key = self.key_of(self.index);
        let listed = self
            .handle
            .block_on(
                self.client
                    .list_multipart_uploads()
                    .bucket(&self.spec.bucket)
                    .prefix(&key)
                    .send(),
            )
            .map_err(|e| self.err(describe(&e)))?;
        for upload in listed.uploads() {
            if let (Some(k), Some(id)) = (upload.key(), upload.upload_id()) {
                if k == key {
                    self.handle
                        .block_on(
                            self.client
                                .abort_multipart_upload()
                                .bucket(&self.spec.bucket)
                                .key(k)
                                .upload_id(id)
                                .send(),
                        )
                        .map_err(|e| self.err(describe(&e)))?;
                }
            }
        }
        Ok(())
    }
}
