//! Group and message requests of the client library.

use schat_proto::client::{
    client_message::Body as Request, server_message::Body as Response, AckNoticesRequest,
    CreateGroupRequest, DecideApplicationRequest, DismissGroupRequest, GetGroupRequest, GroupInfo,
    GroupState, GroupsResponse, HistoryRequest, InviteRequest, JoinGroupRequest, JoinGroupResponse,
    KickMemberRequest, ListMembersRequest, ListNoticesRequest, ListPublicGroupsRequest,
    MarkReadRequest, MembersResponse, MessageKind, MessagesResponse, MuteAllRequest,
    MuteMemberRequest, MyGroupsRequest, Notice, PullMessagesRequest, QuitGroupRequest,
    ReadersRequest, ReadersResponse, RecallMessageRequest, Role, SendMessageRequest,
    SendMessageResponse, SetNotificationsRequest, SetRoleRequest, TransferOwnershipRequest,
    UpdateGroupRequest,
};

use crate::connection::unexpected;
use crate::{Client, ClientError};

impl Client {
    /// A request whose answer is `Done`.
    pub(crate) async fn done(&self, request: Request, what: &str) -> Result<(), ClientError> {
        match self.request(request).await? {
            Response::Done(_) => Ok(()),
            _ => Err(unexpected(what)),
        }
    }

    pub async fn create_group(
        &self,
        request: CreateGroupRequest,
    ) -> Result<GroupInfo, ClientError> {
        match self.request(Request::CreateGroup(request)).await? {
            Response::Group(group) => Ok(group),
            _ => Err(unexpected("create_group")),
        }
    }

    /// Joins a group: `password` for PASSWORD groups, `note` for the owner
    /// of APPROVAL groups (the answer is then PENDING).
    pub async fn join_group(
        &self,
        gid: u64,
        password: &str,
        note: &str,
    ) -> Result<JoinGroupResponse, ClientError> {
        let request = Request::JoinGroup(JoinGroupRequest {
            gid,
            password: password.to_string(),
            note: note.to_string(),
        });
        match self.request(request).await? {
            Response::JoinGroup(joined) => Ok(joined),
            _ => Err(unexpected("join_group")),
        }
    }

    pub async fn decide_application(
        &self,
        gid: u64,
        applicant_uid: u64,
        approve: bool,
    ) -> Result<(), ClientError> {
        let request = Request::DecideApplication(DecideApplicationRequest {
            gid,
            applicant_uid,
            approve,
        });
        self.done(request, "decide_application").await
    }

    pub async fn invite(&self, gid: u64, uid: u64) -> Result<(), ClientError> {
        self.done(Request::Invite(InviteRequest { gid, uid }), "invite")
            .await
    }

    pub async fn quit_group(&self, gid: u64) -> Result<(), ClientError> {
        self.done(Request::QuitGroup(QuitGroupRequest { gid }), "quit_group")
            .await
    }

    pub async fn kick_member(&self, gid: u64, uid: u64) -> Result<(), ClientError> {
        self.done(
            Request::KickMember(KickMemberRequest { gid, uid }),
            "kick_member",
        )
        .await
    }

    pub async fn dismiss_group(&self, gid: u64) -> Result<(), ClientError> {
        self.done(
            Request::DismissGroup(DismissGroupRequest { gid }),
            "dismiss_group",
        )
        .await
    }

    pub async fn group(&self, gid: u64) -> Result<GroupInfo, ClientError> {
        match self
            .request(Request::GetGroup(GetGroupRequest { gid }))
            .await?
        {
            Response::Group(group) => Ok(group),
            _ => Err(unexpected("get_group")),
        }
    }

    pub async fn members(
        &self,
        gid: u64,
        after_uid: u64,
        limit: u32,
    ) -> Result<MembersResponse, ClientError> {
        let request = Request::ListMembers(ListMembersRequest {
            gid,
            after_uid,
            limit,
        });
        match self.request(request).await? {
            Response::Members(members) => Ok(members),
            _ => Err(unexpected("list_members")),
        }
    }

    pub async fn update_group(
        &self,
        request: UpdateGroupRequest,
    ) -> Result<GroupInfo, ClientError> {
        match self.request(Request::UpdateGroup(request)).await? {
            Response::Group(group) => Ok(group),
            _ => Err(unexpected("update_group")),
        }
    }

    pub async fn public_groups(
        &self,
        after_gid: u64,
        limit: u32,
    ) -> Result<GroupsResponse, ClientError> {
        let request = Request::ListPublicGroups(ListPublicGroupsRequest { after_gid, limit });
        match self.request(request).await? {
            Response::Groups(groups) => Ok(groups),
            _ => Err(unexpected("list_public_groups")),
        }
    }

    /// The user's groups with the latest seq, the read cursor and unread count.
    pub async fn my_groups(&self) -> Result<Vec<GroupState>, ClientError> {
        match self.request(Request::MyGroups(MyGroupsRequest {})).await? {
            Response::MyGroups(mine) => Ok(mine.groups),
            _ => Err(unexpected("my_groups")),
        }
    }

    pub async fn notices(&self, after_id: u64) -> Result<Vec<Notice>, ClientError> {
        match self
            .request(Request::ListNotices(ListNoticesRequest { after_id }))
            .await?
        {
            Response::Notices(notices) => Ok(notices.notices),
            _ => Err(unexpected("list_notices")),
        }
    }

    pub async fn ack_notices(&self, up_to_id: u64) -> Result<(), ClientError> {
        self.done(
            Request::AckNotices(AckNoticesRequest { up_to_id }),
            "ack_notices",
        )
        .await
    }

    pub async fn send_message(
        &self,
        request: SendMessageRequest,
    ) -> Result<SendMessageResponse, ClientError> {
        match self.request(Request::SendMessage(request)).await? {
            Response::SendMessage(sent) => Ok(sent),
            _ => Err(unexpected("send_message")),
        }
    }

    /// Sends a text message; `client_msg_id` makes retries safe.
    pub async fn send_text(
        &self,
        gid: u64,
        client_msg_id: &str,
        text: &str,
    ) -> Result<SendMessageResponse, ClientError> {
        self.send_message(SendMessageRequest {
            gid,
            client_msg_id: client_msg_id.to_string(),
            kind: MessageKind::Text as i32,
            text: text.to_string(),
            media_url: String::new(),
        })
        .await
    }

    /// Messages from `from_seq` on (at most `limit`, 0 = 200).
    pub async fn pull(
        &self,
        gid: u64,
        from_seq: u64,
        limit: u32,
    ) -> Result<MessagesResponse, ClientError> {
        let request = Request::PullMessages(PullMessagesRequest {
            gid,
            from_seq,
            limit,
        });
        match self.request(request).await? {
            Response::Messages(messages) => Ok(messages),
            _ => Err(unexpected("pull_messages")),
        }
    }

    /// The page of messages before `before_seq` (0 = the newest), oldest first.
    pub async fn history(
        &self,
        gid: u64,
        before_seq: u64,
        limit: u32,
    ) -> Result<MessagesResponse, ClientError> {
        let request = Request::History(HistoryRequest {
            gid,
            before_seq,
            limit,
        });
        match self.request(request).await? {
            Response::Messages(messages) => Ok(messages),
            _ => Err(unexpected("history")),
        }
    }

    /// Turns offline push notifications of conversation `gid` off
    /// (`muted`) or on again.
    pub async fn set_notifications(&self, gid: u64, muted: bool) -> Result<(), ClientError> {
        let request = Request::SetNotifications(SetNotificationsRequest { gid, muted });
        self.done(request, "set_notifications").await
    }

    pub async fn mark_read(&self, gid: u64, seq: u64) -> Result<(), ClientError> {
        self.done(Request::MarkRead(MarkReadRequest { gid, seq }), "mark_read")
            .await
    }

    /// Recalls a message; answers the seq of the recall event.
    pub async fn recall(&self, gid: u64, seq: u64) -> Result<SendMessageResponse, ClientError> {
        let request = Request::RecallMessage(RecallMessageRequest { gid, seq });
        match self.request(request).await? {
            Response::SendMessage(sent) => Ok(sent),
            _ => Err(unexpected("recall_message")),
        }
    }

    /// Who has read message `seq` (its sender, the owner or an admin may
    /// ask): counts, and a page of readers with uid above `after_uid`.
    pub async fn readers(
        &self,
        gid: u64,
        seq: u64,
        after_uid: u64,
        limit: u32,
    ) -> Result<ReadersResponse, ClientError> {
        let request = Request::Readers(ReadersRequest {
            gid,
            seq,
            after_uid,
            limit,
        });
        match self.request(request).await? {
            Response::Readers(readers) => Ok(readers),
            _ => Err(unexpected("readers")),
        }
    }

    /// Owner only: makes a member an admin (`Role::Admin`) or a plain
    /// member again (`Role::Member`).
    pub async fn set_role(&self, gid: u64, uid: u64, role: Role) -> Result<(), ClientError> {
        let request = Request::SetRole(SetRoleRequest {
            gid,
            uid,
            role: role as i32,
        });
        self.done(request, "set_role").await
    }

    /// Owner only: hands the group to member `uid`; the caller becomes an
    /// admin.
    pub async fn transfer_ownership(&self, gid: u64, uid: u64) -> Result<(), ClientError> {
        let request = Request::TransferOwnership(TransferOwnershipRequest { gid, uid });
        self.done(request, "transfer_ownership").await
    }

    /// Owner or admin: member `uid` may not send for `duration_secs`
    /// (0 lifts the mute).
    pub async fn mute_member(
        &self,
        gid: u64,
        uid: u64,
        duration_secs: u32,
    ) -> Result<(), ClientError> {
        let request = Request::MuteMember(MuteMemberRequest {
            gid,
            uid,
            duration_secs,
        });
        self.done(request, "mute_member").await
    }

    /// Owner or admin: while `muted`, only the owner and admins may send.
    pub async fn mute_all(&self, gid: u64, muted: bool) -> Result<(), ClientError> {
        self.done(Request::MuteAll(MuteAllRequest { gid, muted }), "mute_all")
            .await
    }
}
