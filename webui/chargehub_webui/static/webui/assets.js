// 汽车管理 / 单车管理 custom actions (pages/assets.py): device actions, QR codes and their export,
// stations' 支付配置 and 私桩申请, piles' 计费详情. Each is a ListPage handler (row, page, action).
"use strict";
(() => {
  const { el, t, api, query, fill, toast, can } = UI;
  const H = ListPage.handlers;
  const QR_TEMPLATES = ["plain", "labeled", "card"];
  const message = (res) => (res.data && res.data.message) || t("failed");
  const titleOf = (action, row) => `${action.label} · ${row.name ?? row.code ?? row.id}`;

  /** The page's wide dialog with `title`, `body` nodes and 关闭; returns the dialog. */
  function show(page, title, body, onClose) {
    const d = page.dialogs.detail;
    const close = () => { d.close(); if (onClose) onClose(); };
    d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: title }), body,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"),
                                                      on: { click: close } }))));
    d.showModal();
    return d;
  }

  /** 开锁 / 重启设备 / ...: POST the action's URL; the device's answer (设备离线, ...) as a message. */
  H.device_command = async (row, page, action) => {
    const res = await api("POST", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const { status, reason } = res.data;
    const text = t("cmd_" + status);
    toast(reason && status !== "offline" ? `${text}：${reason}` : text, status === "accepted" ? "ok" : "bad");
    if (status === "accepted") page.load();
  };

  /** 查看二维码: the three templates of each gun / socket (the row's own, or those `params.source` lists). */
  H.qrcodes = async (row, page, action) => {
    const p = action.params;
    let items = [row];
    if (p.source) {
      const filter = Object.fromEntries(Object.entries(p.filter || {}).map(([k, v]) => [k, fill(v, row)]));
      const res = await api("GET", p.source + query({ ...filter, page_size: 100 }));
      if (!res.ok) return toast(message(res), "bad");
      items = res.data.items || [];
    }
    const base = `/api/v1/admin/qrcodes/${p.kind}s/`;
    const blocks = items.map((item) => {
      const name = fill(p.label || "{name}", item);
      return el("section", { class: "qr-item", dataset: { id: item.id } },
        el("h3", { text: name }),
        item.charge_url ? el("p", { class: "muted qr-url", text: `${t("charge_url")}：${item.charge_url}` }) : null,
        el("div", { class: "qr-templates" }, QR_TEMPLATES.map((tpl) => {
          const src = base + item.id + ".png" + query({ template: tpl });
          return el("figure", { class: "qr", dataset: { template: tpl } },
            el("img", { src, alt: `${name} ${t("qr_" + tpl)}` }),
            el("figcaption", {}, el("span", { text: t("qr_" + tpl) }),
               el("a", { href: src, download: "", class: "link", dataset: { template: tpl }, text: t("download") })));
        })));
    });
    show(page, titleOf(action, row), blocks.length ? blocks : el("p", { class: "muted", text: t("empty") }));
  };

  /** 二维码导出: start the export of what the search finds (the search args `params.filters` maps),
   * show its progress, then the download link. */
  H.qrcode_export = async (row, page, action) => {
    const args = page.searchArgs();
    const filters = Object.fromEntries(Object.entries(action.params.filters)
      .filter(([arg]) => args[arg] !== undefined && args[arg] !== "").map(([arg, name]) => [name, args[arg]]));
    const res = await api("POST", action.url, { kind: action.params.kind, filters });
    if (!res.ok) return toast(message(res), "bad");
    const bar = el("progress", { max: 100, value: 0 });
    const status = el("p", { class: "export-status", text: t("export_waiting") });
    const link = el("p", { class: "export-link" });
    const dialog = show(page, `${action.label} · ${page.spec.title}`, el("div", { class: "export-box" }, status, bar, link));
    const statusUrl = `${action.url}/${res.data.export_id}`;
    while (dialog.open) {
      const s = await api("GET", statusUrl);
      if (!s.ok || ["failed", "error"].includes(s.data.state)) {
        status.textContent = s.ok ? `${t("export_failed")}${s.data.error ? "：" + s.data.error : ""}` : message(s);
        status.classList.add("error");
        return;
      }
      bar.value = Math.round((s.data.progress || 0) * 100);  // progress: 0–1
      if (s.data.download_url) {
        bar.value = 100;
        status.textContent = t("export_done", { n: s.data.rows ?? 0 });
        link.replaceChildren(el("a", { href: s.data.download_url, download: "", class: "btn primary",
                                       text: t("export_download") }));
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };

  /** One payment plugin of a station: on / off and its station settings form (Forms.settingsFields). */
  function paymentCard(url, item) {
    const form = el("form", { class: "plugin-form card", novalidate: true, dataset: { plugin: item.plugin } },
      el("h3", { text: item.verbose_name || item.plugin }),
      el("div", { class: "form-message", role: "alert" }),
      el("label", { class: "check switch" }, el("input", { type: "checkbox", name: "__enabled", checked: item.enabled }),
         " " + t("enable_plugin")),
      Forms.settingsFields(item, true),
      el("div", { class: "buttons" }, el("button", { type: "submit", class: "btn primary", text: t("save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      Forms.clearErrors(form);
      const res = await api("PUT", `${url}/${item.plugin}`,
                            { enabled: form.elements.__enabled.checked, settings: Forms.settingsPayload(form, item) });
      if (!res.ok) return Forms.showErrors(form, res, "settings");
      toast(t("saved"));
      form.replaceWith(paymentCard(url, res.data));
    });
    return form;
  }

  /** 支付配置: the tenant's payment plugins that take station settings. */
  H.payment_config = async (row, page, action) => {
    const url = page.url(action.url, row);
    const res = await api("GET", url);
    if (!res.ok) return toast(message(res), "bad");
    const cards = (res.data || []).map((item) => paymentCard(url, item));
    show(page, titleOf(action, row), cards.length ? cards : el("p", { class: "muted", text: t("no_payment_plugins") }));
  };

  /** 私桩申请: the application QR code and the station's applications (`params.columns`: [field, header]
   * pairs), with 通过 / 驳回. */
  H.private_piles = async (row, page, action) => {
    const base = page.url(action.url, row);
    const { states, columns } = action.params;
    const mayReview = can(page.spec.menu + ":audit");
    const body = el("tbody");
    const review = (app, approved) => Forms.open(page.dialogs.form, {
      title: `${approved ? t("approve") : t("reject")} · ${app.applicant}`, mode: "form", values: {},
      fields: [{ name: "remark", label: t("review_remark"), type: "textarea", options: null, show_if: {} }],
      submit: (p) => api("POST", `${base}/applications/${app.id}/review`, { approved, remark: p.remark || "" }),
      done: () => { toast(t("done")); load(); } });
    const cell = (app, key) => {
      if (key === "state") return states[app.state] ?? app.state;
      if (key === "created_at") return UI.datetime(app.created_at);
      return app[key] ?? "";
    };
    const load = async () => {
      const res = await api("GET", `${base}/applications` + query({ page_size: 100 }));
      const apps = res.ok ? res.data.items || [] : [];
      body.replaceChildren(...apps.map((app) => el("tr", { dataset: { id: app.id } },
        columns.map(([k]) => el("td", { dataset: { key: k }, text: String(cell(app, k)) })),
        el("td", { class: "actions" }, mayReview && app.state === "pending" ? [
          el("button", { type: "button", class: "link", text: t("approve"), on: { click: () => review(app, true) } }),
          el("button", { type: "button", class: "link danger", text: t("reject"), on: { click: () => review(app, false) } }),
        ] : null))));
      if (!apps.length) {
        body.append(el("tr", {}, el("td", { colspan: columns.length + 1, class: "muted center",
                                            text: res.ok ? t("empty") : message(res) })));
      }
    };
    show(page, titleOf(action, row), [
      el("figure", { class: "qr application-qr" }, el("img", { src: `${base}/application-qrcode.png`, alt: t("application_qr") }),
         el("figcaption", { text: t("application_qr") })),
      el("div", { class: "table-wrap" }, el("table", { class: "grid compact" },
        el("thead", {}, el("tr", {}, columns.map(([, c]) => el("th", { text: c })), el("th", { text: t("actions") }))),
        body)),
    ]);
    load();
  };

  /** 计费详情: the billing rule in effect for the pile's area (`params.labels`: [field, label] pairs), or why
   * there is none. */
  H.billing_detail = async (row, page, action) => {
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const rule = res.data.rule && { station_name: res.data.station_name, area_name: res.data.area_name, ...res.data.rule };
    const value = (v) => (Array.isArray(v)
      ? ListPage.format({ format: "records", labels: Object.fromEntries(Object.keys(v[0] || {}).map((k) => [k, k])) }, v)
      : String(v ?? "—"));
    const body = rule
      ? el("dl", { class: "info detail" }, action.params.labels.flatMap(([k, label]) =>
          [el("dt", { text: label }), el("dd", { dataset: { key: k } }, value(rule[k]))]))
      : el("p", { class: "muted billing-none", text: res.data.message || t("billing_none") });
    show(page, titleOf(action, row), body);
  };
})();
