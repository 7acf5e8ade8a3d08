// The one list page: renders a PageSpec (pagespec.py) — search form, sortable table or tree, pager,
// actions filtered by permission, form / confirm / detail dialogs, and the optional totals rows (合计 本页总和
// from the list answer's page_totals, 总计 搜索条件下总和 from spec.totals.api with the same search arguments).
// Pages add custom actions with ListPage.handlers[name] = async (row, page) => {...}.
"use strict";
window.ListPage = (() => {
  const { el, t, api, query, fill, datetime, can, toast } = UI;
  const handlers = {};

  /** Cell text of `value` by column format (`col.blank` when empty). */
  function format(col, value) {
    if (value === null || value === undefined || value === "" || (Array.isArray(value) && !value.length)) return col.blank || "";
    switch (col.format) {
      case "enum": return col.labels[value] ?? value;
      case "bool": return value ? t("yes") : t("no");
      case "state": return el("span", { class: "tag " + (value ? "on" : "off"), text: value ? t("enabled") : t("disabled") });
      case "datetime": return datetime(value);
      case "date": return String(value).slice(0, 10);
      case "list": return [].concat(value).map((v) => (v && typeof v === "object" ? v.name ?? v.label : v)).join("、");
      case "records": return records(col.labels, value);
      case "flag": return value ? el("span", { class: "tag off flag", text: col.labels[value] ?? col.label }) : col.blank || "";
      case "duration": return duration(value);
      case "hms": return hms(value, col.labels);
      default: return typeof value === "object" ? JSON.stringify(value) : String(value) + (col.suffix || "");
    }
  }

  /** Seconds as 时分秒 (`8分55秒`; zero parts left out, `0秒` for nothing) with the unit words of `units` {h, m, s}. */
  function hms(seconds, units) {
    const n = Math.max(0, Math.floor(Number(seconds)));
    if (!Number.isFinite(n)) return String(seconds);
    const u = { h: "小时", m: "分", s: "秒", ...(units || {}) };
    const parts = [[Math.floor(n / 3600), u.h], [Math.floor(n / 60) % 60, u.m], [n % 60, u.s]].filter(([x]) => x);
    return parts.length ? parts.map(([x, w]) => `${x}${w}`).join("") : `0${u.s}`;
  }

  /** Local date `days_ago` days before today as YYYY-MM-DD. */
  function localDate(daysAgo) {
    const d = new Date();
    d.setDate(d.getDate() - daysAgo);
    const p = (x) => String(x).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  }

  /** Seconds as H:MM:SS. */
  function duration(seconds) {
    const n = Math.max(0, Math.floor(Number(seconds)));
    if (!Number.isFinite(n)) return String(seconds);
    const p = (x) => String(x).padStart(2, "0");
    return `${Math.floor(n / 3600)}:${p(Math.floor(n / 60) % 60)}:${p(n % 60)}`;
  }

  /**
   * A small table of `rows` (objects) with the columns `labels` ([[field, header], ...] or {field: header});
   * ISO times shown local, objects as "key: value" pairs.
   */
  function records(labels, rows) {
    const columns = Array.isArray(labels) ? labels : Object.entries(labels);
    const cell = (v) => {
      if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return datetime(v);
      if (v && typeof v === "object") return Object.entries(v).map(([k, x]) => `${k}: ${typeof x === "object" ? JSON.stringify(x) : x}`).join("; ");
      return v ?? "";
    };
    return el("table", { class: "grid compact records" },
      el("thead", {}, el("tr", {}, columns.map(([, l]) => el("th", { text: l })))),
      el("tbody", {}, [].concat(rows).map((r) => el("tr", {}, columns.map(([k]) =>
        el("td", { dataset: { key: k }, text: String(cell(r[k])) }))))));
  }

  /** Open row dropdowns float over the table (fixed, under their summary); one open at a time. */
  function placeMenu(details) {
    if (!details.open) return;
    document.querySelectorAll("details.row-menu[open]").forEach((d) => { if (d !== details) d.open = false; });
    const menu = details.querySelector(".menu");
    const r = details.querySelector("summary").getBoundingClientRect();
    menu.style.top = `${Math.min(r.bottom + 2, window.innerHeight - menu.offsetHeight - 8)}px`;
    menu.style.left = `${Math.max(8, r.right - menu.offsetWidth)}px`;
  }
  const closeMenus = (event) => document.querySelectorAll("details.row-menu[open]").forEach((d) => {
    if (!event || !d.contains(event.target)) d.open = false;
  });
  const followMenus = () => document.querySelectorAll("details.row-menu[open]").forEach(placeMenu);
  document.addEventListener("click", closeMenus);
  window.addEventListener("scroll", followMenus, true);
  window.addEventListener("resize", followMenus);

  function matches(when, row) {
    return Object.entries(when || {}).every(([k, v]) => (Array.isArray(v) ? v.includes(row[k]) : row[k] === v));
  }

  class Page {
    constructor(spec) {
      this.spec = spec;
      this.state = { page: 1, page_size: spec.page_size, sort: spec.default_sort };
      this.actions = spec.actions.filter((a) => can(a.permission));
      this.form = document.getElementById("search-form");
      this.grid = document.getElementById("grid");
      this.pager = document.getElementById("pager");
      this.dialogs = { form: document.getElementById("form-dialog"), detail: document.getElementById("detail-dialog"),
                       confirm: document.getElementById("confirm-dialog") };
    }

    url(template, row) {
      return fill(template.replace("{api}", this.spec.api), row || {});
    }

    async start() {
      this.renderSearch();
      this.renderToolbar();
      this.renderHead();
      await this.load();
    }

    renderSearch() {
      const spec = this.spec;
      const valueOf = (name) => {
        const v = this.searchArgs()[name];
        return v === undefined ? "" : v;
      };
      const selects = [];
      for (const f of spec.search) {
        let control;
        if (f.type === "select") {
          control = el("select", { name: f.name, id: "s-" + f.name });
          const reload = () => Forms.loadOptions(f.options, valueOf).then((opts) => Forms.fillSelect(control, opts, null, t("all")));
          selects.push({ params: Object.values((f.options && f.options.params) || {}), reload });
          reload();
        } else if (f.type === "daterange") {
          const days = f.default_days;  // the value attributes: 重置 (form reset) fills them in again
          control = el("span", { class: "range" },
            el("input", { type: "date", name: f.params[0], "aria-label": t("from"), value: days ? localDate(days - 1) : null }), " – ",
            el("input", { type: "date", name: f.params[1], "aria-label": t("to"), value: days ? localDate(0) : null }));
        } else {
          control = el("input", { name: f.name, id: "s-" + f.name, type: "text" });
        }
        this.form.append(el("label", { class: "search-field" }, el("span", { text: f.label }), control));
      }
      this.form.append(el("div", { class: "search-buttons" },
        el("button", { type: "submit", class: "btn primary", text: t("search") }),
        el("button", { type: "reset", class: "btn", text: t("reset") })));
      this.form.addEventListener("submit", (e) => { e.preventDefault(); this.state.page = 1; this.totalsUrl = null; this.load(); });
      this.form.addEventListener("change", (e) => {  // a select whose options depend on the changed field
        for (const s of selects) if (s.params.includes(e.target.name)) s.reload();
      });
      this.form.addEventListener("reset", () => setTimeout(() => {
        for (const s of selects) if (s.params.length) s.reload();
        this.state.page = 1;
        this.totalsUrl = null;
        this.load();
      }));
    }

    searchArgs() {
      const args = {};
      for (const input of this.form.querySelectorAll("input[name], select[name]")) {
        let v = input.value.trim();
        if (input.tagName === "SELECT" && v) {
          const parsed = JSON.parse(v);
          v = typeof parsed === "string" ? parsed : String(parsed);
        }
        args[input.name] = v;
      }
      return args;
    }

    renderToolbar() {
      const bar = document.getElementById("toolbar");
      bar.append(el("h1", { class: "page-title", text: this.spec.title }));
      const buttons = el("div", { class: "toolbar-buttons" });
      for (const a of this.actions.filter((x) => x.toolbar)) {
        buttons.append(el("button", { type: "button", class: "btn " + (a.kind === "add" ? "primary" : ""),
                                       text: a.label, dataset: { action: a.kind }, on: { click: () => this.run(a, null) } }));
      }
      if (this.spec.tree) {
        buttons.append(el("button", { type: "button", class: "btn", text: t("expand_all"), on: { click: () => this.expand(true) } }),
                       el("button", { type: "button", class: "btn", text: t("collapse_all"), on: { click: () => this.expand(false) } }));
      }
      bar.append(buttons);
    }

    renderHead() {
      const tr = el("tr");
      for (const col of this.spec.columns) {
        const th = el("th", { text: col.label, dataset: { key: col.key } });
        if (col.sortable && !this.spec.tree) {
          th.classList.add("sortable");
          th.addEventListener("click", () => {
            this.state.sort = this.state.sort === col.key ? "-" + col.key : col.key;
            this.state.page = 1;
            this.load();
          });
        }
        tr.append(th);
      }
      if (this.actions.some((a) => !a.toolbar)) tr.append(el("th", { class: "actions", text: t("actions") }));
      this.grid.tHead.replaceChildren(tr);
    }

    markSort() {
      for (const th of this.grid.tHead.querySelectorAll("th.sortable")) {
        th.classList.toggle("asc", this.state.sort === th.dataset.key);
        th.classList.toggle("desc", this.state.sort === "-" + th.dataset.key);
      }
    }

    async load() {
      const body = this.grid.tBodies[0];
      const width = this.grid.tHead.rows[0].cells.length;
      body.replaceChildren(el("tr", {}, el("td", { colspan: width, class: "muted center", text: t("loading") })));
      const args = { ...this.searchArgs() };
      const totals = this.spec.totals && !this.spec.tree ? this.searchTotals(args) : null;
      const seq = (this.loads = (this.loads || 0) + 1);
      if (!this.spec.tree) Object.assign(args, this.state);
      const res = await api("GET", this.spec.api + query(args));
      this.markSort();
      if (!res.ok) {
        if (this.grid.tFoot) this.grid.tFoot.replaceChildren();
        body.replaceChildren(el("tr", {}, el("td", { colspan: width, class: "error center", text: (res.data && res.data.message) || t("failed") })));
        return;
      }
      const items = res.data.items || [];
      body.replaceChildren();
      if (this.spec.tree) this.renderTree(body, items, 0, null);
      else items.forEach((row) => body.append(this.renderRow(row)));
      if (!items.length) body.append(el("tr", {}, el("td", { colspan: width, class: "muted center", text: t("empty") })));
      if (!this.spec.tree) this.renderPager(res.data.total || 0);
      if (totals) this.renderTotals(res.data.page_totals || {}, totals, seq);
    }

    /** The totals API's answer for the search `args`: asked once per search, reused while paging and sorting. */
    searchTotals(args) {
      const url = this.url(this.spec.totals.api) + query(args);
      if (this.totalsUrl !== url) [this.totalsUrl, this.totalsCall] = [url, api("GET", url)];
      return this.totalsCall;
    }

    /** The 合计 row (this page's sums) now, and the 总计 row once `totals` (the totals API call) answers. */
    async renderTotals(pageSums, totals, seq) {
      const spec = this.spec.totals;
      const columns = this.spec.columns;
      const first = columns.findIndex((c) => spec.columns.includes(c.key));
      const hasActions = this.actions.some((a) => !a.toolbar);
      const row = (kind, label, sums, note) => el("tr", { class: `totals ${kind}`, dataset: { totals: kind },
                                                       style: "font-weight: 600; background: #fafbfc" },
        el("td", { colspan: first, class: "totals-label", text: note ? `${label}（${note}）` : label }),
        columns.slice(first).map((c) => el("td", { dataset: { key: c.key } },
          spec.columns.includes(c.key) ? (sums ? format(c, sums[c.key]) : "…") : "")),
        hasActions ? el("td", { class: "actions" }) : null);
      const foot = this.grid.tFoot || this.grid.createTFoot();
      const pageRow = row("page", spec.page_label, pageSums);
      foot.replaceChildren(pageRow, row("all", spec.total_label, null));
      const res = await totals;
      if (seq !== this.loads) return;  // a newer search is showing
      foot.replaceChildren(pageRow, res.ok ? row("all", spec.total_label, res.data)
        : row("all", spec.total_label, {}, (res.data && res.data.message) || t("failed")));
    }

    renderRow(row, depth, hasChildren) {
      const tr = el("tr", { dataset: { id: row.id } });
      this.spec.columns.forEach((col, i) => {
        const td = el("td", { dataset: { key: col.key } });
        if (this.spec.tree && i === 0) {
          td.style.paddingLeft = 12 + depth * 22 + "px";
          td.append(hasChildren ? el("button", { type: "button", class: "twisty open", "aria-label": "toggle",
                                                  on: { click: () => this.toggle(tr) } }) : el("span", { class: "twisty-space" }));
        }
        td.append(format(col, row[col.key]));
        tr.append(td);
      });
      const rowActions = this.actions.filter((a) => !a.toolbar);
      if (rowActions.length) tr.append(el("td", { class: "actions" }, this.rowButtons(rowActions.filter((a) => matches(a.when, row)), row)));
      return tr;
    }

    /** The row's buttons; actions with a `group` go into that group's dropdown (at its first action's place). */
    rowButtons(actions, row) {
      const button = (a) => el("button", { type: "button", class: "link" + (a.danger ? " danger" : ""), text: a.label,
                                           dataset: { action: a.kind === "custom" ? a.handler : a.kind },
                                           on: { click: () => this.run(a, row) } });
      const nodes = [];
      const menus = {};
      for (const a of actions) {
        if (!a.group) { nodes.push(button(a)); continue; }
        if (!menus[a.group]) {
          menus[a.group] = el("div", { class: "menu", role: "menu" });
          const details = el("details", { class: "row-menu", dataset: { group: a.group } },
            el("summary", { class: "link", text: a.group }), menus[a.group]);
          details.addEventListener("toggle", () => placeMenu(details));
          menus[a.group].addEventListener("click", () => { details.open = false; });
          nodes.push(details);
        }
        menus[a.group].append(button(a));
      }
      return nodes;
    }

    renderTree(body, nodes, depth, parentId) {
      for (const node of nodes) {
        const kids = node.children || [];
        const tr = this.renderRow(node, depth, kids.length > 0);
        tr.dataset.parent = parentId ?? "";
        body.append(tr);
        this.renderTree(body, kids, depth + 1, node.id);
      }
    }

    /** Show or hide every row below `tr` in the tree. */
    toggle(tr, open) {
      const button = tr.querySelector(".twisty");
      const show = open ?? !button.classList.contains("open");
      button.classList.toggle("open", show);
      const walk = (id, visible) => {
        for (const child of this.grid.tBodies[0].querySelectorAll(`tr[data-parent="${id}"]`)) {
          child.hidden = !visible;
          const b = child.querySelector(".twisty");
          walk(child.dataset.id, visible && (!b || b.classList.contains("open")));
        }
      };
      walk(tr.dataset.id, show);
    }

    expand(open) {
      for (const tr of this.grid.tBodies[0].rows) {
        if (tr.querySelector(".twisty")) tr.querySelector(".twisty").classList.toggle("open", open);
        if (tr.dataset.parent) tr.hidden = !open;
      }
    }

    renderPager(total) {
      const { page, page_size } = this.state;
      const pages = Math.max(1, Math.ceil(total / page_size));
      const go = (p) => { this.state.page = p; this.load(); };
      const size = el("select", { "aria-label": "page size", on: { change: (e) => { this.state.page_size = Number(e.target.value); go(1); } } },
        [10, 20, 50, 100].map((n) => el("option", { value: n, text: t("per_page", { n }), selected: n === page_size })));
      this.pager.replaceChildren(
        el("span", { class: "total", text: t("total", { n: total }) }), size,
        el("button", { type: "button", class: "btn small", text: t("prev"), disabled: page <= 1, on: { click: () => go(page - 1) } }),
        el("span", { class: "page-no", text: `${page} / ${pages}` }),
        el("button", { type: "button", class: "btn small", text: t("next"), disabled: page >= pages, on: { click: () => go(page + 1) } }));
    }

    /** Run action `a` on `row` (null for toolbar actions). */
    async run(a, row) {
      const url = this.url(a.url || "{api}/{id}", row);
      const title = row ? `${a.label} · ${row.name ?? row.id}` : `${a.label} · ${this.spec.title}`;
      const after = (data) => { this.showResult(a, data); this.load(); };
      switch (a.kind) {
        case "add":
          return Forms.open(this.dialogs.form, { title, fields: a.fields.length ? a.fields : this.spec.form, mode: "add",
                                                 submit: (p) => api("POST", url, p), done: after });
        case "edit": {
          const res = await api("GET", url);
          if (!res.ok) return toast(res.data.message || t("failed"), "bad");
          return Forms.open(this.dialogs.form, { title, fields: this.spec.form, mode: "edit", values: res.data,
                                                 submit: (p) => api("PUT", url, p), done: after });
        }
        case "form": {
          let values = {};
          if (a.load) {
            const res = await api("GET", url);
            if (!res.ok && res.status !== 404) return toast((res.data && res.data.message) || t("failed"), "bad");
            if (res.ok) values = (typeof a.load === "string" ? (res.data || {})[a.load] : res.data) || {};
          }
          return Forms.open(this.dialogs.form, { title, fields: a.fields, mode: "form", values,
                                                 submit: (p) => api(a.method, url, p), done: after });
        }
        case "enable": case "disable": case "delete": {
          if (!(await Forms.confirm(this.dialogs.confirm, fill(a.confirm || a.label, row)))) return;
          const res = await api(a.kind === "delete" ? "DELETE" : a.method, url);
          if (!res.ok) return toast((res.data && res.data.message) || t("failed"), "bad");
          toast(t("done"));
          return this.load();
        }
        case "detail": return this.detail(url);
        case "export": window.location.href = url + query(this.searchArgs()); return;
        case "custom": return handlers[a.handler](row, this, a);
      }
    }

    showResult(a, data) {
      const rows = Object.entries(a.result || {}).filter(([k]) => data && data[k]).map(([k, lbl]) => [lbl, data[k]]);
      if (rows.length) Forms.showResult(this.dialogs.form, a.label, rows);
      else toast(t("done"));
    }

    async detail(url) {
      const res = await api("GET", url);
      if (!res.ok) return toast((res.data && res.data.message) || t("failed"), "bad");
      const row = res.data;
      const audit = [["created_at", datetime(row.created_at)], ["created_by", row.created_by_name ?? row.created_by],
                     ["updated_at", datetime(row.updated_at)], ["updated_by", row.updated_by_name ?? row.updated_by]];
      const dl = el("dl", { class: "info detail" },
        this.spec.detail.flatMap((c) => {
          const wide = c.format === "records" ? "wide" : null;  // a table takes the whole row
          return [el("dt", { class: wide, text: c.label }), el("dd", { class: wide, dataset: { key: c.key } }, format(c, row[c.key]) || "—")];
        }),
        audit.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { dataset: { key: k }, text: v ?? "—" })]));
      const d = this.dialogs.detail;
      d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: t("detail") }), dl,
        el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"), on: { click: () => d.close() } }))));
      d.showModal();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const node = document.getElementById("page-spec");
    if (!node) return;
    window.currentPage = new Page(JSON.parse(node.textContent));
    window.currentPage.start();
  });

  return { Page, handlers, format, duration, hms };
})();
