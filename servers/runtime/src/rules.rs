//! Field rules for what users send: account names, passwords, profile and
//! group text, message ids.
//! Each check returns the normalised value or a reason for BAD_REQUEST.

pub const ACCOUNT_LEN: std::ops::RangeInclusive<usize> = 3..=32;
pub const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 8..=128;
pub const DISPLAY_NAME_MAX: usize = 64;
pub const DESCRIPTION_MAX: usize = 512;
pub const URL_MAX: usize = 512;
/// Most users one lookup may name.
pub const LOOKUP_MAX: usize = 100;
pub const GROUP_NAME_MAX: usize = 64;
pub const GROUP_PASSWORD_LEN: std::ops::RangeInclusive<usize> = 4..=128;
pub const NOTE_MAX: usize = 256;
pub const CLIENT_MSG_ID_LEN: std::ops::RangeInclusive<usize> = 1..=64;

/// Lower-cases an account name and checks it: 3..=32 of `[a-z0-9_.-]`,
/// starting with a letter or digit.
pub fn account(name: &str) -> Result<String, String> {
    let name = name.trim().to_ascii_lowercase();
    if !ACCOUNT_LEN.contains(&name.len()) {
        return Err(format!(
            "account name must be {} to {} characters",
            ACCOUNT_LEN.start(),
            ACCOUNT_LEN.end()
        ));
    }
    let valid_chars = name
        .bytes()
        .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"_.-".contains(&byte));
    let valid_start = name
        .bytes()
        .next()
        .is_some_and(|byte| byte.is_ascii_alphanumeric());
    if !valid_chars || !valid_start {
        return Err(
            "account name may use a-z, 0-9, '_', '.', '-' and must start with a letter or digit"
                .to_string(),
        );
    }
    Ok(name)
}

/// A URL users store for others to render (an avatar, a media message):
/// only a file URL of this cluster's file servers
/// (`/f/<serv_index>/<scope>/<name>`, see `file_url`), and only in the
/// scope it belongs to when `scope` is given, so no client is handed a
/// `javascript:` link, another host, or a file whose deletion this one's
/// owner does not govern. Empty stays empty (no avatar).
pub fn file_url(
    what: &str,
    url: &str,
    scope: Option<crate::file_url::Scope>,
) -> Result<String, String> {
    // Exactly as an upload returned it: what is stored is what was checked.
    if url.is_empty() {
        return Ok(String::new());
    }
    if url.len() > URL_MAX {
        return Err(format!("{what} must be at most {URL_MAX} bytes"));
    }
    match crate::file_url::FileUrl::parse(url) {
        Some(parsed) if scope.is_none_or(|scope| parsed.scope == scope) => Ok(url.to_string()),
        Some(_) => Err(format!("{what} must be a file uploaded for it")),
        None => Err(format!(
            "{what} must be a file URL of this server (/f/<server>/<scope>/<name>)"
        )),
    }
}

pub fn password(password: &str) -> Result<(), String> {
    if PASSWORD_LEN.contains(&password.len()) {
        Ok(())
    } else {
        Err(format!(
            "password must be {} to {} bytes",
            PASSWORD_LEN.start(),
            PASSWORD_LEN.end()
        ))
    }
}

/// Longest device id a client may name.
pub const DEVICE_ID_MAX: usize = 64;

/// Checks a device id: empty (the default device) or 1..=64 of
/// `[A-Za-z0-9._-]`.
pub fn device_id(id: &str) -> Result<&str, String> {
    let valid = id.len() <= DEVICE_ID_MAX
        && id
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"._-".contains(&byte));
    if valid {
        Ok(id)
    } else {
        Err(format!(
            "device_id must be at most {DEVICE_ID_MAX} of A-Z, a-z, 0-9, '.', '_', '-'"
        ))
    }
}

pub fn display_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("display name must not be empty".to_string());
    }
    text("display name", name, DISPLAY_NAME_MAX)
}

/// A page size asked for by a client: 0 means `default`, and no more than
/// `max` is ever given.
pub fn page_limit(asked: u32, default: u32, max: u32) -> u32 {
    if asked == 0 {
        default
    } else {
        asked.min(max)
    }
}

pub fn group_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("group name must not be empty".to_string());
    }
    text("group name", name, GROUP_NAME_MAX)
}

pub fn group_password(password: &str) -> Result<(), String> {
    if GROUP_PASSWORD_LEN.contains(&password.len()) {
        Ok(())
    } else {
        Err(format!(
            "a group password must be {} to {} bytes",
            GROUP_PASSWORD_LEN.start(),
            GROUP_PASSWORD_LEN.end()
        ))
    }
}

pub fn client_msg_id(id: &str) -> Result<(), String> {
    if CLIENT_MSG_ID_LEN.contains(&id.len()) {
        Ok(())
    } else {
        Err(format!(
            "client_msg_id must be {} to {} bytes",
            CLIENT_MSG_ID_LEN.start(),
            CLIENT_MSG_ID_LEN.end()
        ))
    }
}

pub fn text(what: &str, value: &str, max_chars: usize) -> Result<String, String> {
    if value.chars().count() > max_chars {
        return Err(format!("{what} must be at most {max_chars} characters"));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(format!("{what} must not contain control characters"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names() {
        assert_eq!(account(" Alice ").unwrap(), "alice");
        assert_eq!(account("bob.smith-2_x").unwrap(), "bob.smith-2_x");
        assert!(account("ab").is_err());
        assert!(account(&"a".repeat(33)).is_err());
        assert!(account("_alice").is_err());
        assert!(account("al ice").is_err());
        assert!(account("alicé").is_err());
    }

    #[test]
    fn passwords_and_text() {
        assert!(password("1234567").is_err());
        assert!(password("12345678").is_ok());
        assert!(display_name("   ").is_err());
        assert_eq!(display_name(" Al ").unwrap(), "Al");
        assert!(text("description", "line\nline", 20).is_ok());
        assert!(text("description", "bell\u{7}", 20).is_err());
        assert!(text("description", &"x".repeat(21), 20).is_err());
    }
}
