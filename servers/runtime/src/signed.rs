//! Signed tokens: `<version>.<n1>.<n2>...<nN>.<mac>`, where `mac` is the
//! base64url HMAC-SHA256 of everything before the last dot. The one
//! mechanism behind session tokens (logic) and file tokens (logic signs,
//! file_serv checks); each kind names its version and its numbers.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A token split into its numbers; the signature is not checked yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened<'a, const N: usize> {
    pub numbers: [u64; N],
    payload: &'a str,
    mac: Vec<u8>,
}

/// `version.n1...nN` signed with `key`.
pub fn seal<const N: usize>(key: &[u8], version: &str, numbers: [u64; N]) -> String {
    let mut payload = version.to_string();
    for number in numbers {
        payload.push('.');
        payload.push_str(&number.to_string());
    }
    let mac = URL_SAFE_NO_PAD.encode(mac(key, payload.as_bytes()).finalize().into_bytes());
    format!("{payload}.{mac}")
}

/// Splits a token of `version` with exactly `N` numbers; `None` for any
/// other shape.
pub fn open<'a, const N: usize>(token: &'a str, version: &str) -> Option<Opened<'a, N>> {
    let (payload, mac) = token.rsplit_once('.')?;
    let mac = URL_SAFE_NO_PAD.decode(mac).ok()?;
    let mut fields = payload.split('.');
    if fields.next()? != version {
        return None;
    }
    let mut numbers = [0u64; N];
    for number in &mut numbers {
        *number = fields.next()?.parse().ok()?;
    }
    if fields.next().is_some() {
        return None;
    }
    Some(Opened {
        numbers,
        payload,
        mac,
    })
}

impl<const N: usize> Opened<'_, N> {
    /// Whether `key` signed this token.
    pub fn signed_by(&self, key: &[u8]) -> bool {
        mac(key, self.payload.as_bytes())
            .verify_slice(&self.mac)
            .is_ok()
    }
}

/// The HMAC-SHA256 of `message` under `key`, as lowercase hex (offline
/// push signs its bodies with it).
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    crate::digest::hex(&mac(key, message).finalize().into_bytes())
}

fn mac(key: &[u8], payload: &[u8]) -> HmacSha256 {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(payload);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_tokens_open_and_check() {
        let token = seal(b"key", "t1", [1, 2, 3]);
        let opened = open::<3>(&token, "t1").unwrap();
        assert_eq!(opened.numbers, [1, 2, 3]);
        assert!(opened.signed_by(b"key"));
        assert!(!opened.signed_by(b"other key"));
        let forged = token.replacen("t1.1.", "t1.9.", 1);
        assert!(!open::<3>(&forged, "t1").unwrap().signed_by(b"key"));
    }

    #[test]
    fn other_shapes_do_not_open() {
        let token = seal(b"key", "t1", [1, 2, 3]);
        assert_eq!(open::<3>(&token, "t2"), None);
        assert_eq!(open::<2>(&token, "t1"), None);
        assert_eq!(open::<4>(&token, "t1"), None);
        for garbage in [
            "",
            "t1",
            "t1.1.2.3",
            "t1.x.2.3.AAAA",
            "t1.1.2.3.!!",
            "t1.-1.2.3.AAAA",
        ] {
            assert_eq!(open::<3>(garbage, "t1"), None, "{garbage}");
        }
    }
}
