//! What a schat Redis database holds, counted by kind of record: users,
//! accounts, groups, members, messages, notices, referenced files and so
//! on, keys per family, and the latest message seq of every group.
//!
//! A backup's manifest carries the inventory of its snapshot; a restore
//! takes the inventory of the target and compares. The key model is the
//! db_* processes' (see `servers/db_logic_serv/src/store.rs` and
//! `servers/db_chat_serv/src/store.rs`): every key but a few cluster-wide
//! ones carries a hash tag, `{u:<uid>}`, `{a:<account>}`, `{g:<gid>}`,
//! `{ip:<address>}`, `{cfg}` or `{pub}`, followed by `:<part>`. The family
//! of a key is its tag's kind and its first part (`{g}:msgs`); keys of no
//! family the tool knows are counted under `(other)`, so nothing is
//! missed.
//!
//! Keys with an expiry (login guards, de-duplication records) may expire
//! between a backup and its restore: they are counted apart and reported,
//! never compared.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use redis::Value;
use serde::{Deserialize, Serialize};

/// Keys asked for per SCAN and pipelined per round trip.
const BATCH: usize = 1000;

/// Counts of one Redis database.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Records per kind: `users`, `accounts`, `sessions`, `groups`,
    /// `members`, `memberships`, `messages`, `recalled`, `read_cursors`,
    /// `applications`, `invitations`, `notices`, `public_groups`,
    /// `secrets`, `files_referenced`.
    pub records: BTreeMap<String, u64>,
    /// Keys without an expiry, per family (`{g}:msgs`).
    pub keys: BTreeMap<String, u64>,
    /// Keys with an expiry, per family: reported, not compared.
    pub expiring: BTreeMap<String, u64>,
    /// The latest message seq of every group that has messages.
    pub latest_seq: BTreeMap<u64, u64>,
    /// Every file URL path the data references (chat files, user and group
    /// avatars): `/f/<serv_index>/<scope>/<name>`. Not in the manifest
    /// (its count is, as `files_referenced`).
    #[serde(skip)]
    pub referenced_files: BTreeSet<String>,
}

/// The family of a key and the id inside its hash tag: `{g:12}:msgs` is
/// (`{g}:msgs`, `12`), `{cfg}:secret:file_key` is (`{cfg}:secret`, ``).
pub fn family(key: &str) -> (String, &str) {
    let other = || ("(other)".to_string(), "");
    let Some(rest) = key.strip_prefix('{') else {
        return other();
    };
    let Some((tag, part)) = rest.split_once('}') else {
        return other();
    };
    let Some(part) = part.strip_prefix(':') else {
        return other();
    };
    let (kind, id) = tag.split_once(':').unwrap_or((tag, ""));
    let first = part.split(':').next().unwrap_or_default();
    (format!("{{{kind}}}:{first}"), id)
}

/// What to ask Redis about a key of a known family, and which record kind
/// the answer counts.
enum Probe {
    /// One record per key.
    One(&'static str),
    /// The size of the key (HLEN, ZCARD, SCARD) counts records.
    Size(&'static str, &'static str),
    /// `{g}:seq`: the latest seq of the group.
    Seq,
    /// `{u}:info`, `{g}:info`: one record, and the avatar it references.
    Info(&'static str),
    /// `{g}:files`: the group files its messages reference.
    GroupFiles,
}

fn probe(family: &str) -> Option<Probe> {
    Some(match family {
        "{u}:info" => Probe::Info("users"),
        "{g}:info" => Probe::Info("groups"),
        "{a}:uid" => Probe::One("accounts"),
        "{u}:session" => Probe::One("sessions"),
        "{cfg}:secret" => Probe::One("secrets"),
        "{g}:members" => Probe::Size("members", "ZCARD"),
        "{g}:msgs" => Probe::Size("messages", "HLEN"),
        "{g}:recalled" => Probe::Size("recalled", "SCARD"),
        "{g}:reads" => Probe::Size("read_cursors", "HLEN"),
        "{g}:apps" => Probe::Size("applications", "HLEN"),
        "{g}:invites" => Probe::Size("invitations", "HLEN"),
        "{u}:notices" => Probe::Size("notices", "HLEN"),
        "{u}:groups" => Probe::Size("memberships", "SCARD"),
        "{pub}:groups" => Probe::Size("public_groups", "ZCARD"),
        "{g}:seq" => Probe::Seq,
        "{g}:files" => Probe::GroupFiles,
        _ => return None,
    })
}

/// Every kind [`Inventory::records`] has, so that a kind with no records
/// shows as 0 rather than missing.
const KINDS: [&str; 15] = [
    "users",
    "accounts",
    "sessions",
    "groups",
    "members",
    "memberships",
    "messages",
    "recalled",
    "read_cursors",
    "applications",
    "invitations",
    "notices",
    "public_groups",
    "secrets",
    "files_referenced",
];

impl Inventory {
    /// Counts the database `conn` is connected to (its selected db). The
    /// data should not change meanwhile: a snapshot, or a cluster not
    /// started yet.
    pub fn take(conn: &mut redis::Connection, deadline: Duration) -> anyhow::Result<Inventory> {
        let started = Instant::now();
        let mut inventory = Inventory::default();
        for kind in KINDS {
            inventory.records.insert(kind.to_string(), 0);
        }
        let mut cursor: u64 = 0;
        loop {
            if started.elapsed() > deadline {
                bail!("counting the keys took more than {} s", deadline.as_secs());
            }
            let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("COUNT")
                .arg(BATCH)
                .query(conn)
                .context("SCAN")?;
            inventory.count(conn, &keys)?;
            if next == 0 {
                break;
            }
            cursor = next;
        }
        let files = inventory.referenced_files.len() as u64;
        inventory
            .records
            .insert("files_referenced".to_string(), files);
        Ok(inventory)
    }

    fn count(&mut self, conn: &mut redis::Connection, keys: &[Vec<u8>]) -> anyhow::Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut ttls = redis::pipe();
        for key in keys {
            ttls.cmd("PTTL").arg(key);
        }
        let ttls: Vec<i64> = ttls.query(conn).context("PTTL")?;
        let mut asks = redis::pipe();
        let mut asked = Vec::new();
        for (key, ttl) in keys.iter().zip(ttls) {
            // -2: gone since the SCAN (a live database).
            if ttl == -2 {
                continue;
            }
            let text = String::from_utf8_lossy(key);
            let (family, id) = family(&text);
            if ttl >= 0 {
                *self.expiring.entry(family).or_default() += 1;
                continue;
            }
            *self.keys.entry(family.clone()).or_default() += 1;
            let Some(probe) = probe(&family) else {
                continue;
            };
            match &probe {
                Probe::One(kind) => *self.records.entry(kind.to_string()).or_default() += 1,
                Probe::Size(_, command) => {
                    asks.cmd(command).arg(key);
                }
                Probe::Seq => {
                    asks.cmd("GET").arg(key);
                }
                Probe::Info(_) => {
                    asks.cmd("HGET").arg(key).arg("avatar_url");
                }
                Probe::GroupFiles => {
                    asks.cmd("HKEYS").arg(key);
                }
            }
            if !matches!(probe, Probe::One(_)) {
                asked.push((probe, id.to_string(), text.into_owned()));
            }
        }
        if asked.is_empty() {
            return Ok(());
        }
        let answers: Vec<Value> = asks.query(conn).context("counting records")?;
        for ((probe, id, key), answer) in asked.into_iter().zip(answers) {
            match probe {
                Probe::One(_) => {}
                Probe::Size(kind, _) => {
                    let size: u64 = redis::from_redis_value(answer)
                        .with_context(|| format!("the size of {key}"))?;
                    *self.records.entry(kind.to_string()).or_default() += size;
                }
                Probe::Seq => {
                    let seq: Option<u64> = redis::from_redis_value(answer)
                        .with_context(|| format!("the value of {key}"))?;
                    let gid: u64 = id
                        .parse()
                        .with_context(|| format!("{key}: {id:?} is not a gid"))?;
                    if let Some(seq) = seq {
                        self.latest_seq.insert(gid, seq);
                    }
                }
                Probe::Info(kind) => {
                    *self.records.entry(kind.to_string()).or_default() += 1;
                    let avatar: Option<String> = redis::from_redis_value(answer)
                        .with_context(|| format!("the avatar of {key}"))?;
                    if let Some(avatar) = avatar.filter(|url| !url.is_empty()) {
                        self.referenced_files.insert(avatar);
                    }
                }
                Probe::GroupFiles => {
                    let paths: Vec<String> = redis::from_redis_value(answer)
                        .with_context(|| format!("the fields of {key}"))?;
                    self.referenced_files.extend(paths);
                }
            }
        }
        Ok(())
    }

    /// Keys without an expiry, in all.
    pub fn durable_keys(&self) -> u64 {
        self.keys.values().sum()
    }

    /// How `other` differs from this one (records, durable keys per
    /// family, latest seq per group), one line per difference; empty when
    /// they match.
    pub fn differences(&self, other: &Inventory) -> Vec<String> {
        let mut out = Vec::new();
        compare(&mut out, "records", &self.records, &other.records);
        compare(&mut out, "keys", &self.keys, &other.keys);
        let mut seqs = Vec::new();
        compare(
            &mut seqs,
            "latest seq of group",
            &self.latest_seq,
            &other.latest_seq,
        );
        if seqs.len() > 10 {
            let more = seqs.len() - 10;
            seqs.truncate(10);
            seqs.push(format!("and {more} more groups whose latest seq differs"));
        }
        out.extend(seqs);
        out
    }

    /// `users 12, groups 3, …` for a note.
    pub fn summary(&self) -> String {
        self.records
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn compare<K: Ord + std::fmt::Display>(
    out: &mut Vec<String>,
    what: &str,
    expected: &BTreeMap<K, u64>,
    found: &BTreeMap<K, u64>,
) {
    let names: BTreeSet<&K> = expected.keys().chain(found.keys()).collect();
    for name in names {
        let want = expected.get(name);
        let have = found.get(name);
        if want != have {
            let show = |value: Option<&u64>| value.map_or("none".to_string(), u64::to_string);
            out.push(format!(
                "{what} {name}: expected {}, found {}",
                show(want),
                show(have)
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backup::TempRedis;

    #[test]
    fn families_of_the_key_model() {
        assert_eq!(family("{g:12}:msgs"), ("{g}:msgs".to_string(), "12"));
        assert_eq!(
            family("{g:12}:dedup:20000"),
            ("{g}:dedup".to_string(), "12")
        );
        assert_eq!(family("{a:bob}:uid"), ("{a}:uid".to_string(), "bob"));
        assert_eq!(
            family("{cfg}:secret:file_key"),
            ("{cfg}:secret".to_string(), "")
        );
        assert_eq!(family("{pub}:groups"), ("{pub}:groups".to_string(), ""));
        assert_eq!(family("stray"), ("(other)".to_string(), ""));
        assert_eq!(family("{g:1}x"), ("(other)".to_string(), ""));
    }

    #[test]
    fn counts_a_small_database() {
        let dir = tempfile::tempdir().unwrap();
        let redis = TempRedis::start(&dir.path().join("none.rdb")).unwrap();
        let mut conn = redis.connect(0).unwrap();
        let _: () = redis::pipe()
            .cmd("HSET")
            .arg("{u:1}:info")
            .arg("account")
            .arg("alice")
            .arg("avatar_url")
            .arg("/f/1/u1/aa.png")
            .cmd("HSET")
            .arg("{u:2}:info")
            .arg("account")
            .arg("bob")
            .arg("avatar_url")
            .arg("")
            .cmd("SET")
            .arg("{a:alice}:uid")
            .arg(1)
            .cmd("SET")
            .arg("{a:bob}:uid")
            .arg(2)
            .cmd("HSET")
            .arg("{g:7}:info")
            .arg("name")
            .arg("seven")
            .cmd("ZADD")
            .arg("{g:7}:members")
            .arg(1)
            .arg(1)
            .arg(2)
            .arg(2)
            .cmd("HSET")
            .arg("{g:7}:msgs")
            .arg(1)
            .arg("a")
            .arg(2)
            .arg("b")
            .arg(3)
            .arg("c")
            .cmd("SET")
            .arg("{g:7}:seq")
            .arg(3)
            .cmd("HSET")
            .arg("{g:7}:files")
            .arg("/f/2/g7/bb.pdf")
            .arg(1)
            .cmd("SET")
            .arg("{cfg}:secret:file_key")
            .arg("k")
            .cmd("SET")
            .arg("{a:alice}:guard")
            .arg(1)
            .arg("EX")
            .arg(3600)
            .cmd("SET")
            .arg("stray")
            .arg(1)
            .query(&mut conn)
            .unwrap();
        let inventory = Inventory::take(&mut conn, Duration::from_secs(10)).unwrap();
        let record = |kind: &str| inventory.records[kind];
        assert_eq!(record("users"), 2);
        assert_eq!(record("accounts"), 2);
        assert_eq!(record("groups"), 1);
        assert_eq!(record("members"), 2);
        assert_eq!(record("messages"), 3);
        assert_eq!(record("secrets"), 1);
        assert_eq!(record("files_referenced"), 2);
        assert_eq!(record("notices"), 0);
        assert_eq!(inventory.latest_seq, BTreeMap::from([(7, 3)]));
        assert_eq!(inventory.keys["(other)"], 1);
        assert_eq!(inventory.expiring["{a}:guard"], 1);
        assert_eq!(inventory.durable_keys(), 11);
        assert!(inventory.differences(&inventory.clone()).is_empty());

        let _: () = redis::cmd("HDEL")
            .arg("{g:7}:msgs")
            .arg(2)
            .query(&mut conn)
            .unwrap();
        let _: () = redis::cmd("SET")
            .arg("{g:7}:seq")
            .arg(4)
            .query(&mut conn)
            .unwrap();
        let changed = Inventory::take(&mut conn, Duration::from_secs(10)).unwrap();
        assert_eq!(
            inventory.differences(&changed),
            [
                "records messages: expected 3, found 2",
                "latest seq of group 7: expected 3, found 4"
            ]
        );
    }
}
