//! Charts and the HTML report (placeholder until the report module lands).
