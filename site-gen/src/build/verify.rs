//! `site-gen verify`: the published site checked against its publication log and the list of
//! published files the log vouches for.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use anyhow::{bail, Result};
use rayon::prelude::*;

use super::read_log;
use crate::log::{self, Event};
use crate::output::file_for_url;

/// Every published file whose bytes no longer match the publication log (a disclosure page) or
/// the list of published files the log vouches for (every other file), every file that is
/// missing or that no build published, and every break in the log's chain.
pub fn verify(out: &Path) -> Result<Vec<String>> {
    use crate::files::{self, FILES_ID, FILES_PATH};
    let log = read_log(out)?;
    if log.entries.is_empty() {
        bail!(
            "{}: no publication log found; is this a site built by site-gen?",
            out.join(log::LOG_PATH).display()
        );
    }
    let mut problems = log.chain_problems();
    let mut latest: BTreeMap<&str, &log::Entry> = BTreeMap::new();
    for e in &log.entries {
        latest.insert(&e.id, e);
    }
    let files_entry = latest.remove(FILES_ID);
    let disclosure_pages: HashSet<String> = latest
        .values()
        .filter(|e| e.event != Event::Withdrawn)
        .map(|e| file_for_url(&e.url))
        .collect();
    let pages: Vec<String> = latest
        .par_iter()
        .filter(|(_, e)| e.event != Event::Withdrawn)
        .filter_map(|(_, e)| {
            let file = crate::output::file_for_url(&e.url);
            match std::fs::read(out.join(&file)) {
                Ok(bytes) if log::sha256_hex(&bytes) == e.page_sha256 => None,
                Ok(_) => Some(format!(
                    "{file}: the page's bytes no longer match the log (entry {} of {})",
                    e.seq, e.date
                )),
                Err(_) => Some(format!(
                    "{file}: the page is missing but the log says it is published (entry {})",
                    e.seq
                )),
            }
        })
        .collect();
    problems.extend(pages);

    // Every other file, against the list of published files that the log vouches for.
    let Some(entry) = files_entry else {
        problems.push(format!(
            "{FILES_PATH}: the log names no list of published files, so no file but the \
             disclosure pages can be checked; rebuild the site with this site-gen"
        ));
        return Ok(problems);
    };
    let listed = match std::fs::read(out.join(FILES_PATH)) {
        Ok(text) if log::sha256_hex(&text) == entry.page_sha256 => files::from_json(&text),
        Ok(_) => {
            problems.push(format!(
                "{FILES_PATH}: the list of published files no longer matches the log (entry {} of {})",
                entry.seq, entry.date
            ));
            None
        }
        Err(_) => {
            problems.push(format!(
                "{FILES_PATH}: the list of published files is missing but the log names it (entry {})",
                entry.seq
            ));
            None
        }
    };
    let Some(listed) = listed else {
        return Ok(problems);
    };
    let mut others: Vec<String> = listed
        .par_iter()
        .filter(|(path, _)| !disclosure_pages.contains(*path))
        .filter_map(|(path, sha)| match std::fs::read(out.join(path)) {
            Ok(bytes) if log::sha256(&bytes) == *sha => None,
            Ok(_) => Some(format!(
                "{path}: the file's bytes no longer match the list of published files ({FILES_PATH}, entry {} of {})",
                entry.seq, entry.date
            )),
            Err(_) => Some(format!(
                "{path}: the file is missing but the list of published files names it ({FILES_PATH}, entry {})",
                entry.seq
            )),
        })
        .collect();
    for file in walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(|e| e.ok())
    {
        if !file.file_type().is_file() {
            continue;
        }
        let Ok(rel) = file.path().strip_prefix(out) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if files::is_listed(&rel) && !listed.contains_key(&rel) && !disclosure_pages.contains(&rel)
        {
            others.push(format!(
                "{rel}: no build published this file (it is not in {FILES_PATH})"
            ));
        }
    }
    others.sort();
    problems.extend(others);
    Ok(problems)
}
