//! The one table: per operation, instructions and median nanoseconds for
//! this project and the peer, with ratio = ours / peer (≤ 1.00: ahead).

use crate::ops::Op;

/// One operation's figures.
pub struct Row {
    /// The operation.
    pub op: Op,
    /// Instructions: this project, the peer.
    pub instructions: (f64, f64),
    /// Median ns: this project, the peer.
    pub median_ns: (f64, f64),
}

/// The table as Markdown, with the peers named under it.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| operation | this project (instr.) | peer (instr.) | ratio | this project (median ns) | peer (median ns) | ratio |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for row in rows {
        let (oi, pi) = row.instructions;
        let (ot, pt) = row.median_ns;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            row.op.label(),
            grouped(oi),
            grouped(pi),
            ratio(oi, pi),
            grouped(ot),
            grouped(pt),
            ratio(ot, pt),
        ));
    }
    out.push_str("\npeers:\n");
    for row in rows {
        out.push_str(&format!("- {}: {}\n", row.op.label(), row.op.peer()));
    }
    out
}

fn ratio(ours: f64, peer: f64) -> String {
    if peer > 0.0 {
        let r = ours / peer;
        let verdict = if r <= 1.0 { "ahead" } else { "behind" };
        format!("{r:.2} ({verdict})")
    } else {
        "n/a".to_owned()
    }
}

/// A whole number with thousands separators.
fn grouped(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
