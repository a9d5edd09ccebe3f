//! The wire names of every closed set, pinned: renaming a variant must not silently rename what
//! clients, the database and stored outboxes hold. A change here is a protocol change.

use theset_shared::api::{
    CommentOrder, FlagAction, FlagReason, FlagStatus, FlagTargetKind, JobName, JobStatus,
    ModerationStatus, SessionKind, SetlistKind, SetlistSource,
};

fn names<T: serde::Serialize + Copy>(all: &[T], as_str: impl Fn(T) -> &'static str) -> String {
    all.iter()
        .map(|v| {
            let wire = serde_json::to_value(v).expect("serialise");
            assert_eq!(wire, as_str(*v), "serde and as_str agree");
            as_str(*v)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[test]
fn closed_sets_keep_their_names() {
    let all = [
        ("SetlistKind", names(SetlistKind::ALL, SetlistKind::as_str)),
        (
            "SetlistSource",
            names(SetlistSource::ALL, SetlistSource::as_str),
        ),
        ("JobName", names(JobName::ALL, JobName::as_str)),
        ("JobStatus", names(JobStatus::ALL, JobStatus::as_str)),
        ("FlagReason", names(FlagReason::ALL, FlagReason::as_str)),
        ("FlagStatus", names(FlagStatus::ALL, FlagStatus::as_str)),
        ("FlagAction", names(FlagAction::ALL, FlagAction::as_str)),
        ("SessionKind", names(SessionKind::ALL, SessionKind::as_str)),
        (
            "FlagTargetKind",
            names(FlagTargetKind::ALL, FlagTargetKind::as_str),
        ),
        (
            "CommentOrder",
            names(CommentOrder::ALL, CommentOrder::as_str),
        ),
        (
            "ModerationStatus",
            names(ModerationStatus::ALL, ModerationStatus::as_str),
        ),
    ];
    let text: String = all
        .iter()
        .map(|(kind, names)| format!("{kind}: {names}\n"))
        .collect();
    insta::assert_snapshot!(text);
}

#[test]
fn names_parse_back_and_strangers_are_refused() {
    for kind in SetlistSource::ALL {
        assert_eq!(SetlistSource::try_from(kind.as_str().to_owned()), Ok(*kind));
    }
    assert!(FlagAction::try_from("drop_table".to_owned()).is_err());
    assert!(
        serde_json::from_str::<JobName>("\"Shows\"").is_err(),
        "names are exact"
    );
}
