// DOM and formatting helpers of the cluster's pages (the console's
// app.js and the web app's), served by manage_serv and dir_serv from
// schat_runtime::http::embedded::DOM_JS. Text only: values become text
// nodes and attributes, never markup.
"use strict";

window.schatDom = (function () {
  // ---- DOM helpers: text only. ----

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = String(value);
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function td(value, cls) {
    return el("td", { class: cls }, value === null || value === undefined ? "" : value);
  }

  function badge(word) {
    return el("span", { class: "badge " + word, "data-badge": word, text: word });
  }

  // ---- Formatting. ----

  function fmtInt(v) { return v === null || v === undefined ? "–" : Number.isInteger(v) ? String(v) : v.toFixed(1); }
  function fmtRate(v) { return v === null || v === undefined ? "–" : (v >= 100 ? v.toFixed(0) : v.toFixed(1)); }
  function fmtPercent(v) { return v === null || v === undefined ? "–" : v.toFixed(1) + " %"; }
  function fmtBytes(v) {
    if (v === null || v === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let n = v, i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
  }
  function fmtUptime(secs) {
    if (secs === null || secs === undefined) return "–";
    const d = Math.floor(secs / 86400), h = Math.floor(secs % 86400 / 3600);
    const m = Math.floor(secs % 3600 / 60), s = Math.floor(secs % 60);
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + m + "m";
    if (m > 0) return m + "m " + s + "s";
    return s + "s";
  }
  function fmtTime(ms) {
    if (ms === null || ms === undefined || ms === 0) return "–";
    const d = new Date(ms);
    const pad = (n) => String(n).padStart(2, "0");
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
  }

  return { el, clear, td, badge, fmtInt, fmtRate, fmtPercent, fmtBytes, fmtUptime, fmtTime };
})();
