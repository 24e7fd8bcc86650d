//! `listings`: any list action read one page at a time, so a listing of any size runs in
//! constant memory. The action describes its request exactly as for its typed export; the
//! listing takes that request and reads it with the core's [`Pager`], one page per call.
//! The table from action id to action is generated from the WIT (`open_listing`).

use crate::bindings::exports::okta::connector::listings::{self, GuestListing};
use crate::bindings::okta::connector::types::{Connection, Error as WitError};
use crate::connection::{self, Session};
use crate::error::Error;
use crate::input::Input;
use crate::okta::paging::{JsonArray, Pager};
use crate::okta::request::Expect;
use crate::okta::{Flow, Paging};
use std::cell::RefCell;

include!(concat!(env!("OUT_DIR"), "/listings.rs"));

/// A listing in progress: the org's client and where the listing stands.
pub struct Listing {
    session: Session,
    pager: RefCell<Pager>,
}

/// Opens a listing of `action` on its JSON input: the input is checked and the connection
/// made, nothing is sent. (Called by the generated `open_listing`.)
pub fn open<I: Input, T: 'static>(
    connection: Connection,
    input: &str,
    action: crate::glue::Action<I, T>,
) -> Result<Listing, Error> {
    let input = I::from_json(input).map_err(|e| e.scrub(&connection::secrets(&connection)))?;
    let session = Session::open(&connection, input.secrets())?;
    let flow: Flow<T> = action(&session.okta, input).map_err(|e| session.scrub(e))?;
    match flow.step() {
        Err((request, Expect::Pages(paging), _)) => {
            let paging = Paging { fetch_all: true, ..paging };
            let pager = Pager::new(&session.okta, &request, paging).map_err(|e| session.scrub(e))?;
            Ok(Listing { session, pager: RefCell::new(pager) })
        }
        Ok(Err(e)) => Err(session.scrub(e)),
        _ => Err(Error::input("action", "is not a list action")),
    }
}

/// The error for an id that names no list action.
pub fn not_a_listing(action: &str) -> Error {
    let shown: String = action.chars().take(64).collect();
    Error::input(
        "action",
        format!(
            "`{shown}` is not a list action: a listing reads an action whose result is a page ({})",
            LISTING_IDS.join(", ")
        ),
    )
}

impl Listing {
    /// The next page's items as a JSON array, or `None` once the listing is done. The
    /// deadline and retry budget start over for each page.
    pub fn next_page(&self) -> Result<Option<String>, Error> {
        let okta = &self.session.okta;
        okta.restart_clock();
        let mut items = JsonArray::default();
        let read = self.pager.borrow_mut().next_page(okta, |item| items.push(item));
        match read {
            Ok(Some(_)) => Ok(Some(items.finish())),
            Ok(None) => Ok(None),
            Err(e) => Err(self.session.scrub(e)),
        }
    }

    /// The `after` cursor of the next page, or where a finished listing resumes.
    pub fn cursor(&self) -> Option<String> {
        self.pager.borrow().cursor()
    }
}

impl listings::Guest for crate::Component {
    type Listing = Listing;

    fn open(action: String, connection: Connection, input: String) -> Result<listings::Listing, WitError> {
        open_listing(&action, connection, &input).map(listings::Listing::new).map_err(WitError::from)
    }
}

impl GuestListing for Listing {
    fn next_page(&self) -> Result<Option<String>, WitError> {
        Listing::next_page(self).map_err(WitError::from)
    }

    fn cursor(&self) -> Option<String> {
        Listing::cursor(self)
    }
}
