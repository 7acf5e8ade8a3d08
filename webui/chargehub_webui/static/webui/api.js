// Shared helpers of the admin pages: translated strings, permissions, same-origin API calls with CSRF.
"use strict";
window.UI = (() => {
  const json = (id, fallback) => {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : fallback;
  };
  const strings = json("ui-strings", {});
  const permissions = new Set(json("ui-permissions", []));
  const csrf = () => (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /** Translated string `key`, with `{name}` placeholders filled from `vars`. */
  function t(key, vars) {
    return fill(strings[key] ?? key, vars || {});
  }

  /** Replace `{field}` placeholders in `text` with values of `obj`. */
  function fill(text, obj) {
    return String(text).replace(/\{(\w+)\}/g, (m, k) => (obj[k] ?? m));
  }

  /** Call the API; resolves to {ok, status, data} (data: parsed JSON or null). */
  async function api(method, url, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = csrf();
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let res;
    try {
      res = await fetch(url, { method, headers, credentials: "same-origin",
                               body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      return { ok: false, status: 0, data: { message: t("network") } };
    }
    if (res.status === 401 && !url.endsWith("/auth/session")) {
      window.location.href = "/admin/login?next=" + encodeURIComponent(location.pathname + location.search);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
    return { ok: res.ok, status: res.status, data };
  }

  /** Show an API answer's `errors.json.<field>` under the form's inputs and its `message` in `messageEl`. */
  function fieldErrors(form, res, messageEl) {
    const data = res.data || {};
    const fields = (data.errors && data.errors.json) || {};
    for (const [name, msgs] of Object.entries(fields)) {
      const input = form.elements[name];
      if (input) input.closest(".field").querySelector(".error").textContent = [].concat(msgs).join(" ");
    }
    messageEl.textContent = data.message || t("failed");
  }

  /** Query string of the non-empty entries of `params`. */
  function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (v !== "" && v !== null && v !== undefined) q.set(k, v);
    }
    const s = q.toString();
    return s ? "?" + s : "";
  }

  /** Local date-time text of an ISO string. */
  function datetime(value) {
    if (!value) return "";
    const d = new Date(value);
    if (isNaN(d)) return String(value);
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  }

  /** Create an element: el("td", {class: "x", text: "..."}, children...). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k === "on") for (const [ev, fn] of Object.entries(v)) node.addEventListener(ev, fn);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  /** A short message at the top right of the page. */
  function toast(message, kind) {
    const box = el("div", { class: "toast " + (kind || "ok"), role: "status", text: message });
    document.body.append(box);
    setTimeout(() => box.remove(), 3000);
  }

  return { t, fill, api, query, datetime, el, toast, fieldErrors, can: (code) => permissions.has(code) };
})();
