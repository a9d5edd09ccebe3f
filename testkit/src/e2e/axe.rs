//! Accessibility audits with axe-core run inside the browser (`THESET_AXE`, fetched by the
//! services script): the serious and critical violations of the page on screen.

use anyhow::Context;

pub struct Axe {
    source: String,
}

impl Axe {
    pub fn load() -> anyhow::Result<Self> {
        let path = std::env::var("THESET_AXE").context("THESET_AXE (set by `cargo xtask test`)")?;
        let source = std::fs::read_to_string(&path)
            .with_context(|| format!("reading axe-core at {path}"))?;
        Ok(Self { source })
    }

    /// "rule: what to fix (where)" for each serious or critical violation on the page.
    pub async fn serious(&self, app: &fantoccini::Client) -> anyhow::Result<Vec<String>> {
        app.execute(&format!("{}; return true;", self.source), vec![])
            .await?;
        let found = app
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => `${v.id}: ${v.help} (${v.nodes.slice(0, 3)
                       .map(n => n.target.join(' ')).join('; ')})`)))
                   .catch(e => done([`axe failed: ${e}`]));",
                vec![],
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }
}
