//! Markdown bodies to HTML with pulldown-cmark. Raw HTML in a body is escaped, never passed
//! through.
