//! Typed calls between processes: each request type names its reply type.
//!
//! Every body a [`ServerMsg`](crate::server::ServerMsg) can carry converts
//! into [`Msg`] and back (`From` / `TryFrom`), and each request implements
//! [`Call`] with the type its answerer replies with. A caller then writes
//! `channel.request(target, DbGetGroup { .. })` and gets a `DbGroup`; a
//! reply of another type is a protocol fault the channel reports, never a
//! case each caller matches by hand. Pushes (one-way packets) have no reply
//! and no `Call`.

use crate::client::NoticesResponse;
use crate::client::{
    ContactsResponse, GroupsResponse, MembersResponse, MessagesResponse, MyGroupsResponse,
    ReadersResponse,
};
use crate::server::server_msg::Msg;
#[allow(clippy::wildcard_imports)]
use crate::server::*;

/// A request whose answer is a `Reply`.
pub trait Call: Into<Msg> {
    type Reply: TryFrom<Msg, Error = Msg>;
}

/// `From<T> for Msg` and `TryFrom<Msg> for T` for each variant's type.
macro_rules! bodies {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(
            impl From<$ty> for Msg {
                fn from(body: $ty) -> Msg {
                    Msg::$variant(body)
                }
            }

            impl TryFrom<Msg> for $ty {
                type Error = Msg;

                fn try_from(msg: Msg) -> Result<$ty, Msg> {
                    match msg {
                        Msg::$variant(body) => Ok(body),
                        other => Err(other),
                    }
                }
            }
        )*

        /// The name of a body's type, for logs and errors.
        pub fn body_name(msg: &Msg) -> &'static str {
            match msg {
                $(Msg::$variant(_) => stringify!($ty),)*
            }
        }
    };
}

bodies! {
    Error(RpcError),
    ClientFrame(ClientFrame),
    ConnClosed(ConnClosed),
    Deliver(Deliver),
    CloseConn(CloseConn),
    ConnLogin(ConnLogin),
    CreateAccount(CreateAccount),
    AccountCreated(AccountCreated),
    GetCredential(GetCredential),
    Credential(Credential),
    OpenSession(OpenSession),
    SessionOpened(SessionOpened),
    CloseSession(CloseSession),
    GetProfiles(GetProfiles),
    Profiles(Profiles),
    UpdateProfile(UpdateProfile),
    GetSecret(GetSecret),
    Secret(Secret),
    RevokeTokens(RevokeTokens),
    Ok(Ok),
    GetSession(GetSession),
    CurrentSession(CurrentSession),
    AuthGuard(AuthGuard),
    AuthVerdict(AuthVerdict),
    PresenceDelta(PresenceDelta),
    PresenceBeat(PresenceBeat),
    SnapshotRequest(SnapshotRequest),
    PresenceSnapshot(PresenceSnapshot),
    Locate(Locate),
    Located(Located),
    KickSession(KickSession),
    RefreshFileTokens(RefreshFileTokens),
    ChatRequest(ChatRequest),
    ChatResponse(ChatResponse),
    UserDeliver(UserDeliver),
    DbCreateGroup(DbCreateGroup),
    DbGroup(DbGroup),
    DbGetGroup(DbGetGroup),
    DbMemberChange(DbMemberChange),
    DbFlag(DbFlag),
    DbListMembers(DbListMembers),
    DbMembers(MembersResponse),
    DbMemberUids(DbMemberUids),
    DbUids(DbUids),
    DbUpdateGroup(DbUpdateGroup),
    DbDeleteGroup(DbDeleteGroup),
    DbListPublic(DbListPublic),
    DbGroups(GroupsResponse),
    DbAppend(DbAppend),
    DbAppended(DbAppended),
    DbRead(DbRead),
    DbMessages(MessagesResponse),
    DbMarkRead(DbMarkRead),
    DbUserGroups(DbUserGroups),
    DbMyGroups(MyGroupsResponse),
    DbPending(DbPending),
    DbPutNotice(DbPutNotice),
    DbListNotices(DbListNotices),
    DbNotices(NoticesResponse),
    DbAckNotices(DbAckNotices),
    DbRecall(DbRecall),
    DbFileRefs(DbFileRefs),
    DbFileRefCount(DbFileRefCount),
    DbAppendBatch(DbAppendBatch),
    DbAppendedBatch(DbAppendedBatch),
    DbSetRole(DbSetRole),
    DbMute(DbMute),
    DbReaders(DbReaders),
    DbReadersPage(ReadersResponse),
    DbOpenDirect(DbOpenDirect),
    DbContacts(DbContacts),
    DbContactChange(DbContactChange),
    DbContactList(ContactsResponse),
    DbContactDone(DbContactDone),
    DbReadMark(DbReadMark),
    DbSetQuiet(DbSetQuiet),
    DbQuietOf(DbQuietOf),
    DbQuiet(DbQuiet),
    ListDevices(ListDevices),
    DeviceList(DeviceList),
    EndDevices(EndDevices),
    DevicesEnded(DevicesEnded),
    GetFileKey(GetFileKey),
    FileKey(FileKey),
    CheckMember(CheckMember),
    MemberCheck(MemberCheck),
    ConnLoad(ConnLoad),
    ReleaseFiles(ReleaseFiles),
    CheckFileRef(CheckFileRef),
    FileRef(FileRef),
    FileAccessChanged(FileAccessChanged),
    GetFileRevocation(GetFileRevocation),
    FileRevocation(FileRevocation),
    AdminRequest(AdminRequest),
    AdminReply(AdminReply),
}

/// Each request and the type of its answer.
macro_rules! calls {
    ($($request:ty => $reply:ty),* $(,)?) => {
        $(impl Call for $request {
            type Reply = $reply;
        })*
    };
}

calls! {
    // logic -> db_logic
    CreateAccount => AccountCreated,
    GetCredential => Credential,
    OpenSession => SessionOpened,
    GetSession => CurrentSession,
    ListDevices => DeviceList,
    EndDevices => DevicesEnded,
    CloseSession => Ok,
    GetProfiles => Profiles,
    UpdateProfile => Profiles,
    RevokeTokens => Ok,
    GetSecret => Secret,
    AuthGuard => AuthVerdict,
    // chat -> online
    Locate => Located,
    // logic -> chat
    ChatRequest => ChatResponse,
    // chat -> db_chat
    DbCreateGroup => DbGroup,
    DbGetGroup => DbGroup,
    DbMemberChange => DbFlag,
    DbListMembers => MembersResponse,
    DbMemberUids => DbUids,
    DbUpdateGroup => DbGroup,
    DbDeleteGroup => DbUids,
    DbListPublic => GroupsResponse,
    DbAppend => DbAppended,
    DbAppendBatch => DbAppendedBatch,
    DbRead => MessagesResponse,
    DbMarkRead => DbReadMark,
    DbSetQuiet => Ok,
    DbQuietOf => DbQuiet,
    DbUserGroups => MyGroupsResponse,
    DbPending => DbFlag,
    DbPutNotice => NoticesResponse,
    DbListNotices => NoticesResponse,
    DbAckNotices => Ok,
    DbRecall => DbAppended,
    DbFileRefs => DbFileRefCount,
    DbSetRole => DbFlag,
    DbMute => DbFlag,
    DbReaders => ReadersResponse,
    DbOpenDirect => DbGroup,
    DbContacts => ContactsResponse,
    DbContactChange => DbContactDone,
    // conn, logic -> dir (as a request when leaving the directory)
    ConnLoad => Ok,
    // file, logic -> chat, logic, db_logic
    GetFileKey => FileKey,
    CheckMember => MemberCheck,
    CheckFileRef => FileRef,
    GetFileRevocation => FileRevocation,
    // manage -> any
    AdminRequest => AdminReply,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_goes_into_msg_and_back_and_a_wrong_one_is_given_back() {
        let msg: Msg = DbGetGroup {
            gid: 7,
            viewer_uid: 9,
        }
        .into();
        assert_eq!(body_name(&msg), "DbGetGroup");
        let back = DbGetGroup::try_from(msg.clone()).unwrap();
        assert_eq!((back.gid, back.viewer_uid), (7, 9));
        let refused = DbGroup::try_from(msg.clone()).unwrap_err();
        assert_eq!(refused, msg);
    }
}
