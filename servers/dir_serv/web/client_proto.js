/*eslint-disable block-scoped-var, id-length, no-control-regex, no-magic-numbers, no-mixed-operators, no-prototype-builtins, no-redeclare, no-shadow, no-var, sort-vars, default-case, jsdoc/require-param*/
(function($protobuf) {
    "use strict";

    var $Reader = $protobuf.Reader, $Writer = $protobuf.Writer, $util = $protobuf.util;
    var $Object = $util.global.Object, $undefined = $util.global.undefined, $Error = $util.global.Error, $RangeError = $util.global.RangeError;
    
    var $root = $protobuf.roots["schat"] || ($protobuf.roots["schat"] = {});
    
    $root.schat = (function() {
    
        var schat = {};
    
        schat.client = (function() {
    
            var client = {};
    
            client.ResultCode = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "OK"] = 0;
                values[valuesById[1] = "BAD_REQUEST"] = 1;
                values[valuesById[2] = "MALFORMED"] = 2;
                values[valuesById[3] = "FRAME_TOO_LARGE"] = 3;
                values[valuesById[4] = "UNKNOWN_MESSAGE"] = 4;
                values[valuesById[5] = "NOT_LOGGED_IN"] = 5;
                values[valuesById[6] = "ALREADY_LOGGED_IN"] = 6;
                values[valuesById[7] = "AUTH_FAILED"] = 7;
                values[valuesById[8] = "ACCOUNT_EXISTS"] = 8;
                values[valuesById[9] = "NO_SUCH_USER"] = 9;
                values[valuesById[10] = "TOKEN_EXPIRED"] = 10;
                values[valuesById[11] = "TOKEN_INVALID"] = 11;
                values[valuesById[12] = "UNAVAILABLE"] = 12;
                values[valuesById[13] = "BUSY"] = 13;
                values[valuesById[14] = "INTERNAL"] = 14;
                values[valuesById[15] = "FORBIDDEN"] = 15;
                values[valuesById[16] = "RATE_LIMITED"] = 16;
                values[valuesById[17] = "IDLE_TIMEOUT"] = 17;
                values[valuesById[18] = "TOO_SLOW"] = 18;
                values[valuesById[19] = "SHUTTING_DOWN"] = 19;
                values[valuesById[20] = "NO_SUCH_GROUP"] = 20;
                values[valuesById[21] = "GROUP_FULL"] = 21;
                values[valuesById[22] = "TOO_MANY_GROUPS"] = 22;
                values[valuesById[23] = "WRONG_PASSWORD"] = 23;
                values[valuesById[24] = "MESSAGE_TOO_LARGE"] = 24;
                values[valuesById[25] = "RECALL_EXPIRED"] = 25;
                values[valuesById[26] = "MUTED"] = 26;
                values[valuesById[64] = "TOO_MANY_DEVICES"] = 64;
                return values;
            })();
    
            client.ClientMessage = (function() {
    
                var ClientMessage = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ClientMessage.prototype.request_id = 0;
                ClientMessage.prototype.ping = null;
                ClientMessage.prototype.register = null;
                ClientMessage.prototype.login = null;
                ClientMessage.prototype.logout = null;
                ClientMessage.prototype.get_profile = null;
                ClientMessage.prototype.update_profile = null;
                ClientMessage.prototype.get_users = null;
                ClientMessage.prototype.list_devices = null;
                ClientMessage.prototype.end_device = null;
                ClientMessage.prototype.create_group = null;
                ClientMessage.prototype.join_group = null;
                ClientMessage.prototype.decide_application = null;
                ClientMessage.prototype.invite = null;
                ClientMessage.prototype.quit_group = null;
                ClientMessage.prototype.kick_member = null;
                ClientMessage.prototype.dismiss_group = null;
                ClientMessage.prototype.get_group = null;
                ClientMessage.prototype.list_members = null;
                ClientMessage.prototype.update_group = null;
                ClientMessage.prototype.list_public_groups = null;
                ClientMessage.prototype.my_groups = null;
                ClientMessage.prototype.list_notices = null;
                ClientMessage.prototype.ack_notices = null;
                ClientMessage.prototype.set_role = null;
                ClientMessage.prototype.transfer_ownership = null;
                ClientMessage.prototype.mute_member = null;
                ClientMessage.prototype.mute_all = null;
                ClientMessage.prototype.open_direct = null;
                ClientMessage.prototype.add_contact = null;
                ClientMessage.prototype.decide_contact = null;
                ClientMessage.prototype.remove_contact = null;
                ClientMessage.prototype.block = null;
                ClientMessage.prototype.list_contacts = null;
                ClientMessage.prototype.set_privacy = null;
                ClientMessage.prototype.set_notifications = null;
                ClientMessage.prototype.send_message = null;
                ClientMessage.prototype.pull_messages = null;
                ClientMessage.prototype.history = null;
                ClientMessage.prototype.mark_read = null;
                ClientMessage.prototype.recall_message = null;
                ClientMessage.prototype.readers = null;
                ClientMessage.prototype.typing = null;
    
                var $oneOfFields;
    
                $Object.defineProperty(ClientMessage.prototype, "body", {
                    get: $util.oneOfGetter($oneOfFields = ["ping", "register", "login", "logout", "get_profile", "update_profile", "get_users", "list_devices", "end_device", "create_group", "join_group", "decide_application", "invite", "quit_group", "kick_member", "dismiss_group", "get_group", "list_members", "update_group", "list_public_groups", "my_groups", "list_notices", "ack_notices", "set_role", "transfer_ownership", "mute_member", "mute_all", "open_direct", "add_contact", "decide_contact", "remove_contact", "block", "list_contacts", "set_privacy", "set_notifications", "send_message", "pull_messages", "history", "mark_read", "recall_message", "readers", "typing"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                ClientMessage.create = function(properties) {
                    return new ClientMessage(properties);
                };
    
                ClientMessage.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.request_id != null && $Object.hasOwnProperty.call(message, "request_id") && message.request_id !== 0)
                        writer.uint32(8).uint32(message.request_id);
                    if (message.ping != null && $Object.hasOwnProperty.call(message, "ping"))
                        $root.schat.client.PingRequest.encode(message.ping, writer.uint32(82).fork(), _depth + 1).ldelim();
                    if (message.register != null && $Object.hasOwnProperty.call(message, "register"))
                        $root.schat.client.RegisterRequest.encode(message.register, writer.uint32(90).fork(), _depth + 1).ldelim();
                    if (message.login != null && $Object.hasOwnProperty.call(message, "login"))
                        $root.schat.client.LoginRequest.encode(message.login, writer.uint32(98).fork(), _depth + 1).ldelim();
                    if (message.logout != null && $Object.hasOwnProperty.call(message, "logout"))
                        $root.schat.client.LogoutRequest.encode(message.logout, writer.uint32(106).fork(), _depth + 1).ldelim();
                    if (message.get_profile != null && $Object.hasOwnProperty.call(message, "get_profile"))
                        $root.schat.client.GetProfileRequest.encode(message.get_profile, writer.uint32(114).fork(), _depth + 1).ldelim();
                    if (message.update_profile != null && $Object.hasOwnProperty.call(message, "update_profile"))
                        $root.schat.client.UpdateProfileRequest.encode(message.update_profile, writer.uint32(122).fork(), _depth + 1).ldelim();
                    if (message.get_users != null && $Object.hasOwnProperty.call(message, "get_users"))
                        $root.schat.client.GetUsersRequest.encode(message.get_users, writer.uint32(130).fork(), _depth + 1).ldelim();
                    if (message.list_devices != null && $Object.hasOwnProperty.call(message, "list_devices"))
                        $root.schat.client.ListDevicesRequest.encode(message.list_devices, writer.uint32(146).fork(), _depth + 1).ldelim();
                    if (message.end_device != null && $Object.hasOwnProperty.call(message, "end_device"))
                        $root.schat.client.EndDeviceRequest.encode(message.end_device, writer.uint32(154).fork(), _depth + 1).ldelim();
                    if (message.create_group != null && $Object.hasOwnProperty.call(message, "create_group"))
                        $root.schat.client.CreateGroupRequest.encode(message.create_group, writer.uint32(242).fork(), _depth + 1).ldelim();
                    if (message.join_group != null && $Object.hasOwnProperty.call(message, "join_group"))
                        $root.schat.client.JoinGroupRequest.encode(message.join_group, writer.uint32(250).fork(), _depth + 1).ldelim();
                    if (message.decide_application != null && $Object.hasOwnProperty.call(message, "decide_application"))
                        $root.schat.client.DecideApplicationRequest.encode(message.decide_application, writer.uint32(258).fork(), _depth + 1).ldelim();
                    if (message.invite != null && $Object.hasOwnProperty.call(message, "invite"))
                        $root.schat.client.InviteRequest.encode(message.invite, writer.uint32(266).fork(), _depth + 1).ldelim();
                    if (message.quit_group != null && $Object.hasOwnProperty.call(message, "quit_group"))
                        $root.schat.client.QuitGroupRequest.encode(message.quit_group, writer.uint32(274).fork(), _depth + 1).ldelim();
                    if (message.kick_member != null && $Object.hasOwnProperty.call(message, "kick_member"))
                        $root.schat.client.KickMemberRequest.encode(message.kick_member, writer.uint32(282).fork(), _depth + 1).ldelim();
                    if (message.dismiss_group != null && $Object.hasOwnProperty.call(message, "dismiss_group"))
                        $root.schat.client.DismissGroupRequest.encode(message.dismiss_group, writer.uint32(290).fork(), _depth + 1).ldelim();
                    if (message.get_group != null && $Object.hasOwnProperty.call(message, "get_group"))
                        $root.schat.client.GetGroupRequest.encode(message.get_group, writer.uint32(298).fork(), _depth + 1).ldelim();
                    if (message.list_members != null && $Object.hasOwnProperty.call(message, "list_members"))
                        $root.schat.client.ListMembersRequest.encode(message.list_members, writer.uint32(306).fork(), _depth + 1).ldelim();
                    if (message.update_group != null && $Object.hasOwnProperty.call(message, "update_group"))
                        $root.schat.client.UpdateGroupRequest.encode(message.update_group, writer.uint32(314).fork(), _depth + 1).ldelim();
                    if (message.list_public_groups != null && $Object.hasOwnProperty.call(message, "list_public_groups"))
                        $root.schat.client.ListPublicGroupsRequest.encode(message.list_public_groups, writer.uint32(322).fork(), _depth + 1).ldelim();
                    if (message.my_groups != null && $Object.hasOwnProperty.call(message, "my_groups"))
                        $root.schat.client.MyGroupsRequest.encode(message.my_groups, writer.uint32(330).fork(), _depth + 1).ldelim();
                    if (message.list_notices != null && $Object.hasOwnProperty.call(message, "list_notices"))
                        $root.schat.client.ListNoticesRequest.encode(message.list_notices, writer.uint32(338).fork(), _depth + 1).ldelim();
                    if (message.ack_notices != null && $Object.hasOwnProperty.call(message, "ack_notices"))
                        $root.schat.client.AckNoticesRequest.encode(message.ack_notices, writer.uint32(346).fork(), _depth + 1).ldelim();
                    if (message.set_role != null && $Object.hasOwnProperty.call(message, "set_role"))
                        $root.schat.client.SetRoleRequest.encode(message.set_role, writer.uint32(354).fork(), _depth + 1).ldelim();
                    if (message.transfer_ownership != null && $Object.hasOwnProperty.call(message, "transfer_ownership"))
                        $root.schat.client.TransferOwnershipRequest.encode(message.transfer_ownership, writer.uint32(362).fork(), _depth + 1).ldelim();
                    if (message.mute_member != null && $Object.hasOwnProperty.call(message, "mute_member"))
                        $root.schat.client.MuteMemberRequest.encode(message.mute_member, writer.uint32(370).fork(), _depth + 1).ldelim();
                    if (message.mute_all != null && $Object.hasOwnProperty.call(message, "mute_all"))
                        $root.schat.client.MuteAllRequest.encode(message.mute_all, writer.uint32(378).fork(), _depth + 1).ldelim();
                    if (message.open_direct != null && $Object.hasOwnProperty.call(message, "open_direct"))
                        $root.schat.client.OpenDirectRequest.encode(message.open_direct, writer.uint32(386).fork(), _depth + 1).ldelim();
                    if (message.add_contact != null && $Object.hasOwnProperty.call(message, "add_contact"))
                        $root.schat.client.AddContactRequest.encode(message.add_contact, writer.uint32(402).fork(), _depth + 1).ldelim();
                    if (message.decide_contact != null && $Object.hasOwnProperty.call(message, "decide_contact"))
                        $root.schat.client.DecideContactRequest.encode(message.decide_contact, writer.uint32(410).fork(), _depth + 1).ldelim();
                    if (message.remove_contact != null && $Object.hasOwnProperty.call(message, "remove_contact"))
                        $root.schat.client.RemoveContactRequest.encode(message.remove_contact, writer.uint32(418).fork(), _depth + 1).ldelim();
                    if (message.block != null && $Object.hasOwnProperty.call(message, "block"))
                        $root.schat.client.BlockRequest.encode(message.block, writer.uint32(426).fork(), _depth + 1).ldelim();
                    if (message.list_contacts != null && $Object.hasOwnProperty.call(message, "list_contacts"))
                        $root.schat.client.ListContactsRequest.encode(message.list_contacts, writer.uint32(434).fork(), _depth + 1).ldelim();
                    if (message.set_privacy != null && $Object.hasOwnProperty.call(message, "set_privacy"))
                        $root.schat.client.SetPrivacyRequest.encode(message.set_privacy, writer.uint32(442).fork(), _depth + 1).ldelim();
                    if (message.set_notifications != null && $Object.hasOwnProperty.call(message, "set_notifications"))
                        $root.schat.client.SetNotificationsRequest.encode(message.set_notifications, writer.uint32(450).fork(), _depth + 1).ldelim();
                    if (message.send_message != null && $Object.hasOwnProperty.call(message, "send_message"))
                        $root.schat.client.SendMessageRequest.encode(message.send_message, writer.uint32(482).fork(), _depth + 1).ldelim();
                    if (message.pull_messages != null && $Object.hasOwnProperty.call(message, "pull_messages"))
                        $root.schat.client.PullMessagesRequest.encode(message.pull_messages, writer.uint32(490).fork(), _depth + 1).ldelim();
                    if (message.history != null && $Object.hasOwnProperty.call(message, "history"))
                        $root.schat.client.HistoryRequest.encode(message.history, writer.uint32(498).fork(), _depth + 1).ldelim();
                    if (message.mark_read != null && $Object.hasOwnProperty.call(message, "mark_read"))
                        $root.schat.client.MarkReadRequest.encode(message.mark_read, writer.uint32(506).fork(), _depth + 1).ldelim();
                    if (message.recall_message != null && $Object.hasOwnProperty.call(message, "recall_message"))
                        $root.schat.client.RecallMessageRequest.encode(message.recall_message, writer.uint32(514).fork(), _depth + 1).ldelim();
                    if (message.readers != null && $Object.hasOwnProperty.call(message, "readers"))
                        $root.schat.client.ReadersRequest.encode(message.readers, writer.uint32(522).fork(), _depth + 1).ldelim();
                    if (message.typing != null && $Object.hasOwnProperty.call(message, "typing"))
                        $root.schat.client.TypingRequest.encode(message.typing, writer.uint32(530).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ClientMessage.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ClientMessage();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.request_id = value;
                                else
                                    delete message.request_id;
                                continue;
                            }
                        case 10: {
                                if (wireType !== 2)
                                    break;
                                message.ping = $root.schat.client.PingRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.ping);
                                message.body = "ping";
                                continue;
                            }
                        case 11: {
                                if (wireType !== 2)
                                    break;
                                message.register = $root.schat.client.RegisterRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.register);
                                message.body = "register";
                                continue;
                            }
                        case 12: {
                                if (wireType !== 2)
                                    break;
                                message.login = $root.schat.client.LoginRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.login);
                                message.body = "login";
                                continue;
                            }
                        case 13: {
                                if (wireType !== 2)
                                    break;
                                message.logout = $root.schat.client.LogoutRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.logout);
                                message.body = "logout";
                                continue;
                            }
                        case 14: {
                                if (wireType !== 2)
                                    break;
                                message.get_profile = $root.schat.client.GetProfileRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.get_profile);
                                message.body = "get_profile";
                                continue;
                            }
                        case 15: {
                                if (wireType !== 2)
                                    break;
                                message.update_profile = $root.schat.client.UpdateProfileRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.update_profile);
                                message.body = "update_profile";
                                continue;
                            }
                        case 16: {
                                if (wireType !== 2)
                                    break;
                                message.get_users = $root.schat.client.GetUsersRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.get_users);
                                message.body = "get_users";
                                continue;
                            }
                        case 18: {
                                if (wireType !== 2)
                                    break;
                                message.list_devices = $root.schat.client.ListDevicesRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.list_devices);
                                message.body = "list_devices";
                                continue;
                            }
                        case 19: {
                                if (wireType !== 2)
                                    break;
                                message.end_device = $root.schat.client.EndDeviceRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.end_device);
                                message.body = "end_device";
                                continue;
                            }
                        case 30: {
                                if (wireType !== 2)
                                    break;
                                message.create_group = $root.schat.client.CreateGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.create_group);
                                message.body = "create_group";
                                continue;
                            }
                        case 31: {
                                if (wireType !== 2)
                                    break;
                                message.join_group = $root.schat.client.JoinGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.join_group);
                                message.body = "join_group";
                                continue;
                            }
                        case 32: {
                                if (wireType !== 2)
                                    break;
                                message.decide_application = $root.schat.client.DecideApplicationRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.decide_application);
                                message.body = "decide_application";
                                continue;
                            }
                        case 33: {
                                if (wireType !== 2)
                                    break;
                                message.invite = $root.schat.client.InviteRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.invite);
                                message.body = "invite";
                                continue;
                            }
                        case 34: {
                                if (wireType !== 2)
                                    break;
                                message.quit_group = $root.schat.client.QuitGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.quit_group);
                                message.body = "quit_group";
                                continue;
                            }
                        case 35: {
                                if (wireType !== 2)
                                    break;
                                message.kick_member = $root.schat.client.KickMemberRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.kick_member);
                                message.body = "kick_member";
                                continue;
                            }
                        case 36: {
                                if (wireType !== 2)
                                    break;
                                message.dismiss_group = $root.schat.client.DismissGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.dismiss_group);
                                message.body = "dismiss_group";
                                continue;
                            }
                        case 37: {
                                if (wireType !== 2)
                                    break;
                                message.get_group = $root.schat.client.GetGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.get_group);
                                message.body = "get_group";
                                continue;
                            }
                        case 38: {
                                if (wireType !== 2)
                                    break;
                                message.list_members = $root.schat.client.ListMembersRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.list_members);
                                message.body = "list_members";
                                continue;
                            }
                        case 39: {
                                if (wireType !== 2)
                                    break;
                                message.update_group = $root.schat.client.UpdateGroupRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.update_group);
                                message.body = "update_group";
                                continue;
                            }
                        case 40: {
                                if (wireType !== 2)
                                    break;
                                message.list_public_groups = $root.schat.client.ListPublicGroupsRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.list_public_groups);
                                message.body = "list_public_groups";
                                continue;
                            }
                        case 41: {
                                if (wireType !== 2)
                                    break;
                                message.my_groups = $root.schat.client.MyGroupsRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.my_groups);
                                message.body = "my_groups";
                                continue;
                            }
                        case 42: {
                                if (wireType !== 2)
                                    break;
                                message.list_notices = $root.schat.client.ListNoticesRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.list_notices);
                                message.body = "list_notices";
                                continue;
                            }
                        case 43: {
                                if (wireType !== 2)
                                    break;
                                message.ack_notices = $root.schat.client.AckNoticesRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.ack_notices);
                                message.body = "ack_notices";
                                continue;
                            }
                        case 44: {
                                if (wireType !== 2)
                                    break;
                                message.set_role = $root.schat.client.SetRoleRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.set_role);
                                message.body = "set_role";
                                continue;
                            }
                        case 45: {
                                if (wireType !== 2)
                                    break;
                                message.transfer_ownership = $root.schat.client.TransferOwnershipRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.transfer_ownership);
                                message.body = "transfer_ownership";
                                continue;
                            }
                        case 46: {
                                if (wireType !== 2)
                                    break;
                                message.mute_member = $root.schat.client.MuteMemberRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.mute_member);
                                message.body = "mute_member";
                                continue;
                            }
                        case 47: {
                                if (wireType !== 2)
                                    break;
                                message.mute_all = $root.schat.client.MuteAllRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.mute_all);
                                message.body = "mute_all";
                                continue;
                            }
                        case 48: {
                                if (wireType !== 2)
                                    break;
                                message.open_direct = $root.schat.client.OpenDirectRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.open_direct);
                                message.body = "open_direct";
                                continue;
                            }
                        case 50: {
                                if (wireType !== 2)
                                    break;
                                message.add_contact = $root.schat.client.AddContactRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.add_contact);
                                message.body = "add_contact";
                                continue;
                            }
                        case 51: {
                                if (wireType !== 2)
                                    break;
                                message.decide_contact = $root.schat.client.DecideContactRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.decide_contact);
                                message.body = "decide_contact";
                                continue;
                            }
                        case 52: {
                                if (wireType !== 2)
                                    break;
                                message.remove_contact = $root.schat.client.RemoveContactRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.remove_contact);
                                message.body = "remove_contact";
                                continue;
                            }
                        case 53: {
                                if (wireType !== 2)
                                    break;
                                message.block = $root.schat.client.BlockRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.block);
                                message.body = "block";
                                continue;
                            }
                        case 54: {
                                if (wireType !== 2)
                                    break;
                                message.list_contacts = $root.schat.client.ListContactsRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.list_contacts);
                                message.body = "list_contacts";
                                continue;
                            }
                        case 55: {
                                if (wireType !== 2)
                                    break;
                                message.set_privacy = $root.schat.client.SetPrivacyRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.set_privacy);
                                message.body = "set_privacy";
                                continue;
                            }
                        case 56: {
                                if (wireType !== 2)
                                    break;
                                message.set_notifications = $root.schat.client.SetNotificationsRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.set_notifications);
                                message.body = "set_notifications";
                                continue;
                            }
                        case 60: {
                                if (wireType !== 2)
                                    break;
                                message.send_message = $root.schat.client.SendMessageRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.send_message);
                                message.body = "send_message";
                                continue;
                            }
                        case 61: {
                                if (wireType !== 2)
                                    break;
                                message.pull_messages = $root.schat.client.PullMessagesRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.pull_messages);
                                message.body = "pull_messages";
                                continue;
                            }
                        case 62: {
                                if (wireType !== 2)
                                    break;
                                message.history = $root.schat.client.HistoryRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.history);
                                message.body = "history";
                                continue;
                            }
                        case 63: {
                                if (wireType !== 2)
                                    break;
                                message.mark_read = $root.schat.client.MarkReadRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.mark_read);
                                message.body = "mark_read";
                                continue;
                            }
                        case 64: {
                                if (wireType !== 2)
                                    break;
                                message.recall_message = $root.schat.client.RecallMessageRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.recall_message);
                                message.body = "recall_message";
                                continue;
                            }
                        case 65: {
                                if (wireType !== 2)
                                    break;
                                message.readers = $root.schat.client.ReadersRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.readers);
                                message.body = "readers";
                                continue;
                            }
                        case 66: {
                                if (wireType !== 2)
                                    break;
                                message.typing = $root.schat.client.TypingRequest.decode(reader, reader.size(), $undefined, _depth + 1, message.typing);
                                message.body = "typing";
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ClientMessage;
            })();
    
            client.ServerMessage = (function() {
    
                var ServerMessage = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ServerMessage.prototype.request_id = 0;
                ServerMessage.prototype.code = 0;
                ServerMessage.prototype.reason = "";
                ServerMessage.prototype.pong = null;
                ServerMessage.prototype.register = null;
                ServerMessage.prototype.login = null;
                ServerMessage.prototype.logout = null;
                ServerMessage.prototype.profile = null;
                ServerMessage.prototype.users = null;
                ServerMessage.prototype.done = null;
                ServerMessage.prototype.devices = null;
                ServerMessage.prototype.group = null;
                ServerMessage.prototype.join_group = null;
                ServerMessage.prototype.members = null;
                ServerMessage.prototype.groups = null;
                ServerMessage.prototype.my_groups = null;
                ServerMessage.prototype.notices = null;
                ServerMessage.prototype.contacts = null;
                ServerMessage.prototype.send_message = null;
                ServerMessage.prototype.messages = null;
                ServerMessage.prototype.readers = null;
                ServerMessage.prototype.kicked = null;
                ServerMessage.prototype.closing = null;
                ServerMessage.prototype.message = null;
                ServerMessage.prototype.notice = null;
                ServerMessage.prototype.file_token = null;
                ServerMessage.prototype.typing = null;
                ServerMessage.prototype.read_marked = null;
    
                var $oneOfFields;
    
                $Object.defineProperty(ServerMessage.prototype, "body", {
                    get: $util.oneOfGetter($oneOfFields = ["pong", "register", "login", "logout", "profile", "users", "done", "devices", "group", "join_group", "members", "groups", "my_groups", "notices", "contacts", "send_message", "messages", "readers", "kicked", "closing", "message", "notice", "file_token", "typing", "read_marked"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                ServerMessage.create = function(properties) {
                    return new ServerMessage(properties);
                };
    
                ServerMessage.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.request_id != null && $Object.hasOwnProperty.call(message, "request_id") && message.request_id !== 0)
                        writer.uint32(8).uint32(message.request_id);
                    if (message.code != null && $Object.hasOwnProperty.call(message, "code") && message.code !== 0)
                        writer.uint32(16).int32(message.code);
                    if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== "")
                        writer.uint32(26).string(message.reason);
                    if (message.pong != null && $Object.hasOwnProperty.call(message, "pong"))
                        $root.schat.client.PongResponse.encode(message.pong, writer.uint32(82).fork(), _depth + 1).ldelim();
                    if (message.register != null && $Object.hasOwnProperty.call(message, "register"))
                        $root.schat.client.RegisterResponse.encode(message.register, writer.uint32(90).fork(), _depth + 1).ldelim();
                    if (message.login != null && $Object.hasOwnProperty.call(message, "login"))
                        $root.schat.client.LoginResponse.encode(message.login, writer.uint32(98).fork(), _depth + 1).ldelim();
                    if (message.logout != null && $Object.hasOwnProperty.call(message, "logout"))
                        $root.schat.client.LogoutResponse.encode(message.logout, writer.uint32(106).fork(), _depth + 1).ldelim();
                    if (message.profile != null && $Object.hasOwnProperty.call(message, "profile"))
                        $root.schat.client.UserProfile.encode(message.profile, writer.uint32(114).fork(), _depth + 1).ldelim();
                    if (message.users != null && $Object.hasOwnProperty.call(message, "users"))
                        $root.schat.client.UsersResponse.encode(message.users, writer.uint32(130).fork(), _depth + 1).ldelim();
                    if (message.done != null && $Object.hasOwnProperty.call(message, "done"))
                        $root.schat.client.Done.encode(message.done, writer.uint32(138).fork(), _depth + 1).ldelim();
                    if (message.devices != null && $Object.hasOwnProperty.call(message, "devices"))
                        $root.schat.client.DevicesResponse.encode(message.devices, writer.uint32(146).fork(), _depth + 1).ldelim();
                    if (message.group != null && $Object.hasOwnProperty.call(message, "group"))
                        $root.schat.client.GroupInfo.encode(message.group, writer.uint32(242).fork(), _depth + 1).ldelim();
                    if (message.join_group != null && $Object.hasOwnProperty.call(message, "join_group"))
                        $root.schat.client.JoinGroupResponse.encode(message.join_group, writer.uint32(250).fork(), _depth + 1).ldelim();
                    if (message.members != null && $Object.hasOwnProperty.call(message, "members"))
                        $root.schat.client.MembersResponse.encode(message.members, writer.uint32(306).fork(), _depth + 1).ldelim();
                    if (message.groups != null && $Object.hasOwnProperty.call(message, "groups"))
                        $root.schat.client.GroupsResponse.encode(message.groups, writer.uint32(322).fork(), _depth + 1).ldelim();
                    if (message.my_groups != null && $Object.hasOwnProperty.call(message, "my_groups"))
                        $root.schat.client.MyGroupsResponse.encode(message.my_groups, writer.uint32(330).fork(), _depth + 1).ldelim();
                    if (message.notices != null && $Object.hasOwnProperty.call(message, "notices"))
                        $root.schat.client.NoticesResponse.encode(message.notices, writer.uint32(338).fork(), _depth + 1).ldelim();
                    if (message.contacts != null && $Object.hasOwnProperty.call(message, "contacts"))
                        $root.schat.client.ContactsResponse.encode(message.contacts, writer.uint32(434).fork(), _depth + 1).ldelim();
                    if (message.send_message != null && $Object.hasOwnProperty.call(message, "send_message"))
                        $root.schat.client.SendMessageResponse.encode(message.send_message, writer.uint32(482).fork(), _depth + 1).ldelim();
                    if (message.messages != null && $Object.hasOwnProperty.call(message, "messages"))
                        $root.schat.client.MessagesResponse.encode(message.messages, writer.uint32(490).fork(), _depth + 1).ldelim();
                    if (message.readers != null && $Object.hasOwnProperty.call(message, "readers"))
                        $root.schat.client.ReadersResponse.encode(message.readers, writer.uint32(522).fork(), _depth + 1).ldelim();
                    if (message.kicked != null && $Object.hasOwnProperty.call(message, "kicked"))
                        $root.schat.client.Kicked.encode(message.kicked, writer.uint32(802).fork(), _depth + 1).ldelim();
                    if (message.closing != null && $Object.hasOwnProperty.call(message, "closing"))
                        $root.schat.client.Closing.encode(message.closing, writer.uint32(810).fork(), _depth + 1).ldelim();
                    if (message.message != null && $Object.hasOwnProperty.call(message, "message"))
                        $root.schat.client.ChatMessage.encode(message.message, writer.uint32(818).fork(), _depth + 1).ldelim();
                    if (message.notice != null && $Object.hasOwnProperty.call(message, "notice"))
                        $root.schat.client.Notice.encode(message.notice, writer.uint32(826).fork(), _depth + 1).ldelim();
                    if (message.file_token != null && $Object.hasOwnProperty.call(message, "file_token"))
                        $root.schat.client.FileToken.encode(message.file_token, writer.uint32(834).fork(), _depth + 1).ldelim();
                    if (message.typing != null && $Object.hasOwnProperty.call(message, "typing"))
                        $root.schat.client.Typing.encode(message.typing, writer.uint32(842).fork(), _depth + 1).ldelim();
                    if (message.read_marked != null && $Object.hasOwnProperty.call(message, "read_marked"))
                        $root.schat.client.ReadMarked.encode(message.read_marked, writer.uint32(850).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ServerMessage.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ServerMessage();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.request_id = value;
                                else
                                    delete message.request_id;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.code = value;
                                else
                                    delete message.code;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.reason = value;
                                else
                                    delete message.reason;
                                continue;
                            }
                        case 10: {
                                if (wireType !== 2)
                                    break;
                                message.pong = $root.schat.client.PongResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.pong);
                                message.body = "pong";
                                continue;
                            }
                        case 11: {
                                if (wireType !== 2)
                                    break;
                                message.register = $root.schat.client.RegisterResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.register);
                                message.body = "register";
                                continue;
                            }
                        case 12: {
                                if (wireType !== 2)
                                    break;
                                message.login = $root.schat.client.LoginResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.login);
                                message.body = "login";
                                continue;
                            }
                        case 13: {
                                if (wireType !== 2)
                                    break;
                                message.logout = $root.schat.client.LogoutResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.logout);
                                message.body = "logout";
                                continue;
                            }
                        case 14: {
                                if (wireType !== 2)
                                    break;
                                message.profile = $root.schat.client.UserProfile.decode(reader, reader.size(), $undefined, _depth + 1, message.profile);
                                message.body = "profile";
                                continue;
                            }
                        case 16: {
                                if (wireType !== 2)
                                    break;
                                message.users = $root.schat.client.UsersResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.users);
                                message.body = "users";
                                continue;
                            }
                        case 17: {
                                if (wireType !== 2)
                                    break;
                                message.done = $root.schat.client.Done.decode(reader, reader.size(), $undefined, _depth + 1, message.done);
                                message.body = "done";
                                continue;
                            }
                        case 18: {
                                if (wireType !== 2)
                                    break;
                                message.devices = $root.schat.client.DevicesResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.devices);
                                message.body = "devices";
                                continue;
                            }
                        case 30: {
                                if (wireType !== 2)
                                    break;
                                message.group = $root.schat.client.GroupInfo.decode(reader, reader.size(), $undefined, _depth + 1, message.group);
                                message.body = "group";
                                continue;
                            }
                        case 31: {
                                if (wireType !== 2)
                                    break;
                                message.join_group = $root.schat.client.JoinGroupResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.join_group);
                                message.body = "join_group";
                                continue;
                            }
                        case 38: {
                                if (wireType !== 2)
                                    break;
                                message.members = $root.schat.client.MembersResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.members);
                                message.body = "members";
                                continue;
                            }
                        case 40: {
                                if (wireType !== 2)
                                    break;
                                message.groups = $root.schat.client.GroupsResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.groups);
                                message.body = "groups";
                                continue;
                            }
                        case 41: {
                                if (wireType !== 2)
                                    break;
                                message.my_groups = $root.schat.client.MyGroupsResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.my_groups);
                                message.body = "my_groups";
                                continue;
                            }
                        case 42: {
                                if (wireType !== 2)
                                    break;
                                message.notices = $root.schat.client.NoticesResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.notices);
                                message.body = "notices";
                                continue;
                            }
                        case 54: {
                                if (wireType !== 2)
                                    break;
                                message.contacts = $root.schat.client.ContactsResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.contacts);
                                message.body = "contacts";
                                continue;
                            }
                        case 60: {
                                if (wireType !== 2)
                                    break;
                                message.send_message = $root.schat.client.SendMessageResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.send_message);
                                message.body = "send_message";
                                continue;
                            }
                        case 61: {
                                if (wireType !== 2)
                                    break;
                                message.messages = $root.schat.client.MessagesResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.messages);
                                message.body = "messages";
                                continue;
                            }
                        case 65: {
                                if (wireType !== 2)
                                    break;
                                message.readers = $root.schat.client.ReadersResponse.decode(reader, reader.size(), $undefined, _depth + 1, message.readers);
                                message.body = "readers";
                                continue;
                            }
                        case 100: {
                                if (wireType !== 2)
                                    break;
                                message.kicked = $root.schat.client.Kicked.decode(reader, reader.size(), $undefined, _depth + 1, message.kicked);
                                message.body = "kicked";
                                continue;
                            }
                        case 101: {
                                if (wireType !== 2)
                                    break;
                                message.closing = $root.schat.client.Closing.decode(reader, reader.size(), $undefined, _depth + 1, message.closing);
                                message.body = "closing";
                                continue;
                            }
                        case 102: {
                                if (wireType !== 2)
                                    break;
                                message.message = $root.schat.client.ChatMessage.decode(reader, reader.size(), $undefined, _depth + 1, message.message);
                                message.body = "message";
                                continue;
                            }
                        case 103: {
                                if (wireType !== 2)
                                    break;
                                message.notice = $root.schat.client.Notice.decode(reader, reader.size(), $undefined, _depth + 1, message.notice);
                                message.body = "notice";
                                continue;
                            }
                        case 104: {
                                if (wireType !== 2)
                                    break;
                                message.file_token = $root.schat.client.FileToken.decode(reader, reader.size(), $undefined, _depth + 1, message.file_token);
                                message.body = "file_token";
                                continue;
                            }
                        case 105: {
                                if (wireType !== 2)
                                    break;
                                message.typing = $root.schat.client.Typing.decode(reader, reader.size(), $undefined, _depth + 1, message.typing);
                                message.body = "typing";
                                continue;
                            }
                        case 106: {
                                if (wireType !== 2)
                                    break;
                                message.read_marked = $root.schat.client.ReadMarked.decode(reader, reader.size(), $undefined, _depth + 1, message.read_marked);
                                message.body = "read_marked";
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ServerMessage;
            })();
    
            client.PingRequest = (function() {
    
                var PingRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                PingRequest.prototype.client_time_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                PingRequest.create = function(properties) {
                    return new PingRequest(properties);
                };
    
                PingRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.client_time_ms != null && $Object.hasOwnProperty.call(message, "client_time_ms") && (typeof message.client_time_ms === "object" ? message.client_time_ms.low || message.client_time_ms.high : message.client_time_ms !== 0))
                        writer.uint32(8).uint64(message.client_time_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                PingRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.PingRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.client_time_ms = value;
                                else
                                    delete message.client_time_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return PingRequest;
            })();
    
            client.PongResponse = (function() {
    
                var PongResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                PongResponse.prototype.client_time_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                PongResponse.prototype.server_time_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                PongResponse.create = function(properties) {
                    return new PongResponse(properties);
                };
    
                PongResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.client_time_ms != null && $Object.hasOwnProperty.call(message, "client_time_ms") && (typeof message.client_time_ms === "object" ? message.client_time_ms.low || message.client_time_ms.high : message.client_time_ms !== 0))
                        writer.uint32(8).uint64(message.client_time_ms);
                    if (message.server_time_ms != null && $Object.hasOwnProperty.call(message, "server_time_ms") && (typeof message.server_time_ms === "object" ? message.server_time_ms.low || message.server_time_ms.high : message.server_time_ms !== 0))
                        writer.uint32(16).uint64(message.server_time_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                PongResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.PongResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.client_time_ms = value;
                                else
                                    delete message.client_time_ms;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.server_time_ms = value;
                                else
                                    delete message.server_time_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return PongResponse;
            })();
    
            client.RegisterRequest = (function() {
    
                var RegisterRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                RegisterRequest.prototype.account = "";
                RegisterRequest.prototype.password = "";
                RegisterRequest.prototype.display_name = "";
    
                RegisterRequest.create = function(properties) {
                    return new RegisterRequest(properties);
                };
    
                RegisterRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.account != null && $Object.hasOwnProperty.call(message, "account") && message.account !== "")
                        writer.uint32(10).string(message.account);
                    if (message.password != null && $Object.hasOwnProperty.call(message, "password") && message.password !== "")
                        writer.uint32(18).string(message.password);
                    if (message.display_name != null && $Object.hasOwnProperty.call(message, "display_name") && message.display_name !== "")
                        writer.uint32(26).string(message.display_name);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                RegisterRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.RegisterRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.account = value;
                                else
                                    delete message.account;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.password = value;
                                else
                                    delete message.password;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.display_name = value;
                                else
                                    delete message.display_name;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return RegisterRequest;
            })();
    
            client.RegisterResponse = (function() {
    
                var RegisterResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                RegisterResponse.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                RegisterResponse.create = function(properties) {
                    return new RegisterResponse(properties);
                };
    
                RegisterResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                RegisterResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.RegisterResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return RegisterResponse;
            })();
    
            client.LoginRequest = (function() {
    
                var LoginRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                LoginRequest.prototype.password = null;
                LoginRequest.prototype.token = null;
                LoginRequest.prototype.client = "";
                LoginRequest.prototype.device_id = "";
                LoginRequest.prototype.device_kind = 0;
    
                var $oneOfFields;
    
                $Object.defineProperty(LoginRequest.prototype, "credential", {
                    get: $util.oneOfGetter($oneOfFields = ["password", "token"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                LoginRequest.create = function(properties) {
                    return new LoginRequest(properties);
                };
    
                LoginRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.password != null && $Object.hasOwnProperty.call(message, "password"))
                        $root.schat.client.PasswordCredential.encode(message.password, writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.token != null && $Object.hasOwnProperty.call(message, "token"))
                        writer.uint32(18).string(message.token);
                    if (message.client != null && $Object.hasOwnProperty.call(message, "client") && message.client !== "")
                        writer.uint32(26).string(message.client);
                    if (message.device_id != null && $Object.hasOwnProperty.call(message, "device_id") && message.device_id !== "")
                        writer.uint32(34).string(message.device_id);
                    if (message.device_kind != null && $Object.hasOwnProperty.call(message, "device_kind") && message.device_kind !== 0)
                        writer.uint32(40).int32(message.device_kind);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                LoginRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.LoginRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                message.password = $root.schat.client.PasswordCredential.decode(reader, reader.size(), $undefined, _depth + 1, message.password);
                                message.credential = "password";
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.token = reader.stringVerify();
                                message.credential = "token";
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.client = value;
                                else
                                    delete message.client;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.device_id = value;
                                else
                                    delete message.device_id;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.device_kind = value;
                                else
                                    delete message.device_kind;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return LoginRequest;
            })();
    
            client.DeviceKind = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "DEVICE_KIND_UNSPECIFIED"] = 0;
                values[valuesById[1] = "PHONE"] = 1;
                values[valuesById[2] = "DESKTOP"] = 2;
                values[valuesById[3] = "WEB"] = 3;
                values[valuesById[4] = "CLI"] = 4;
                return values;
            })();
    
            client.PasswordCredential = (function() {
    
                var PasswordCredential = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                PasswordCredential.prototype.account = "";
                PasswordCredential.prototype.password = "";
    
                PasswordCredential.create = function(properties) {
                    return new PasswordCredential(properties);
                };
    
                PasswordCredential.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.account != null && $Object.hasOwnProperty.call(message, "account") && message.account !== "")
                        writer.uint32(10).string(message.account);
                    if (message.password != null && $Object.hasOwnProperty.call(message, "password") && message.password !== "")
                        writer.uint32(18).string(message.password);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                PasswordCredential.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.PasswordCredential();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.account = value;
                                else
                                    delete message.account;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.password = value;
                                else
                                    delete message.password;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return PasswordCredential;
            })();
    
            client.LoginResponse = (function() {
    
                var LoginResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                LoginResponse.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                LoginResponse.prototype.token = "";
                LoginResponse.prototype.token_expires_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                LoginResponse.prototype.profile = null;
                LoginResponse.prototype.server_time_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                LoginResponse.prototype.idle_timeout_secs = 0;
                LoginResponse.prototype.file_token = "";
                LoginResponse.prototype.file_token_expires_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                LoginResponse.create = function(properties) {
                    return new LoginResponse(properties);
                };
    
                LoginResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.token != null && $Object.hasOwnProperty.call(message, "token") && message.token !== "")
                        writer.uint32(18).string(message.token);
                    if (message.token_expires_at_ms != null && $Object.hasOwnProperty.call(message, "token_expires_at_ms") && (typeof message.token_expires_at_ms === "object" ? message.token_expires_at_ms.low || message.token_expires_at_ms.high : message.token_expires_at_ms !== 0))
                        writer.uint32(24).uint64(message.token_expires_at_ms);
                    if (message.profile != null && $Object.hasOwnProperty.call(message, "profile"))
                        $root.schat.client.UserProfile.encode(message.profile, writer.uint32(34).fork(), _depth + 1).ldelim();
                    if (message.server_time_ms != null && $Object.hasOwnProperty.call(message, "server_time_ms") && (typeof message.server_time_ms === "object" ? message.server_time_ms.low || message.server_time_ms.high : message.server_time_ms !== 0))
                        writer.uint32(40).uint64(message.server_time_ms);
                    if (message.idle_timeout_secs != null && $Object.hasOwnProperty.call(message, "idle_timeout_secs") && message.idle_timeout_secs !== 0)
                        writer.uint32(48).uint32(message.idle_timeout_secs);
                    if (message.file_token != null && $Object.hasOwnProperty.call(message, "file_token") && message.file_token !== "")
                        writer.uint32(58).string(message.file_token);
                    if (message.file_token_expires_at_ms != null && $Object.hasOwnProperty.call(message, "file_token_expires_at_ms") && (typeof message.file_token_expires_at_ms === "object" ? message.file_token_expires_at_ms.low || message.file_token_expires_at_ms.high : message.file_token_expires_at_ms !== 0))
                        writer.uint32(64).uint64(message.file_token_expires_at_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                LoginResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.LoginResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.token = value;
                                else
                                    delete message.token;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.token_expires_at_ms = value;
                                else
                                    delete message.token_expires_at_ms;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                message.profile = $root.schat.client.UserProfile.decode(reader, reader.size(), $undefined, _depth + 1, message.profile);
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.server_time_ms = value;
                                else
                                    delete message.server_time_ms;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.idle_timeout_secs = value;
                                else
                                    delete message.idle_timeout_secs;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.file_token = value;
                                else
                                    delete message.file_token;
                                continue;
                            }
                        case 8: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.file_token_expires_at_ms = value;
                                else
                                    delete message.file_token_expires_at_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return LoginResponse;
            })();
    
            client.LogoutRequest = (function() {
    
                var LogoutRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                LogoutRequest.prototype.all_devices = false;
    
                LogoutRequest.create = function(properties) {
                    return new LogoutRequest(properties);
                };
    
                LogoutRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.all_devices != null && $Object.hasOwnProperty.call(message, "all_devices") && message.all_devices !== false)
                        writer.uint32(8).bool(message.all_devices);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                LogoutRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.LogoutRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.all_devices = value;
                                else
                                    delete message.all_devices;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return LogoutRequest;
            })();
    
            client.LogoutResponse = (function() {
    
                var LogoutResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                LogoutResponse.create = function(properties) {
                    return new LogoutResponse(properties);
                };
    
                LogoutResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                LogoutResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.LogoutResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return LogoutResponse;
            })();
    
            client.ListDevicesRequest = (function() {
    
                var ListDevicesRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ListDevicesRequest.create = function(properties) {
                    return new ListDevicesRequest(properties);
                };
    
                ListDevicesRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ListDevicesRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ListDevicesRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ListDevicesRequest;
            })();
    
            client.DevicesResponse = (function() {
    
                var DevicesResponse = function (properties) {
                    this.devices = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                DevicesResponse.prototype.devices = $util.emptyArray;
    
                DevicesResponse.create = function(properties) {
                    return new DevicesResponse(properties);
                };
    
                DevicesResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.devices != null && message.devices.length)
                        for (var i = 0; i < message.devices.length; ++i)
                            $root.schat.client.DeviceInfo.encode(message.devices[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                DevicesResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.DevicesResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.devices && message.devices.length))
                                    message.devices = [];
                                message.devices.push($root.schat.client.DeviceInfo.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return DevicesResponse;
            })();
    
            client.DeviceInfo = (function() {
    
                var DeviceInfo = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                DeviceInfo.prototype.device_id = "";
                DeviceInfo.prototype.kind = 0;
                DeviceInfo.prototype.client = "";
                DeviceInfo.prototype.last_login_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                DeviceInfo.prototype.online = false;
                DeviceInfo.prototype.online_since_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                DeviceInfo.prototype.current = false;
    
                DeviceInfo.create = function(properties) {
                    return new DeviceInfo(properties);
                };
    
                DeviceInfo.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.device_id != null && $Object.hasOwnProperty.call(message, "device_id") && message.device_id !== "")
                        writer.uint32(10).string(message.device_id);
                    if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                        writer.uint32(16).int32(message.kind);
                    if (message.client != null && $Object.hasOwnProperty.call(message, "client") && message.client !== "")
                        writer.uint32(26).string(message.client);
                    if (message.last_login_ms != null && $Object.hasOwnProperty.call(message, "last_login_ms") && (typeof message.last_login_ms === "object" ? message.last_login_ms.low || message.last_login_ms.high : message.last_login_ms !== 0))
                        writer.uint32(32).uint64(message.last_login_ms);
                    if (message.online != null && $Object.hasOwnProperty.call(message, "online") && message.online !== false)
                        writer.uint32(40).bool(message.online);
                    if (message.online_since_ms != null && $Object.hasOwnProperty.call(message, "online_since_ms") && (typeof message.online_since_ms === "object" ? message.online_since_ms.low || message.online_since_ms.high : message.online_since_ms !== 0))
                        writer.uint32(48).uint64(message.online_since_ms);
                    if (message.current != null && $Object.hasOwnProperty.call(message, "current") && message.current !== false)
                        writer.uint32(56).bool(message.current);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                DeviceInfo.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.DeviceInfo();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.device_id = value;
                                else
                                    delete message.device_id;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.kind = value;
                                else
                                    delete message.kind;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.client = value;
                                else
                                    delete message.client;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.last_login_ms = value;
                                else
                                    delete message.last_login_ms;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.online = value;
                                else
                                    delete message.online;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.online_since_ms = value;
                                else
                                    delete message.online_since_ms;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.current = value;
                                else
                                    delete message.current;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return DeviceInfo;
            })();
    
            client.EndDeviceRequest = (function() {
    
                var EndDeviceRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                EndDeviceRequest.prototype.device_id = "";
    
                EndDeviceRequest.create = function(properties) {
                    return new EndDeviceRequest(properties);
                };
    
                EndDeviceRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.device_id != null && $Object.hasOwnProperty.call(message, "device_id") && message.device_id !== "")
                        writer.uint32(10).string(message.device_id);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                EndDeviceRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.EndDeviceRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.device_id = value;
                                else
                                    delete message.device_id;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return EndDeviceRequest;
            })();
    
            client.SetNotificationsRequest = (function() {
    
                var SetNotificationsRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                SetNotificationsRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SetNotificationsRequest.prototype.muted = false;
    
                SetNotificationsRequest.create = function(properties) {
                    return new SetNotificationsRequest(properties);
                };
    
                SetNotificationsRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.muted != null && $Object.hasOwnProperty.call(message, "muted") && message.muted !== false)
                        writer.uint32(16).bool(message.muted);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                SetNotificationsRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.SetNotificationsRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.muted = value;
                                else
                                    delete message.muted;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return SetNotificationsRequest;
            })();
    
            client.ReadMarked = (function() {
    
                var ReadMarked = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ReadMarked.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ReadMarked.prototype.read_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                ReadMarked.create = function(properties) {
                    return new ReadMarked(properties);
                };
    
                ReadMarked.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.read_seq != null && $Object.hasOwnProperty.call(message, "read_seq") && (typeof message.read_seq === "object" ? message.read_seq.low || message.read_seq.high : message.read_seq !== 0))
                        writer.uint32(16).uint64(message.read_seq);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ReadMarked.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ReadMarked();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.read_seq = value;
                                else
                                    delete message.read_seq;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ReadMarked;
            })();
    
            client.GetProfileRequest = (function() {
    
                var GetProfileRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GetProfileRequest.create = function(properties) {
                    return new GetProfileRequest(properties);
                };
    
                GetProfileRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GetProfileRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GetProfileRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GetProfileRequest;
            })();
    
            client.UpdateProfileRequest = (function() {
    
                var UpdateProfileRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                UpdateProfileRequest.prototype.display_name = null;
                UpdateProfileRequest.prototype.description = null;
                UpdateProfileRequest.prototype.avatar_url = null;
    
                var $oneOfFields;
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateProfileRequest.prototype, "_display_name", {
                    get: $util.oneOfGetter($oneOfFields = ["display_name"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateProfileRequest.prototype, "_description", {
                    get: $util.oneOfGetter($oneOfFields = ["description"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateProfileRequest.prototype, "_avatar_url", {
                    get: $util.oneOfGetter($oneOfFields = ["avatar_url"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                UpdateProfileRequest.create = function(properties) {
                    return new UpdateProfileRequest(properties);
                };
    
                UpdateProfileRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.display_name != null && $Object.hasOwnProperty.call(message, "display_name"))
                        writer.uint32(10).string(message.display_name);
                    if (message.description != null && $Object.hasOwnProperty.call(message, "description"))
                        writer.uint32(18).string(message.description);
                    if (message.avatar_url != null && $Object.hasOwnProperty.call(message, "avatar_url"))
                        writer.uint32(26).string(message.avatar_url);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                UpdateProfileRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.UpdateProfileRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                message.display_name = reader.stringVerify();
                                message._display_name = "display_name";
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.description = reader.stringVerify();
                                message._description = "description";
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                message.avatar_url = reader.stringVerify();
                                message._avatar_url = "avatar_url";
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return UpdateProfileRequest;
            })();
    
            client.GetUsersRequest = (function() {
    
                var GetUsersRequest = function (properties) {
                    this.uids = [];
                    this.accounts = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GetUsersRequest.prototype.uids = $util.emptyArray;
                GetUsersRequest.prototype.accounts = $util.emptyArray;
    
                GetUsersRequest.create = function(properties) {
                    return new GetUsersRequest(properties);
                };
    
                GetUsersRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uids != null && message.uids.length)
                        writer.uint32(10).uint64s(message.uids);
                    if (message.accounts != null && message.accounts.length)
                        for (var i = 0; i < message.accounts.length; ++i)
                            writer.uint32(18).string(message.accounts[i]);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GetUsersRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GetUsersRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType === 2) {
                                    if (!(message.uids && message.uids.length))
                                        message.uids = [];
                                    reader.uint64s(message.uids);
                                    continue;
                                }
                                if (wireType !== 0)
                                    break;
                                if (!(message.uids && message.uids.length))
                                    message.uids = [];
                                message.uids.push(reader.uint64());
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.accounts && message.accounts.length))
                                    message.accounts = [];
                                message.accounts.push(reader.stringVerify());
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GetUsersRequest;
            })();
    
            client.UsersResponse = (function() {
    
                var UsersResponse = function (properties) {
                    this.users = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                UsersResponse.prototype.users = $util.emptyArray;
    
                UsersResponse.create = function(properties) {
                    return new UsersResponse(properties);
                };
    
                UsersResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.users != null && message.users.length)
                        for (var i = 0; i < message.users.length; ++i)
                            $root.schat.client.UserProfile.encode(message.users[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                UsersResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.UsersResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.users && message.users.length))
                                    message.users = [];
                                message.users.push($root.schat.client.UserProfile.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return UsersResponse;
            })();
    
            client.UserProfile = (function() {
    
                var UserProfile = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                UserProfile.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                UserProfile.prototype.account = "";
                UserProfile.prototype.display_name = "";
                UserProfile.prototype.description = "";
                UserProfile.prototype.avatar_url = "";
                UserProfile.prototype.created_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                UserProfile.prototype.online = false;
    
                UserProfile.create = function(properties) {
                    return new UserProfile(properties);
                };
    
                UserProfile.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.account != null && $Object.hasOwnProperty.call(message, "account") && message.account !== "")
                        writer.uint32(18).string(message.account);
                    if (message.display_name != null && $Object.hasOwnProperty.call(message, "display_name") && message.display_name !== "")
                        writer.uint32(26).string(message.display_name);
                    if (message.description != null && $Object.hasOwnProperty.call(message, "description") && message.description !== "")
                        writer.uint32(34).string(message.description);
                    if (message.avatar_url != null && $Object.hasOwnProperty.call(message, "avatar_url") && message.avatar_url !== "")
                        writer.uint32(42).string(message.avatar_url);
                    if (message.created_at_ms != null && $Object.hasOwnProperty.call(message, "created_at_ms") && (typeof message.created_at_ms === "object" ? message.created_at_ms.low || message.created_at_ms.high : message.created_at_ms !== 0))
                        writer.uint32(48).uint64(message.created_at_ms);
                    if (message.online != null && $Object.hasOwnProperty.call(message, "online") && message.online !== false)
                        writer.uint32(56).bool(message.online);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                UserProfile.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.UserProfile();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.account = value;
                                else
                                    delete message.account;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.display_name = value;
                                else
                                    delete message.display_name;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.description = value;
                                else
                                    delete message.description;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.avatar_url = value;
                                else
                                    delete message.avatar_url;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.created_at_ms = value;
                                else
                                    delete message.created_at_ms;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.online = value;
                                else
                                    delete message.online;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return UserProfile;
            })();
    
            client.Kicked = (function() {
    
                var Kicked = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Kicked.prototype.reason = "";
    
                Kicked.create = function(properties) {
                    return new Kicked(properties);
                };
    
                Kicked.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== "")
                        writer.uint32(10).string(message.reason);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Kicked.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Kicked();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.reason = value;
                                else
                                    delete message.reason;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Kicked;
            })();
    
            client.Closing = (function() {
    
                var Closing = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Closing.prototype.code = 0;
                Closing.prototype.reason = "";
    
                Closing.create = function(properties) {
                    return new Closing(properties);
                };
    
                Closing.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.code != null && $Object.hasOwnProperty.call(message, "code") && message.code !== 0)
                        writer.uint32(8).int32(message.code);
                    if (message.reason != null && $Object.hasOwnProperty.call(message, "reason") && message.reason !== "")
                        writer.uint32(18).string(message.reason);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Closing.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Closing();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.code = value;
                                else
                                    delete message.code;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.reason = value;
                                else
                                    delete message.reason;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Closing;
            })();
    
            client.Done = (function() {
    
                var Done = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Done.create = function(properties) {
                    return new Done(properties);
                };
    
                Done.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Done.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Done();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Done;
            })();
    
            client.JoinPolicy = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "OPEN"] = 0;
                values[valuesById[1] = "PASSWORD"] = 1;
                values[valuesById[2] = "APPROVAL"] = 2;
                values[valuesById[3] = "INVITE_ONLY"] = 3;
                return values;
            })();
    
            client.Role = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "MEMBER"] = 0;
                values[valuesById[1] = "OWNER"] = 1;
                values[valuesById[2] = "ADMIN"] = 2;
                return values;
            })();
    
            client.GroupKind = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "GROUP"] = 0;
                values[valuesById[1] = "DIRECT"] = 1;
                return values;
            })();
    
            client.GroupInfo = (function() {
    
                var GroupInfo = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GroupInfo.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupInfo.prototype.name = "";
                GroupInfo.prototype.description = "";
                GroupInfo.prototype.avatar_url = "";
                GroupInfo.prototype.owner_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupInfo.prototype.join_policy = 0;
                GroupInfo.prototype["public"] = false;
                GroupInfo.prototype.member_cap = 0;
                GroupInfo.prototype.member_count = 0;
                GroupInfo.prototype.created_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupInfo.prototype.latest_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupInfo.prototype.mute_all = false;
                GroupInfo.prototype.kind = 0;
                GroupInfo.prototype.peer_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupInfo.prototype.last_activity_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                GroupInfo.create = function(properties) {
                    return new GroupInfo(properties);
                };
    
                GroupInfo.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                        writer.uint32(18).string(message.name);
                    if (message.description != null && $Object.hasOwnProperty.call(message, "description") && message.description !== "")
                        writer.uint32(26).string(message.description);
                    if (message.avatar_url != null && $Object.hasOwnProperty.call(message, "avatar_url") && message.avatar_url !== "")
                        writer.uint32(34).string(message.avatar_url);
                    if (message.owner_uid != null && $Object.hasOwnProperty.call(message, "owner_uid") && (typeof message.owner_uid === "object" ? message.owner_uid.low || message.owner_uid.high : message.owner_uid !== 0))
                        writer.uint32(40).uint64(message.owner_uid);
                    if (message.join_policy != null && $Object.hasOwnProperty.call(message, "join_policy") && message.join_policy !== 0)
                        writer.uint32(48).int32(message.join_policy);
                    if (message["public"] != null && $Object.hasOwnProperty.call(message, "public") && message["public"] !== false)
                        writer.uint32(56).bool(message["public"]);
                    if (message.member_cap != null && $Object.hasOwnProperty.call(message, "member_cap") && message.member_cap !== 0)
                        writer.uint32(64).uint32(message.member_cap);
                    if (message.member_count != null && $Object.hasOwnProperty.call(message, "member_count") && message.member_count !== 0)
                        writer.uint32(72).uint32(message.member_count);
                    if (message.created_at_ms != null && $Object.hasOwnProperty.call(message, "created_at_ms") && (typeof message.created_at_ms === "object" ? message.created_at_ms.low || message.created_at_ms.high : message.created_at_ms !== 0))
                        writer.uint32(80).uint64(message.created_at_ms);
                    if (message.latest_seq != null && $Object.hasOwnProperty.call(message, "latest_seq") && (typeof message.latest_seq === "object" ? message.latest_seq.low || message.latest_seq.high : message.latest_seq !== 0))
                        writer.uint32(88).uint64(message.latest_seq);
                    if (message.mute_all != null && $Object.hasOwnProperty.call(message, "mute_all") && message.mute_all !== false)
                        writer.uint32(96).bool(message.mute_all);
                    if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                        writer.uint32(104).int32(message.kind);
                    if (message.peer_uid != null && $Object.hasOwnProperty.call(message, "peer_uid") && (typeof message.peer_uid === "object" ? message.peer_uid.low || message.peer_uid.high : message.peer_uid !== 0))
                        writer.uint32(112).uint64(message.peer_uid);
                    if (message.last_activity_ms != null && $Object.hasOwnProperty.call(message, "last_activity_ms") && (typeof message.last_activity_ms === "object" ? message.last_activity_ms.low || message.last_activity_ms.high : message.last_activity_ms !== 0))
                        writer.uint32(120).uint64(message.last_activity_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GroupInfo.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GroupInfo();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.name = value;
                                else
                                    delete message.name;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.description = value;
                                else
                                    delete message.description;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.avatar_url = value;
                                else
                                    delete message.avatar_url;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.owner_uid = value;
                                else
                                    delete message.owner_uid;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.join_policy = value;
                                else
                                    delete message.join_policy;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message["public"] = value;
                                else
                                    delete message["public"];
                                continue;
                            }
                        case 8: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.member_cap = value;
                                else
                                    delete message.member_cap;
                                continue;
                            }
                        case 9: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.member_count = value;
                                else
                                    delete message.member_count;
                                continue;
                            }
                        case 10: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.created_at_ms = value;
                                else
                                    delete message.created_at_ms;
                                continue;
                            }
                        case 11: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.latest_seq = value;
                                else
                                    delete message.latest_seq;
                                continue;
                            }
                        case 12: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.mute_all = value;
                                else
                                    delete message.mute_all;
                                continue;
                            }
                        case 13: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.kind = value;
                                else
                                    delete message.kind;
                                continue;
                            }
                        case 14: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.peer_uid = value;
                                else
                                    delete message.peer_uid;
                                continue;
                            }
                        case 15: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.last_activity_ms = value;
                                else
                                    delete message.last_activity_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GroupInfo;
            })();
    
            client.CreateGroupRequest = (function() {
    
                var CreateGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                CreateGroupRequest.prototype.name = "";
                CreateGroupRequest.prototype.description = "";
                CreateGroupRequest.prototype.avatar_url = "";
                CreateGroupRequest.prototype.join_policy = 0;
                CreateGroupRequest.prototype.password = "";
                CreateGroupRequest.prototype["public"] = false;
                CreateGroupRequest.prototype.member_cap = 0;
    
                CreateGroupRequest.create = function(properties) {
                    return new CreateGroupRequest(properties);
                };
    
                CreateGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.name != null && $Object.hasOwnProperty.call(message, "name") && message.name !== "")
                        writer.uint32(10).string(message.name);
                    if (message.description != null && $Object.hasOwnProperty.call(message, "description") && message.description !== "")
                        writer.uint32(18).string(message.description);
                    if (message.avatar_url != null && $Object.hasOwnProperty.call(message, "avatar_url") && message.avatar_url !== "")
                        writer.uint32(26).string(message.avatar_url);
                    if (message.join_policy != null && $Object.hasOwnProperty.call(message, "join_policy") && message.join_policy !== 0)
                        writer.uint32(32).int32(message.join_policy);
                    if (message.password != null && $Object.hasOwnProperty.call(message, "password") && message.password !== "")
                        writer.uint32(42).string(message.password);
                    if (message["public"] != null && $Object.hasOwnProperty.call(message, "public") && message["public"] !== false)
                        writer.uint32(48).bool(message["public"]);
                    if (message.member_cap != null && $Object.hasOwnProperty.call(message, "member_cap") && message.member_cap !== 0)
                        writer.uint32(56).uint32(message.member_cap);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                CreateGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.CreateGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.name = value;
                                else
                                    delete message.name;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.description = value;
                                else
                                    delete message.description;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.avatar_url = value;
                                else
                                    delete message.avatar_url;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.join_policy = value;
                                else
                                    delete message.join_policy;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.password = value;
                                else
                                    delete message.password;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message["public"] = value;
                                else
                                    delete message["public"];
                                continue;
                            }
                        case 7: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.member_cap = value;
                                else
                                    delete message.member_cap;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return CreateGroupRequest;
            })();
    
            client.JoinGroupRequest = (function() {
    
                var JoinGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                JoinGroupRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                JoinGroupRequest.prototype.password = "";
                JoinGroupRequest.prototype.note = "";
    
                JoinGroupRequest.create = function(properties) {
                    return new JoinGroupRequest(properties);
                };
    
                JoinGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.password != null && $Object.hasOwnProperty.call(message, "password") && message.password !== "")
                        writer.uint32(18).string(message.password);
                    if (message.note != null && $Object.hasOwnProperty.call(message, "note") && message.note !== "")
                        writer.uint32(26).string(message.note);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                JoinGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.JoinGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.password = value;
                                else
                                    delete message.password;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.note = value;
                                else
                                    delete message.note;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return JoinGroupRequest;
            })();
    
            client.JoinStatus = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "JOINED"] = 0;
                values[valuesById[1] = "PENDING"] = 1;
                values[valuesById[2] = "ALREADY_MEMBER"] = 2;
                return values;
            })();
    
            client.JoinGroupResponse = (function() {
    
                var JoinGroupResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                JoinGroupResponse.prototype.status = 0;
                JoinGroupResponse.prototype.group = null;
    
                JoinGroupResponse.create = function(properties) {
                    return new JoinGroupResponse(properties);
                };
    
                JoinGroupResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.status != null && $Object.hasOwnProperty.call(message, "status") && message.status !== 0)
                        writer.uint32(8).int32(message.status);
                    if (message.group != null && $Object.hasOwnProperty.call(message, "group"))
                        $root.schat.client.GroupInfo.encode(message.group, writer.uint32(18).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                JoinGroupResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.JoinGroupResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.status = value;
                                else
                                    delete message.status;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.group = $root.schat.client.GroupInfo.decode(reader, reader.size(), $undefined, _depth + 1, message.group);
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return JoinGroupResponse;
            })();
    
            client.DecideApplicationRequest = (function() {
    
                var DecideApplicationRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                DecideApplicationRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                DecideApplicationRequest.prototype.applicant_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                DecideApplicationRequest.prototype.approve = false;
    
                DecideApplicationRequest.create = function(properties) {
                    return new DecideApplicationRequest(properties);
                };
    
                DecideApplicationRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.applicant_uid != null && $Object.hasOwnProperty.call(message, "applicant_uid") && (typeof message.applicant_uid === "object" ? message.applicant_uid.low || message.applicant_uid.high : message.applicant_uid !== 0))
                        writer.uint32(16).uint64(message.applicant_uid);
                    if (message.approve != null && $Object.hasOwnProperty.call(message, "approve") && message.approve !== false)
                        writer.uint32(24).bool(message.approve);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                DecideApplicationRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.DecideApplicationRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.applicant_uid = value;
                                else
                                    delete message.applicant_uid;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.approve = value;
                                else
                                    delete message.approve;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return DecideApplicationRequest;
            })();
    
            client.InviteRequest = (function() {
    
                var InviteRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                InviteRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                InviteRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                InviteRequest.create = function(properties) {
                    return new InviteRequest(properties);
                };
    
                InviteRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                InviteRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.InviteRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return InviteRequest;
            })();
    
            client.QuitGroupRequest = (function() {
    
                var QuitGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                QuitGroupRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                QuitGroupRequest.create = function(properties) {
                    return new QuitGroupRequest(properties);
                };
    
                QuitGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                QuitGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.QuitGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return QuitGroupRequest;
            })();
    
            client.KickMemberRequest = (function() {
    
                var KickMemberRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                KickMemberRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                KickMemberRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                KickMemberRequest.create = function(properties) {
                    return new KickMemberRequest(properties);
                };
    
                KickMemberRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                KickMemberRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.KickMemberRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return KickMemberRequest;
            })();
    
            client.DismissGroupRequest = (function() {
    
                var DismissGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                DismissGroupRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                DismissGroupRequest.create = function(properties) {
                    return new DismissGroupRequest(properties);
                };
    
                DismissGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                DismissGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.DismissGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return DismissGroupRequest;
            })();
    
            client.GetGroupRequest = (function() {
    
                var GetGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GetGroupRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                GetGroupRequest.create = function(properties) {
                    return new GetGroupRequest(properties);
                };
    
                GetGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GetGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GetGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GetGroupRequest;
            })();
    
            client.ListMembersRequest = (function() {
    
                var ListMembersRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ListMembersRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ListMembersRequest.prototype.after_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ListMembersRequest.prototype.limit = 0;
    
                ListMembersRequest.create = function(properties) {
                    return new ListMembersRequest(properties);
                };
    
                ListMembersRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.after_uid != null && $Object.hasOwnProperty.call(message, "after_uid") && (typeof message.after_uid === "object" ? message.after_uid.low || message.after_uid.high : message.after_uid !== 0))
                        writer.uint32(16).uint64(message.after_uid);
                    if (message.limit != null && $Object.hasOwnProperty.call(message, "limit") && message.limit !== 0)
                        writer.uint32(24).uint32(message.limit);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ListMembersRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ListMembersRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.after_uid = value;
                                else
                                    delete message.after_uid;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.limit = value;
                                else
                                    delete message.limit;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ListMembersRequest;
            })();
    
            client.Member = (function() {
    
                var Member = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Member.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Member.prototype.role = 0;
                Member.prototype.joined_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Member.prototype.muted_until_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                Member.create = function(properties) {
                    return new Member(properties);
                };
    
                Member.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.role != null && $Object.hasOwnProperty.call(message, "role") && message.role !== 0)
                        writer.uint32(16).int32(message.role);
                    if (message.joined_at_ms != null && $Object.hasOwnProperty.call(message, "joined_at_ms") && (typeof message.joined_at_ms === "object" ? message.joined_at_ms.low || message.joined_at_ms.high : message.joined_at_ms !== 0))
                        writer.uint32(24).uint64(message.joined_at_ms);
                    if (message.muted_until_ms != null && $Object.hasOwnProperty.call(message, "muted_until_ms") && (typeof message.muted_until_ms === "object" ? message.muted_until_ms.low || message.muted_until_ms.high : message.muted_until_ms !== 0))
                        writer.uint32(32).uint64(message.muted_until_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Member.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Member();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.role = value;
                                else
                                    delete message.role;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.joined_at_ms = value;
                                else
                                    delete message.joined_at_ms;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.muted_until_ms = value;
                                else
                                    delete message.muted_until_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Member;
            })();
    
            client.MembersResponse = (function() {
    
                var MembersResponse = function (properties) {
                    this.members = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MembersResponse.prototype.members = $util.emptyArray;
                MembersResponse.prototype.next_after_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                MembersResponse.create = function(properties) {
                    return new MembersResponse(properties);
                };
    
                MembersResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.members != null && message.members.length)
                        for (var i = 0; i < message.members.length; ++i)
                            $root.schat.client.Member.encode(message.members[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.next_after_uid != null && $Object.hasOwnProperty.call(message, "next_after_uid") && (typeof message.next_after_uid === "object" ? message.next_after_uid.low || message.next_after_uid.high : message.next_after_uid !== 0))
                        writer.uint32(16).uint64(message.next_after_uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MembersResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MembersResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.members && message.members.length))
                                    message.members = [];
                                message.members.push($root.schat.client.Member.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.next_after_uid = value;
                                else
                                    delete message.next_after_uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MembersResponse;
            })();
    
            client.UpdateGroupRequest = (function() {
    
                var UpdateGroupRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                UpdateGroupRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                UpdateGroupRequest.prototype.name = null;
                UpdateGroupRequest.prototype.description = null;
                UpdateGroupRequest.prototype.avatar_url = null;
                UpdateGroupRequest.prototype["public"] = null;
    
                var $oneOfFields;
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateGroupRequest.prototype, "_name", {
                    get: $util.oneOfGetter($oneOfFields = ["name"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateGroupRequest.prototype, "_description", {
                    get: $util.oneOfGetter($oneOfFields = ["description"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateGroupRequest.prototype, "_avatar_url", {
                    get: $util.oneOfGetter($oneOfFields = ["avatar_url"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                // Virtual OneOf for proto3 optional field
                $Object.defineProperty(UpdateGroupRequest.prototype, "_public", {
                    get: $util.oneOfGetter($oneOfFields = ["public"]),
                    set: $util.oneOfSetter($oneOfFields)
                });
    
                UpdateGroupRequest.create = function(properties) {
                    return new UpdateGroupRequest(properties);
                };
    
                UpdateGroupRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.name != null && $Object.hasOwnProperty.call(message, "name"))
                        writer.uint32(18).string(message.name);
                    if (message.description != null && $Object.hasOwnProperty.call(message, "description"))
                        writer.uint32(26).string(message.description);
                    if (message.avatar_url != null && $Object.hasOwnProperty.call(message, "avatar_url"))
                        writer.uint32(34).string(message.avatar_url);
                    if (message["public"] != null && $Object.hasOwnProperty.call(message, "public"))
                        writer.uint32(40).bool(message["public"]);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                UpdateGroupRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.UpdateGroupRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                message.name = reader.stringVerify();
                                message._name = "name";
                                continue;
                            }
                        case 3: {
                                if (wireType !== 2)
                                    break;
                                message.description = reader.stringVerify();
                                message._description = "description";
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                message.avatar_url = reader.stringVerify();
                                message._avatar_url = "avatar_url";
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                message["public"] = reader.bool();
                                message._public = "public";
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return UpdateGroupRequest;
            })();
    
            client.SetRoleRequest = (function() {
    
                var SetRoleRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                SetRoleRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SetRoleRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SetRoleRequest.prototype.role = 0;
    
                SetRoleRequest.create = function(properties) {
                    return new SetRoleRequest(properties);
                };
    
                SetRoleRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.role != null && $Object.hasOwnProperty.call(message, "role") && message.role !== 0)
                        writer.uint32(24).int32(message.role);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                SetRoleRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.SetRoleRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.role = value;
                                else
                                    delete message.role;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return SetRoleRequest;
            })();
    
            client.TransferOwnershipRequest = (function() {
    
                var TransferOwnershipRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                TransferOwnershipRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                TransferOwnershipRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                TransferOwnershipRequest.create = function(properties) {
                    return new TransferOwnershipRequest(properties);
                };
    
                TransferOwnershipRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                TransferOwnershipRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.TransferOwnershipRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return TransferOwnershipRequest;
            })();
    
            client.MuteMemberRequest = (function() {
    
                var MuteMemberRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MuteMemberRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MuteMemberRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MuteMemberRequest.prototype.duration_secs = 0;
    
                MuteMemberRequest.create = function(properties) {
                    return new MuteMemberRequest(properties);
                };
    
                MuteMemberRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.duration_secs != null && $Object.hasOwnProperty.call(message, "duration_secs") && message.duration_secs !== 0)
                        writer.uint32(24).uint32(message.duration_secs);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MuteMemberRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MuteMemberRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.duration_secs = value;
                                else
                                    delete message.duration_secs;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MuteMemberRequest;
            })();
    
            client.MuteAllRequest = (function() {
    
                var MuteAllRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MuteAllRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MuteAllRequest.prototype.muted = false;
    
                MuteAllRequest.create = function(properties) {
                    return new MuteAllRequest(properties);
                };
    
                MuteAllRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.muted != null && $Object.hasOwnProperty.call(message, "muted") && message.muted !== false)
                        writer.uint32(16).bool(message.muted);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MuteAllRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MuteAllRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.muted = value;
                                else
                                    delete message.muted;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MuteAllRequest;
            })();
    
            client.ListPublicGroupsRequest = (function() {
    
                var ListPublicGroupsRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ListPublicGroupsRequest.prototype.after_gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ListPublicGroupsRequest.prototype.limit = 0;
    
                ListPublicGroupsRequest.create = function(properties) {
                    return new ListPublicGroupsRequest(properties);
                };
    
                ListPublicGroupsRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.after_gid != null && $Object.hasOwnProperty.call(message, "after_gid") && (typeof message.after_gid === "object" ? message.after_gid.low || message.after_gid.high : message.after_gid !== 0))
                        writer.uint32(8).uint64(message.after_gid);
                    if (message.limit != null && $Object.hasOwnProperty.call(message, "limit") && message.limit !== 0)
                        writer.uint32(16).uint32(message.limit);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ListPublicGroupsRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ListPublicGroupsRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.after_gid = value;
                                else
                                    delete message.after_gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.limit = value;
                                else
                                    delete message.limit;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ListPublicGroupsRequest;
            })();
    
            client.GroupsResponse = (function() {
    
                var GroupsResponse = function (properties) {
                    this.groups = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GroupsResponse.prototype.groups = $util.emptyArray;
                GroupsResponse.prototype.next_after_gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                GroupsResponse.create = function(properties) {
                    return new GroupsResponse(properties);
                };
    
                GroupsResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.groups != null && message.groups.length)
                        for (var i = 0; i < message.groups.length; ++i)
                            $root.schat.client.GroupInfo.encode(message.groups[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.next_after_gid != null && $Object.hasOwnProperty.call(message, "next_after_gid") && (typeof message.next_after_gid === "object" ? message.next_after_gid.low || message.next_after_gid.high : message.next_after_gid !== 0))
                        writer.uint32(16).uint64(message.next_after_gid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GroupsResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GroupsResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.groups && message.groups.length))
                                    message.groups = [];
                                message.groups.push($root.schat.client.GroupInfo.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.next_after_gid = value;
                                else
                                    delete message.next_after_gid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GroupsResponse;
            })();
    
            client.MyGroupsRequest = (function() {
    
                var MyGroupsRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MyGroupsRequest.create = function(properties) {
                    return new MyGroupsRequest(properties);
                };
    
                MyGroupsRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MyGroupsRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MyGroupsRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MyGroupsRequest;
            })();
    
            client.GroupState = (function() {
    
                var GroupState = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                GroupState.prototype.group = null;
                GroupState.prototype.read_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupState.prototype.unread = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupState.prototype.peer_read_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                GroupState.prototype.notifications_muted = false;
    
                GroupState.create = function(properties) {
                    return new GroupState(properties);
                };
    
                GroupState.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.group != null && $Object.hasOwnProperty.call(message, "group"))
                        $root.schat.client.GroupInfo.encode(message.group, writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.read_seq != null && $Object.hasOwnProperty.call(message, "read_seq") && (typeof message.read_seq === "object" ? message.read_seq.low || message.read_seq.high : message.read_seq !== 0))
                        writer.uint32(16).uint64(message.read_seq);
                    if (message.unread != null && $Object.hasOwnProperty.call(message, "unread") && (typeof message.unread === "object" ? message.unread.low || message.unread.high : message.unread !== 0))
                        writer.uint32(24).uint64(message.unread);
                    if (message.peer_read_seq != null && $Object.hasOwnProperty.call(message, "peer_read_seq") && (typeof message.peer_read_seq === "object" ? message.peer_read_seq.low || message.peer_read_seq.high : message.peer_read_seq !== 0))
                        writer.uint32(32).uint64(message.peer_read_seq);
                    if (message.notifications_muted != null && $Object.hasOwnProperty.call(message, "notifications_muted") && message.notifications_muted !== false)
                        writer.uint32(40).bool(message.notifications_muted);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                GroupState.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.GroupState();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                message.group = $root.schat.client.GroupInfo.decode(reader, reader.size(), $undefined, _depth + 1, message.group);
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.read_seq = value;
                                else
                                    delete message.read_seq;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.unread = value;
                                else
                                    delete message.unread;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.peer_read_seq = value;
                                else
                                    delete message.peer_read_seq;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.notifications_muted = value;
                                else
                                    delete message.notifications_muted;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return GroupState;
            })();
    
            client.MyGroupsResponse = (function() {
    
                var MyGroupsResponse = function (properties) {
                    this.groups = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MyGroupsResponse.prototype.groups = $util.emptyArray;
    
                MyGroupsResponse.create = function(properties) {
                    return new MyGroupsResponse(properties);
                };
    
                MyGroupsResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.groups != null && message.groups.length)
                        for (var i = 0; i < message.groups.length; ++i)
                            $root.schat.client.GroupState.encode(message.groups[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MyGroupsResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MyGroupsResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.groups && message.groups.length))
                                    message.groups = [];
                                message.groups.push($root.schat.client.GroupState.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MyGroupsResponse;
            })();
    
            client.OpenDirectRequest = (function() {
    
                var OpenDirectRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                OpenDirectRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                OpenDirectRequest.create = function(properties) {
                    return new OpenDirectRequest(properties);
                };
    
                OpenDirectRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                OpenDirectRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.OpenDirectRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return OpenDirectRequest;
            })();
    
            client.Privacy = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "ANYONE"] = 0;
                values[valuesById[1] = "CONTACTS_ONLY"] = 1;
                return values;
            })();
    
            client.AddContactRequest = (function() {
    
                var AddContactRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                AddContactRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                AddContactRequest.prototype.note = "";
    
                AddContactRequest.create = function(properties) {
                    return new AddContactRequest(properties);
                };
    
                AddContactRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.note != null && $Object.hasOwnProperty.call(message, "note") && message.note !== "")
                        writer.uint32(18).string(message.note);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                AddContactRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.AddContactRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.note = value;
                                else
                                    delete message.note;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return AddContactRequest;
            })();
    
            client.DecideContactRequest = (function() {
    
                var DecideContactRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                DecideContactRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                DecideContactRequest.prototype.accept = false;
    
                DecideContactRequest.create = function(properties) {
                    return new DecideContactRequest(properties);
                };
    
                DecideContactRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.accept != null && $Object.hasOwnProperty.call(message, "accept") && message.accept !== false)
                        writer.uint32(16).bool(message.accept);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                DecideContactRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.DecideContactRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.accept = value;
                                else
                                    delete message.accept;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return DecideContactRequest;
            })();
    
            client.RemoveContactRequest = (function() {
    
                var RemoveContactRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                RemoveContactRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                RemoveContactRequest.create = function(properties) {
                    return new RemoveContactRequest(properties);
                };
    
                RemoveContactRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                RemoveContactRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.RemoveContactRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return RemoveContactRequest;
            })();
    
            client.BlockRequest = (function() {
    
                var BlockRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                BlockRequest.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                BlockRequest.prototype.blocked = false;
    
                BlockRequest.create = function(properties) {
                    return new BlockRequest(properties);
                };
    
                BlockRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.blocked != null && $Object.hasOwnProperty.call(message, "blocked") && message.blocked !== false)
                        writer.uint32(16).bool(message.blocked);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                BlockRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.BlockRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.blocked = value;
                                else
                                    delete message.blocked;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return BlockRequest;
            })();
    
            client.ListContactsRequest = (function() {
    
                var ListContactsRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ListContactsRequest.create = function(properties) {
                    return new ListContactsRequest(properties);
                };
    
                ListContactsRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ListContactsRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ListContactsRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        reader.skipType(tag & 7, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ListContactsRequest;
            })();
    
            client.SetPrivacyRequest = (function() {
    
                var SetPrivacyRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                SetPrivacyRequest.prototype.privacy = 0;
    
                SetPrivacyRequest.create = function(properties) {
                    return new SetPrivacyRequest(properties);
                };
    
                SetPrivacyRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.privacy != null && $Object.hasOwnProperty.call(message, "privacy") && message.privacy !== 0)
                        writer.uint32(8).int32(message.privacy);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                SetPrivacyRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.SetPrivacyRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.privacy = value;
                                else
                                    delete message.privacy;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return SetPrivacyRequest;
            })();
    
            client.Contact = (function() {
    
                var Contact = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Contact.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Contact.prototype.since_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Contact.prototype.online = false;
    
                Contact.create = function(properties) {
                    return new Contact(properties);
                };
    
                Contact.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(8).uint64(message.uid);
                    if (message.since_ms != null && $Object.hasOwnProperty.call(message, "since_ms") && (typeof message.since_ms === "object" ? message.since_ms.low || message.since_ms.high : message.since_ms !== 0))
                        writer.uint32(16).uint64(message.since_ms);
                    if (message.online != null && $Object.hasOwnProperty.call(message, "online") && message.online !== false)
                        writer.uint32(24).bool(message.online);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Contact.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Contact();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.since_ms = value;
                                else
                                    delete message.since_ms;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.online = value;
                                else
                                    delete message.online;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Contact;
            })();
    
            client.ContactRequestInfo = (function() {
    
                var ContactRequestInfo = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ContactRequestInfo.prototype.from_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ContactRequestInfo.prototype.note = "";
    
                ContactRequestInfo.create = function(properties) {
                    return new ContactRequestInfo(properties);
                };
    
                ContactRequestInfo.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.from_uid != null && $Object.hasOwnProperty.call(message, "from_uid") && (typeof message.from_uid === "object" ? message.from_uid.low || message.from_uid.high : message.from_uid !== 0))
                        writer.uint32(8).uint64(message.from_uid);
                    if (message.note != null && $Object.hasOwnProperty.call(message, "note") && message.note !== "")
                        writer.uint32(18).string(message.note);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ContactRequestInfo.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ContactRequestInfo();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.from_uid = value;
                                else
                                    delete message.from_uid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.note = value;
                                else
                                    delete message.note;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ContactRequestInfo;
            })();
    
            client.ContactsResponse = (function() {
    
                var ContactsResponse = function (properties) {
                    this.contacts = [];
                    this.incoming = [];
                    this.outgoing = [];
                    this.blocked = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ContactsResponse.prototype.contacts = $util.emptyArray;
                ContactsResponse.prototype.incoming = $util.emptyArray;
                ContactsResponse.prototype.outgoing = $util.emptyArray;
                ContactsResponse.prototype.blocked = $util.emptyArray;
                ContactsResponse.prototype.privacy = 0;
    
                ContactsResponse.create = function(properties) {
                    return new ContactsResponse(properties);
                };
    
                ContactsResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.contacts != null && message.contacts.length)
                        for (var i = 0; i < message.contacts.length; ++i)
                            $root.schat.client.Contact.encode(message.contacts[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.incoming != null && message.incoming.length)
                        for (var i = 0; i < message.incoming.length; ++i)
                            $root.schat.client.ContactRequestInfo.encode(message.incoming[i], writer.uint32(18).fork(), _depth + 1).ldelim();
                    if (message.outgoing != null && message.outgoing.length)
                        writer.uint32(26).uint64s(message.outgoing);
                    if (message.blocked != null && message.blocked.length)
                        writer.uint32(34).uint64s(message.blocked);
                    if (message.privacy != null && $Object.hasOwnProperty.call(message, "privacy") && message.privacy !== 0)
                        writer.uint32(40).int32(message.privacy);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ContactsResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ContactsResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.contacts && message.contacts.length))
                                    message.contacts = [];
                                message.contacts.push($root.schat.client.Contact.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.incoming && message.incoming.length))
                                    message.incoming = [];
                                message.incoming.push($root.schat.client.ContactRequestInfo.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        case 3: {
                                if (wireType === 2) {
                                    if (!(message.outgoing && message.outgoing.length))
                                        message.outgoing = [];
                                    reader.uint64s(message.outgoing);
                                    continue;
                                }
                                if (wireType !== 0)
                                    break;
                                if (!(message.outgoing && message.outgoing.length))
                                    message.outgoing = [];
                                message.outgoing.push(reader.uint64());
                                continue;
                            }
                        case 4: {
                                if (wireType === 2) {
                                    if (!(message.blocked && message.blocked.length))
                                        message.blocked = [];
                                    reader.uint64s(message.blocked);
                                    continue;
                                }
                                if (wireType !== 0)
                                    break;
                                if (!(message.blocked && message.blocked.length))
                                    message.blocked = [];
                                message.blocked.push(reader.uint64());
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.privacy = value;
                                else
                                    delete message.privacy;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ContactsResponse;
            })();
    
            client.NoticeKind = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "NOTICE_UNSPECIFIED"] = 0;
                values[valuesById[1] = "APPLICATION"] = 1;
                values[valuesById[2] = "APPROVED"] = 2;
                values[valuesById[3] = "DENIED"] = 3;
                values[valuesById[4] = "INVITED"] = 4;
                values[valuesById[5] = "KICKED"] = 5;
                values[valuesById[6] = "DISMISSED"] = 6;
                values[valuesById[7] = "ROLE_CHANGED"] = 7;
                values[valuesById[8] = "MUTE_CHANGED"] = 8;
                values[valuesById[9] = "CONTACT_REQUEST"] = 9;
                values[valuesById[10] = "CONTACT_ACCEPTED"] = 10;
                values[valuesById[11] = "CONTACT_DECLINED"] = 11;
                return values;
            })();
    
            client.Notice = (function() {
    
                var Notice = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Notice.prototype.id = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Notice.prototype.kind = 0;
                Notice.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Notice.prototype.group_name = "";
                Notice.prototype.from_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Notice.prototype.note = "";
                Notice.prototype.at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Notice.prototype.role = 0;
                Notice.prototype.until_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                Notice.create = function(properties) {
                    return new Notice(properties);
                };
    
                Notice.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.id != null && $Object.hasOwnProperty.call(message, "id") && (typeof message.id === "object" ? message.id.low || message.id.high : message.id !== 0))
                        writer.uint32(8).uint64(message.id);
                    if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                        writer.uint32(16).int32(message.kind);
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(24).uint64(message.gid);
                    if (message.group_name != null && $Object.hasOwnProperty.call(message, "group_name") && message.group_name !== "")
                        writer.uint32(34).string(message.group_name);
                    if (message.from_uid != null && $Object.hasOwnProperty.call(message, "from_uid") && (typeof message.from_uid === "object" ? message.from_uid.low || message.from_uid.high : message.from_uid !== 0))
                        writer.uint32(40).uint64(message.from_uid);
                    if (message.note != null && $Object.hasOwnProperty.call(message, "note") && message.note !== "")
                        writer.uint32(50).string(message.note);
                    if (message.at_ms != null && $Object.hasOwnProperty.call(message, "at_ms") && (typeof message.at_ms === "object" ? message.at_ms.low || message.at_ms.high : message.at_ms !== 0))
                        writer.uint32(56).uint64(message.at_ms);
                    if (message.role != null && $Object.hasOwnProperty.call(message, "role") && message.role !== 0)
                        writer.uint32(64).int32(message.role);
                    if (message.until_ms != null && $Object.hasOwnProperty.call(message, "until_ms") && (typeof message.until_ms === "object" ? message.until_ms.low || message.until_ms.high : message.until_ms !== 0))
                        writer.uint32(72).uint64(message.until_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Notice.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Notice();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.id = value;
                                else
                                    delete message.id;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.kind = value;
                                else
                                    delete message.kind;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.group_name = value;
                                else
                                    delete message.group_name;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.from_uid = value;
                                else
                                    delete message.from_uid;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.note = value;
                                else
                                    delete message.note;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.at_ms = value;
                                else
                                    delete message.at_ms;
                                continue;
                            }
                        case 8: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.role = value;
                                else
                                    delete message.role;
                                continue;
                            }
                        case 9: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.until_ms = value;
                                else
                                    delete message.until_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Notice;
            })();
    
            client.ListNoticesRequest = (function() {
    
                var ListNoticesRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ListNoticesRequest.prototype.after_id = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                ListNoticesRequest.create = function(properties) {
                    return new ListNoticesRequest(properties);
                };
    
                ListNoticesRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.after_id != null && $Object.hasOwnProperty.call(message, "after_id") && (typeof message.after_id === "object" ? message.after_id.low || message.after_id.high : message.after_id !== 0))
                        writer.uint32(8).uint64(message.after_id);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ListNoticesRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ListNoticesRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.after_id = value;
                                else
                                    delete message.after_id;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ListNoticesRequest;
            })();
    
            client.NoticesResponse = (function() {
    
                var NoticesResponse = function (properties) {
                    this.notices = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                NoticesResponse.prototype.notices = $util.emptyArray;
    
                NoticesResponse.create = function(properties) {
                    return new NoticesResponse(properties);
                };
    
                NoticesResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.notices != null && message.notices.length)
                        for (var i = 0; i < message.notices.length; ++i)
                            $root.schat.client.Notice.encode(message.notices[i], writer.uint32(10).fork(), _depth + 1).ldelim();
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                NoticesResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.NoticesResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.notices && message.notices.length))
                                    message.notices = [];
                                message.notices.push($root.schat.client.Notice.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return NoticesResponse;
            })();
    
            client.AckNoticesRequest = (function() {
    
                var AckNoticesRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                AckNoticesRequest.prototype.up_to_id = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                AckNoticesRequest.create = function(properties) {
                    return new AckNoticesRequest(properties);
                };
    
                AckNoticesRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.up_to_id != null && $Object.hasOwnProperty.call(message, "up_to_id") && (typeof message.up_to_id === "object" ? message.up_to_id.low || message.up_to_id.high : message.up_to_id !== 0))
                        writer.uint32(8).uint64(message.up_to_id);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                AckNoticesRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.AckNoticesRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.up_to_id = value;
                                else
                                    delete message.up_to_id;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return AckNoticesRequest;
            })();
    
            client.MessageKind = (function() {
                var valuesById = $Object.create(null), values = $Object.create(valuesById);
                values[valuesById[0] = "TEXT"] = 0;
                values[valuesById[1] = "IMAGE"] = 1;
                values[valuesById[2] = "FILE"] = 2;
                values[valuesById[3] = "VOICE"] = 3;
                values[valuesById[4] = "VIDEO"] = 4;
                values[valuesById[5] = "SYSTEM"] = 5;
                values[valuesById[6] = "RECALL"] = 6;
                return values;
            })();
    
            client.ChatMessage = (function() {
    
                var ChatMessage = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ChatMessage.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ChatMessage.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ChatMessage.prototype.sender_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ChatMessage.prototype.client_msg_id = "";
                ChatMessage.prototype.kind = 0;
                ChatMessage.prototype.text = "";
                ChatMessage.prototype.media_url = "";
                ChatMessage.prototype.sent_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ChatMessage.prototype.recalled = false;
                ChatMessage.prototype.recall_of = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                ChatMessage.create = function(properties) {
                    return new ChatMessage(properties);
                };
    
                ChatMessage.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                        writer.uint32(16).uint64(message.seq);
                    if (message.sender_uid != null && $Object.hasOwnProperty.call(message, "sender_uid") && (typeof message.sender_uid === "object" ? message.sender_uid.low || message.sender_uid.high : message.sender_uid !== 0))
                        writer.uint32(24).uint64(message.sender_uid);
                    if (message.client_msg_id != null && $Object.hasOwnProperty.call(message, "client_msg_id") && message.client_msg_id !== "")
                        writer.uint32(34).string(message.client_msg_id);
                    if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                        writer.uint32(40).int32(message.kind);
                    if (message.text != null && $Object.hasOwnProperty.call(message, "text") && message.text !== "")
                        writer.uint32(50).string(message.text);
                    if (message.media_url != null && $Object.hasOwnProperty.call(message, "media_url") && message.media_url !== "")
                        writer.uint32(58).string(message.media_url);
                    if (message.sent_at_ms != null && $Object.hasOwnProperty.call(message, "sent_at_ms") && (typeof message.sent_at_ms === "object" ? message.sent_at_ms.low || message.sent_at_ms.high : message.sent_at_ms !== 0))
                        writer.uint32(64).uint64(message.sent_at_ms);
                    if (message.recalled != null && $Object.hasOwnProperty.call(message, "recalled") && message.recalled !== false)
                        writer.uint32(72).bool(message.recalled);
                    if (message.recall_of != null && $Object.hasOwnProperty.call(message, "recall_of") && (typeof message.recall_of === "object" ? message.recall_of.low || message.recall_of.high : message.recall_of !== 0))
                        writer.uint32(80).uint64(message.recall_of);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ChatMessage.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ChatMessage();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.seq = value;
                                else
                                    delete message.seq;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.sender_uid = value;
                                else
                                    delete message.sender_uid;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.client_msg_id = value;
                                else
                                    delete message.client_msg_id;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.kind = value;
                                else
                                    delete message.kind;
                                continue;
                            }
                        case 6: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.text = value;
                                else
                                    delete message.text;
                                continue;
                            }
                        case 7: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.media_url = value;
                                else
                                    delete message.media_url;
                                continue;
                            }
                        case 8: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.sent_at_ms = value;
                                else
                                    delete message.sent_at_ms;
                                continue;
                            }
                        case 9: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.recalled = value;
                                else
                                    delete message.recalled;
                                continue;
                            }
                        case 10: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.recall_of = value;
                                else
                                    delete message.recall_of;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ChatMessage;
            })();
    
            client.SendMessageRequest = (function() {
    
                var SendMessageRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                SendMessageRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SendMessageRequest.prototype.client_msg_id = "";
                SendMessageRequest.prototype.kind = 0;
                SendMessageRequest.prototype.text = "";
                SendMessageRequest.prototype.media_url = "";
    
                SendMessageRequest.create = function(properties) {
                    return new SendMessageRequest(properties);
                };
    
                SendMessageRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.client_msg_id != null && $Object.hasOwnProperty.call(message, "client_msg_id") && message.client_msg_id !== "")
                        writer.uint32(18).string(message.client_msg_id);
                    if (message.kind != null && $Object.hasOwnProperty.call(message, "kind") && message.kind !== 0)
                        writer.uint32(24).int32(message.kind);
                    if (message.text != null && $Object.hasOwnProperty.call(message, "text") && message.text !== "")
                        writer.uint32(34).string(message.text);
                    if (message.media_url != null && $Object.hasOwnProperty.call(message, "media_url") && message.media_url !== "")
                        writer.uint32(42).string(message.media_url);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                SendMessageRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.SendMessageRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.client_msg_id = value;
                                else
                                    delete message.client_msg_id;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.int32())
                                    message.kind = value;
                                else
                                    delete message.kind;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.text = value;
                                else
                                    delete message.text;
                                continue;
                            }
                        case 5: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.media_url = value;
                                else
                                    delete message.media_url;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return SendMessageRequest;
            })();
    
            client.SendMessageResponse = (function() {
    
                var SendMessageResponse = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                SendMessageResponse.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SendMessageResponse.prototype.server_time_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                SendMessageResponse.prototype.duplicate = false;
    
                SendMessageResponse.create = function(properties) {
                    return new SendMessageResponse(properties);
                };
    
                SendMessageResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                        writer.uint32(8).uint64(message.seq);
                    if (message.server_time_ms != null && $Object.hasOwnProperty.call(message, "server_time_ms") && (typeof message.server_time_ms === "object" ? message.server_time_ms.low || message.server_time_ms.high : message.server_time_ms !== 0))
                        writer.uint32(16).uint64(message.server_time_ms);
                    if (message.duplicate != null && $Object.hasOwnProperty.call(message, "duplicate") && message.duplicate !== false)
                        writer.uint32(24).bool(message.duplicate);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                SendMessageResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.SendMessageResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.seq = value;
                                else
                                    delete message.seq;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.server_time_ms = value;
                                else
                                    delete message.server_time_ms;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.bool())
                                    message.duplicate = value;
                                else
                                    delete message.duplicate;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return SendMessageResponse;
            })();
    
            client.PullMessagesRequest = (function() {
    
                var PullMessagesRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                PullMessagesRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                PullMessagesRequest.prototype.from_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                PullMessagesRequest.prototype.limit = 0;
    
                PullMessagesRequest.create = function(properties) {
                    return new PullMessagesRequest(properties);
                };
    
                PullMessagesRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.from_seq != null && $Object.hasOwnProperty.call(message, "from_seq") && (typeof message.from_seq === "object" ? message.from_seq.low || message.from_seq.high : message.from_seq !== 0))
                        writer.uint32(16).uint64(message.from_seq);
                    if (message.limit != null && $Object.hasOwnProperty.call(message, "limit") && message.limit !== 0)
                        writer.uint32(24).uint32(message.limit);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                PullMessagesRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.PullMessagesRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.from_seq = value;
                                else
                                    delete message.from_seq;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.limit = value;
                                else
                                    delete message.limit;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return PullMessagesRequest;
            })();
    
            client.HistoryRequest = (function() {
    
                var HistoryRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                HistoryRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                HistoryRequest.prototype.before_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                HistoryRequest.prototype.limit = 0;
    
                HistoryRequest.create = function(properties) {
                    return new HistoryRequest(properties);
                };
    
                HistoryRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.before_seq != null && $Object.hasOwnProperty.call(message, "before_seq") && (typeof message.before_seq === "object" ? message.before_seq.low || message.before_seq.high : message.before_seq !== 0))
                        writer.uint32(16).uint64(message.before_seq);
                    if (message.limit != null && $Object.hasOwnProperty.call(message, "limit") && message.limit !== 0)
                        writer.uint32(24).uint32(message.limit);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                HistoryRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.HistoryRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.before_seq = value;
                                else
                                    delete message.before_seq;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.limit = value;
                                else
                                    delete message.limit;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return HistoryRequest;
            })();
    
            client.MessagesResponse = (function() {
    
                var MessagesResponse = function (properties) {
                    this.messages = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MessagesResponse.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MessagesResponse.prototype.messages = $util.emptyArray;
                MessagesResponse.prototype.latest_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MessagesResponse.prototype.first_seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                MessagesResponse.create = function(properties) {
                    return new MessagesResponse(properties);
                };
    
                MessagesResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.messages != null && message.messages.length)
                        for (var i = 0; i < message.messages.length; ++i)
                            $root.schat.client.ChatMessage.encode(message.messages[i], writer.uint32(18).fork(), _depth + 1).ldelim();
                    if (message.latest_seq != null && $Object.hasOwnProperty.call(message, "latest_seq") && (typeof message.latest_seq === "object" ? message.latest_seq.low || message.latest_seq.high : message.latest_seq !== 0))
                        writer.uint32(24).uint64(message.latest_seq);
                    if (message.first_seq != null && $Object.hasOwnProperty.call(message, "first_seq") && (typeof message.first_seq === "object" ? message.first_seq.low || message.first_seq.high : message.first_seq !== 0))
                        writer.uint32(32).uint64(message.first_seq);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MessagesResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MessagesResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 2)
                                    break;
                                if (!(message.messages && message.messages.length))
                                    message.messages = [];
                                message.messages.push($root.schat.client.ChatMessage.decode(reader, reader.size(), $undefined, _depth + 1));
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.latest_seq = value;
                                else
                                    delete message.latest_seq;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.first_seq = value;
                                else
                                    delete message.first_seq;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MessagesResponse;
            })();
    
            client.MarkReadRequest = (function() {
    
                var MarkReadRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                MarkReadRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                MarkReadRequest.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                MarkReadRequest.create = function(properties) {
                    return new MarkReadRequest(properties);
                };
    
                MarkReadRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                        writer.uint32(16).uint64(message.seq);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                MarkReadRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.MarkReadRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.seq = value;
                                else
                                    delete message.seq;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return MarkReadRequest;
            })();
    
            client.RecallMessageRequest = (function() {
    
                var RecallMessageRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                RecallMessageRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                RecallMessageRequest.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                RecallMessageRequest.create = function(properties) {
                    return new RecallMessageRequest(properties);
                };
    
                RecallMessageRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                        writer.uint32(16).uint64(message.seq);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                RecallMessageRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.RecallMessageRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.seq = value;
                                else
                                    delete message.seq;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return RecallMessageRequest;
            })();
    
            client.ReadersRequest = (function() {
    
                var ReadersRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ReadersRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ReadersRequest.prototype.seq = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ReadersRequest.prototype.after_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                ReadersRequest.prototype.limit = 0;
    
                ReadersRequest.create = function(properties) {
                    return new ReadersRequest(properties);
                };
    
                ReadersRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.seq != null && $Object.hasOwnProperty.call(message, "seq") && (typeof message.seq === "object" ? message.seq.low || message.seq.high : message.seq !== 0))
                        writer.uint32(16).uint64(message.seq);
                    if (message.after_uid != null && $Object.hasOwnProperty.call(message, "after_uid") && (typeof message.after_uid === "object" ? message.after_uid.low || message.after_uid.high : message.after_uid !== 0))
                        writer.uint32(24).uint64(message.after_uid);
                    if (message.limit != null && $Object.hasOwnProperty.call(message, "limit") && message.limit !== 0)
                        writer.uint32(32).uint32(message.limit);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ReadersRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ReadersRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.seq = value;
                                else
                                    delete message.seq;
                                continue;
                            }
                        case 3: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.after_uid = value;
                                else
                                    delete message.after_uid;
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.limit = value;
                                else
                                    delete message.limit;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ReadersRequest;
            })();
    
            client.ReadersResponse = (function() {
    
                var ReadersResponse = function (properties) {
                    this.readers = [];
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                ReadersResponse.prototype.read_count = 0;
                ReadersResponse.prototype.unread_count = 0;
                ReadersResponse.prototype.readers = $util.emptyArray;
                ReadersResponse.prototype.next_after_uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                ReadersResponse.create = function(properties) {
                    return new ReadersResponse(properties);
                };
    
                ReadersResponse.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.read_count != null && $Object.hasOwnProperty.call(message, "read_count") && message.read_count !== 0)
                        writer.uint32(8).uint32(message.read_count);
                    if (message.unread_count != null && $Object.hasOwnProperty.call(message, "unread_count") && message.unread_count !== 0)
                        writer.uint32(16).uint32(message.unread_count);
                    if (message.readers != null && message.readers.length)
                        writer.uint32(26).uint64s(message.readers);
                    if (message.next_after_uid != null && $Object.hasOwnProperty.call(message, "next_after_uid") && (typeof message.next_after_uid === "object" ? message.next_after_uid.low || message.next_after_uid.high : message.next_after_uid !== 0))
                        writer.uint32(32).uint64(message.next_after_uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                ReadersResponse.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.ReadersResponse();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.read_count = value;
                                else
                                    delete message.read_count;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (value = reader.uint32())
                                    message.unread_count = value;
                                else
                                    delete message.unread_count;
                                continue;
                            }
                        case 3: {
                                if (wireType === 2) {
                                    if (!(message.readers && message.readers.length))
                                        message.readers = [];
                                    reader.uint64s(message.readers);
                                    continue;
                                }
                                if (wireType !== 0)
                                    break;
                                if (!(message.readers && message.readers.length))
                                    message.readers = [];
                                message.readers.push(reader.uint64());
                                continue;
                            }
                        case 4: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.next_after_uid = value;
                                else
                                    delete message.next_after_uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return ReadersResponse;
            })();
    
            client.TypingRequest = (function() {
    
                var TypingRequest = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                TypingRequest.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                TypingRequest.create = function(properties) {
                    return new TypingRequest(properties);
                };
    
                TypingRequest.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                TypingRequest.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.TypingRequest();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return TypingRequest;
            })();
    
            client.Typing = (function() {
    
                var Typing = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                Typing.prototype.gid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
                Typing.prototype.uid = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                Typing.create = function(properties) {
                    return new Typing(properties);
                };
    
                Typing.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.gid != null && $Object.hasOwnProperty.call(message, "gid") && (typeof message.gid === "object" ? message.gid.low || message.gid.high : message.gid !== 0))
                        writer.uint32(8).uint64(message.gid);
                    if (message.uid != null && $Object.hasOwnProperty.call(message, "uid") && (typeof message.uid === "object" ? message.uid.low || message.uid.high : message.uid !== 0))
                        writer.uint32(16).uint64(message.uid);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                Typing.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.Typing();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.gid = value;
                                else
                                    delete message.gid;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.uid = value;
                                else
                                    delete message.uid;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return Typing;
            })();
    
            client.FileToken = (function() {
    
                var FileToken = function (properties) {
                    if (properties)
                        for (var keys = $Object.keys(properties), i = 0; i < keys.length; ++i)
                            if (properties[keys[i]] != null && keys[i] !== "__proto__")
                                this[keys[i]] = properties[keys[i]];
                };
    
                FileToken.prototype.token = "";
                FileToken.prototype.expires_at_ms = $util.Long ? $util.Long.fromBits(0,0,true) : 0;
    
                FileToken.create = function(properties) {
                    return new FileToken(properties);
                };
    
                FileToken.encode = function (message, writer, _depth) {
                    if (!writer)
                        writer = $Writer.create();
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $util.recursionLimit)
                        throw $Error("max depth exceeded");
                    if (message.token != null && $Object.hasOwnProperty.call(message, "token") && message.token !== "")
                        writer.uint32(10).string(message.token);
                    if (message.expires_at_ms != null && $Object.hasOwnProperty.call(message, "expires_at_ms") && (typeof message.expires_at_ms === "object" ? message.expires_at_ms.low || message.expires_at_ms.high : message.expires_at_ms !== 0))
                        writer.uint32(16).uint64(message.expires_at_ms);
                    if (message.$unknowns != null && $Object.hasOwnProperty.call(message, "$unknowns"))
                        for (var i = 0; i < message.$unknowns.length; ++i)
                            writer.raw(message.$unknowns[i]);
                    return writer;
                };
    
                FileToken.decode = function (reader, length, _end, _depth, _target) {
                    if (!(reader instanceof $Reader))
                        reader = $Reader.create(reader);
                    if (_depth === $undefined)
                        _depth = 0;
                    if (_depth > $Reader.recursionLimit)
                        throw $Error("max depth exceeded");
                    var end, message, value;
                    if (length === $undefined)
                        end = reader.len;
                    else {
                        end = reader.pos + length;
                        if (end > reader.len)
                            throw $RangeError("index out of range");
                        length = reader.len;
                        reader.len = end;
                    }
                    message = _target || new $root.schat.client.FileToken();
                    while (reader.pos < end) {
                        var start = reader.pos;
                        var tag = reader.tag();
                        if (tag === _end) {
                            _end = $undefined;
                            break;
                        }
                        var wireType = tag & 7;
                        switch (tag >>>= 3) {
                        case 1: {
                                if (wireType !== 2)
                                    break;
                                if ((value = reader.stringVerify()).length)
                                    message.token = value;
                                else
                                    delete message.token;
                                continue;
                            }
                        case 2: {
                                if (wireType !== 0)
                                    break;
                                if (typeof (value = reader.uint64()) === "object" ? value.low || value.high : value !== 0)
                                    message.expires_at_ms = value;
                                else
                                    delete message.expires_at_ms;
                                continue;
                            }
                        }
                        reader.skipType(wireType, _depth, tag);
                        if (!reader.discardUnknown) {
                            $util.makeProp(message, "$unknowns", false);
                            (message.$unknowns || (message.$unknowns = [])).push(reader.raw(start, reader.pos));
                        }
                    }
                    if (length !== $undefined) {
                        if (reader.pos !== end)
                            throw $RangeError("index out of range");
                        reader.len = length;
                    }
                    if (_end !== $undefined)
                        throw $Error("missing end group");
                    return message;
                };
    
                return FileToken;
            })();
    
            return client;
        })();
    
        return schat;
    })();

    return $root;
})(protobuf);
