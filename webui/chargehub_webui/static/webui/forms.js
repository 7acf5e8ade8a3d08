// Form dialogs from field specs (FormField in pagespec.py): inputs, selects fed by option APIs,
// dependent selects, show_if, the permission tree; 422 field messages under their fields.
"use strict";
window.Forms = (() => {
  const { el, t, api, query } = UI;
  const english = () => document.documentElement.lang === "en";
  const label = (node) => (english() && node.label_en) || node.label;

  /**
   * Options of a select: fixed choices, or the options API (`[{value, label}]`) with fixed `args` and
   * `params` from other fields; a list API's `{items}` map through `value_key` and the `label` template.
   */
  async function loadOptions(spec, valueOf) {
    if (!spec) return [];
    if (!spec.source) return spec.choices;
    const params = { ...(spec.args || {}) };
    for (const [arg, field] of Object.entries(spec.params || {})) params[arg] = valueOf(field);
    const res = await api("GET", spec.source + query(params));
    if (!res.ok || !res.data) return [];
    if (Array.isArray(res.data)) return res.data;
    return (res.data.items || []).map((item) => ({ value: item[spec.value_key || "id"],
                                                    label: UI.fill(spec.label || "{name}", item) }));
  }

  function fillSelect(select, options, value, blank) {
    select.replaceChildren(el("option", { value: "", text: blank }));
    for (const o of options) {
      const v = JSON.stringify(o.value);
      select.append(el("option", { value: v, text: o.label, selected: v === JSON.stringify(value) }));
    }
  }

  function fillChecks(box, name, options, values) {
    const chosen = new Set((values || []).map((v) => JSON.stringify(v)));
    box.replaceChildren(...options.map((o) => el("label", { class: "check" },
      el("input", { type: "checkbox", name, value: JSON.stringify(o.value), checked: chosen.has(JSON.stringify(o.value)) }),
      " " + o.label)));
    if (!options.length) box.append(el("span", { class: "muted", text: t("empty") }));
  }

  /** The permission tree (GET /api/v1/admin/permissions) as nested checkboxes; value: button codes. */
  async function permissionTree(box, name, values) {
    const res = await api("GET", "/api/v1/admin/permissions");
    const chosen = new Set(values || []);
    const render = (node) => {
      const item = el("li", { class: "perm-node" });
      const toggle = el("input", { type: "checkbox", class: "perm-group", dataset: { code: node.code } });
      item.append(el("label", { class: "check strong" }, toggle, " " + label(node)));
      const buttons = el("div", { class: "perm-buttons" }, (node.buttons || []).map((b) =>
        el("label", { class: "check" }, el("input", { type: "checkbox", name, value: JSON.stringify(b.code),
                                                      checked: chosen.has(b.code) }), " " + label(b))));
      item.append(buttons);
      if (node.children && node.children.length) item.append(el("ul", {}, node.children.map(render)));
      toggle.addEventListener("change", () =>
        item.querySelectorAll("input[type=checkbox]").forEach((c) => (c.checked = toggle.checked)));
      return item;
    };
    box.replaceChildren(el("ul", { class: "perm-tree" }, (res.ok ? res.data : []).map(render)));
    box.querySelectorAll(".perm-node").forEach((item) => {
      const own = item.querySelectorAll("input[name]");
      item.querySelector(".perm-group").checked = own.length > 0 && [...own].every((c) => c.checked);
    });
  }

  function input(field, value) {
    const attrs = { name: field.name, id: "f-" + field.name, required: field.required };
    switch (field.type) {
      case "textarea": return el("textarea", { ...attrs, rows: 3 }, value ?? "");
      case "bool": return el("input", { ...attrs, type: "checkbox", required: false, checked: value ?? field.default ?? false });
      case "select": return el("select", attrs);
      case "multiselect":
      case "permissions": return el("div", { class: field.type === "permissions" ? "perm-box" : "checks", dataset: { name: field.name } });
      default: {
        const node = el("input", { ...attrs, type: field.type === "tel" ? "tel" : field.type,
                                   autocomplete: field.type === "password" ? "new-password" : "off" });
        node.value = value ?? field.default ?? "";
        return node;
      }
    }
  }

  /**
   * Open a form dialog.
   * opts: {title, fields, values, mode ("add"|"edit"|"form"), submit(payload) -> api result, done(data)}
   */
  function open(dialog, opts) {
    const mode = opts.mode || "add";
    const values = { ...(opts.values || {}) };
    for (const f of opts.fields) {  // role_ids from the item's roles: [{id, name}]
      const refs = values[f.name.replace(/_ids$/, "s")];
      if (values[f.name] === undefined && f.name.endsWith("_ids") && Array.isArray(refs)) values[f.name] = refs.map((r) => r.id);
    }
    const fields = opts.fields.filter((f) => mode !== "edit" || f.editable);
    const form = el("form", { method: "dialog", novalidate: true, class: "dialog-form" });
    const message = el("div", { class: "form-message", role: "alert" });
    const rows = {};
    form.append(el("h2", { text: opts.title }), message);
    const body = el("div", { class: "form-body" });
    form.append(body);
    const valueOf = (name) => {
      const row = rows[name];
      if (!row || row.wrap.hidden) return values[name] ?? "";
      const v = read(row.field, row.control);
      return v === undefined || v === null ? "" : v;
    };
    for (const field of fields) {
      const control = input(field, values[field.name]);
      const required = field.required && !(mode === "edit" && field.type === "password");
      const wrap = el("div", { class: "field" + (field.type === "permissions" ? " full" : ""), dataset: { field: field.name } },
        el("label", { for: "f-" + field.name }, el("span", { class: required ? "req" : "", text: field.label })),
        control,
        field.help || (mode === "edit" && field.type === "password")
          ? el("small", { class: "help", text: field.help || t("keep_blank") }) : null,
        el("small", { class: "error" }));
      rows[field.name] = { field, control, wrap, required };
      body.append(wrap);
    }
    const reload = async (row) => {
      const { field, control } = row;
      const options = await loadOptions(field.options, valueOf);
      // read after loading: a choice made while the options were loading is kept if still offered
      const current = row.loaded ? read(field, control) : (values[field.name] ?? field.default);
      if (field.type === "select") fillSelect(control, options, current, t("choose"));
      else fillChecks(control, field.name, options, current);
      if (field.type === "select" && field.required && !row.loaded && current == null && options.length === 1) {
        control.value = JSON.stringify(options[0].value);
      }
      row.loaded = true;
    };
    const applyShowIf = () => {
      for (const row of Object.values(rows)) {
        const cond = Object.entries(row.field.show_if || {});
        row.wrap.hidden = !cond.every(([name, allowed]) => allowed.includes(String(valueOf(name))));
      }
    };
    form.addEventListener("change", async (event) => {
      const changed = event.target.name;
      applyShowIf();
      for (const row of Object.values(rows)) {
        const params = Object.values((row.field.options && row.field.options.params) || {});
        if (params.includes(changed) && row.field.name !== changed) await reload(row);
      }
    });
    const cancel = el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } });
    const save = el("button", { type: "submit", class: "btn primary", text: t("save") });
    form.append(el("div", { class: "buttons" }, cancel, save));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      const payload = {};
      let missing = false;
      for (const row of Object.values(rows)) {
        if (row.wrap.hidden) continue;
        const v = read(row.field, row.control);
        const empty = v === undefined || v === null || v === "";
        if (row.required && empty) {
          row.wrap.querySelector(".error").textContent = t("required");
          missing = true;
        }
        if (row.field.submit === false) continue;
        if (empty && (mode !== "edit" || row.field.type === "password" || row.field.type === "number")) continue;
        payload[row.field.name] = empty ? null : v;
      }
      if (missing) return;
      save.disabled = true;
      const res = await opts.submit(payload);
      save.disabled = false;
      if (res.ok) {
        dialog.close();
        if (opts.done) opts.done(res.data);
      } else {
        showErrors(form, res);
      }
    });
    dialog.replaceChildren(form);
    const loading = Object.values(rows).map((row) => {
      if (row.field.type === "permissions") return permissionTree(row.control, row.field.name, values[row.field.name]);
      if (row.field.options) return reload(row);
      return null;
    });
    dialog.showModal();
    return Promise.all(loading).then(applyShowIf);
  }

  /** The value of a control: JSON-decoded select values, arrays for check groups, numbers, booleans. */
  function read(field, control) {
    switch (field.type) {
      case "bool": return control.checked;
      case "select": return control.value === "" ? null : JSON.parse(control.value);
      case "multiselect":
      case "permissions":
        return [...control.querySelectorAll(`input[name="${field.name}"]:checked`)].map((c) => JSON.parse(c.value));
      case "number": return control.value === "" ? null : Number(control.value);
      default: return control.value;
    }
  }

  function clearErrors(form) {
    form.querySelectorAll(".error").forEach((e) => (e.textContent = ""));
    form.querySelectorAll(".invalid").forEach((e) => e.classList.remove("invalid"));
    form.querySelector(".form-message").textContent = "";
  }

  /** Show an API error: `errors.json.<field>` under each field, the top `message` above the form. */
  function showErrors(form, res, prefix) {
    const data = res.data || {};
    let fields = (data.errors && data.errors.json) || {};
    if (prefix) fields = fields[prefix] || {};
    const unplaced = [];
    for (const [name, msgs] of Object.entries(fields)) {
      const text = flatten(msgs);
      const wrap = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
      if (wrap && !wrap.hidden) {
        wrap.querySelector(".error").textContent = text;
        wrap.classList.add("invalid");
      } else unplaced.push(text);
    }
    form.querySelector(".form-message").textContent =
      [data.message || t("failed"), ...unplaced].join(" ");
  }

  function flatten(msgs) {
    if (Array.isArray(msgs)) return msgs.map(flatten).join(" ");
    if (msgs && typeof msgs === "object") return Object.values(msgs).map(flatten).join(" ");
    return String(msgs);
  }

  /**
   * Inputs of a plugin's settings form (`item.settings_form`: [{name, label, type, required, secret,
   * choices, default, help}]) filled from `item.settings`; secrets show only set / unset
   * (`item.secrets`) with 清除. Shared by 插件管理 and the stations' 支付配置.
   */
  function settingsFields(item, editable) {
    const control = (field) => {
      const value = (item.settings || {})[field.name] ?? field.default ?? "";
      if (field.items) return recordsTable(field, Array.isArray(value) ? value : [], editable);
      if (field.secret) {
        const state = (item.secrets || {})[field.name] === "set";
        return el("span", { class: "secret" },
          el("input", { type: "password", name: field.name, autocomplete: "new-password",
                        placeholder: state ? t("keep_blank") : "", disabled: !editable }),
          el("span", { class: "tag " + (state ? "on" : "off"), dataset: { secret: field.name },
                       text: state ? t("secret_set") : t("secret_unset") }),
          state && editable ? el("label", { class: "check" }, el("input", { type: "checkbox", name: field.name + "__clear" }), " " + t("clear_secret")) : null);
      }
      if (field.choices) {
        return el("select", { name: field.name, disabled: !editable },
          (field.required ? [] : [el("option", { value: "", text: t("choose") })]).concat(
            field.choices.map((c) => el("option", { value: c, text: c, selected: String(c) === String(value) }))));
      }
      if (field.type === "Boolean") return el("input", { type: "checkbox", name: field.name, checked: !!value, disabled: !editable });
      const numeric = ["Integer", "Float", "Decimal", "Number"].includes(field.type);
      return el("input", { type: "text", name: field.name, value: value ?? "", inputmode: numeric ? "decimal" : null,
                           disabled: !editable });
    };
    return el("div", { class: "form-body" }, (item.settings_form || []).map((field) =>
      el("div", { class: "field", dataset: { field: field.name } },
        el("label", {}, el("span", { class: field.required ? "req" : "", text: field.label })),
        control(field),
        field.help ? el("small", { class: "help", text: field.help }) : null,
        el("small", { class: "error" }))));
  }

  /** A list of records (split accounts) as a table: one row of inputs per record, 添加 and 删除. */
  function recordsTable(field, records, editable) {
    const body = el("tbody");
    const addRow = (record) => body.append(el("tr", {}, field.items.map((item) =>
      el("td", {}, el("input", { type: "text", dataset: { item: item.name }, value: record[item.name] ?? "",
                                 "aria-label": item.label, disabled: !editable }))),
      el("td", {}, editable ? el("button", { type: "button", class: "link", text: t("delete_row"),
                                             on: { click: (event) => event.target.closest("tr").remove() } }) : null)));
    records.forEach(addRow);
    return el("div", { class: "records-field", dataset: { records: field.name } },
      el("table", { class: "grid compact records" },
        el("thead", {}, el("tr", {}, field.items.map((item) => el("th", { text: item.label })), el("th"))), body),
      editable ? el("button", { type: "button", class: "link", dataset: { add: field.name }, text: t("add_row"),
                                on: { click: () => addRow({}) } }) : null);
  }

  /** The rows of a recordsTable as records (rows left wholly empty are skipped). */
  function recordsValue(form, field) {
    const table = form.querySelector(`[data-records="${field.name}"]`);
    return [...table.querySelectorAll("tbody tr")].map((tr) => Object.fromEntries(
      [...tr.querySelectorAll("input[data-item]")].map((input) => [input.dataset.item, input.value.trim()])
        .filter(([, v]) => v !== ""))).filter((record) => Object.keys(record).length);
  }

  /** The settings a form built by settingsFields sends: unchanged secrets left out, cleared ones null. */
  function settingsPayload(form, item) {
    const settings = {};
    for (const field of item.settings_form || []) {
      if (field.items) {
        settings[field.name] = recordsValue(form, field);
        continue;
      }
      const control = form.elements[field.name];
      if (field.secret) {
        const clear = form.elements[field.name + "__clear"];
        if (clear && clear.checked) settings[field.name] = null;
        else if (control.value) settings[field.name] = control.value;
      } else if (field.type === "Boolean") {
        settings[field.name] = control.checked;
      } else if (control.value !== "") {
        settings[field.name] = control.value;
      }
    }
    return settings;
  }

  /** Ask for confirmation; resolves true on 确定. */
  function confirm(dialog, text) {
    return new Promise((resolve) => {
      const finish = (answer) => { dialog.close(); resolve(answer); };
      dialog.replaceChildren(el("div", { class: "dialog-form" },
        el("h2", { text: t("confirm_title") }), el("p", { class: "confirm-text", text }),
        el("div", { class: "buttons" },
          el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => finish(false) } }),
          el("button", { type: "button", class: "btn primary", text: t("confirm"), on: { click: () => finish(true) } }))));
      dialog.showModal();
    });
  }

  /** Show values once (an initial password): rows = [[label, value], ...]. */
  function showResult(dialog, title, rows) {
    dialog.replaceChildren(el("div", { class: "dialog-form result" },
      el("h2", { text: title }),
      el("dl", { class: "info" }, rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { class: "secret-once", text: v })])),
      el("p", { class: "muted", text: t("result_once") }),
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"),
                                                      on: { click: () => dialog.close() } }))));
    dialog.showModal();
  }

  return { open, read, showErrors, clearErrors, confirm, showResult, loadOptions, fillSelect, label,
           settingsFields, settingsPayload };
})();
