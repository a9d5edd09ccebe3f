//! Where the user is. The window has no address bar, so navigation is a stack of these in a
//! signal (back pops it) rather than a URL router: nothing here needs deep links or reloads.

use dioxus::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    Home,
    Search(String),
    Artist(String),
    Show(Uuid),
    Venue(Uuid),
    Venues,
    /// Every show, by date range, city, artist and status.
    Shows,
    Dashboard,
    Moderation,
    Account,
    /// A fan's public page.
    User(Uuid),
    /// The all-time leaderboard.
    Leaderboard,
    Notifications,
}

impl Route {
    /// A stable name for tests and screenshots (`data-page` on the page element).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Home => "home",
            Self::Search(_) => "search",
            Self::Artist(_) => "artist",
            Self::Show(_) => "show",
            Self::Venue(_) => "venue",
            Self::Venues => "venues",
            Self::Shows => "shows",
            Self::Dashboard => "dashboard",
            Self::Moderation => "moderation",
            Self::Account => "account",
            Self::User(_) => "user",
            Self::Leaderboard => "leaderboard",
            Self::Notifications => "notifications",
        }
    }
}

impl Route {
    /// The page a web app address names (`/app/shows/{id}`, a QR code's link): deep links open
    /// there, with Home behind them.
    pub fn from_path(path: &str) -> Option<Self> {
        let rest = path.strip_prefix("/app/")?.trim_end_matches('/');
        let mut parts = rest.split('/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some("shows"), Some(id), None) => id.parse().ok().map(Self::Show),
            (Some("venues"), Some(id), None) => id.parse().ok().map(Self::Venue),
            (Some("venues"), None, None) => Some(Self::Venues),
            (Some("shows"), None, None) => Some(Self::Shows),
            (Some("users"), Some(id), None) => id.parse().ok().map(Self::User),
            (Some("leaderboard"), None, None) => Some(Self::Leaderboard),
            (Some("artists"), Some(slug), None)
                if !slug.is_empty()
                    && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                Some(Self::Artist(slug.to_owned()))
            }
            _ => None,
        }
    }
}

impl Route {
    /// The web app address of this page, when it has one (what [`Route::from_path`] reads).
    pub fn path(&self) -> Option<String> {
        match self {
            Self::Show(id) => Some(format!("/app/shows/{id}")),
            Self::Venue(id) => Some(format!("/app/venues/{id}")),
            Self::Venues => Some("/app/venues".into()),
            Self::Shows => Some("/app/shows".into()),
            Self::User(id) => Some(format!("/app/users/{id}")),
            Self::Leaderboard => Some("/app/leaderboard".into()),
            Self::Artist(slug) => Some(format!("/app/artists/{slug}")),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub struct Nav {
    stack: Signal<Vec<Route>>,
}

impl Nav {
    pub fn provide() -> Self {
        use_context_provider(|| {
            let mut stack = vec![Route::Home];
            // The web app opened at a page's address (a deep link, a QR code).
            let here = web_sys::window().and_then(|w| w.location().pathname().ok());
            if let Some(route) = here.as_deref().and_then(Route::from_path) {
                stack.push(route);
            }
            Self {
                stack: Signal::new(stack),
            }
        })
    }

    pub fn current(&self) -> Route {
        self.stack.read().last().cloned().unwrap_or(Route::Home)
    }

    pub fn go(&mut self, to: Route) {
        if self.current() != to {
            self.stack.write().push(to);
        }
    }

    pub fn back(&mut self) {
        let mut stack = self.stack.write();
        if stack.len() > 1 {
            stack.pop();
        }
    }

    /// Where a sign-in that leaves the page (the web app's Google or Spotify) comes back to: the
    /// nearest page in the stack with an address the server accepts, else the home page.
    pub fn return_path(&self) -> String {
        return_path(&self.stack.read())
    }

    pub fn can_go_back(&self) -> bool {
        self.stack.read().len() > 1
    }
}

fn return_path(stack: &[Route]) -> String {
    stack
        .iter()
        .rev()
        .filter_map(Route::path)
        .find(|p| theset_shared::validate::web_return_path(p))
        .unwrap_or_else(|| "/app/".into())
}

pub fn use_nav() -> Nav {
    use_context::<Nav>()
}

#[cfg(test)]
mod tests {
    use super::{Route, return_path};

    #[test]
    fn pages_with_an_address_read_back_as_themselves() {
        let id = uuid::Uuid::from_u128(7);
        for route in [
            Route::Show(id),
            Route::Venue(id),
            Route::Venues,
            Route::Shows,
            Route::Artist("the-national".into()),
            Route::User(id),
            Route::Leaderboard,
        ] {
            let path = route.path().expect("an address");
            assert!(theset_shared::validate::web_return_path(&path), "{path}");
            assert_eq!(Route::from_path(&path), Some(route));
        }
        assert_eq!(Route::Account.path(), None);
    }

    #[test]
    fn a_sign_in_comes_back_to_the_page_it_left_from() {
        let id = uuid::Uuid::from_u128(7);
        let stack = [Route::Home, Route::Show(id), Route::Account];
        assert_eq!(return_path(&stack), format!("/app/shows/{id}"));
        assert_eq!(return_path(&[Route::Home, Route::Account]), "/app/");
        // An address the server would refuse (a very long slug) is skipped, not sent.
        let long = Route::Artist("a".repeat(100));
        assert_eq!(
            return_path(&[Route::Home, Route::Venues, long, Route::Account]),
            "/app/venues"
        );
    }

    #[test]
    fn web_addresses_name_their_pages() {
        let id = uuid::Uuid::nil();
        assert_eq!(
            Route::from_path(&format!("/app/shows/{id}")),
            Some(Route::Show(id))
        );
        assert_eq!(
            Route::from_path(&format!("/app/venues/{id}/")),
            Some(Route::Venue(id))
        );
        assert_eq!(Route::from_path("/app/venues"), Some(Route::Venues));
        assert_eq!(
            Route::from_path("/app/artists/the-national"),
            Some(Route::Artist("the-national".into()))
        );
        assert_eq!(Route::from_path("/app/"), None);
        assert_eq!(Route::from_path("/app/shows/not-an-id"), None);
        assert_eq!(Route::from_path("/app/artists/<script>"), None);
        assert_eq!(Route::from_path("/elsewhere/shows/x"), None);
    }
}
