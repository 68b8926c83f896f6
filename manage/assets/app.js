// The schat console: one page over manage_serv's JSON API (/api/v1) and its
// server-sent events. Plain JavaScript, no build step, nothing fetched from
// outside. Everything taken from the server reaches the DOM as text
// (textContent, attributes), never as HTML.
"use strict";

(function () {
  const { el, clear, td, badge, fmtInt, fmtRate, fmtPercent, fmtBytes, fmtUptime, fmtTime } = window.schatDom;
  const WINDOW_SECS = 15 * 60;
  const SERIES = [
    { key: "messages_per_s", label: "messages/s", color: "#2457c5", fmt: fmtRate },
    { key: "deliveries_per_s", label: "deliveries/s", color: "#7a3fc0", fmt: fmtRate },
    { key: "connections", label: "connections", color: "#1d7f3b", fmt: fmtInt },
    { key: "cpu_percent", label: "CPU %", color: "#b26b00", fmt: fmtPercent },
    { key: "rss_bytes", label: "RSS", color: "#c0262d", fmt: fmtBytes },
  ];
  const COMMAND_NAMES = {
    reload: "reload config", stop: "graceful stop", drain: "drain",
    log_level: "log level", reopen_logs: "reopen logs",
  };

  // What the page knows. Exposed as window.schatConsole for the browser tests.
  const state = {
    me: null,            // {name, role, csrf}
    procs: null,         // the last GET /api/v1/procs (or `procs` event)
    events: null,        // the EventSource while live
    view: null,          // the view shown: "procs", "proc", ...
    proc: null,          // the process of the proc view
    charts: {},          // key -> uPlot instance of the proc view
    chartData: null,     // [t[], messages_per_s[], ...] of the proc view
    previewed: null,     // {command, match, level} the Run button would run
    eventsReceived: 0,
  };
  window.schatConsole = state;

  const $ = (id) => document.getElementById(id);

  // ---- The API. ----

  // One request; resolves to {ok, status, data}. A 401 means the session is
  // gone: the login form comes back.
  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (method !== "GET" && state.me) headers["X-CSRF-Token"] = state.me.csrf;
    let response;
    try {
      response = await fetch(path, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      return { ok: false, status: 0, data: { error: "manage_serv cannot be reached" } };
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (response.status === 401 && state.me) {
      showLogin("Your session ended: log in again.");
    }
    return { ok: response.ok, status: response.status, data };
  }

  function errorText(result) {
    if (result.data && typeof result.data.error === "string") return result.data.error;
    return "request failed (HTTP " + result.status + ")";
  }

  function showError(text) {
    const node = $("page-error");
    node.textContent = text || "";
    node.hidden = !text;
  }

  // ---- Login. ----

  // A console with no operator yet says how to create the first one.
  function showSetup(result) {
    const hint = result && result.data && typeof result.data.setup === "string" ? result.data.setup : "";
    $("login-setup").textContent = hint;
    $("login-setup").hidden = !hint;
  }

  function showLogin(message) {
    state.me = null;
    stopEvents();
    $("app-view").hidden = true;
    $("login-view").hidden = false;
    $("login-error").textContent = message || "";
    $("login-name").focus();
  }

  function showApp() {
    $("login-view").hidden = true;
    $("app-view").hidden = false;
    $("whoami").textContent = state.me.name + " (" + state.me.role + ")";
    document.body.dataset.role = state.me.role;
    for (const node of document.querySelectorAll(".admin-only")) {
      node.hidden = state.me.role !== "admin";
    }
    startEvents();
    route();
  }

  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("login-error").textContent = "";
    const result = await api("POST", "/api/v1/login", {
      name: $("login-name").value, password: $("login-password").value,
    });
    $("login-password").value = "";
    showSetup(result);
    if (!result.ok) {
      $("login-error").textContent = result.status === 401 ? "Wrong operator name or password."
        : result.status === 429 ? "Too many attempts: wait a little and try again."
        : errorText(result);
      return;
    }
    state.me = result.data;
    showApp();
  });

  $("logout").addEventListener("click", async () => {
    await api("POST", "/api/v1/logout", {});
    showLogin("Logged out.");
  });

  // ---- Live events (SSE), paused while the tab is hidden. ----

  function startEvents() {
    if (state.events || !state.me || document.hidden) return;
    const source = new EventSource("/api/v1/events");
    state.events = source;
    source.addEventListener("open", () => setLive(true));
    source.addEventListener("procs", (event) => {
      let snapshot;
      try { snapshot = JSON.parse(event.data); } catch (err) { return; }
      state.eventsReceived++;
      onProcs(snapshot);
    });
    source.addEventListener("alarms", () => {
      if (state.view === "alarms") loadAlarms(); else refreshAlarmCount();
    });
    source.addEventListener("error", async () => {
      setLive(false);
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream (logged out?): find out why.
        state.events = null;
        const me = await api("GET", "/api/v1/me");
        if (me.ok) setTimeout(startEvents, 2000);
      }
    });
  }

  function stopEvents() {
    if (state.events) state.events.close();
    state.events = null;
    setLive(false);
  }

  function setLive(on) {
    const node = $("live-status");
    node.dataset.live = on ? "on" : "off";
    node.textContent = on ? "live" : (document.hidden ? "paused" : "reconnecting");
  }

  document.addEventListener("visibilitychange", () => {
    if (!state.me) return;
    if (document.hidden) {
      stopEvents();
    } else {
      // Refill what the pause missed, then follow the stream again.
      startEvents();
      route();
    }
  });

  // ---- Router. ----

  const VIEWS = ["procs", "proc", "users", "groups", "alarms", "commands", "audit"];

  function route() {
    if (!state.me) return;
    const parts = (location.hash || "#/procs").replace(/^#\/?/, "").split("/");
    let view = parts[0];
    if (!VIEWS.includes(view)) view = "procs";
    if (state.view === "proc" && view !== "proc") dropCharts();
    state.view = view;
    showError("");
    for (const name of VIEWS) $("view-" + name).hidden = name !== view;
    for (const link of document.querySelectorAll("#nav a")) {
      const target = link.dataset.nav;
      link.classList.toggle("active", target === view || (view === "proc" && target === "procs"));
    }
    document.body.dataset.view = view;
    if (view === "procs") loadProcs();
    else if (view === "proc") openProc(decodeURIComponent(parts.slice(1).join("/")));
    else if (view === "alarms") loadAlarms();
    else if (view === "audit") loadAudit();
    refreshAlarmCount();
  }
  window.addEventListener("hashchange", route);

  // ---- Processes. ----

  async function loadProcs() {
    const result = await api("GET", "/api/v1/procs");
    if (!result.ok) { showError(errorText(result)); return; }
    onProcs(result.data);
  }

  function onProcs(snapshot) {
    state.procs = snapshot;
    $("procs-updated").textContent = fmtTime(snapshot.now_ms);
    renderProcTable(snapshot.procs || []);
    if (state.view === "proc" && state.proc) {
      const row = (snapshot.procs || []).find((r) => r.name === state.proc);
      if (row) {
        renderFacts(row);
        appendPoint(snapshot.now_ms / 1000, row);
      }
    }
  }

  function renderProcTable(rows) {
    const body = clear($("procs-body"));
    let set = null;
    for (const row of rows) {
      if (row.set !== set) {
        set = row.set;
        body.append(el("tr", { class: "set-row", "data-set": set }, el("td", { colspan: 10, text: set || "(no set)" })));
      }
      const flags = el("td");
      if (row.draining) flags.append(el("span", { class: "flag", "data-flag": "draining", text: "draining" }));
      if (row.degraded) flags.append(el("span", { class: "flag", "data-flag": "degraded", text: "degraded" }));
      const up = row.state !== "down";
      const errorCell = td(row.last_error || "");
      if (row.last_error_at_ms) errorCell.title = fmtTime(row.last_error_at_ms);
      const cells = [
        ["name", el("td", {}, el("a", { href: "#/proc/" + encodeURIComponent(row.name), text: row.name }),
          el("span", { class: "hint", text: " " + row.type + " #" + row.id + (row.host ? " @" + row.host : "") }))],
        ["state", el("td", {}, badge(row.state))],
        ["uptime", td(up ? fmtUptime(row.uptime_secs) : "–", "num")],
        ["cpu", td(up ? fmtPercent(row.cpu_percent) : "–", "num")],
        ["rss", td(up ? fmtBytes(row.rss_bytes) : "–", "num")],
        ["connections", td(up ? fmtInt(row.connections) : "–", "num")],
        ["messages", td(up ? fmtRate(row.messages_per_s) : "–", "num")],
        ["log_level", td(row.log_level || "–")],
        ["flags", flags],
        ["last_error", errorCell],
      ];
      const tr = el("tr", { "data-proc": row.name, "data-state": row.state });
      for (const [col, cell] of cells) {
        cell.dataset.col = col;
        tr.append(cell);
      }
      body.append(tr);
    }
  }

  // ---- One process: facts, live charts, metrics. ----

  async function openProc(name) {
    state.proc = name;
    $("proc-name").textContent = name;
    clear($("proc-facts"));
    clear($("metrics-body"));
    const [detail, series] = await Promise.all([
      api("GET", "/api/v1/procs/" + encodeURIComponent(name)),
      api("GET", "/api/v1/procs/" + encodeURIComponent(name) + "/series"),
    ]);
    if (state.proc !== name || state.view !== "proc") return;
    if (!detail.ok) { showError(errorText(detail)); return; }
    renderFacts(detail.data.row);
    renderMetrics(detail.data.metrics || []);
    if (!series.ok) { showError(errorText(series)); return; }
    fillCharts(series.data);
  }

  $("metrics-refresh").addEventListener("click", async () => {
    if (!state.proc) return;
    const detail = await api("GET", "/api/v1/procs/" + encodeURIComponent(state.proc));
    if (detail.ok) renderMetrics(detail.data.metrics || []);
    else showError(errorText(detail));
  });

  function renderFacts(row) {
    const facts = clear($("proc-facts"));
    const add = (label, value) => facts.append(el("dt", { text: label }), el("dd", {}, value));
    add("state", badge(row.state));
    add("type", row.type + " #" + row.id);
    add("set", row.set || "–");
    add("host", row.host || "–");
    add("pid", row.pid || "–");
    add("version", (row.version || "–") + (row.commit ? " (" + row.commit + ")" : ""));
    add("started", fmtTime(row.started_at_ms));
    add("last seen", fmtTime(row.last_seen_ms));
    add("uptime", fmtUptime(row.uptime_secs));
    add("CPU", fmtPercent(row.cpu_percent) + " (" + (row.cpu_seconds || 0).toFixed(1) + " s)");
    add("RSS", fmtBytes(row.rss_bytes));
    add("open files", (row.open_files ?? "–") + " / " + (row.max_files ?? "–"));
    add("log level", row.log_level || "–");
    add("flags", [row.draining ? "draining" : "", row.degraded ? "degraded" : ""].filter(Boolean).join(", ") || "–");
    add("last error", row.last_error ? row.last_error + " (" + fmtTime(row.last_error_at_ms) + ")" : "–");
  }

  function renderMetrics(metrics) {
    const body = clear($("metrics-body"));
    for (const metric of metrics) {
      const labels = Object.entries(metric.labels || {}).map(([k, v]) => k + "=" + v).join(", ");
      body.append(el("tr", { "data-metric": metric.name },
        td(metric.name), td(labels), td(metric.kind), td(String(metric.value), "num"), td(metric.help)));
    }
  }

  function dropCharts() {
    for (const chart of Object.values(state.charts)) chart.destroy();
    state.charts = {};
    state.chartData = null;
    state.proc = null;
  }

  function fillCharts(series) {
    const t = series.t || [];
    state.chartData = [t.slice()].concat(SERIES.map((s) => (series[s.key] || []).slice(0, t.length)));
    for (const s of SERIES) {
      const index = SERIES.indexOf(s) + 1;
      const data = [state.chartData[0], state.chartData[index]];
      if (state.charts[s.key]) {
        state.charts[s.key].setData(data);
        continue;
      }
      const holder = clear($("chart-" + s.key));
      const opts = {
        width: Math.max(300, holder.clientWidth || 500),
        height: 180,
        legend: { show: true },
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        series: [{}, { label: s.label, stroke: s.color, width: 1.5, fill: s.color + "22", value: (u, v) => s.fmt(v) }],
        axes: [{}, { size: 70, values: (u, vals) => vals.map((v) => s.fmt(v)) }],
      };
      state.charts[s.key] = new uPlot(opts, data, holder);
    }
  }

  function appendPoint(t, row) {
    const data = state.chartData;
    if (!data) return;
    const times = data[0];
    if (times.length > 0 && t <= times[times.length - 1]) return;
    times.push(t);
    SERIES.forEach((s, i) => data[i + 1].push(row[s.key] ?? null));
    while (times.length > 0 && times[0] < t - WINDOW_SECS) {
      for (const column of data) column.shift();
    }
    SERIES.forEach((s, i) => {
      const chart = state.charts[s.key];
      if (chart) chart.setData([times, data[i + 1]]);
    });
  }

  window.addEventListener("resize", () => {
    for (const [key, chart] of Object.entries(state.charts)) {
      const width = $("chart-" + key).clientWidth;
      if (width > 0) chart.setSize({ width, height: 180 });
    }
  });

  // ---- Users. ----

  $("user-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const by = $("user-by").value;
    const key = $("user-key").value.trim();
    const out = clear($("user-result"));
    const result = await api("GET", "/api/v1/users?" + by + "=" + encodeURIComponent(key));
    if (!result.ok) { out.append(el("p", { class: "error", text: errorText(result) })); return; }
    renderUser(result.data, out);
  });

  function renderUser(user, out) {
    if (!user.exists) {
      out.append(el("p", { id: "user-missing", text: "No such user." }));
      return;
    }
    const card = el("div", { class: "card", id: "user-card", "data-uid": user.uid, "data-online": user.online ? "yes" : "no" });
    card.append(el("h3", {}, (user.nickname || user.account) + " ",
      el("span", { class: "hint", text: "uid " + user.uid + ", account " + user.account })));
    card.append(el("p", {}, user.online ? badge("up") : badge("down"), user.online ? " online" : " offline"));
    if (user.sessions && user.sessions.length > 0) {
      const body = el("tbody");
      for (const s of user.sessions) {
        body.append(el("tr", { "data-session": s.session_id },
          td(s.conn), td(s.logic), td(fmtTime(s.since_ms)), td(s.device), td(s.session_id)));
      }
      card.append(el("table", { class: "grid", id: "user-sessions" },
        el("thead", {}, el("tr", {}, el("th", { text: "conn" }), el("th", { text: "logic" }),
          el("th", { text: "since" }), el("th", { text: "device" }), el("th", { text: "session" }))),
        body));
    }
    if (state.me && state.me.role === "admin") card.append(kickControls(user));
    out.append(card);
  }

  // Kick asks once more on the page before it sends.
  function kickControls(user) {
    const box = el("div");
    const reason = el("input", { id: "kick-reason", placeholder: "reason (shown to the user)", value: "kicked by an operator" });
    const results = el("div", { id: "kick-results" });
    const confirm = el("div", { class: "confirm", id: "kick-confirm-box", hidden: true },
      "Disconnect every session of " + user.account + " (uid " + user.uid + ")? ",
      el("button", { type: "button", class: "danger", id: "kick-confirm", onclick: async () => {
        confirm.hidden = true;
        const result = await api("POST", "/api/v1/users/" + encodeURIComponent(user.uid) + "/kick",
          { reason: reason.value });
        clear(results);
        if (!result.ok) { results.append(el("p", { class: "error", text: errorText(result) })); return; }
        results.append(resultTable(result.data.results || [], "kick-result"));
      } }, "Kick"),
      " ",
      el("button", { type: "button", id: "kick-cancel", onclick: () => { confirm.hidden = true; } }, "Cancel"));
    box.append(reason, " ",
      el("button", { type: "button", class: "danger", id: "kick-btn", onclick: () => { confirm.hidden = false; } }, "Kick…"),
      confirm, results);
    return box;
  }

  // ---- Groups. ----

  $("group-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const gid = $("group-gid").value.trim();
    const out = clear($("group-result"));
    const result = await api("GET", "/api/v1/groups/" + encodeURIComponent(gid));
    if (!result.ok) { out.append(el("p", { class: "error", text: errorText(result) })); return; }
    const group = result.data;
    if (!group.exists) { out.append(el("p", { id: "group-missing", text: "No such group." })); return; }
    const facts = el("dl", { class: "facts" });
    const add = (label, value) => facts.append(el("dt", { text: label }), el("dd", {}, value));
    add("gid", group.gid);
    add("name", group.name);
    add("owner uid", group.owner_uid);
    add("members", group.member_count);
    add("latest seq", group.latest_seq);
    add("chat_serv", group.chat_serv);
    const members = el("ul", { class: "matched", id: "group-members" });
    for (const uid of group.member_uids || []) members.append(el("li", { text: uid }));
    out.append(el("div", { class: "card", id: "group-card", "data-gid": group.gid }, facts,
      el("h3", { text: "Member uids" }), members));
  });

  // ---- Alarms. ----

  async function loadAlarms() {
    const result = await api("GET", "/api/v1/alarms");
    if (!result.ok) { showError(errorText(result)); return; }
    const active = clear($("alarms-active"));
    for (const alarm of result.data.active || []) {
      active.append(el("tr", { "data-alarm": alarm.id, "data-kind": alarm.kind, "data-alarm-proc": alarm.proc },
        td(alarm.kind), td(alarm.proc), td(alarm.detail), td(fmtTime(alarm.raised_at_ms))));
    }
    const recent = clear($("alarms-recent"));
    for (const alarm of result.data.recent || []) {
      recent.append(el("tr", { "data-alarm": alarm.id, "data-kind": alarm.kind, "data-alarm-proc": alarm.proc },
        td(alarm.kind), td(alarm.proc), td(alarm.detail), td(fmtTime(alarm.raised_at_ms)),
        td(alarm.cleared_at_ms ? fmtTime(alarm.cleared_at_ms) : "active")));
    }
    setAlarmCount((result.data.active || []).length);
  }

  async function refreshAlarmCount() {
    const result = await api("GET", "/api/v1/alarms");
    if (result.ok) setAlarmCount((result.data.active || []).length);
  }

  function setAlarmCount(n) {
    $("alarm-count").textContent = n > 0 ? String(n) : "";
  }

  // ---- Audit. ----

  async function loadAudit() {
    const result = await api("GET", "/api/v1/audit?limit=200");
    if (!result.ok) { showError(errorText(result)); return; }
    const body = clear($("audit-body"));
    for (const entry of result.data.entries || []) {
      body.append(el("tr", { "data-action": entry.action },
        td(fmtTime(entry.at_ms)), td(entry.who), td(entry.from), td(entry.action), td(entry.target), td(entry.result)));
    }
  }
  $("audit-refresh").addEventListener("click", loadAudit);

  // ---- Commands: preview the matched processes, then run. ----

  function commandInput() {
    const command = $("cmd-command").value;
    const input = { command, match: $("cmd-match").value };
    if (command === "log_level") input.level = $("cmd-level").value;
    return input;
  }

  function forgetPreview() {
    state.previewed = null;
    $("cmd-run").disabled = true;
  }

  $("cmd-command").addEventListener("change", () => {
    $("cmd-level-label").hidden = $("cmd-command").value !== "log_level";
    forgetPreview();
  });
  $("cmd-match").addEventListener("input", forgetPreview);
  $("cmd-level").addEventListener("change", forgetPreview);

  $("cmd-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    forgetPreview();
    const input = commandInput();
    const matched = clear($("cmd-matched"));
    clear($("cmd-results"));
    $("cmd-results-table").hidden = true;
    $("cmd-summary").textContent = "";
    const result = await api("POST", "/api/v1/commands/preview", { command: input.command, match: input.match });
    if (!result.ok) { $("cmd-summary").textContent = errorText(result); return; }
    const names = result.data.matched || [];
    for (const name of names) matched.append(el("li", { "data-proc": name, text: name }));
    const what = COMMAND_NAMES[input.command] + (input.level ? " " + input.level : "");
    $("cmd-summary").textContent = names.length === 0 ? "No process matches."
      : what + " would run on " + names.length + " process" + (names.length === 1 ? "" : "es") + ":";
    if (names.length > 0) {
      state.previewed = input;
      $("cmd-run").disabled = false;
    }
  });

  $("cmd-run").addEventListener("click", async () => {
    const input = state.previewed;
    if (!input) return;
    forgetPreview();
    $("cmd-summary").textContent = "Running " + COMMAND_NAMES[input.command] + "…";
    const result = await api("POST", "/api/v1/commands", input);
    if (!result.ok) { $("cmd-summary").textContent = errorText(result); return; }
    const results = result.data.results || [];
    const body = clear($("cmd-results"));
    fillResults(body, results);
    $("cmd-results-table").hidden = false;
    const done = results.filter((r) => r.outcome === "done").length;
    $("cmd-summary").textContent = COMMAND_NAMES[input.command] + ": " + done + " of " + results.length + " done.";
  });

  // Rows of per-process results: done / failed (with the reason) / timeout.
  function fillResults(body, results) {
    for (const r of results) {
      let detail = r.detail || "";
      if (r.changed && r.changed.length) detail += (detail ? "; " : "") + "changed: " + r.changed.join(", ");
      if (r.needs_restart && r.needs_restart.length) detail += (detail ? "; " : "") + "needs restart: " + r.needs_restart.join(", ");
      body.append(el("tr", { "data-result": r.proc, "data-outcome": r.outcome },
        td(r.proc), el("td", {}, badge(r.outcome)), td(detail)));
    }
  }

  function resultTable(results, id) {
    const body = el("tbody");
    fillResults(body, results);
    return el("table", { class: "grid", id },
      el("thead", {}, el("tr", {}, el("th", { text: "Process" }), el("th", { text: "Outcome" }), el("th", { text: "Detail" }))),
      body);
  }

  // ---- Start: are we logged in already? ----

  (async function start() {
    const result = await api("GET", "/api/v1/me");
    if (result.ok && result.data) {
      state.me = result.data;
      showApp();
    } else {
      showLogin("");
      showSetup(result);
    }
  })();
})();
