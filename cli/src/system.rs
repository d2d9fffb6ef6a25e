//! [`System`]: the real machine as a [`Platform`]: ureq over the network, the
//! file store (compare-and-swap saves), the system clock, `thread::sleep`, OS
//! randomness, and a progress callback. No protocol logic.

use crate::driver::{Event, Platform};
use crate::transport::Transport;
use mapsindoors_auth::{
    Error, HttpRequest, HttpResponse, PersistReason, Purpose, Settings, SleepReason,
    StoreErrorKind, StoreRecord, TransportError,
};
use mapsindoors_auth_store::FileStore;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now, in Unix milliseconds.
#[must_use]
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The machine the CLI runs on.
pub struct System<'a> {
    transport: Transport,
    store: FileStore,
    progress: Box<dyn Fn(&Event<'_>) + 'a>,
}

impl<'a> System<'a> {
    /// HTTP with the settings' timeout; loads and saves `store`; reports
    /// every event to `progress`.
    #[must_use]
    pub fn new(store: FileStore, settings: &Settings, progress: impl Fn(&Event<'_>) + 'a) -> Self {
        Self {
            transport: Transport::new(Duration::from_millis(settings.timeout_ms)),
            store,
            progress: Box::new(progress),
        }
    }
}

impl Platform for System<'_> {
    fn now_ms(&self) -> u64 {
        now_ms()
    }

    fn send(
        &self,
        request: &HttpRequest,
        _purpose: Purpose,
    ) -> Result<HttpResponse, TransportError> {
        self.transport.send(request)
    }

    fn load(&self) -> Result<Option<StoreRecord>, Error> {
        match self.store.load() {
            Ok(record) => Ok(Some(record)),
            Err(Error::Store {
                kind: StoreErrorKind::Missing,
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn save(&self, record: &StoreRecord, _reason: PersistReason) -> Result<(), Error> {
        if record.generation != 1 {
            return self.store.save(record);
        }
        // Generation 1 only into an empty store: a file that appeared
        // meanwhile is another writer's, a compare-and-swap conflict.
        let created = self.store.create(record);
        if created.is_err() && std::fs::symlink_metadata(self.store.path()).is_ok() {
            let at = self.store.path().display();
            let reason = format!("a store appeared at {at} meanwhile; it was left untouched");
            return Err(Error::store(StoreErrorKind::Conflict, reason));
        }
        created
    }

    fn sleep(&self, ms: u64, _reason: SleepReason) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    fn random(&self, bytes: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(bytes).map_err(|e| Error::InvalidInput {
            field: "random".into(),
            reason: format!("no OS randomness: {e}"),
        })
    }

    fn observe(&self, event: &Event<'_>) {
        (self.progress)(event);
    }
}
