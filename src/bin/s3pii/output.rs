//! Output destinations for findings and discovery results: stdout, a local file (gzip
//! when it ends in `.gz`) or S3 files in Macie's layout, each able to take a checkpoint
//! (flush and sync, or complete the current S3 file) and to resume from one.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use flate2::write::GzEncoder;
use s3pii::checkpoint::OutputState;
use s3pii::report::s3out::S3Writer;

enum LocalSink {
    Plain(BufWriter<File>),
    Gz(Box<GzEncoder<BufWriter<File>>>),
}

enum Kind {
    Stdout(BufWriter<io::Stdout>),
    File {
        sink: Box<Option<LocalSink>>,
        gzip: bool,
        path: PathBuf,
    },
    S3(Box<S3Writer>),
}

/// One output.
pub struct Output {
    kind: Kind,
    /// What the user called it (for messages).
    pub name: String,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output {
            kind: Kind::Stdout(BufWriter::new(io::stdout())),
            name: "stdout".into(),
        }
    }

    /// A local file, cut back to `resume` bytes when resuming (else created empty).
    pub fn file(path: PathBuf, resume: Option<&OutputState>) -> Result<Output> {
        let name = path.display().to_string();
        let gzip = path.extension().is_some_and(|e| e == "gz");
        let file = match resume.and_then(|r| r.bytes) {
            Some(len) => {
                let mut f = OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .with_context(|| format!("reopening {name} to resume"))?;
                let have = f.metadata()?.len();
                anyhow::ensure!(
                    have >= len,
                    "{name} is shorter ({have} bytes) than the checkpoint recorded ({len}); it was changed since: remove the checkpoint to start over"
                );
                f.set_len(len)?;
                f.seek(io::SeekFrom::End(0))?;
                f
            }
            None => File::create(&path).with_context(|| format!("creating {name}"))?,
        };
        Ok(Output {
            kind: Kind::File {
                sink: Box::new(Some(new_sink(BufWriter::new(file), gzip))),
                gzip,
                path,
            },
            name,
        })
    }

    /// S3 files.
    pub fn s3(writer: S3Writer, name: String) -> Output {
        Output {
            kind: Kind::S3(Box::new(writer)),
            name,
        }
    }

    /// Where records written now end up (for `detailedResultsLocation`).
    pub fn location(&self) -> String {
        match &self.kind {
            Kind::Stdout(_) => "-".into(),
            Kind::File { path, .. } => std::path::absolute(path)
                .unwrap_or_else(|_| path.clone())
                .display()
                .to_string(),
            Kind::S3(w) => w.current_url(),
        }
    }

    /// Writes one line.
    pub fn write_line(&mut self, line: &[u8]) -> Result<()> {
        match &mut self.kind {
            Kind::S3(w) => w.write_line(line)?,
            _ => {
                self.write_all(line)?;
                self.write_all(b"\n")?;
            }
        }
        Ok(())
    }

    /// Writes raw bytes (local outputs only; S3 outputs take lines).
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<()> {
        match &mut self.kind {
            Kind::Stdout(w) => w.write_all(bytes)?,
            Kind::File { sink, .. } => match sink.as_mut() {
                Some(LocalSink::Plain(w)) => w.write_all(bytes)?,
                Some(LocalSink::Gz(w)) => w.write_all(bytes)?,
                None => anyhow::bail!("{} is closed", self.name),
            },
            Kind::S3(w) => w.write_line(bytes.strip_suffix(b"\n").unwrap_or(bytes))?,
        }
        Ok(())
    }

    /// Makes everything written so far durable and says where the output stands.
    pub fn checkpoint(&mut self) -> Result<OutputState> {
        match &mut self.kind {
            Kind::Stdout(w) => {
                w.flush()?;
                Ok(OutputState::default())
            }
            Kind::File { sink, gzip, .. } => {
                // A gzip member is finished at each checkpoint, so the file can be cut
                // back to it; concatenated members are one valid gzip stream.
                let mut buf = match sink.take() {
                    Some(LocalSink::Plain(w)) => w,
                    Some(LocalSink::Gz(g)) => g.finish()?,
                    None => anyhow::bail!("{} is closed", self.name),
                };
                buf.flush()?;
                match buf.get_ref().sync_data() {
                    // Devices and pipes (`/dev/null`, `/dev/stdout`) cannot be synced.
                    Err(e) if e.kind() == io::ErrorKind::InvalidInput => {}
                    other => other?,
                }
                let len = buf.get_ref().metadata()?.len();
                **sink = Some(new_sink(buf, *gzip));
                Ok(OutputState {
                    bytes: Some(len),
                    files: None,
                })
            }
            Kind::S3(w) => {
                w.roll()?;
                Ok(OutputState {
                    bytes: None,
                    files: Some(w.files()),
                })
            }
        }
    }

    /// Flushes and closes.
    pub fn finish(mut self) -> Result<()> {
        self.checkpoint()
            .with_context(|| format!("writing {}", self.name))?;
        Ok(())
    }
}

fn new_sink(w: BufWriter<File>, gzip: bool) -> LocalSink {
    if gzip {
        LocalSink::Gz(Box::new(GzEncoder::new(w, flate2::Compression::default())))
    } else {
        LocalSink::Plain(w)
    }
}
