// The schat web app: one page, talking to a conn_serv over WebSocket (one
// protobuf frame per binary message, docs/PROTOCOL.md) and to the file
// servers over HTTP. Every string from the network is put in the page as
// text (textContent, attributes), never as markup; media is shown only
// from the cluster's file servers.
"use strict";

(function () {
  // The browser build has no 64-bit integer type: ids and times decode as
  // numbers (all of them stay below 2^53).
  if (protobuf.util.Long) {
    protobuf.util.Long = null;
    protobuf.configure();
  }
  const pb = protobuf.roots.schat.schat.client;
  const Code = pb.ResultCode;

  const REQUEST_TIMEOUT_MS = 10000;
  const PAGE = 50;
  const PULL_LIMIT = 200;
  const RECONNECT_MAX_MS = 5000;
  const FILE_URL = /^\/f\/(\d{1,9})\/(g|ga|u)(\d{1,20})\/([0-9a-f]{64})\.([a-z0-9]{1,10})$/;

  // ---- DOM helpers (dom.js, shared with the console): text only. ----

  const { el, clear, fmtBytes } = window.schatDom;
  const $ = (id) => document.getElementById(id);

  function num(value) {
    if (typeof value === "number") return value;
    if (value && typeof value.toNumber === "function") return value.toNumber();
    return Number(value || 0);
  }

  function codeName(code) {
    return Code[code] || "code " + code;
  }

  function fmtTime(ms) {
    if (!ms) return "";
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    const today = new Date();
    const time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === today.toDateString()) return time;
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + time;
  }

  function randomId(bytes) {
    const raw = new Uint8Array(bytes);
    crypto.getRandomValues(raw);
    return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // ---- What this browser keeps between visits. ----

  const saved = {
    get token() { return localStorage.getItem("schat.token") || ""; },
    set token(value) {
      if (value) localStorage.setItem("schat.token", value);
      else localStorage.removeItem("schat.token");
    },
    // One device id per browser profile, kept for good: a new login from
    // this browser replaces its own earlier session, not another device's.
    get device() {
      let id = localStorage.getItem("schat.device");
      if (!id) {
        id = "web-" + randomId(8);
        localStorage.setItem("schat.device", id);
      }
      return id;
    },
  };

  // Tabs of one browser share the device id and the token: each tab says
  // in the shared storage when it logs in, so a tab whose session another
  // tab replaced can tell that from being logged out.
  const TAB_ID = randomId(8);
  function claimSession() {
    localStorage.setItem("schat.claim", TAB_ID + " " + Date.now());
  }
  function claimedByAnotherTab() {
    const [tab, at] = (localStorage.getItem("schat.claim") || "").split(" ");
    return !!tab && tab !== TAB_ID && Date.now() - Number(at) < 60000;
  }

  // ---- The connection: requests matched by id, pushes handed on. ----

  class ServerError extends Error {
    constructor(code, reason) {
      super(reason ? codeName(code) + ": " + reason : codeName(code));
      this.code = code;
      this.reason = reason;
    }
  }

  class Disconnected extends Error {
    constructor() { super("not connected"); this.code = -1; }
  }

  // At most this many requests of the page wait for their answers at once
  // (the server closes a connection past 64); the rest queue here.
  const MAX_IN_FLIGHT = 32;

  class Connection {
    constructor(onPush, onClose) {
      this.onPush = onPush;
      this.onClose = onClose;
      this.ws = null;
      this.nextId = 1;
      this.pending = new Map();
      this.queued = [];
    }

    // Asks the directory for a conn_serv that takes WebSocket clients and
    // opens a socket to it, closing any earlier one. Resolves with the
    // directory's answer once the socket is open. Only the newest socket's
    // events count.
    async open() {
      this.close();
      const answer = await fetch("v1/dir?ws=1", { cache: "no-store" });
      const dir = await answer.json();
      if (!answer.ok) throw new Error(dir.error || "the directory answered " + answer.status);
      if (!dir.conn || !dir.conn.ws_url) throw new Error("the directory named no WebSocket server");
      this.close();
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(dir.conn.ws_url);
        ws.binaryType = "arraybuffer";
        let opened = false;
        ws.onopen = () => { opened = true; resolve(); };
        ws.onmessage = (event) => { if (this.ws === ws) this.receive(event.data); };
        ws.onclose = () => {
          if (this.ws !== ws) return;
          this.ws = null;
          this.failPending();
          if (opened) this.onClose(this.closing);
          else reject(new Error("could not connect to " + dir.conn.ws_url));
        };
        this.ws = ws;
        this.closing = null;
      });
      return dir;
    }

    close() {
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close();
      this.failPending();
    }

    failPending() {
      for (const waiter of this.pending.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(new Disconnected());
      }
      this.pending.clear();
      for (const waiter of this.queued.splice(0)) waiter.reject(new Disconnected());
    }

    receive(data) {
      let message;
      try {
        message = pb.ServerMessage.decode(new Uint8Array(data));
      } catch (err) {
        console.warn("undecodable frame", err);
        return;
      }
      if (message.request_id === 0) {
        if (message.body === "closing") this.closing = message.closing;
        this.onPush(message);
        return;
      }
      const waiter = this.pending.get(message.request_id);
      if (!waiter) return;
      this.finish(message.request_id, waiter);
      waiter.resolve(message);
    }

    finish(id, waiter) {
      this.pending.delete(id);
      clearTimeout(waiter.timer);
      const next = this.queued.shift();
      if (next) this.transmit(next);
    }

    // Sends one request; resolves with the typed answer or throws a
    // ServerError (code not OK) or Disconnected.
    call(fields) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return Promise.reject(new Disconnected());
      return new Promise((resolve, reject) => {
        const waiter = {
          fields,
          reject,
          resolve: (message) => {
            if (message.code !== 0) reject(new ServerError(message.code, message.reason));
            else resolve(message.body ? message[message.body] : null);
          },
        };
        if (this.pending.size >= MAX_IN_FLIGHT) this.queued.push(waiter);
        else this.transmit(waiter);
      });
    }

    transmit(waiter) {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        waiter.reject(new Disconnected());
        return;
      }
      const id = this.nextId;
      this.nextId = this.nextId >= 0xfffffff0 ? 1 : this.nextId + 1;
      const frame = pb.ClientMessage.encode(pb.ClientMessage.create(Object.assign({ request_id: id }, waiter.fields))).finish();
      waiter.timer = setTimeout(() => {
        this.finish(id, waiter);
        waiter.reject(new Error("no answer within " + REQUEST_TIMEOUT_MS / 1000 + " s"));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, waiter);
      ws.send(frame);
    }
  }

  // ---- State. ----

  const state = {
    uid: 0,
    profile: null,
    fileToken: "",
    files: new Map(), // serv_index -> { url, up }
    convs: new Map(), // gid -> conversation
    users: new Map(), // uid -> UserProfile
    wantedUsers: new Set(),
    notices: new Map(), // id -> Notice
    current: 0,
    online: false,
    loggedIn: false,
    attempts: 0,
    connecting: false,
    pingTimer: null,
    reconnectTimer: null,
    sendCounter: 0,
    rowsRev: 0, // bumped when names or roles are learned: rows are built again
  };

  const conn = new Connection(onPush, onConnectionLost);

  // A conversation: what the server said about it and the messages held.
  function conversation(gid) {
    let conv = state.convs.get(gid);
    if (!conv) {
      conv = {
        gid,
        info: null,
        readSeq: 0,
        latest: 0,
        loaded: false, // its messages are held (it was opened)
        last: 0, // the highest seq held with nothing missing below it
        first: 0, // the oldest seq held
        firstKept: 1, // the oldest seq the group still keeps
        role: null, // this user's role in it, once asked (owners and admins recall any message)
        messages: new Map(), // seq -> ChatMessage
        rows: new Map(), // seq -> its row in the page, once shown
        outbox: [], // sends not answered yet
        sync: Promise.resolve(), // pulls and pushes of this conversation, in order
      };
      state.convs.set(gid, conv);
    }
    return conv;
  }

  function unreadOf(conv) {
    return Math.max(0, conv.latest - conv.readSeq);
  }

  function convName(conv) {
    if (!conv.info) return "#" + conv.gid;
    if (conv.info.kind === pb.GroupKind.DIRECT) return userName(num(conv.info.peer_uid));
    return conv.info.name;
  }

  function userName(uid) {
    if (uid === state.uid && state.profile) return state.profile.display_name || state.profile.account;
    const user = state.users.get(uid);
    if (user) return user.display_name || user.account;
    wantUser(uid);
    return "user " + uid;
  }

  // Profiles are fetched in batches, a moment after they are first needed.
  function wantUser(uid) {
    if (!uid || state.users.has(uid) || state.wantedUsers.has(uid)) return;
    state.wantedUsers.add(uid);
    if (state.wantedUsers.size === 1) setTimeout(fetchUsers, 30);
  }

  async function fetchUsers() {
    const uids = Array.from(state.wantedUsers).slice(0, 100);
    try {
      const found = await conn.call({ get_users: { uids } });
      for (const user of found.users) state.users.set(num(user.uid), user);
      state.rowsRev += 1;
      for (const uid of uids) {
        state.wantedUsers.delete(uid);
        if (!state.users.has(uid)) state.users.set(uid, { uid, account: "", display_name: "user " + uid });
      }
      renderConversations();
      renderNotices();
      if (state.current) {
        renderChatHeader(conversation(state.current));
        renderMessages(conversation(state.current), false);
      }
    } catch (err) {
      // Asked again when they are next shown (or below, for those wanted
      // meanwhile).
      for (const uid of uids) state.wantedUsers.delete(uid);
    }
    if (state.wantedUsers.size > 0) setTimeout(fetchUsers, state.online ? 30 : 2000);
  }

  // ---- Views. ----

  function show(view) {
    $("auth-view").hidden = view !== "auth";
    $("main-view").hidden = view !== "main";
  }

  function showPane(pane) {
    for (const id of ["empty-view", "chat-view", "new-group-view", "join-view", "direct-view", "members-view", "notices-view"]) {
      $(id).hidden = id !== pane;
    }
    if (pane !== "chat-view") state.current = 0;
    renderConversations();
  }

  function setStatus(text, kind) {
    const status = $("conn-status");
    status.textContent = text;
    status.dataset.state = kind;
    document.body.dataset.connection = kind;
  }

  let bannerTimer = null;
  function banner(text, isError) {
    const node = $("banner");
    node.textContent = text;
    node.classList.toggle("error", !!isError);
    node.hidden = !text;
    clearTimeout(bannerTimer);
    if (text) bannerTimer = setTimeout(() => { node.hidden = true; }, 6000);
  }

  function authError(text) {
    $("auth-error").textContent = text || "";
  }

  function explain(err) {
    if (err instanceof ServerError) return err.reason || codeName(err.code);
    return err && err.message ? err.message : String(err);
  }

  // ---- Connecting and logging in. ----

  // Refusals of a token login that no retry can mend: the user must act.
  function permanent(err) {
    return err instanceof ServerError && [Code.TOKEN_EXPIRED, Code.TOKEN_INVALID,
      Code.TOO_MANY_DEVICES, Code.BAD_REQUEST, Code.AUTH_FAILED, Code.FORBIDDEN].includes(err.code);
  }

  // Connects through the directory and logs in with `credential` (a
  // password or the saved token). Throws if the login fails; a sync that
  // fails after it is retried by reconnecting.
  async function connectAndLogin(credential) {
    const dir = await conn.open();
    state.files = new Map(dir.files.map((f) => [Number(f.serv_index), { url: f.url, up: f.up }]));
    let login;
    claimSession();
    try {
      login = await conn.call({
        login: Object.assign(credential, {
          client: "schat-web 0.1",
          device_id: saved.device,
          device_kind: pb.DeviceKind.WEB,
        }),
      });
    } catch (err) {
      conn.close();
      throw err;
    }
    saved.token = login.token;
    state.uid = num(login.uid);
    state.profile = login.profile;
    state.fileToken = login.file_token;
    state.loggedIn = true;
    state.online = true;
    $("me-name").textContent = state.profile.display_name || state.profile.account;
    setStatus("online", "online");
    show("main");
    startPings(login.idle_timeout_secs || 90);
    try {
      await resync();
      // Only a connection that synced resets the back-off.
      state.attempts = 0;
    } catch (err) {
      console.info("sync failed: " + explain(err));
      conn.close();
      onConnectionLost(null);
    }
  }

  function startPings(idleSecs) {
    clearInterval(state.pingTimer);
    const every = Math.max(5, Math.floor(idleSecs / 3)) * 1000;
    state.pingTimer = setInterval(() => {
      conn.call({ ping: { client_time_ms: Date.now() } }).catch(() => {});
    }, every);
  }

  function onConnectionLost(closing) {
    clearInterval(state.pingTimer);
    state.online = false;
    if (!state.loggedIn) return;
    const why = closing ? " (" + codeName(closing.code) + (closing.reason ? ": " + closing.reason : "") + ")" : "";
    setStatus("reconnecting…", "reconnecting");
    console.info("connection lost" + why);
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (state.connecting) return;
    clearTimeout(state.reconnectTimer);
    const base = Math.min(RECONNECT_MAX_MS, 250 * 2 ** state.attempts);
    const delay = base / 2 + Math.random() * base / 2;
    state.attempts = Math.min(state.attempts + 1, 10);
    state.reconnectTimer = setTimeout(reconnect, delay);
  }

  // One attempt at a time: the directory, a socket, a token login, a sync.
  async function reconnect() {
    if (!state.loggedIn || state.online || state.connecting) return;
    const token = saved.token;
    if (!token) {
      loggedOut("Log in again.");
      return;
    }
    state.connecting = true;
    try {
      await connectAndLogin({ token });
    } catch (err) {
      if (permanent(err)) {
        if (err.code === Code.TOKEN_EXPIRED || err.code === Code.TOKEN_INVALID) saved.token = "";
        state.connecting = false;
        loggedOut("Your session ended: " + explain(err));
        return;
      }
      console.info("reconnect failed: " + explain(err));
      conn.close();
      state.online = false;
    } finally {
      state.connecting = false;
    }
    if (state.loggedIn && !state.online) scheduleReconnect();
  }

  // Back to the log-in form, forgetting this session's state.
  function loggedOut(message) {
    state.loggedIn = false;
    state.online = false;
    clearInterval(state.pingTimer);
    clearTimeout(state.reconnectTimer);
    conn.close();
    state.convs.clear();
    state.notices.clear();
    state.wantedUsers.clear();
    for (const timer of infoTimers.values()) clearTimeout(timer);
    infoTimers.clear();
    state.current = 0;
    clear($("conversations"));
    clear($("message-list"));
    setStatus("", "offline");
    show("auth");
    $("login-form").hidden = false;
    $("register-form").hidden = true;
    $("use-here").hidden = true;
    authError(message || "");
  }

  // Another tab or window of this browser (the same device) logged in and
  // this session was closed: its token is the other tab's now. Offer to
  // take the session back here rather than fight over it.
  function replacedByAnotherTab() {
    loggedOut("schat is open in another tab or window of this browser.");
    $("login-form").hidden = true;
    $("use-here").hidden = false;
  }

  // After every login: the conversation list, the messages missed in the
  // conversations held, the notices, and sends that were not answered.
  async function resync() {
    await refreshConversations();
    for (const conv of state.convs.values()) {
      if (conv.loaded) queue(conv, () => catchUp(conv, conv.latest));
    }
    const current = state.convs.get(state.current);
    if (current && !current.loaded) loadConversation(current);
    await refreshNotices();
    sendOutboxes();
  }

  // Sends again what was not answered before (at once: the back-off was
  // for the connection that is gone).
  function sendOutboxes() {
    for (const conv of state.convs.values()) {
      const head = conv.outbox.find((p) => p.state === "waiting");
      if (head && head.retryTimer) {
        clearTimeout(head.retryTimer);
        head.retryTimer = null;
      }
      pump(conv);
    }
  }

  // A conversation's sends go one at a time, in the order typed: the next
  // waits until the one before is stored (or refused for good), also
  // while that one waits to be sent again.
  function pump(conv) {
    if (state.convs.get(conv.gid) !== conv) return; // logged out since
    const head = conv.outbox.find((p) => p.state === "waiting");
    if (!head || head.inFlight || head.retryTimer || !state.online) return;
    transmit(conv, head);
  }

  // my_groups, one call at a time: a call asked for while one runs makes
  // one more run after it, so answers are applied in order.
  let groupsRefresh = null;
  let groupsAgain = false;
  function refreshConversations() {
    if (groupsRefresh) {
      groupsAgain = true;
      return groupsRefresh;
    }
    groupsRefresh = (async () => {
      try {
        do {
          groupsAgain = false;
          await loadConversationList();
        } while (groupsAgain);
      } finally {
        groupsRefresh = null;
      }
    })();
    return groupsRefresh;
  }

  async function loadConversationList() {
    const mine = await conn.call({ my_groups: {} });
    const seen = new Set();
    for (const entry of mine.groups) {
      const gid = num(entry.group.gid);
      seen.add(gid);
      const conv = conversation(gid);
      conv.info = entry.group;
      conv.latest = Math.max(conv.latest, num(entry.group.latest_seq));
      conv.readSeq = Math.max(conv.readSeq, num(entry.read_seq));
      if (entry.group.kind === pb.GroupKind.DIRECT) wantUser(num(entry.group.peer_uid));
    }
    for (const gid of Array.from(state.convs.keys())) {
      if (!seen.has(gid)) {
        state.convs.delete(gid);
        if (state.current === gid) showPane("empty-view");
      }
    }
    renderConversations();
    if (state.current) renderChatHeader(conversation(state.current));
  }

  // Runs `task` after the conversation's earlier pulls and pushes, so
  // messages are taken in order.
  // A pull that failed is tried again a moment later (after a reconnect,
  // resync does it).
  function queue(conv, task) {
    conv.sync = conv.sync.then(task).catch((err) => {
      if (err instanceof Disconnected) return;
      console.info("sync of " + conv.gid + " failed: " + explain(err));
      setTimeout(() => {
        if (!state.online || state.convs.get(conv.gid) !== conv) return;
        if (conv.loaded) queue(conv, () => catchUp(conv, conv.latest));
        else if (state.current === conv.gid) loadConversation(conv);
      }, 3000);
    });
    return conv.sync;
  }

  // Pulls from `last + 1` until the conversation holds `upTo` (or the
  // newest message). Pages may come back short: ask again from the last
  // seq + 1.
  async function catchUp(conv, upTo) {
    while (conv.last < upTo) {
      const page = await conn.call({
        pull_messages: { gid: conv.gid, from_seq: conv.last + 1, limit: PULL_LIMIT },
      });
      conv.latest = Math.max(conv.latest, num(page.latest_seq));
      conv.firstKept = num(page.first_seq) || 1;
      if (page.messages.length === 0) {
        // Seqs that are gone (retention, a failover) are skipped.
        conv.last = Math.max(conv.last, Math.min(upTo, num(page.latest_seq)));
        break;
      }
      for (const message of page.messages) take(conv, message);
      conv.last = Math.max(conv.last, num(page.messages[page.messages.length - 1].seq));
    }
    afterNewMessages(conv);
  }

  // A message arrived (push, or the answer to our own send): show it if it
  // is the next one, pull what is missing first if there is a gap, ignore
  // it if held already.
  function receive(conv, message) {
    const seq = num(message.seq);
    conv.latest = Math.max(conv.latest, seq);
    if (conv.info) conv.info.last_activity_ms = Math.max(num(conv.info.last_activity_ms), num(message.sent_at_ms));
    if (!conv.loaded) {
      if (num(message.sender_uid) === state.uid) conv.readSeq = Math.max(conv.readSeq, seq);
      renderConversations();
      return;
    }
    queue(conv, async () => {
      if (seq <= conv.last) return;
      if (seq > conv.last + 1) await catchUp(conv, seq - 1);
      if (seq > conv.last) {
        take(conv, message);
        conv.last = seq;
      }
      afterNewMessages(conv);
    });
  }

  // Holds one message; a RECALL empties the message it names; a SYSTEM
  // message (a join, a leave, a change) may change what the header says.
  function take(conv, message) {
    const seq = num(message.seq);
    if (message.kind === pb.MessageKind.SYSTEM && !conv.messages.has(seq)) refreshInfo(conv);
    conv.messages.set(seq, message);
    if (!conv.first || seq < conv.first) conv.first = seq;
    if (message.kind === pb.MessageKind.RECALL) {
      const original = conv.messages.get(num(message.recall_of));
      if (original) {
        original.recalled = true;
        original.text = "";
        original.media_url = "";
      }
    }
    if (num(message.sender_uid) === state.uid) conv.readSeq = Math.max(conv.readSeq, seq);
    wantUser(num(message.sender_uid));
  }

  const infoTimers = new Map();
  // Asks for a conversation's info again, once for a burst of changes.
  function refreshInfo(conv) {
    if (infoTimers.has(conv.gid)) return;
    infoTimers.set(conv.gid, setTimeout(async () => {
      infoTimers.delete(conv.gid);
      try {
        conv.info = await conn.call({ get_group: { gid: conv.gid } });
        renderConversations();
        if (state.current === conv.gid) renderChatHeader(conv);
      } catch (err) {
        // Not a member any more, or offline: the list refresh says so.
      }
    }, 200));
  }

  function afterNewMessages(conv) {
    if (state.current === conv.gid) {
      renderMessages(conv, false);
      markRead(conv);
    }
    renderConversations();
  }

  // The user sees the conversation: everything held is read.
  // (Only while the newest messages are in view: a user reading older
  // ones has not seen what arrives meanwhile.)
  function markRead(conv) {
    if (document.hidden || state.current !== conv.gid || conv.last <= conv.readSeq) return;
    if (!atBottom()) return;
    const seq = conv.last;
    conv.readSeq = seq;
    renderConversations();
    conn.call({ mark_read: { gid: conv.gid, seq } }).catch(() => {});
  }

  // ---- Pushes. ----

  function onPush(message) {
    switch (message.body) {
      case "message": {
        const chat = message.message;
        const gid = num(chat.gid);
        if (!state.convs.has(gid)) {
          // A conversation this page does not know yet (a new direct
          // conversation, a group we were just let into).
          refreshConversations().catch(() => {});
          return;
        }
        receive(conversation(gid), chat);
        return;
      }
      case "notice":
        addNotice(message.notice);
        return;
      case "read_marked": {
        const conv = state.convs.get(num(message.read_marked.gid));
        if (conv) {
          conv.readSeq = Math.max(conv.readSeq, num(message.read_marked.read_seq));
          renderConversations();
        }
        return;
      }
      case "file_token":
        state.fileToken = message.file_token.token;
        return;
      case "kicked":
        // Another tab of this browser logged in as this device.
        if (claimedByAnotherTab()) {
          replacedByAnotherTab();
          return;
        }
        saved.token = "";
        loggedOut("Logged out: " + (message.kicked.reason || "this session was ended") + ".");
        return;
      default:
        // closing is seen by the connection; typing and unknown pushes are
        // ignored.
        return;
    }
  }

  // ---- Notices. ----

  // The notices kept for the user (those acknowledged elsewhere go); a
  // decision taken here is remembered.
  async function refreshNotices() {
    const listed = new Map();
    let after = 0;
    for (;;) {
      const page = await conn.call({ list_notices: { after_id: after } });
      if (page.notices.length === 0) break;
      for (const notice of page.notices) {
        const id = num(notice.id);
        const known = state.notices.get(id);
        if (known && known.decided) notice.decided = known.decided;
        listed.set(id, notice);
        wantUser(num(notice.from_uid));
      }
      after = num(page.notices[page.notices.length - 1].id);
    }
    state.notices = listed;
    renderNotices();
  }

  function addNotice(notice) {
    state.notices.set(num(notice.id), notice);
    wantUser(num(notice.from_uid));
    renderNotices();
    const kind = notice.kind;
    const conv = state.convs.get(num(notice.gid));
    if (conv && kind === pb.NoticeKind.ROLE_CHANGED) {
      conv.role = notice.role;
      state.rowsRev += 1;
      if (state.current === conv.gid) renderMessages(conv, false);
    }
    if ([pb.NoticeKind.APPROVED, pb.NoticeKind.KICKED, pb.NoticeKind.DISMISSED,
      pb.NoticeKind.INVITED, pb.NoticeKind.ROLE_CHANGED].includes(kind)) {
      refreshConversations().catch(() => {});
    }
  }

  function noticeText(notice) {
    const group = notice.group_name ? "“" + notice.group_name + "” (#" + num(notice.gid) + ")" : "#" + num(notice.gid);
    const who = userName(num(notice.from_uid));
    const K = pb.NoticeKind;
    switch (notice.kind) {
      case K.APPLICATION: return who + " asks to join " + group + (notice.note ? ": " + notice.note : "");
      case K.APPROVED: return "You were let into " + group;
      case K.DENIED: return "Your application to " + group + " was declined";
      case K.INVITED: return who + " invited you to " + group;
      case K.KICKED: return "You were removed from " + group;
      case K.DISMISSED: return group + " was dismissed";
      case K.ROLE_CHANGED: return "Your role in " + group + " is now " + (pb.Role[notice.role] || "").toLowerCase();
      case K.MUTE_CHANGED: return num(notice.until_ms) ? "You are muted in " + group + " until " + fmtTime(num(notice.until_ms)) : "You may speak again in " + group;
      case K.CONTACT_REQUEST: return who + " asks to be your contact" + (notice.note ? ": " + notice.note : "");
      case K.CONTACT_ACCEPTED: return who + " accepted your contact request";
      case K.CONTACT_DECLINED: return who + " declined your contact request";
      default: return "Notice about " + group;
    }
  }

  function renderNotices() {
    const list = clear($("notice-list"));
    const notices = Array.from(state.notices.values()).sort((a, b) => num(a.id) - num(b.id));
    for (const notice of notices) {
      const item = el("li", { class: "notice", "data-notice": num(notice.id) },
        el("span", { class: "when", text: fmtTime(num(notice.at_ms)) }),
        el("span", { class: "what", text: noticeText(notice) }));
      if (notice.kind === pb.NoticeKind.APPLICATION && !notice.decided) {
        const decide = (approve) => async () => {
          try {
            await conn.call({ decide_application: { gid: num(notice.gid), applicant_uid: num(notice.from_uid), approve } });
            notice.decided = approve ? "approved" : "declined";
            renderNotices();
          } catch (err) {
            banner(explain(err), true);
          }
        };
        item.append(el("button", { type: "button", class: "approve", onclick: decide(true), text: "Approve" }),
          el("button", { type: "button", class: "deny", onclick: decide(false), text: "Decline" }));
      } else if (notice.decided) {
        item.append(el("span", { class: "hint", text: notice.decided }));
      }
      list.append(item);
    }
    if (notices.length === 0) list.append(el("li", { class: "hint", text: "No notices." }));
    const count = $("notice-count");
    count.textContent = String(notices.length);
    count.hidden = notices.length === 0;
  }

  async function clearNotices() {
    const ids = Array.from(state.notices.keys());
    if (ids.length === 0) return;
    const upTo = Math.max(...ids);
    try {
      await conn.call({ ack_notices: { up_to_id: upTo } });
      for (const id of ids) if (id <= upTo) state.notices.delete(id);
      renderNotices();
    } catch (err) {
      banner(explain(err), true);
    }
  }

  // ---- The conversation list. ----

  function renderConversations() {
    const list = clear($("conversations"));
    const convs = Array.from(state.convs.values()).filter((c) => c.info);
    convs.sort((a, b) => num(b.info.last_activity_ms) - num(a.info.last_activity_ms) || b.gid - a.gid);
    for (const conv of convs) {
      const unread = unreadOf(conv);
      const item = el("li", {
        class: "conversation" + (conv.gid === state.current ? " current" : ""),
        "data-gid": conv.gid,
        onclick: () => openConversation(conv.gid),
      },
      el("span", { class: "name", text: convName(conv) }),
      unread > 0 ? el("span", { class: "badge unread", text: unread > 999 ? "999+" : unread }) : null);
      list.append(item);
    }
    if (convs.length === 0) list.append(el("li", { class: "hint", text: "No conversations yet." }));
  }

  // ---- The chat view. ----

  async function openConversation(gid) {
    const conv = conversation(gid);
    showPane("chat-view");
    state.current = gid;
    renderConversations();
    renderChatHeader(conv);
    clear($("message-list"));
    $("message-text").focus();
    if (!conv.loaded) await loadConversation(conv);
    if (state.current === gid) {
      renderMessages(conv, true);
      markRead(conv);
    }
  }

  // The newest page of a conversation, then whatever came since.
  function loadConversation(conv) {
    return queue(conv, async () => {
      if (conv.loaded) return;
      const page = await conn.call({ history: { gid: conv.gid, before_seq: 0, limit: PAGE } });
      conv.loaded = true;
      conv.firstKept = num(page.first_seq) || 1;
      for (const message of page.messages) take(conv, message);
      const newest = page.messages.length ? num(page.messages[page.messages.length - 1].seq) : num(page.latest_seq);
      conv.last = Math.max(conv.last, newest);
      conv.latest = Math.max(conv.latest, num(page.latest_seq));
      if (!conv.first) conv.first = conv.last + 1;
      await catchUp(conv, conv.latest);
      await learnRole(conv);
      if (state.current === conv.gid) renderMessages(conv, true);
    });
  }

  // This user's role in a group: the member page that starts at its uid.
  async function learnRole(conv) {
    if (!conv.info || conv.info.kind === pb.GroupKind.DIRECT) return;
    try {
      const page = await conn.call({ list_members: { gid: conv.gid, after_uid: state.uid - 1, limit: 1 } });
      const me = page.members[0];
      conv.role = me && num(me.uid) === state.uid ? me.role : null;
      state.rowsRev += 1;
      if (state.current === conv.gid) renderMessages(conv, false);
    } catch (err) {
      // Shown as a member until asked again.
    }
  }

  function renderChatHeader(conv) {
    $("chat-title").textContent = convName(conv);
    const info = conv.info;
    if (!info) return;
    const parts = [];
    if (info.kind === pb.GroupKind.DIRECT) {
      const peer = state.users.get(num(info.peer_uid));
      parts.push("direct conversation" + (peer && peer.account ? " with @" + peer.account : ""));
    }
    else {
      parts.push("group #" + conv.gid);
      parts.push(info.member_count + (info.member_count === 1 ? " member" : " members"));
      if (num(info.owner_uid) === state.uid) parts.push("you own it");
    }
    $("chat-info").textContent = parts.join(" · ");
    $("show-members").hidden = info.kind === pb.GroupKind.DIRECT;
  }

  function olderAvailable(conv) {
    return conv.first > Math.max(1, conv.firstKept);
  }

  function atBottom() {
    const scroller = $("message-scroll");
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  // Shows the conversation's messages, reusing the rows already built (a
  // playing video keeps playing); a row is built again when its message
  // was recalled or names were learned. Scrolls to the newest only when
  // asked or when the user was there already.
  function renderMessages(conv, toBottom) {
    if (state.current !== conv.gid) return;
    const scroller = $("message-scroll");
    const nearBottom = atBottom();
    const rows = document.createDocumentFragment();
    const seqs = Array.from(conv.messages.keys()).sort((a, b) => a - b);
    for (const seq of seqs) {
      const message = conv.messages.get(seq);
      const stamp = (message.recalled ? "recalled-" : "") + state.rowsRev;
      let row = conv.rows.get(seq);
      if (!row || row.dataset.stamp !== stamp) {
        row = messageRow(conv, message);
        row.dataset.stamp = stamp;
        conv.rows.set(seq, row);
      }
      rows.append(row);
    }
    for (const pending of conv.outbox) rows.append(pendingRow(pending));
    $("message-list").replaceChildren(rows);
    $("load-older").hidden = !conv.loaded || !olderAvailable(conv);
    $("history-start").hidden = !conv.loaded || olderAvailable(conv);
    if (toBottom || nearBottom) scroller.scrollTop = scroller.scrollHeight;
  }

  function messageRow(conv, message) {
    const K = pb.MessageKind;
    const sender = num(message.sender_uid);
    const mine = sender === state.uid;
    const row = el("li", {
      class: "message" + (mine ? " mine" : "") + (message.recalled ? " recalled" : ""),
      "data-seq": num(message.seq),
      "data-kind": K[message.kind] || "",
    });
    if (message.kind === K.SYSTEM || message.kind === K.RECALL) {
      row.classList.add("system");
      // A system message's text follows the name of the member it is about
      // ("joined", "left", "was removed").
      const text = userName(sender) + (message.kind === K.RECALL ? " recalled a message" : " " + message.text);
      row.append(el("span", { class: "text", text }));
      return row;
    }
    row.append(el("div", { class: "meta" },
      el("span", { class: "sender", text: userName(sender) }),
      el("span", { class: "when", text: fmtTime(num(message.sent_at_ms)) })));
    if (message.recalled) {
      row.append(el("div", { class: "text hint", text: "This message was recalled." }));
      return row;
    }
    if (message.media_url) row.append(media(message));
    if (message.text) row.append(el("div", { class: "text", text: message.text }));
    const mayRecall = mine || conv.role === pb.Role.OWNER || conv.role === pb.Role.ADMIN;
    if (mayRecall) {
      row.append(el("button", {
        type: "button",
        class: "recall link",
        text: "Recall",
        onclick: () => recall(conv, num(message.seq)),
      }));
    }
    return row;
  }

  // The address of a file message's content on the cluster's file server,
  // or null for anything that is not exactly a file URL of this cluster.
  function fileHref(mediaUrl) {
    const parts = FILE_URL.exec(mediaUrl || "");
    if (!parts) return null;
    const server = state.files.get(Number(parts[1]));
    if (!server) return null;
    return server.url + mediaUrl + "?token=" + encodeURIComponent(state.fileToken);
  }

  function media(message) {
    const K = pb.MessageKind;
    const href = fileHref(message.media_url);
    if (!href) return el("div", { class: "hint", text: "(a file this page cannot show)" });
    const name = message.text || message.media_url.split("/").pop();
    switch (message.kind) {
      case K.IMAGE:
        return el("img", { class: "media", src: href, alt: "picture", loading: "lazy" });
      case K.VIDEO:
        return el("video", { class: "media", src: href, controls: true, preload: "metadata" });
      case K.VOICE:
        return el("audio", { class: "media", src: href, controls: true, preload: "metadata" });
      default:
        return el("button", {
          type: "button",
          class: "file link",
          text: "⬇ " + name,
          onclick: () => download(message.media_url, name),
        });
    }
  }

  // Saves a file with the token in a header, not in an address the
  // browser would show or keep in its history.
  async function download(mediaUrl, name) {
    const parts = FILE_URL.exec(mediaUrl || "");
    const server = parts && state.files.get(Number(parts[1]));
    if (!server) return;
    try {
      const answer = await fetch(server.url + mediaUrl, {
        headers: { Authorization: "Bearer " + state.fileToken },
      });
      if (!answer.ok) {
        const body = await answer.json().catch(() => ({}));
        throw new Error(body.error || "the file server answered " + answer.status);
      }
      const url = URL.createObjectURL(await answer.blob());
      const link = el("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      banner("Download failed: " + explain(err), true);
    }
  }

  function pendingRow(pending) {
    const row = el("li", { class: "message mine pending", "data-pending": pending.clientMsgId },
      el("div", { class: "meta" },
        el("span", { class: "sender", text: userName(state.uid) }),
        el("span", { class: "when", text: pending.state === "failed" ? "not sent" : "sending…" })));
    if (pending.label) row.append(el("div", { class: "text", text: pending.label }));
    if (pending.state === "failed") {
      row.append(el("div", { class: "error", text: pending.error }));
      row.append(el("button", {
        type: "button",
        class: "link",
        text: "Dismiss",
        onclick: () => {
          const conv = conversation(pending.gid);
          conv.outbox = conv.outbox.filter((p) => p !== pending);
          renderMessages(conv, false);
        },
      }));
    }
    return row;
  }

  async function loadOlder() {
    const conv = conversation(state.current);
    if (!conv.loaded || !olderAvailable(conv)) return;
    const scroller = $("message-scroll");
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    try {
      const page = await conn.call({ history: { gid: conv.gid, before_seq: conv.first, limit: PAGE } });
      conv.firstKept = num(page.first_seq) || 1;
      if (page.messages.length === 0) conv.firstKept = conv.first;
      for (const message of page.messages) take(conv, message);
      renderMessages(conv, false);
      scroller.scrollTop = scroller.scrollHeight - fromBottom;
    } catch (err) {
      banner(explain(err), true);
    }
  }

  // ---- Sending. ----

  function newSend(conv, fields, label) {
    state.sendCounter += 1;
    const pending = Object.assign({
      gid: conv.gid,
      clientMsgId: saved.device + "-" + Date.now().toString(36) + "-" + state.sendCounter,
      label,
      state: "waiting",
      error: "",
    }, fields);
    conv.outbox.push(pending);
    renderMessages(conv, true);
    pump(conv);
  }

  // Sends (or sends again, with the same client_msg_id) one message. An
  // answer lost to a disconnect or UNAVAILABLE means "maybe stored": it
  // is sent again after the next login; the server then answers with the
  // original seq.
  async function transmit(conv, pending) {
    if (pending.inFlight || !conv.outbox.includes(pending)) return;
    pending.inFlight = true;
    try {
      const sent = await conn.call({
        send_message: {
          gid: conv.gid,
          client_msg_id: pending.clientMsgId,
          kind: pending.kind,
          text: pending.text || "",
          media_url: pending.mediaUrl || "",
        },
      });
      conv.outbox = conv.outbox.filter((p) => p !== pending);
      // The push of this message may have come first: show the row gone.
      renderMessages(conv, false);
      receive(conv, pb.ChatMessage.create({
        gid: conv.gid,
        seq: num(sent.seq),
        sender_uid: state.uid,
        client_msg_id: pending.clientMsgId,
        kind: pending.kind,
        text: pending.text || "",
        media_url: pending.mediaUrl || "",
        sent_at_ms: num(sent.server_time_ms),
      }));
    } catch (err) {
      // "Maybe stored" (no answer, UNAVAILABLE) and "not now" (BUSY, the
      // send rate): the same client_msg_id again, a moment later.
      const retry = err instanceof Disconnected || !(err instanceof ServerError) ||
        [Code.UNAVAILABLE, Code.BUSY, Code.RATE_LIMITED].includes(err.code);
      if (retry && state.loggedIn) {
        pending.state = "waiting";
        pending.tries = (pending.tries || 0) + 1;
        const delay = Math.min(10000, 1000 * pending.tries);
        console.info("send " + pending.clientMsgId + " again in " + delay + " ms: " + (err.message || String(err)));
        if (state.online) {
          pending.retryTimer = setTimeout(() => {
            pending.retryTimer = null;
            pump(conv);
          }, delay);
        }
      } else {
        pending.state = "failed";
        pending.error = explain(err);
      }
      renderMessages(conv, false);
    } finally {
      pending.inFlight = false;
      pump(conv);
    }
  }

  function sendText(event) {
    event.preventDefault();
    const input = $("message-text");
    const text = input.value;
    if (!state.current || text.trim() === "") return;
    input.value = "";
    newSend(conversation(state.current), { kind: pb.MessageKind.TEXT, text }, text);
  }

  function kindOf(contentType) {
    const K = pb.MessageKind;
    if (contentType.startsWith("image/")) return K.IMAGE;
    if (contentType.startsWith("video/")) return K.VIDEO;
    if (contentType.startsWith("audio/")) return K.VOICE;
    return K.FILE;
  }

  // Uploads the chosen file to one of the file servers that are up, then
  // sends it as a message.
  async function sendFile() {
    const input = $("file-input");
    const file = input.files && input.files[0];
    input.value = "";
    if (!file || !state.current) return;
    const conv = conversation(state.current);
    const servers = Array.from(state.files.values()).filter((s) => s.up);
    if (servers.length === 0) {
      banner("No file server is up; try again shortly.", true);
      return;
    }
    const server = servers[Math.floor(Math.random() * servers.length)];
    banner("Uploading " + file.name + " (" + fmtBytes(file.size) + ")…", false);
    try {
      const form = new FormData();
      form.append("file", file, file.name);
      const answer = await fetch(server.url + "/v1/upload/chat/" + conv.gid, {
        method: "POST",
        headers: { Authorization: "Bearer " + state.fileToken },
        body: form,
      });
      const body = await answer.json().catch(() => ({}));
      if (!answer.ok) throw new Error(body.error || "the file server answered " + answer.status);
      banner("", false);
      const kind = kindOf(body.content_type || "");
      const caption = kind === pb.MessageKind.IMAGE ? "" : file.name;
      newSend(conv, { kind, text: caption, mediaUrl: body.url }, caption || file.name);
    } catch (err) {
      banner("Upload failed: " + explain(err), true);
    }
  }

  async function recall(conv, seq) {
    try {
      const recalled = await conn.call({ recall_message: { gid: conv.gid, seq } });
      // The recall event's push may be missing: the pull is the truth.
      queue(conv, () => catchUp(conv, num(recalled.seq)));
    } catch (err) {
      banner("Recall failed: " + explain(err), true);
    }
  }

  // ---- Groups. ----

  async function createGroup(event) {
    event.preventDefault();
    const policy = pb.JoinPolicy[$("group-policy").value];
    try {
      const group = await conn.call({
        create_group: {
          name: $("group-name").value,
          description: $("group-description").value,
          join_policy: policy,
          password: policy === pb.JoinPolicy.PASSWORD ? $("group-password").value : "",
          public: $("group-public").checked,
        },
      });
      $("new-group-form").reset();
      const conv = conversation(num(group.gid));
      conv.info = group;
      conv.latest = num(group.latest_seq);
      await openConversation(conv.gid);
    } catch (err) {
      banner(explain(err), true);
    }
  }

  async function joinGroup(gid, password, note) {
    try {
      const joined = await conn.call({ join_group: { gid, password, note } });
      if (joined.status === pb.JoinStatus.PENDING) {
        banner("Application sent: the group's owner decides.", false);
        return;
      }
      $("join-form").reset();
      await refreshConversations();
      await openConversation(gid);
    } catch (err) {
      banner(explain(err), true);
    }
  }

  // ---- A group's members: the list, inviting, removing, leaving. ----

  const MEMBERS_SHOWN_MAX = 2000;

  async function showMembers(gid) {
    const conv = state.convs.get(gid);
    if (!conv || !conv.info) return;
    showPane("members-view");
    $("members-title").textContent = convName(conv) + " — members";
    const R = pb.Role;
    const manager = conv.role === R.OWNER || conv.role === R.ADMIN;
    $("invite-form").hidden = !manager;
    $("leave-group").hidden = conv.role === R.OWNER;
    $("back-to-chat").onclick = () => openConversation(gid);
    $("invite-form").onsubmit = (event) => invite(event, gid);
    $("leave-group").onclick = () => leave(gid);
    const list = clear($("member-list"));
    try {
      const members = [];
      let after = 0;
      do {
        const page = await conn.call({ list_members: { gid, after_uid: after, limit: 200 } });
        members.push(...page.members);
        after = num(page.next_after_uid);
      } while (after && members.length < MEMBERS_SHOWN_MAX);
      await learnUsers(members.map((m) => num(m.uid)));
      for (const member of members) {
        const uid = num(member.uid);
        const removable = manager && uid !== state.uid && member.role !== R.OWNER &&
          (conv.role === R.OWNER || member.role === R.MEMBER);
        list.append(el("li", { class: "member", "data-uid": uid },
          el("span", { class: "name", text: userName(uid) }),
          el("span", { class: "hint role", text: (R[member.role] || "").toLowerCase() }),
          removable ? el("button", { type: "button", class: "kick", text: "Remove", onclick: () => kick(gid, uid) }) : null));
      }
    } catch (err) {
      list.append(el("li", { class: "error", text: explain(err) }));
    }
  }

  // Profiles of `uids` not known yet, 100 a request.
  async function learnUsers(uids) {
    const missing = uids.filter((uid) => !state.users.has(uid));
    for (let i = 0; i < missing.length; i += 100) {
      const found = await conn.call({ get_users: { uids: missing.slice(i, i + 100) } });
      for (const user of found.users) state.users.set(num(user.uid), user);
    }
  }

  // The profile of the user with the account typed in `input`; null
  // (and the user told) when there is none.
  async function userByAccount(input) {
    const account = $(input).value.trim().toLowerCase();
    const found = await conn.call({ get_users: { accounts: [account] } });
    const user = found.users[0];
    if (!user) {
      banner("There is no user " + account + ".", true);
      return null;
    }
    state.users.set(num(user.uid), user);
    return user;
  }

  async function invite(event, gid) {
    event.preventDefault();
    try {
      const user = await userByAccount("invite-account");
      if (!user) return;
      await conn.call({ invite: { gid, uid: num(user.uid) } });
      $("invite-form").reset();
      banner("Invited " + (user.display_name || user.account) + ": they may join now.", false);
    } catch (err) {
      banner(explain(err), true);
    }
  }

  async function kick(gid, uid) {
    try {
      await conn.call({ kick_member: { gid, uid } });
      await showMembers(gid);
    } catch (err) {
      banner(explain(err), true);
    }
  }

  async function leave(gid) {
    try {
      await conn.call({ quit_group: { gid } });
      state.convs.delete(gid);
      showPane("empty-view");
      await refreshConversations();
    } catch (err) {
      banner(explain(err), true);
    }
  }

  // The direct conversation with the user of that account (created on
  // first open; the other user sees it once a message is sent).
  async function openDirect(event) {
    event.preventDefault();
    try {
      const user = await userByAccount("direct-account");
      if (!user) return;
      const group = await conn.call({ open_direct: { uid: num(user.uid) } });
      $("direct-form").reset();
      const conv = conversation(num(group.gid));
      conv.info = group;
      conv.latest = Math.max(conv.latest, num(group.latest_seq));
      await openConversation(conv.gid);
    } catch (err) {
      banner(explain(err), true);
    }
  }

  async function showJoin() {
    showPane("join-view");
    const list = clear($("public-groups"));
    try {
      const page = await conn.call({ list_public_groups: { after_gid: 0, limit: 50 } });
      for (const group of page.groups) {
        const gid = num(group.gid);
        list.append(el("li", { class: "public-group", "data-gid": gid },
          el("span", { class: "name", text: group.name }),
          el("span", { class: "hint", text: " #" + gid + " · " + group.member_count + " members " }),
          el("button", { type: "button", text: "Join", onclick: () => joinGroup(gid, "", "") })));
      }
      if (page.groups.length === 0) list.append(el("li", { class: "hint", text: "No public groups." }));
    } catch (err) {
      list.append(el("li", { class: "error", text: explain(err) }));
    }
  }

  // ---- Wiring. ----

  async function submitLogin(event) {
    event.preventDefault();
    authError("");
    $("login-submit").disabled = true;
    try {
      await connectAndLogin({
        password: { account: $("login-account").value, password: $("login-password").value },
      });
      $("login-form").reset();
    } catch (err) {
      authError(explain(err));
    } finally {
      $("login-submit").disabled = false;
    }
  }

  // Registers on a connection of its own, then logs in.
  async function submitRegister(event) {
    event.preventDefault();
    authError("");
    $("register-submit").disabled = true;
    const account = $("register-account").value;
    const password = $("register-password").value;
    try {
      await conn.open();
      try {
        await conn.call({
          register: { account, password, display_name: $("register-name").value },
        });
      } finally {
        conn.close();
      }
      await connectAndLogin({ password: { account, password } });
      $("register-form").reset();
    } catch (err) {
      authError(explain(err));
    } finally {
      $("register-submit").disabled = false;
    }
  }

  async function logout() {
    try {
      await conn.call({ logout: { all_devices: false } });
    } catch (err) {
      // Logged out locally whatever the server said.
    }
    saved.token = "";
    loggedOut("");
  }

  function wire() {
    $("login-form").addEventListener("submit", submitLogin);
    $("register-form").addEventListener("submit", submitRegister);
    $("show-register").addEventListener("click", () => {
      $("login-form").hidden = true;
      $("register-form").hidden = false;
      authError("");
    });
    $("show-login").addEventListener("click", () => {
      $("register-form").hidden = true;
      $("login-form").hidden = false;
      authError("");
    });
    $("logout").addEventListener("click", logout);
    $("use-here-button").addEventListener("click", () => {
      $("use-here").hidden = true;
      $("login-form").hidden = false;
      authError("");
      resume();
    });
    $("open-new-group").addEventListener("click", () => showPane("new-group-view"));
    $("open-join").addEventListener("click", showJoin);
    $("open-direct").addEventListener("click", () => showPane("direct-view"));
    $("show-members").addEventListener("click", () => showMembers(state.current));
    $("direct-form").addEventListener("submit", openDirect);
    $("open-notices").addEventListener("click", () => { showPane("notices-view"); renderNotices(); });
    $("clear-notices").addEventListener("click", clearNotices);
    $("new-group-form").addEventListener("submit", createGroup);
    $("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      joinGroup(Number($("join-gid").value), $("join-password").value, $("join-note").value);
    });
    $("composer").addEventListener("submit", sendText);
    $("attach").addEventListener("click", () => $("file-input").click());
    $("file-input").addEventListener("change", sendFile);
    $("load-older").addEventListener("click", loadOlder);
    $("message-scroll").addEventListener("scroll", () => {
      if ($("message-scroll").scrollTop === 0 && !$("load-older").hidden) loadOlder();
      if (state.current && atBottom()) markRead(conversation(state.current));
    });
    document.addEventListener("visibilitychange", () => {
      if (state.current) markRead(conversation(state.current));
    });
    // Back online after the network went away: try at once.
    window.addEventListener("online", () => {
      if (state.loggedIn && !state.online && !state.connecting) {
        state.attempts = 0;
        scheduleReconnect();
      }
    });
  }

  // Logs in with the kept token; while the cluster cannot be reached,
  // keeps trying.
  async function resume() {
    const token = saved.token;
    if (!token) {
      show("auth");
      return;
    }
    setStatus("connecting…", "reconnecting");
    state.connecting = true;
    try {
      await connectAndLogin({ token });
    } catch (err) {
      conn.close();
      if (permanent(err)) {
        if (err.code === Code.TOKEN_EXPIRED || err.code === Code.TOKEN_INVALID) saved.token = "";
        show("auth");
        authError(explain(err));
        return;
      }
      state.loggedIn = true;
      show("main");
      setStatus("reconnecting…", "reconnecting");
    } finally {
      state.connecting = false;
    }
    if (state.loggedIn && !state.online) scheduleReconnect();
  }

  // A server added to the cluster after this page was loaded is outside
  // the page's policy: load the page again (at most once a minute).
  function onPolicyViolation(event) {
    if (!event.violatedDirective.startsWith("connect-src")) return;
    const last = Number(sessionStorage.getItem("schat.reloaded") || 0);
    if (Date.now() - last < 60000) return;
    sessionStorage.setItem("schat.reloaded", String(Date.now()));
    location.reload();
  }

  function start() {
    wire();
    document.addEventListener("securitypolicyviolation", onPolicyViolation);
    resume();
  }

  start();
})();
