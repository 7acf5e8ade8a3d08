// 角色管理 → 分配用户: the role's users with 取消授权, and a picker to assign more.
"use strict";
ListPage.handlers.assign_users = async (role, page, action) => {
  const { el, t, api, query, toast } = UI;
  const dialog = page.dialogs.detail;
  const base = `${page.spec.api}/${role.id}/users`;
  const message = el("div", { class: "form-message", role: "alert" });
  const assigned = el("tbody");
  const picker = el("div", { class: "checks" });

  async function refresh() {
    const res = await api("GET", base);
    const users = res.ok ? (Array.isArray(res.data) ? res.data : res.data.items || []) : [];
    assigned.replaceChildren(...users.map((u) => el("tr", { dataset: { id: u.id } },
      el("td", { text: u.phone }), el("td", { text: u.name }),
      el("td", {}, el("button", { type: "button", class: "link danger", text: t("unassign"), on: { click: async () => {
        const r = await api("DELETE", `${base}/${u.id}`);
        if (!r.ok) message.textContent = r.data.message || t("failed");
        refresh();
      } } })))));
    if (!users.length) assigned.append(el("tr", {}, el("td", { colspan: 3, class: "muted center", text: t("empty") })));
    const params = { user_type: role.user_type, provider_id: role.provider_id, property_id: role.property_id };
    const options = await api("GET", "/api/v1/admin/options/users" + query(params));
    const taken = new Set(users.map((u) => u.id));
    const free = (options.ok ? options.data : []).filter((o) => !taken.has(o.value));
    picker.replaceChildren(...free.map((o) => el("label", { class: "check" },
      el("input", { type: "checkbox", name: "user_ids", value: o.value }), " " + o.label)));
    if (!free.length) picker.append(el("span", { class: "muted", text: t("empty") }));
  }

  const assign = el("button", { type: "button", class: "btn primary", text: t("assign"), on: { click: async () => {
    const ids = [...picker.querySelectorAll("input:checked")].map((c) => Number(c.value));
    if (!ids.length) return;
    const r = await api("POST", base, { user_ids: ids });
    if (!r.ok) { message.textContent = (r.data && r.data.message) || t("failed"); return; }
    toast(t("done"));
    refresh();
  } } });
  dialog.replaceChildren(el("div", { class: "dialog-form" },
    el("h2", { text: `${action.label} · ${role.name}` }), message,
    el("h3", { text: t("assigned_users") }),
    el("table", { class: "grid compact" }, assigned),
    el("h3", { text: t("add_users") }), picker,
    el("div", { class: "buttons" },
      el("button", { type: "button", class: "btn", text: t("close"), on: { click: () => { dialog.close(); page.load(); } } }),
      assign)));
  dialog.showModal();
  refresh();
};
