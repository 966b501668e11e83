//! The shared second level of the outcome cache: an object store (`--cache-url`:
//! `s3://`, `gs://`, `az://`, `http(s)://` with WebDAV-style GET and PUT, `file://`)
//! through the `object_store` crate, which reads the usual credentials from the
//! environment (`AWS_*`, `GOOGLE_*`, `AZURE_*`).
//!
//! This module is the transport: objects by name under the URL's prefix, fetched and
//! stored many at once. What the objects hold (packs of local entries) is
//! [`shared`](super::shared)'s. The local cache stays the first level: its misses are
//! looked up here; what is found is written locally; what the run produced is uploaded
//! at its end.
//!
//! Nothing wrong with the store fails a run or changes an outcome: the first problem
//! (unreachable, refused, too slow) is one warning line and the run goes on with the
//! local cache alone. Messages never show credentials: the URL is shown without user
//! and password, and the values of secret variables are masked.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::StreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::azure::{AzureConfigKey, MicrosoftAzureBuilder};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::http::HttpBuilder;
use object_store::path::Path as StorePath;
use object_store::{
    ClientConfigKey, ClientOptions, ObjectStore, ObjectStoreExt, ObjectStoreScheme, RetryConfig,
};

/// How many requests are in flight at once.
const CONCURRENCY: usize = 64;

/// How long one request may take, and connecting.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long all the look-ups (or all the uploads) of one run may take together.
const BATCH_DEADLINE: Duration = Duration::from_secs(20);

/// A `--cache-url`, shown without its user and password (also in `Debug`, so the
/// options' debug line holds no secret).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct CacheUrl(String);

impl CacheUrl {
    /// The URL as given.
    #[must_use]
    pub(crate) fn new(text: String) -> Self {
        Self(text)
    }

    /// The URL without user, password or query (what messages show).
    #[must_use]
    pub(crate) fn shown(&self) -> String {
        match url::Url::parse(&self.0) {
            Ok(mut url) => {
                let _ = url.set_username("");
                let _ = url.set_password(None);
                url.set_query(None);
                url.to_string()
            }
            Err(_) => "(not a URL)".to_owned(),
        }
    }
}

impl fmt::Debug for CacheUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheUrl({})", self.shown())
    }
}

/// Why a store could not be opened.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The URL is wrong: a usage error.
    Usage(String),
    /// The store cannot be configured (credentials, a missing bucket name): the run goes
    /// on without it.
    Store(String),
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Usage(message) | OpenError::Store(message) => f.write_str(message),
        }
    }
}

/// `url` without its user and password.
fn without_credentials(url: &url::Url) -> url::Url {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url
}

/// Make rustls's `ring` provider the process's TLS crypto, once: the stores' HTTP
/// clients are built without a provider of their own (see `Cargo.toml`).
fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An error means a provider is installed already, which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The HTTP client of an `http(s)://` store: plain HTTP when the URL says so (the user's
/// explicit choice), and the URL's user and password as basic authentication (the
/// client does not take them from the URL).
fn http_client(url: &url::Url) -> ClientOptions {
    use base64::Engine as _;
    let mut client = ClientOptions::new()
        .with_allow_http(url.scheme() == "http")
        .with_timeout(REQUEST_TIMEOUT)
        .with_connect_timeout(CONNECT_TIMEOUT);
    if !url.username().is_empty() || url.password().is_some() {
        let decode = |text: &str| {
            percent_encoding::percent_decode_str(text)
                .decode_utf8_lossy()
                .into_owned()
        };
        let pair = format!(
            "{}:{}",
            decode(url.username()),
            decode(url.password().unwrap_or_default())
        );
        let token = base64::engine::general_purpose::STANDARD.encode(pair);
        if let Ok(mut value) = object_store::HeaderValue::from_str(&format!("Basic {token}")) {
            value.set_sensitive(true);
            let mut headers = object_store::HeaderMap::new();
            headers.insert("authorization", value);
            client = client.with_default_headers(headers);
        }
    }
    client
}

/// What `git chimp cache stats` says about the store.
#[derive(Debug, Default)]
pub(crate) struct RemoteStats {
    /// Objects under the prefix.
    pub objects: usize,
    /// Their bytes.
    pub bytes: u64,
}

/// The opened store.
pub(crate) struct Remote {
    /// The URL as messages show it.
    pub(crate) shown: String,
    store: Box<dyn ObjectStore>,
    prefix: StorePath,
    runtime: tokio::runtime::Runtime,
    /// Set at the first problem: the rest of the run uses the local cache alone.
    broken: AtomicBool,
    /// Secret values a message must never show.
    secrets: Vec<String>,
}

impl Remote {
    /// Open the store `url` names; nothing is sent yet.
    ///
    /// # Errors
    /// [`OpenError::Usage`] when the URL is malformed or of a kind no store takes;
    /// [`OpenError::Store`] when its store cannot be configured (missing credentials
    /// file, no bucket in the URL).
    pub(crate) fn open(url: &CacheUrl) -> Result<Remote, OpenError> {
        install_tls_provider();
        let secrets = secrets(&url.0);
        let shown = url.shown();
        let parsed = url::Url::parse(&url.0)
            .map_err(|err| OpenError::Usage(format!("--cache-url {shown}: not a URL ({err})")))?;
        let (scheme, path) = ObjectStoreScheme::parse(&parsed).map_err(|_| {
            OpenError::Usage(format!(
                "--cache-url {shown}: not a store git-chimp knows; use s3://bucket/prefix, \
                 gs://bucket/prefix, az://container/prefix, https://host/path (WebDAV) or \
                 file:///path"
            ))
        })?;
        let prefix = StorePath::parse(path.as_ref())
            .map_err(|err| OpenError::Usage(format!("--cache-url {shown}: {err}")))?;
        // Set through the builders' configuration, so that what `from_env` read (such
        // as `AWS_ALLOW_HTTP`) stays.
        let timeouts = [
            (
                ClientConfigKey::Timeout,
                format!("{}s", REQUEST_TIMEOUT.as_secs()),
            ),
            (
                ClientConfigKey::ConnectTimeout,
                format!("{}s", CONNECT_TIMEOUT.as_secs()),
            ),
        ];
        let retry = RetryConfig {
            max_retries: 1,
            retry_timeout: REQUEST_TIMEOUT,
            ..RetryConfig::default()
        };
        let built: object_store::Result<Box<dyn ObjectStore>> = match scheme {
            ObjectStoreScheme::Local => Ok(Box::new(object_store::local::LocalFileSystem::new())),
            ObjectStoreScheme::AmazonS3 => {
                let mut builder = AmazonS3Builder::from_env().with_url(parsed.as_str());
                for (key, value) in timeouts {
                    builder = builder.with_config(AmazonS3ConfigKey::Client(key), value);
                }
                builder
                    .with_retry(retry)
                    .build()
                    .map(|store| Box::new(store) as _)
            }
            ObjectStoreScheme::GoogleCloudStorage => {
                let mut builder = GoogleCloudStorageBuilder::from_env().with_url(parsed.as_str());
                for (key, value) in timeouts {
                    builder = builder.with_config(GoogleConfigKey::Client(key), value);
                }
                builder
                    .with_retry(retry)
                    .build()
                    .map(|store| Box::new(store) as _)
            }
            ObjectStoreScheme::MicrosoftAzure => {
                let mut builder = MicrosoftAzureBuilder::from_env().with_url(parsed.as_str());
                for (key, value) in timeouts {
                    builder = builder.with_config(AzureConfigKey::Client(key), value);
                }
                builder
                    .with_retry(retry)
                    .build()
                    .map(|store| Box::new(store) as _)
            }
            ObjectStoreScheme::Http => HttpBuilder::new()
                .with_url(&without_credentials(&parsed)[..url::Position::BeforePath])
                .with_client_options(http_client(&parsed))
                .with_retry(retry)
                .build()
                .map(|store| Box::new(store) as _),
            _ => {
                return Err(OpenError::Usage(format!(
                    "--cache-url {shown}: not a shared store (memory://); use s3://, gs://, \
                     az://, https:// or file://"
                )));
            }
        };
        let store = built.map_err(|err| {
            OpenError::Store(format!(
                "shared cache {shown}: {}",
                mask(&err.to_string(), &secrets)
            ))
        })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|err| {
                OpenError::Store(format!("shared cache {shown}: starting its client: {err}"))
            })?;
        Ok(Remote {
            shown,
            store,
            prefix,
            runtime,
            broken: AtomicBool::new(false),
            secrets,
        })
    }

    /// Where the object `name` (`a/b/c`) is, under the prefix.
    fn location(&self, name: &str) -> StorePath {
        name.split('/').fold(self.prefix.clone(), StorePath::join)
    }

    /// Say what went wrong, the first time only; from then on the run uses the local
    /// cache alone.
    fn fail(&self, what: &str, err: &str) {
        if !self.broken.swap(true, Ordering::SeqCst) {
            // One line: a server's error page stays out of it.
            let err = mask(err.lines().next().unwrap_or_default(), &self.secrets);
            let err: String = err.chars().take(300).collect();
            tracing::warn!(
                "shared cache {}: {what} failed ({}); this run uses the local cache only",
                self.shown,
                err.trim_end_matches([':', ' '])
            );
        }
    }

    /// Whether a problem stopped its use this run.
    #[must_use]
    pub(crate) fn is_broken(&self) -> bool {
        self.broken.load(Ordering::SeqCst)
    }

    /// The bytes of each of the objects `names`, in order: `None` for one the store does
    /// not hold, and for every one once a problem stopped its use.
    pub(crate) fn fetch(&self, names: &[&String]) -> Vec<Option<Vec<u8>>> {
        if names.is_empty() || self.is_broken() {
            return vec![None; names.len()];
        }
        let requests = futures::stream::iter(names.iter().map(|name| self.location(name)))
            .map(|location| async move {
                if self.is_broken() {
                    return None;
                }
                let got = match self.store.get(&location).await {
                    Ok(got) => got.bytes().await,
                    Err(err) => Err(err),
                };
                match got {
                    Ok(bytes) => Some(bytes.to_vec()),
                    Err(object_store::Error::NotFound { .. }) => None,
                    Err(err) => {
                        self.fail("looking up outcomes", &err.to_string());
                        None
                    }
                }
            })
            .buffered(CONCURRENCY)
            .collect::<Vec<_>>();
        let found = self
            .runtime
            .block_on(async { tokio::time::timeout(BATCH_DEADLINE, requests).await });
        found.unwrap_or_else(|_| {
            self.fail(
                "looking up outcomes",
                &format!("no answer within {} s", BATCH_DEADLINE.as_secs()),
            );
            vec![None; names.len()]
        })
    }

    /// Store `objects` (name and bytes); returns how many were stored.
    pub(crate) fn upload(&self, objects: Vec<(String, Vec<u8>)>) -> usize {
        if objects.is_empty() || self.is_broken() {
            return 0;
        }
        let requests = futures::stream::iter(objects)
            .map(|(name, bytes)| async move {
                if self.is_broken() {
                    return false;
                }
                match self.store.put(&self.location(&name), bytes.into()).await {
                    Ok(_) => true,
                    Err(err) => {
                        self.fail("storing outcomes", &err.to_string());
                        false
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect::<Vec<bool>>();
        let stored = self
            .runtime
            .block_on(async { tokio::time::timeout(BATCH_DEADLINE, requests).await });
        let Ok(stored) = stored else {
            self.fail(
                "storing outcomes",
                &format!("not done within {} s", BATCH_DEADLINE.as_secs()),
            );
            return 0;
        };
        stored.into_iter().filter(|stored| *stored).count()
    }

    /// Count the objects under the prefix.
    ///
    /// # Errors
    /// The store's problem, as a message without secrets.
    pub(crate) fn stats(&self) -> Result<RemoteStats, String> {
        let listing = self.store.list(Some(&self.prefix)).fold(
            Ok(RemoteStats::default()),
            |stats: object_store::Result<RemoteStats>, meta| async move {
                let mut stats = stats?;
                let meta = meta?;
                stats.objects += 1;
                stats.bytes += meta.size;
                Ok(stats)
            },
        );
        self.runtime
            .block_on(async { tokio::time::timeout(BATCH_DEADLINE, listing).await })
            .map_err(|_| format!("no answer within {} s", BATCH_DEADLINE.as_secs()))?
            .map_err(|err| mask(&err.to_string(), &self.secrets))
    }
}

/// The secret values a message about `url` must not show: its password, and the values
/// of the credential variables the stores read.
fn secrets(url: &str) -> Vec<String> {
    let mut secrets: Vec<String> = std::env::vars()
        .filter(|(name, _)| {
            let name = name.to_ascii_uppercase();
            ["AWS_", "GOOGLE_", "AZURE_"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
                && ["SECRET", "TOKEN", "KEY", "PASSWORD", "CREDENTIAL"]
                    .iter()
                    .any(|word| name.contains(word))
                && !name.ends_with("_KEY_ID")
        })
        .map(|(_, value)| value)
        .collect();
    if let Some(password) = url::Url::parse(url)
        .ok()
        .and_then(|url| url.password().map(str::to_owned))
    {
        secrets.push(password);
    }
    secrets.retain(|secret| secret.len() >= 4);
    secrets
}

/// `text` with every one of `secrets` replaced by `***`.
fn mask(text: &str, secrets: &[String]) -> String {
    secrets.iter().fold(text.to_owned(), |text, secret| {
        text.replace(secret.as_str(), "***")
    })
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_credentials_and_bad_urls_are_named() {
        let url = CacheUrl::new("https://alice:hunter22@dav.example.com/chimp?sig=abc".into());
        assert_eq!(url.shown(), "https://dav.example.com/chimp");
        assert!(!format!("{url:?}").contains("hunter22"));
        assert_eq!(
            mask("denied for hunter22", &secrets(&url.0)),
            "denied for ***"
        );
        for (bad, expected) in [
            ("not a url", "not a URL"),
            ("ftp://host/x", "not a store git-chimp knows"),
            ("memory:///", "not a shared store"),
        ] {
            let err = Remote::open(&CacheUrl::new(bad.into()))
                .map(|_| ())
                .map_err(|err| err.to_string())
                .err()
                .unwrap_or_default();
            assert!(err.contains(expected), "{bad}: {err}");
        }
    }

    #[test]
    fn a_file_store_keeps_objects_under_its_prefix_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}/shared", dir.path().display());
        let remote = Remote::open(&CacheUrl::new(url)).unwrap();
        let name = "files/ab/cdef".to_owned();
        let other = "scopes/ab/cdef".to_owned();
        assert_eq!(remote.fetch(&[&name, &other]), [None, None]);
        assert_eq!(remote.upload(vec![(name.clone(), b"entry".to_vec())]), 1);
        assert_eq!(
            remote.fetch(&[&name, &other]),
            [Some(b"entry".to_vec()), None]
        );
        assert!(dir.path().join("shared/files/ab/cdef").is_file());
        let stats = remote.stats().unwrap();
        assert_eq!((stats.objects, stats.bytes), (1, 5));
        assert!(!remote.is_broken());
    }
}
