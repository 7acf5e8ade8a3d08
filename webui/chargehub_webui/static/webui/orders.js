// 订单管理 (pages/orders.py): 详细 of an order in sections, and 结束 with a confirmation (an e-bike order takes
// an optional number of minutes). Section titles, enum words and texts come with each action's params.
"use strict";
(() => {
  const { el, t, api, fill, toast } = UI;
  const H = ListPage.handlers;
  const message = (res) => (res.data && res.data.message) || t("failed");
  const dash = "—";

  /** The words of `enums` ({field: {value: word}}) put into each record of `rows`. */
  const worded = (rows, enums) => (rows || []).map((r) => Object.fromEntries(Object.entries(r).map(
    ([k, v]) => [k, enums[k] && enums[k][v] !== undefined ? enums[k][v] : v])));

  /** 设备上报数据 (a late device record's figures) as a small definition list. */
  function figures(data) {
    const entries = Object.entries(data || {});
    if (!entries.length) return dash;
    return el("dl", { class: "info device-figures" }, entries.flatMap(([k, v]) => [
      el("dt", { text: k }), el("dd", { dataset: { key: k }, text: typeof v === "object" ? JSON.stringify(v) : String(v) })]));
  }

  /** 详细: GET the order, then one titled block per `params.sections` entry ([key, title, detail column keys]). */
  H.order_detail = async (row, page, action) => {
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const order = res.data;
    const p = action.params;
    const columns = Object.fromEntries(page.spec.detail.map((c) => [c.key, c]));
    const value = (c) => {
      if (c.key === "device_figures") return figures(order.device_figures);
      if (c.format === "records") {  // params.column_enums[list]: that list's own words (override params.enums)
        return ListPage.format(c, worded(order[c.key], { ...(p.enums || {}), ...((p.column_enums || {})[c.key] || {}) }));
      }
      return ListPage.format(c, order[c.key]);
    };
    const sections = p.sections.map(([key, title, keys]) => el("section", { class: "order-section", dataset: { section: key } },
      el("h3", { text: title }),
      el("dl", { class: "info detail" }, keys.filter((k) => columns[k]).flatMap((k) => {
        const c = columns[k];
        const wide = c.format === "records" || k === "device_figures" ? "wide" : null;
        const shown = value(c);
        return [el("dt", { class: wide, text: c.label }),
                el("dd", { class: wide, dataset: { key: k } }, shown === "" || shown === null ? dash : shown)];
      }))));
    const d = page.dialogs.detail;
    d.replaceChildren(el("div", { class: "dialog-form order-detail" },
      el("h2", { text: `${p.title} · ${order.trade_no}` }), ...sections,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"),
                                                      on: { click: () => d.close() } }))));
    d.showModal();
  };

  /** 结束: confirm (`params.confirm`, filled from the row), with `params.minutes` an optional minutes input;
   * POST the action's URL; a refusal (409: the order moved on meanwhile) is shown in the dialog. */
  H.order_end = (row, page, action) => {
    const p = action.params;
    const d = page.dialogs.confirm;
    const minutes = p.minutes ? el("input", { type: "number", name: "minutes", id: "f-minutes", min: 1, max: 2880, step: 1 }) : null;
    const error = el("div", { class: "form-message", role: "alert" });
    const ok = el("button", { type: "button", class: "btn primary danger", text: t("confirm") });
    ok.addEventListener("click", async () => {
      const body = {};
      if (minutes && minutes.value.trim() !== "") body.minutes = Number(minutes.value);
      ok.disabled = true;
      const res = await api("POST", page.url(action.url, row), body);
      ok.disabled = false;
      if (!res.ok) {
        const fields = (res.data && res.data.errors && res.data.errors.json) || {};
        error.textContent = [message(res), ...Object.values(fields).flat()].join(" ");
        return;
      }
      d.close();
      toast(t("done"));
      page.load();
    });
    d.replaceChildren(el("div", { class: "dialog-form order-end" },
      el("h2", { text: `${action.label} · ${row.trade_no}` }), error,
      el("p", { class: "confirm-text", text: fill(p.confirm, row) }),
      minutes ? el("div", { class: "field", dataset: { field: "minutes" } },
        el("label", { for: "f-minutes" }, el("span", { text: p.minutes_label })), minutes,
        el("small", { class: "help", text: p.minutes_help })) : null,
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => d.close() } }), ok)));
    d.showModal();
  };
})();
