// 支付订单 / 退费管理 / 分账记录 (pages/payments.py) and the order pages' 退费 and 分账: custom handlers. Labels and
// texts come with each action's params; errors (409 / 422 messages) are shown in the dialog.
"use strict";
(() => {
  const { el, t, api, fill, toast } = UI;
  const H = ListPage.handlers;
  const message = (res) => (res.data && res.data.message) || t("failed");
  const problems = (res) => {
    const fields = (res.data && res.data.errors && res.data.errors.json) || {};
    return [message(res), ...Object.values(fields).flat()].join(" ");
  };

  /** A dialog of `body` nodes under `title`, with 取消 and (when given) the `ok` button. */
  function dialog(page, title, body, ok) {
    const d = page.dialogs.confirm;
    d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: title }), ...body,
      el("div", { class: "buttons" },
        el("button", { type: "button", class: "btn", text: ok ? t("cancel") : t("close"), on: { click: () => d.close() } }),
        ok || null)));
    d.showModal();
    return d;
  }

  /** 退费: GET the order's 最大退费金额; an amount and a reason; POST. Refused orders show why (nothing to send). */
  H.order_refund = async (row, page, action) => {
    const p = action.params;
    const url = page.url(action.url, row);
    const res = await api("GET", url);
    if (!res.ok) return toast(message(res), "bad");
    const q = res.data;
    const error = el("div", { class: "form-message", role: "alert", text: q.allowed ? "" : q.reason_if_not });
    const facts = el("dl", { class: "info refund-quote" }, [["maximum", p.maximum], ["prepaid", p.prepaid], ["refunded", p.refunded]]
      .flatMap(([k, label]) => [el("dt", { text: label }), el("dd", { dataset: { key: k }, text: q[k] })]));
    if (!q.allowed) return dialog(page, `${action.label} · ${row.trade_no}`, [error, facts]);
    const amount = el("input", { type: "text", name: "amount", id: "f-amount", inputmode: "decimal", value: q.maximum });
    const reason = el("textarea", { name: "reason", id: "f-reason", maxlength: 200, rows: 3 });
    const ok = el("button", { type: "button", class: "btn primary danger", text: t("confirm") });
    const d = dialog(page, `${action.label} · ${row.trade_no}`, [error, facts, el("p", { class: "help", text: p.help }),
      el("div", { class: "field", dataset: { field: "amount" } }, el("label", { for: "f-amount" }, el("span", { text: p.amount })),
         amount, el("small", { class: "help", text: p.amount_help })),
      el("div", { class: "field", dataset: { field: "reason" } }, el("label", { for: "f-reason" }, el("span", { text: p.reason })),
         reason)], ok);
    ok.addEventListener("click", async () => {
      ok.disabled = true;
      const done = await api("POST", url, { amount: amount.value.trim(), reason: reason.value });
      ok.disabled = false;
      if (!done.ok) { error.textContent = problems(done); return; }
      d.close();
      toast(t("done"));
      page.load();
    });
  };

  /** 分账: the order's shares; each failed one has 重新分账 (POST params.resplit). */
  H.order_split = async (row, page, action) => {
    const p = action.params;
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const error = el("div", { class: "form-message", role: "alert" });
    const columns = Object.entries(p.columns);
    const failed = res.data.splits.filter((s) => s.state === "failed");
    const table = el("table", { class: "grid compact records splits" },
      el("thead", {}, el("tr", {}, columns.map(([, label]) => el("th", { text: label })), el("th", { text: t("actions") }))),
      el("tbody", {}, res.data.splits.map((s) => el("tr", { dataset: { id: s.id } },
        columns.map(([k]) => el("td", { dataset: { key: k }, text: k === "state" ? (p.states[s[k]] ?? s[k]) : String(s[k] ?? "") })),
        el("td", {}, s.state !== "failed" ? "" : el("button", { type: "button", class: "link", text: p.again,
          dataset: { action: "resplit" }, on: { click: async (event) => {
            event.target.disabled = true;
            const done = await api("POST", fill(p.resplit, s));
            if (!done.ok) { error.textContent = problems(done); event.target.disabled = false; return; }
            toast(t("done"));
            page.dialogs.confirm.close();
          } } }))))));
    dialog(page, `${action.label} · ${row.trade_no}`, [error, failed.length ? null : el("p", { class: "muted", text: p.none }), table]
      .filter(Boolean));
  };

  /** 分账撤销: confirm (params.confirm filled from the row), POST; a refusal is shown in the dialog. */
  H.split_revoke = (row, page, action) => {
    const error = el("div", { class: "form-message", role: "alert" });
    const ok = el("button", { type: "button", class: "btn primary danger", text: t("confirm") });
    const d = dialog(page, `${action.label} · ${row.out_split_no}`,
                     [error, el("p", { class: "confirm-text", text: fill(action.params.confirm, row) })], ok);
    ok.addEventListener("click", async () => {
      ok.disabled = true;
      const done = await api("POST", page.url(action.url, row));
      ok.disabled = false;
      if (!done.ok) { error.textContent = problems(done); return; }
      d.close();
      toast(t("done"));
      page.load();
    });
  };
})();
