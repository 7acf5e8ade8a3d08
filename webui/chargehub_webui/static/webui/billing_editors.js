// 计费规则 forms (billing.js): parameter editors generated from a billing mode's JSON schema. Objects of
// same-shaped objects become a price table (尖 / 峰 / 平 / 谷), arrays of objects editable rows (TOU
// periods, power tiers) and TOU times 30-minute selects. Each editor is {node, read(), show(messages)}:
// `read` gives the value the API takes, `show` places a 422's messages and returns those it cannot place.
"use strict";
window.BillingEditors = (() => {
  const { el } = UI;
  // half-hour steps of a day: "00:00" … "24:00" (TOU period boundaries)
  const TIMES = Array.from({ length: 49 }, (_, i) => `${String(Math.floor(i / 2)).padStart(2, "0")}:${i % 2 ? "30" : "00"}`);
  // properties of the standard modes in the order an operator reads them (the API's JSON has its keys
  // sorted); others follow in the order of the schema's `required`, then by name
  const ORDER = ["sharp", "peak", "flat", "valley", "start", "end", "rate", "up_to_w", "minutes",
                 "electricity_price", "service_price", "hourly_service_price", "unit_minutes", "unit_price", "prices",
                 "periods", "tiers", "auto_stop_minutes", "auto_stop_amount", "free_minutes", "amount"];

  /** The billing scripts' strings (`key` filled with `vars`; none: all): they come once, with the page's
   * 添加 action (pages/billing.py). */
  let strings = null;
  function S(page, key, vars) {
    strings = strings || (page.spec.actions.find((a) => a.params && a.params.strings) || { params: { strings: {} } }).params.strings;
    return key ? UI.fill(strings[key] ?? key, vars || {}) : strings;
  }

  function flatten(msgs) {
    if (Array.isArray(msgs)) return msgs.map(flatten).join(" ");
    if (msgs && typeof msgs === "object") return Object.values(msgs).map(flatten).join(" ");
    return String(msgs ?? "");
  }

  /** A property's label: the schema's title / x-label, the page's label of a known parameter, its name. */
  function labelOf(page, name, schema) {
    const known = S(page).fields && S(page).fields[name];
    const own = schema["x-label"] || schema.title;
    return (document.documentElement.lang === "en" ? known || own : own || known) || name;
  }

  const isTime = (name, schema) => schema.type === "string" && (["start", "end"].includes(name) || /\d:|HH:MM/.test(schema.pattern || ""));

  /** A scalar input (text, select of an enum or of half-hours, checkbox) with its error line. */
  function scalar(page, name, schema, value) {
    const initial = value ?? schema.default;
    let input;
    if (Array.isArray(schema.enum) || isTime(name, schema)) {
      const values = schema.enum || TIMES.concat(initial && !TIMES.includes(initial) ? [initial] : []);
      const rates = S(page).rates || {};
      input = el("select", { name, "aria-label": labelOf(page, name, schema) },
        (schema.enum ? [] : [el("option", { value: "", text: "--:--" })]).concat(
          values.map((v) => el("option", { value: v, text: rates[v] || v, selected: v === initial }))));
      if (initial === undefined || initial === null) input.value = schema.enum ? schema.enum[0] : "";
    } else if (schema.type === "boolean") {
      input = el("input", { type: "checkbox", name, checked: !!initial });
    } else {
      const numeric = ["number", "integer"].includes(schema.type) || schema.format === "decimal";
      input = el("input", { type: "text", name, autocomplete: "off", "aria-label": labelOf(page, name, schema),
                            inputmode: numeric ? (schema.type === "integer" ? "numeric" : "decimal") : null });
      input.value = initial ?? "";
    }
    const error = el("small", { class: "error" });
    return {
      input, error, node: el("span", { class: "cell" }, input, error),
      read() {
        if (schema.type === "boolean") return input.checked;
        const v = input.value.trim();
        if (v === "") return undefined;
        // integers as numbers; decimals stay strings (exact to the last digit; the API validates them)
        return schema.type === "integer" && /^-?\d+$/.test(v) ? Number(v) : v;
      },
      show(msgs) { error.textContent = flatten(msgs); input.classList.add("invalid"); return []; },
    };
  }

  /** Properties of an object schema, in reading order. */
  function properties(schema) {
    const names = Object.keys(schema.properties || {});
    const rank = (n) => {
      const p = schema.properties[n];
      if (p["x-order"] !== undefined) return p["x-order"];
      const known = ORDER.indexOf(n);
      return known >= 0 ? known : 100 + ((schema.required || []).indexOf(n) + 1 || 500 + names.indexOf(n));
    };
    return names.sort((a, b) => rank(a) - rank(b)).map((n) => [n, schema.properties[n]]);
  }

  /** An object whose properties are all objects of the same fields (TOU prices): one table row each. */
  function isMatrix(schema) {
    const props = Object.values(schema.properties || {});
    if (props.length < 2 || !props.every((p) => p.type === "object" && p.properties)) return false;
    const keys = (p) => Object.keys(p.properties).sort().join();
    return props.every((p) => keys(p) === keys(props[0]));
  }

  function editor(page, name, schema, value, required) {
    if (schema.type === "object" && schema.properties) return isMatrix(schema) ? matrix(page, schema, value) : group(page, schema, value);
    if (schema.type === "array" && schema.items && schema.items.type === "object") return rows(page, name, schema, value, required);
    return scalar(page, name, schema, value);
  }

  /** Fields of an object, each with its label (the form's parameters, a nested object). */
  function group(page, schema, value, prefix) {
    const values = value || {};
    const children = {};
    const own = el("small", { class: "error" });
    const body = el("div", { class: prefix ? "form-body params-body" : "form-body nested" });
    for (const [name, prop] of properties(schema)) {
      const required = (schema.required || []).includes(name);
      const child = editor(page, name, prop, values[name], required);
      const wide = child.wide || prop.type === "object" || prop.type === "array";
      const help = prop.description && prop.description !== prop.title ? prop.description : (name === "periods" ? S(page, "periods_help") : "");
      children[name] = child;
      body.append(el("div", { class: "field" + (wide ? " full" : ""), dataset: { field: (prefix || "") + name } },
        el("label", {}, el("span", { class: required ? "req" : "", text: labelOf(page, name, prop) })),
        child.input && !child.wide ? [child.input, child.error] : child.node,
        help ? el("small", { class: "help", text: help }) : null));
    }
    return {
      node: el("div", { class: "params-group" }, body, own), wide: true,
      read() {
        const out = {};
        for (const [name, child] of Object.entries(children)) {
          const v = child.read();
          if (v !== undefined) out[name] = v;
        }
        return out;
      },
      show(msgs) {
        if (!msgs || typeof msgs !== "object" || Array.isArray(msgs)) { own.textContent = flatten(msgs); return []; }
        const unplaced = [];
        for (const [name, m] of Object.entries(msgs)) {
          if (children[name]) unplaced.push(...children[name].show(m));
          else if (name === "_schema") own.textContent = flatten(m);
          else unplaced.push(`${name}: ${flatten(m)}`);
        }
        return unplaced;
      },
    };
  }

  /** An object of same-shaped objects as a table: one row per key (尖 / 峰 / 平 / 谷), a column per field. */
  function matrix(page, schema, value) {
    const values = value || {};
    const [, first] = properties(schema)[0];
    const columns = properties(first);
    const cells = {};
    const own = el("small", { class: "error" });
    const rates = S(page).rates || {};
    const table = el("table", { class: "grid compact param-table matrix" },
      el("thead", {}, el("tr", {}, el("th", { text: S(page, "rate") }), columns.map(([n, p]) => el("th", { text: labelOf(page, n, p) })))),
      el("tbody", {}, properties(schema).map(([key, prop]) => {
        cells[key] = {};
        return el("tr", { dataset: { key } }, el("th", { text: rates[key] || labelOf(page, key, prop) }),
          columns.map(([n, p]) => {
            const cell = scalar(page, n, p, (values[key] || {})[n]);
            cells[key][n] = cell;
            return el("td", { dataset: { key: n } }, cell.node);
          }));
      })));
    return {
      node: el("div", { class: "param-matrix" }, table, own), wide: true,
      read() {
        return Object.fromEntries(Object.entries(cells).map(([key, row]) => [key, Object.fromEntries(
          Object.entries(row).map(([n, c]) => [n, c.read()]).filter(([, v]) => v !== undefined))]));
      },
      show(msgs) {
        if (!msgs || typeof msgs !== "object" || Array.isArray(msgs)) { own.textContent = flatten(msgs); return []; }
        for (const [key, m] of Object.entries(msgs)) {
          if (cells[key] && m && typeof m === "object" && !Array.isArray(m)) {
            for (const [n, x] of Object.entries(m)) (cells[key][n] ? cells[key][n].show(x) : (own.textContent += ` ${flatten(x)}`));
          } else own.textContent += ` ${rates[key] || key}: ${flatten(m)}`;
        }
        return [];
      },
    };
  }

  /** An array of objects as editable rows (TOU periods, power tiers) with 添加 / 删除; a required one
   * starts with a row (a new TOU rule with one period over the whole day). */
  function rows(page, name, schema, value, required) {
    const item = schema.items;
    const columns = properties(item);
    const body = el("tbody");
    const own = el("small", { class: "error" });
    const list = [];
    const periods = columns.some(([n]) => n === "start") && columns.some(([n]) => n === "end");
    const addRow = (values) => {
      const cells = Object.fromEntries(columns.map(([n, p]) => [n, scalar(page, n, p, values[n])]));
      const rowError = el("small", { class: "error" });
      const entry = { cells, rowError };
      const tr = el("tr", {}, columns.map(([n]) => el("td", { dataset: { key: n } }, cells[n].node)),
        el("td", { class: "actions" }, el("button", { type: "button", class: "link danger remove-row", text: S(page, "remove"),
          on: { click: () => { list.splice(list.indexOf(entry), 1); tr.remove(); } } }), rowError));
      entry.tr = tr;
      list.push(entry);
      body.append(tr);
    };
    const next = () => {  // a new period starts where the last one ends
      if (!periods || !list.length) return periods ? { start: "00:00", end: "24:00" } : {};
      const end = list[list.length - 1].cells.end.read();
      return end && end !== "24:00" ? { start: end, end: "24:00" } : {};
    };
    let initial = value ?? schema.default;
    if (!initial) initial = required || schema.minItems ? [next()] : [];
    initial.forEach(addRow);
    const table = el("table", { class: "grid compact param-table rows" },
      el("thead", {}, el("tr", {}, columns.map(([n, p]) => el("th", { class: (item.required || []).includes(n) ? "req" : null,
                                                                      text: labelOf(page, n, p) })), el("th", { class: "actions" }))),
      body);
    const add = el("button", { type: "button", class: "btn small add-row", text: S(page, periods ? "add_period" : "add_row"),
                               on: { click: () => addRow(next()) } });
    return {
      node: el("div", { class: "param-rows", dataset: { param: name } }, table, el("div", { class: "row-tools" }, add), own), wide: true,
      read() {
        return list.map(({ cells }) => Object.fromEntries(Object.entries(cells).map(([n, c]) => [n, c.read()]).filter(([, v]) => v !== undefined)));
      },
      show(msgs) {
        if (!msgs || typeof msgs !== "object" || Array.isArray(msgs)) { own.textContent = flatten(msgs); return []; }
        for (const [key, m] of Object.entries(msgs)) {
          const entry = list[Number(key)];
          if (!entry) { own.textContent += ` ${flatten(m)}`; continue; }
          entry.tr.classList.add("invalid");
          if (m && typeof m === "object" && !Array.isArray(m)) {
            for (const [n, x] of Object.entries(m)) (entry.cells[n] ? entry.cells[n].show(x) : (entry.rowError.textContent += flatten(x)));
          } else entry.rowError.textContent = flatten(m);
        }
        return [];
      },
    };
  }

  return { S, flatten, group, rows };
})();
