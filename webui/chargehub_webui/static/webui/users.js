// 用户管理 → 绑定电站: car and e-bike stations the user may see (auth scope "stations").
"use strict";
ListPage.handlers.bind_stations = async (user, page, action) => {
  const { el, t, api, query, toast } = UI;
  const dialog = page.dialogs.detail;
  const url = `${page.spec.api}/${user.id}/stations`;
  const current = await api("GET", url);
  if (!current.ok) return toast((current.data && current.data.message) || t("failed"), "bad");
  const message = el("div", { class: "form-message", role: "alert" });
  const groups = {};
  const section = async (kind, key, title) => {
    const res = await api("GET", "/api/v1/admin/options/stations" +
                          query({ kind, provider_id: user.provider_id, property_id: user.property_id }));
    const chosen = new Set(current.data[key] || []);
    const box = el("div", { class: "checks", dataset: { kind } },
      (res.ok ? res.data : []).map((o) => el("label", { class: "check" },
        el("input", { type: "checkbox", value: o.value, checked: chosen.has(o.value) }), " " + o.label)));
    if (!box.children.length) box.append(el("span", { class: "muted", text: t("empty") }));
    groups[key] = box;
    return [el("h3", { text: title }), box];
  };
  const car = await section("car", "car_station_ids", t("car_stations"));
  const bike = await section("bike", "bike_station_ids", t("bike_stations"));
  const save = el("button", { type: "button", class: "btn primary", text: t("save"), on: { click: async () => {
    const body = {};
    for (const [key, box] of Object.entries(groups)) {
      body[key] = [...box.querySelectorAll("input:checked")].map((c) => Number(c.value));
    }
    const res = await api("PUT", url, body);
    if (!res.ok) { message.textContent = (res.data && res.data.message) || t("failed"); return; }
    dialog.close();
    toast(t("saved"));
  } } });
  dialog.replaceChildren(el("div", { class: "dialog-form" },
    el("h2", { text: `${action.label} · ${user.name}` }), message, ...car, ...bike,
    el("div", { class: "buttons" },
      el("button", { type: "button", class: "btn", text: t("cancel"), on: { click: () => dialog.close() } }), save)));
  dialog.showModal();
};
