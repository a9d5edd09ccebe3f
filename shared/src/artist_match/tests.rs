use proptest::prelude::*;

use super::*;

fn g(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A Spotify-shaped hit.
fn sp<'a>(name: &'a str, genres: &'a [String], followers: u64, images: bool) -> Hit<'a> {
    Hit {
        name,
        disambiguation: None,
        genres,
        followers: Some(followers),
        has_images: Some(images),
    }
}

/// A setlist.fm-shaped hit (no genres, followers or images).
fn sl<'a>(name: &'a str, disambiguation: &'a str) -> Hit<'a> {
    Hit {
        name,
        disambiguation: Some(disambiguation),
        genres: &[],
        followers: None,
        has_images: None,
    }
}

fn linked(d: &Decision) -> Option<usize> {
    match d {
        Decision::Linked { best, .. } => Some(best.index),
        Decision::Unlinked { .. } => None,
    }
}

fn reason(d: &Decision) -> Option<NoMatch> {
    match d {
        Decision::Unlinked { reason, .. } => Some(*reason),
        Decision::Linked { .. } => None,
    }
}

#[test]
fn keys_fold_accents_case_punctuation_and_a_leading_the() {
    for (a, b) in [
        ("Beyoncé", "BEYONCE"),
        ("Sigur Rós", "sigur ros"),
        ("Mötley Crüe", "Motley Crue"),
        ("The National", "National"),
        ("Guns N' Roses", "Guns N Roses"),
        ("Run-D.M.C.", "Run DMC"),
        ("Florence + The Machine", "Florence and the Machine"),
        ("Simon & Garfunkel", "Simon and Garfunkel"),
        ("Fontaines D.C.", "Fontaines DC"),
        ("AC/DC", "ACDC"),
    ] {
        assert_eq!(name_key(a), name_key(b), "{a} / {b}");
    }
    assert_ne!(
        name_key("The The"),
        "",
        "a name that is only 'The' keeps it"
    );
    assert_ne!(
        name_key("Arctic Monkeys"),
        name_key("Arctic Monkeys Tribute")
    );
}

#[test]
fn look_alikes_are_tribute_words_the_wanted_name_lacks_and_empty_profiles() {
    let none: Vec<String> = vec![];
    let am = Wanted {
        name: "Arctic Monkeys",
        genres: &none,
    };
    assert!(is_look_alike(&am, &sl("Arctic Monkeys Tribute", "")));
    assert!(is_look_alike(&am, &sl("The Arctic Monkeys Experience", "")));
    assert!(is_look_alike(&am, &sl("Arctic Monkeyz", "UK tribute act")));
    assert!(is_look_alike(
        &am,
        &sl("Songs in the Style of Arctic Monkeys", "")
    ));
    assert!(!is_look_alike(
        &am,
        &sl("Arctic Monkeys", "English rock band from Sheffield")
    ));
    assert!(
        is_look_alike(&am, &sp("Arctic Monkeys", &none, 12, true)),
        "almost no followers"
    );
    assert!(
        is_look_alike(&am, &sp("Arctic Monkeys", &none, 400, false)),
        "no images, few followers"
    );
    assert!(!is_look_alike(&am, &sp("Arctic Monkeys", &none, 400, true)));
    // A word in the wanted name is not a marker of imitation.
    let jhe = Wanted {
        name: "The Jimi Hendrix Experience",
        genres: &none,
    };
    assert!(!is_look_alike(&jhe, &sl("Jimi Hendrix Experience", "")));
}

#[test]
fn real_shaped_cases() {
    let rock = g(&["rock", "indie rock", "garage rock"]);
    let none: Vec<String> = vec![];
    let tm_rock = g(&["rock", "alternative rock"]);
    let tm_hiphop = g(&["hip-hop/rap"]);
    let grunge = g(&["grunge", "rock", "permanent wave"]);
    let psych = g(&["psychedelic pop", "british invasion"]);
    let trap = g(&["hip hop", "rap", "atl hip hop", "trap"]);
    let prog = g(&["progressive rock"]);

    // The fixture's shape: the band, its tribute, a side project.
    let hits = [
        sp("Arctic Monkeys", &rock, 24_318_850, true),
        sp("Arctic Monkeys Tribute", &none, 412, true),
        sp("The Last Shadow Puppets", &rock, 1_100_233, true),
    ];
    let d = pick(
        &Wanted {
            name: "Arctic Monkeys",
            genres: &tm_rock,
        },
        &hits,
    );
    assert_eq!(linked(&d), Some(0), "{d:?}");
    // The same search when the band itself is missing: the tribute is not taken.
    let d = pick(
        &Wanted {
            name: "Arctic Monkeys",
            genres: &tm_rock,
        },
        &hits[1..],
    );
    assert_eq!(reason(&d), Some(NoMatch::OnlyLookAlikes), "{d:?}");

    // Same name, other genre: the genres decide, not the service's order or the followers.
    let hits = [
        sp("Nirvana", &psych, 95_000, true),
        sp("Nirvana", &grunge, 20_000_000, true),
    ];
    assert_eq!(
        linked(&pick(
            &Wanted {
                name: "Nirvana",
                genres: &tm_rock
            },
            &hits
        )),
        Some(1)
    );
    let hits = [
        sp("Future", &prog, 3_000_000, true),
        sp("Future", &trap, 2_000_000, true),
    ];
    assert_eq!(
        linked(&pick(
            &Wanted {
                name: "Future",
                genres: &tm_hiphop
            },
            &hits
        )),
        Some(1)
    );

    // Accents, "The", punctuation.
    for (wanted, found) in [
        ("Beyoncé", "Beyonce"),
        ("The National", "National"),
        ("Run-D.M.C.", "RUN DMC"),
        ("Florence + The Machine", "Florence and the Machine"),
    ] {
        let hits = [sp(found, &none, 1_000_000, true)];
        let d = pick(
            &Wanted {
                name: wanted,
                genres: &tm_rock,
            },
            &hits,
        );
        match d {
            Decision::Linked { best, .. } => {
                assert!((best.confidence - 1.0).abs() < 1e-9, "{wanted}")
            }
            other => panic!("{wanted}: {other:?}"),
        }
    }

    // Only karaoke and cover projects: no link, and that is the reason.
    let hits = [
        sp("Taylor Swift Karaoke", &none, 30_000, true),
        sp("Made Famous by Taylor Swift", &none, 5_000, true),
        sp("Taylor Swift Covers", &none, 2_000, true),
    ];
    let d = pick(
        &Wanted {
            name: "Taylor Swift",
            genres: &none,
        },
        &hits,
    );
    assert_eq!(reason(&d), Some(NoMatch::OnlyLookAlikes));

    // Nobody of that name: too far, not guessed.
    let hits = [sp("Phoebe Green", &none, 80_000, true)];
    let d = pick(
        &Wanted {
            name: "Phoebe Bridgers",
            genres: &none,
        },
        &hits,
    );
    assert_eq!(reason(&d), Some(NoMatch::BelowThreshold));
    assert_eq!(
        reason(&pick(
            &Wanted {
                name: "X",
                genres: &none
            },
            &[]
        )),
        Some(NoMatch::NoHits)
    );

    // A near name (a typo on one side) needs the genres to agree.
    let psych_rock = g(&["psychedelic rock", "indie rock"]);
    let hits = [sp("Tame Impalla", &psych_rock, 9_000_000, true)];
    let d = pick(
        &Wanted {
            name: "Tame Impala",
            genres: &tm_rock,
        },
        &hits,
    );
    assert!(linked(&d).is_some(), "{d:?}");
    let hits = [sp("Tame Impalla", &trap, 9_000_000, true)];
    let d = pick(
        &Wanted {
            name: "Tame Impala",
            genres: &tm_rock,
        },
        &hits,
    );
    assert_eq!(reason(&d), Some(NoMatch::BelowThreshold), "{d:?}");

    // setlist.fm: no genres or followers; tributes out; two of one name go by relevance, marked close.
    let hits = [
        sl("Arctic Monkeys", "English rock band from Sheffield"),
        sl("Arctic Monkeys Tribute", "UK tribute act"),
        sl("The Arctic Monkeys Experience", ""),
    ];
    let d = pick(
        &Wanted {
            name: "Arctic Monkeys",
            genres: &tm_rock,
        },
        &hits,
    );
    assert_eq!(
        d,
        Decision::Linked {
            best: Scored {
                index: 0,
                confidence: 1.0
            },
            runner_up: None
        }
    );
    let hits = [
        sl("Nirvana", "US grunge band"),
        sl("Nirvana", "UK 1960s band"),
    ];
    match pick(
        &Wanted {
            name: "Nirvana",
            genres: &tm_rock,
        },
        &hits,
    ) {
        Decision::Linked { best, runner_up } => {
            assert_eq!(best.index, 0);
            assert!((best.confidence - TIE_CONFIDENCE).abs() < 1e-9);
            assert_eq!(runner_up.map(|r| r.index), Some(1));
        }
        other => panic!("{other:?}"),
    }
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z ]{0,20}".prop_map(|s| s.trim().to_owned())
}

proptest! {
    #[test]
    fn keys_ignore_case_and_a_leading_the(n in name()) {
        prop_assert_eq!(name_key(&n), name_key(&n.to_uppercase()));
        if n.split_whitespace().next().is_some_and(|w| !w.eq_ignore_ascii_case("the")) {
            prop_assert_eq!(name_key(&n), name_key(&format!("The {n}")));
        }
    }

    #[test]
    fn confidence_is_a_share(a in name(), b in name(), ga in prop::collection::vec(name(), 0..4), gb in prop::collection::vec(name(), 0..4)) {
        let c = confidence(&Wanted { name: &a, genres: &ga }, &sp(&b, &gb, 1_000_000, true));
        prop_assert!((0.0..=1.0).contains(&c), "{}", c);
    }

    /// Tribute acts added anywhere in the results never change the pick, and are never linked.
    #[test]
    fn tributes_never_change_the_pick(
        n in "[A-Z][a-z]{3,8}( [A-Z][a-z]{3,8})?",
        others in prop::collection::vec(("[A-Z][a-z]{3,10}", 50u64..10_000_000), 0..5),
        at in 0usize..6,
    ) {
        let none: Vec<String> = vec![];
        let wanted = Wanted { name: &n, genres: &none };
        let mut hits: Vec<Hit<'_>> = others.iter().map(|(o, f)| sp(o, &none, *f, true)).collect();
        hits.push(sp(&n, &none, 5_000_000, true));
        let before = pick(&wanted, &hits);
        let tribute = format!("{n} Tribute");
        let at = at.min(hits.len());
        hits.insert(at, sp(&tribute, &none, 9_000_000, true));
        let after = pick(&wanted, &hits);
        let shift = |i: usize| if i >= at { i + 1 } else { i };
        match (before, after) {
            (Decision::Linked { best: b, .. }, Decision::Linked { best: a, .. }) => {
                prop_assert_eq!(shift(b.index), a.index);
                prop_assert_ne!(a.index, at);
            }
            (b, a) => prop_assert!(false, "{:?} then {:?}", b, a),
        }
    }
}
