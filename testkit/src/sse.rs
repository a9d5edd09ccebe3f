//! Server-sent events read by hand in tests and benchmarks (raw responses, exactly what the
//! server wrote): the complete events at the front of a buffer fed with the response's chunks.

/// One event's `id:`, `event:` and `data:` lines (a comment or a `retry:` hint alone has none).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RawEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: Option<String>,
}

/// Appends `chunk` to `buffer` and takes every complete event from it; a partial one stays.
pub fn take_events(buffer: &mut String, chunk: &[u8]) -> Vec<RawEvent> {
    buffer.push_str(&String::from_utf8_lossy(chunk));
    let mut events = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let mut event = RawEvent::default();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                event.id = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("event:") {
                event.event = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("data:") {
                event.data = Some(v.trim().to_owned());
            }
        }
        events.push(event);
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_events_are_taken_and_a_partial_one_waits() {
        let mut buffer = String::new();
        let first = take_events(
            &mut buffer,
            b"id: 1.2\nevent: totals\ndata: {\"a\":1}\n\n: ping\n\nid: 1.",
        );
        assert_eq!(
            first,
            [
                RawEvent {
                    id: Some("1.2".into()),
                    event: Some("totals".into()),
                    data: Some("{\"a\":1}".into())
                },
                RawEvent::default()
            ]
        );
        assert!(take_events(&mut buffer, b"3\ndata: {}").is_empty());
        assert_eq!(
            take_events(&mut buffer, b"\n\n"),
            [RawEvent {
                id: Some("1.3".into()),
                event: None,
                data: Some("{}".into())
            }]
        );
    }
}
