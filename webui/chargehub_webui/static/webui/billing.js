// 计费规则 (pages/billing.py): 添加 / 修改 (station, area, name, mode and the mode's parameters in the editors
// of billing_editors.js, 试算), 计费测试 with the itemized bill, 预充值 / 预估值, 详细 with the version history,
// and the 计费类型 search's choices. Each action is a ListPage handler.
"use strict";
(() => {
  const { el, t, api, query, toast, datetime } = UI;
  const H = ListPage.handlers;
  const MAX_OPTIONS = 12;
  const message = (res) => (res.data && res.data.message) || t("failed");

  const { S, flatten, group, rows } = BillingEditors;

  // the pages' own stylesheet (billing.css next to this script)
  const script = document.currentScript;
  if (script) document.head.append(el("link", { rel: "stylesheet", href: script.src.replace(/\.js(\?.*)?$/, ".css") }));

  const modeCache = {};
  /** The billing modes of `vehicle` ([{identifier, verbose_name, schema}]), asked once per page. */
  function modes(url, vehicle) {
    if (!modeCache[vehicle]) {
      modeCache[vehicle] = api("GET", url + query({ vehicle })).then((res) => (res.ok && Array.isArray(res.data) ? res.data : []));
    }
    return modeCache[vehicle];
  }

  // -- 添加 / 修改 ---------------------------------------------------------------------------------------

  /** JSON of `value` with object keys sorted and empty (null) values left out, to compare parameters. */
  const canonical = (value) => JSON.stringify(value, (key, v) => (v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v).sort().filter((k) => v[k] !== null && v[k] !== undefined).map((k) => [k, v[k]]))
    : v));

  function field(name, label, control, required, extra) {
    return el("div", { class: "field", dataset: { field: name } },
      el("label", { for: "f-" + name }, el("span", { class: required ? "req" : "", text: label })),
      control, extra || null, el("small", { class: "error" }));
  }

  /** 添加 (row null) or 修改 a rule: station and area (on add), name, mode and the mode's parameters. */
  H.billing_form = async (row, page, action) => {
    const p = action.params;
    const adding = !row;
    const url = page.url(action.url, row);
    let rule = {};
    if (!adding) {
      const res = await api("GET", url);
      if (!res.ok) return toast(message(res), "bad");
      rule = res.data;
    }
    const available = await modes(p.modes, p.vehicle);
    const dialog = page.dialogs.form;
    const form = el("form", { method: "dialog", novalidate: true, class: "dialog-form billing-form" });
    const msg = el("div", { class: "form-message", role: "alert" });
    const body = el("div", { class: "form-body" });
    const station = el("select", { name: "station_id", id: "f-station_id" });
    const area = el("select", { name: "area_id", id: "f-area_id" });
    const name = el("input", { type: "text", name: "name", id: "f-name", autocomplete: "off" });
    name.value = rule.name ?? "";
    const current = rule.mode ?? (available[0] && available[0].identifier);
    const mode = el("select", { name: "mode", id: "f-mode" },
      available.map((m) => el("option", { value: m.identifier, text: m.verbose_name, selected: m.identifier === current })));
    const value = (select) => (select.value === "" ? null : JSON.parse(select.value));
    if (adding) {
      body.append(field("station_id", S(page, "station"), station, true), field("area_id", S(page, "area"), area, true));
      let loads = 0;  // only the newest answer fills the areas (the station may change while one loads)
      const loadAreas = async () => {
        const ticket = ++loads;
        const chosen = value(station);
        const opts = chosen === null ? [] : await Forms.loadOptions(p.areas, () => chosen);
        if (ticket !== loads) return;
        Forms.fillSelect(area, opts, value(area), t("choose"));
        if (opts.length === 1) area.value = JSON.stringify(opts[0].value);
      };
      station.addEventListener("change", loadAreas);
      Forms.loadOptions(p.stations, () => "").then((opts) => {
        Forms.fillSelect(station, opts, null, t("choose"));
        if (opts.length === 1) station.value = JSON.stringify(opts[0].value);
        loadAreas();
      });
    } else {
      body.append(field("station_id", S(page, "station"), el("div", { class: "static", text: rule.station_name ?? "" })),
                  field("area_id", S(page, "area"), el("div", { class: "static", text: rule.area_name ?? "" })));
    }
    body.append(field("name", S(page, "name"), name, true), field("mode", p.mode_label, mode, true));
    const paramsBox = el("div", { class: "params-box", dataset: { field: "params" } });
    let params = null;
    const renderParams = (values) => {
      const chosen = available.find((m) => m.identifier === mode.value);
      params = chosen ? group(page, chosen.schema || {}, values, "params.") : null;
      paramsBox.replaceChildren(params ? params.node : el("p", { class: "muted", text: S(page, "no_modes") }));
    };
    const pendingNote = rule.pending_from ? S(page, "pending", { at: datetime(rule.pending_from) }) : "";
    renderParams(rule.pending_params || rule.params);
    mode.addEventListener("change", () => renderParams(params ? params.read() : {}));
    const hint = el("p", { class: "effective-hint muted", text: [S(page, adding ? "effective_add" : "effective_edit"), pendingNote].filter(Boolean).join("　") });
    const trial = trialBox(page, p, () => ({ mode: mode.value, params: params ? params.read() : {} }), (res) => show(res));
    const save = el("button", { type: "submit", class: "btn primary", text: t("save") });
    form.append(el("h2", { text: adding ? `${action.label} · ${page.spec.title}` : `${action.label} · ${rule.name}` }), msg, body,
      el("h3", { class: "params-title", text: S(page, "params") }), paramsBox, hint, trial,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }), save));

    function clear() {
      form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
      form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
      msg.textContent = "";
    }
    /** A 422's field messages: the form's own fields, then the parameters' (errors.json.params.<field>). */
    function show(res) {
      const data = res.data || {};
      const errors = (data.errors && data.errors.json) || {};
      const unplaced = [];
      for (const [key, msgs] of Object.entries(errors)) {
        if (key === "params" && params) { unplaced.push(...params.show(msgs)); continue; }
        const wrap = form.querySelector(`.form-body > [data-field="${CSS.escape(key)}"]`);
        if (wrap) { wrap.querySelector(":scope > .error").textContent = flatten(msgs); wrap.classList.add("invalid"); }
        else unplaced.push(flatten(msgs));
      }
      msg.textContent = [data.message || t("failed"), ...unplaced].join(" ");
      const first = form.querySelector(".error:not(:empty)");
      if (first) first.scrollIntoView({ block: "nearest" });
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear();
      const payload = { name: name.value.trim(), mode: mode.value || null, params: params ? params.read() : {} };
      // an edit sends mode and params only when they changed: each change is a new version from midnight
      if (!adding && payload.mode === (rule.pending_mode || rule.mode)
          && canonical(payload.params) === canonical(rule.pending_params || rule.params)) {
        delete payload.mode;
        delete payload.params;
      }
      const missing = [["name", payload.name], ["mode", payload.mode]];
      if (adding) {
        payload.station_id = value(station);
        payload.area_id = value(area);
        missing.push(["station_id", payload.station_id], ["area_id", payload.area_id]);
      }
      let blank = false;
      for (const [key, v] of missing) {
        if (v === null || v === "") {
          form.querySelector(`[data-field="${key}"] > .error`).textContent = t("required");
          blank = true;
        }
      }
      if (blank) return;
      save.disabled = true;
      const res = await api(adding ? "POST" : "PUT", url, payload);
      save.disabled = false;
      if (!res.ok) return show(res);
      dialog.close();
      toast(t("saved"));
      page.load();
    });
    dialog.replaceChildren(form);
    dialog.showModal();
  };

  /** 试算 in the rule form: the parameters as typed, priced by POST /billing-modes/<mode>/test (nothing saved). */
  function trialBox(page, p, current, showErrors) {
    const car = p.vehicle === "car";
    const key = car ? "energy_kwh" : "duration_minutes";
    const input = el("input", { type: "text", name: "trial_" + key, inputmode: "decimal", value: car ? "10" : "60",
                                "aria-label": S(page, key) });
    const out = el("div", { class: "trial-result" });
    const run = async () => {
      const { mode, params } = current();
      if (!mode) { out.textContent = S(page, "mode_required"); return; }
      const body = { params, [key]: car ? input.value.trim() : Number(input.value) };
      const res = await api("POST", `${p.modes}/${encodeURIComponent(mode)}/test`, body);
      if (!res.ok) { out.replaceChildren(); if (res.status === 422) showErrors(res); else out.textContent = message(res); return; }
      out.replaceChildren(billView(page, res.data));
    };
    return el("details", { class: "trial" }, el("summary", { text: S(page, "trial") }),
      el("div", { class: "trial-row" }, el("label", { class: "search-field" }, el("span", { text: S(page, key) }), input),
        el("button", { type: "button", class: "btn small", text: S(page, "calculate"), on: { click: run } }),
        el("span", { class: "muted", text: S(page, "trial_help") })), out);
  }

  // -- 计费测试 ----------------------------------------------------------------------------------------

  function duration(page, seconds) {
    if (seconds === null || seconds === undefined) return "";
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return S(page, "minutes_short", { n: minutes });
    const [h, m] = [Math.floor(minutes / 60), minutes % 60];
    return m ? S(page, "hours_minutes", { h, m }) : S(page, "hours", { h });
  }

  /** The itemized bill of a test answer ({version?, usage, bill}): totals, then a line per rate / tier / fee. */
  function billView(page, data) {
    const bill = data.bill || {};
    const lines = bill.lines || [];
    // columns some line has a non-zero value in (a TOU bill counts no units, a duration bill no energy)
    const all = ["seconds", "units", "energy_kwh", "electricity_price", "service_price", "electricity_fee", "service_fee"];
    const used = all.filter((k) => lines.some((l) => l[k] !== null && l[k] !== undefined && l[k] !== "" && Number(l[k]) !== 0))
      .concat(["amount"]);
    const header = { energy_kwh: "energy" };
    const summary = [
      data.version !== undefined ? ["version", data.version] : null,
      ["energy", bill.energy_kwh], ["electricity_fee", bill.electricity_fee], ["service_fee", bill.service_fee],
      ["total", bill.total],
      bill.stop_reason ? ["stop_reason", bill.stop_reason] : null,
    ].filter(Boolean);
    return el("div", { class: "bill" },
      el("dl", { class: "info bill-summary" }, summary.flatMap(([k, v]) => [el("dt", { text: S(page, k) }),
        el("dd", { class: k === "total" ? "bill-total" : null, dataset: { key: k }, text: String(v ?? "—") })])),
      bill.free ? el("p", { class: "bill-free tag warn", text: S(page, "free") }) : null,
      lines.length ? el("div", { class: "table-wrap" }, el("table", { class: "grid compact bill-lines" },
        el("thead", {}, el("tr", {}, el("th", { text: S(page, "line") }), used.map((k) => el("th", { text: S(page, header[k] || k) })))),
        el("tbody", {}, lines.map((l) => el("tr", { dataset: { key: l.key } }, el("td", { text: l.label || l.key }),
          used.map((k) => el("td", { dataset: { key: k }, text: k === "seconds" ? duration(page, l[k]) : String(l[k] ?? "") }))))))) : null);
  }

  /** 计费测试: energy (car) or duration (bike) in, the rule's itemized bill out; the dialog stays open. */
  H.billing_test = (row, page, action) => {
    const car = action.params.vehicle === "car";
    const specs = car
      ? [["energy_kwh", "decimal", true, "30"], ["started_at", "datetime-local", false, ""], ["duration_minutes", "integer", false, ""]]
      : [["duration_minutes", "integer", true, "120"], ["power_w", "integer", false, ""], ["energy_kwh", "decimal", false, ""]];
    const inputs = {};
    const body = el("div", { class: "form-body" }, specs.map(([name, kind, required, initial]) => {
      inputs[name] = el("input", { type: kind === "datetime-local" ? "datetime-local" : "text", name, id: "f-" + name, autocomplete: "off",
                                   inputmode: kind === "integer" ? "numeric" : kind === "decimal" ? "decimal" : null });
      inputs[name].value = initial;
      return field(name, S(page, name), inputs[name], required);
    }));
    const msg = el("div", { class: "form-message", role: "alert" });
    const out = el("div", { class: "test-result" });
    const dialog = page.dialogs.form;
    const form = el("form", { method: "dialog", novalidate: true, class: "dialog-form billing-test" },
      el("h2", { text: `${action.label} · ${row.name}` }), el("p", { class: "muted", text: action.params.help }), msg, body,
      el("div", { class: "buttons" }, el("button", { type: "submit", class: "btn primary", text: S(page, "calculate") })),
      out,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn", text: t("close"), on: { click: () => dialog.close() } })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
      msg.textContent = "";
      const payload = {};
      for (const [name, kind, required] of specs) {
        const v = inputs[name].value.trim();
        if (!v) {
          if (required) { form.querySelector(`[data-field="${name}"] > .error`).textContent = t("required"); return; }
          continue;
        }
        payload[name] = kind === "integer" && /^\d+$/.test(v) ? Number(v) : kind === "datetime-local" ? new Date(v).toISOString() : v;
      }
      const res = await api("POST", page.url(action.url, row), payload);
      if (!res.ok) {
        out.replaceChildren();
        return Forms.showErrors(form, res);
      }
      out.replaceChildren(el("h3", { text: S(page, "bill") }), billView(page, res.data));
    });
    dialog.replaceChildren(form);
    dialog.showModal();
    inputs[specs[0][0]].focus();
  };

  // -- 预充值 / 预估值 ---------------------------------------------------------------------------------

  /** 预充值 (car: amounts) / 预估值 (bike: minutes and amounts) of a rule, at most 12, as editable rows. */
  H.billing_options = async (row, page, action) => {
    const res = await api("GET", page.url("{api}/{id}", row));
    if (!res.ok) return toast(message(res), "bad");
    const columns = action.params.columns;  // [[field, header], ...]
    const schema = { type: "array", items: { type: "object", required: columns.map(([k]) => k),
      properties: Object.fromEntries(columns.map(([k, label], i) => [k, { type: k === "minutes" ? "integer" : "string", title: label, "x-order": i }])) } };
    const editor = rows(page, "options", schema, res.data.options || []);
    const msg = el("div", { class: "form-message", role: "alert" });
    const dialog = page.dialogs.form;
    const limit = () => {
      const full = editor.read().length >= MAX_OPTIONS;
      editor.node.querySelector(".add-row").disabled = full;
    };
    editor.node.addEventListener("click", () => setTimeout(limit));
    const form = el("form", { method: "dialog", novalidate: true, class: "dialog-form billing-options" },
      el("h2", { text: `${action.label} · ${row.name}` }), el("p", { class: "muted", text: action.params.help }), msg,
      el("div", { class: "field full", dataset: { field: "options" } }, editor.node),
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }),
        el("button", { type: "submit", class: "btn primary", text: t("save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
      form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
      msg.textContent = "";
      const saved = await api("PUT", page.url(action.url, row), { options: editor.read() });
      if (!saved.ok) {
        const errors = (saved.data && saved.data.errors && saved.data.errors.json) || {};
        const unplaced = errors.options !== undefined ? editor.show(errors.options) : [];
        msg.textContent = [message(saved), ...unplaced].join(" ");
        return;
      }
      dialog.close();
      toast(t("saved"));
      page.load();
    });
    dialog.replaceChildren(form);
    limit();
    dialog.showModal();
  };

  // -- 详细 ----------------------------------------------------------------------------------------------

  /** 详细: the page's detail fields, the options and the version history (a pending version marked, each
   * version's creator by name where the rule's 创建人 / 修改人 tell it). */
  H.billing_detail = async (row, page, action) => {
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const rule = res.data;
    const names = new Map([[rule.created_by, rule.created_by_name], [rule.updated_by, rule.updated_by_name]]);
    const now = Date.now();
    rule.versions = (rule.versions || []).map((v) => ({
      ...v,
      number: new Date(v.effective_from).getTime() > now ? `${v.number}（${S(page, "pending_short")}）` : v.number,
      created_by_name: v.created_by_name ?? names.get(v.created_by) ?? (v.created_by ? `#${v.created_by}` : ""),
    }));
    const audit = [["created_at", datetime(rule.created_at)], ["created_by", rule.created_by_name],
                   ["updated_at", datetime(rule.updated_at)], ["updated_by", rule.updated_by_name]];
    const dl = el("dl", { class: "info detail billing-detail" },
      page.spec.detail.flatMap((c) => {
        const wide = c.format === "records" || c.key === "description" ? "wide" : null;
        return [el("dt", { class: wide, text: c.label }), el("dd", { class: wide, dataset: { key: c.key } }, ListPage.format(c, rule[c.key]) || "—")];
      }),
      audit.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { dataset: { key: k }, text: v || "—" })]));
    const d = page.dialogs.detail;
    d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: `${action.label} · ${rule.name}` }), dl,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"), on: { click: () => d.close() } }))));
    d.showModal();
  };

  // -- the 计费类型 search: the modes the app has (billing plugins add modes) --------------------------

  document.addEventListener("DOMContentLoaded", async () => {
    const page = window.currentPage;
    const select = document.getElementById("s-mode");
    const form = page && page.spec.actions.find((a) => a.handler === "billing_form");
    if (!select || !form) return;
    const list = await modes(form.params.modes, form.params.vehicle);
    Forms.fillSelect(select, list.map((m) => ({ value: m.identifier, label: m.verbose_name })), null, t("all"));
  });
})();
