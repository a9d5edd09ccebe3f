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
    Dashboard,
    Moderation,
    Account,
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
            Self::Dashboard => "dashboard",
            Self::Moderation => "moderation",
            Self::Account => "account",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
pub struct Nav {
    stack: Signal<Vec<Route>>,
}

impl Nav {
    pub fn provide() -> Self {
        use_context_provider(|| Self {
            stack: Signal::new(vec![Route::Home]),
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

    pub fn can_go_back(&self) -> bool {
        self.stack.read().len() > 1
    }
}

pub fn use_nav() -> Nav {
    use_context::<Nav>()
}
