//! File URLs (`schat_runtime::file_url`): a URL made from valid parts parses
//! to those parts and prints back to itself; after mutation (dots, slashes,
//! escapes, signs, leading zeros, capitals, non-ASCII digits), anything that
//! still parses has one spelling only, stays inside its server's
//! directory, and has a name of 64 lowercase hex digits and a short
//! extension. Scopes alone obey the same rule.

use arbitrary::Unstructured;
use schat_runtime::file_url::{FileUrl, Scope};

use crate::ensure;
use crate::mutate::mutate;
use crate::targets::Violation;

const DICTIONARY: [&[u8]; 14] = [
    b"/",
    b"..",
    b".",
    b"%2e",
    b"%2f",
    b"\\",
    b"0",
    b"+",
    b"-",
    b"ga",
    b"g",
    b"u",
    b"\xd9\xa3",
    b"/f/",
];

pub fn run(input: &[u8]) -> Result<(), Violation> {
    let mut u = Unstructured::new(input);
    let (path, url) = valid_url(&mut u);
    let parsed = FileUrl::parse(&path);
    ensure!(
        parsed.as_ref() == Some(&url),
        "{path:?} parsed as {parsed:?}"
    );
    ensure!(
        url.to_string() == path,
        "{url:?} prints as {url}, not {path:?}"
    );
    check_scope(&url.scope.to_string())?;
    ensure!(
        Scope::parse(&url.scope.to_string()) == Some(url.scope),
        "scope {} does not parse back",
        url.scope
    );

    let text = if u.ratio(7, 8).unwrap_or(true) {
        let mut bytes = path.into_bytes();
        mutate(&mut bytes, &mut u, &DICTIONARY);
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        u.arbitrary::<String>().unwrap_or_default()
    };
    check_any(&text)?;
    if let Some(scope) = text.split('/').nth(3) {
        check_scope(scope)?;
    }
    Ok(())
}

/// A URL from parts the parser must accept, with the parts it must give.
fn valid_url(u: &mut Unstructured<'_>) -> (String, FileUrl) {
    let serv_index = match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => 1,
        1 => u32::MAX,
        _ => u.int_in_range(1..=u32::MAX).unwrap_or(1),
    };
    let id = match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => 1,
        1 => u64::MAX,
        _ => u.int_in_range(1..=u64::MAX).unwrap_or(1),
    };
    let scope = match u.int_in_range(0..=2u8).unwrap_or(0) {
        0 => Scope::Chat(id),
        1 => Scope::GroupAvatar(id),
        _ => Scope::UserAvatar(id),
    };
    let hash = format!(
        "{:032x}{:032x}",
        u.arbitrary::<u128>().unwrap_or(0),
        u.arbitrary::<u128>().unwrap_or(0)
    );
    let ext_len = u.int_in_range(1..=8usize).unwrap_or(3);
    let ext: String = (0..ext_len)
        .map(|_| {
            char::from(
                *u.choose(b"abcdefghijklmnopqrstuvwxyz0123456789")
                    .unwrap_or(&b'a'),
            )
        })
        .collect();
    let name = format!("{hash}.{ext}");
    let path = format!("/f/{serv_index}/{scope}/{name}");
    (
        path,
        FileUrl {
            serv_index,
            scope,
            name,
        },
    )
}

/// Whatever parses is the one spelling of its URL and names a plain file.
fn check_any(text: &str) -> Result<(), Violation> {
    let Some(url) = FileUrl::parse(text) else {
        return Ok(());
    };
    ensure!(
        url.to_string() == text,
        "{text:?} parsed, but prints as {url}"
    );
    ensure!(url.serv_index > 0, "{text:?} parsed with serv_index 0");
    ensure!(
        !url.name.contains('/') && !url.name.contains("..") && !url.name.contains('%'),
        "{text:?} parsed with name {:?}",
        url.name
    );
    let (hash, ext) = (url.hash(), url.ext());
    ensure!(
        hash.len() == 64
            && hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{text:?} parsed with hash {hash:?}"
    );
    ensure!(
        (1..=8).contains(&ext.len())
            && ext
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
        "{text:?} parsed with extension {ext:?}"
    );
    ensure!(
        url.name == format!("{hash}.{ext}"),
        "{text:?}: hash and extension do not make the name"
    );
    Ok(())
}

fn check_scope(text: &str) -> Result<(), Violation> {
    if let Some(scope) = Scope::parse(text) {
        ensure!(
            scope.to_string() == text,
            "scope {text:?} parsed, but prints as {scope}"
        );
        let id = match scope {
            Scope::Chat(id) | Scope::GroupAvatar(id) | Scope::UserAvatar(id) => id,
        };
        ensure!(id > 0, "scope {text:?} parsed with id 0");
    }
    Ok(())
}
