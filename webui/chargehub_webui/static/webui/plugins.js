// 插件管理: a provider's tenant plugins — on/off, a settings form generated from the plugin's
// schema (settings_form, built by Forms.settingsFields), secrets shown only as set / unset.
// Saves with PUT .../plugins/<name>.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { el, t, api, toast } = UI;
  const scope = document.getElementById("plugin-scope");
  const list = document.getElementById("plugin-list");
  const picker = document.getElementById("provider-picker");
  const canConfigure = scope.dataset.canConfigure === "true";
  let providerId = scope.dataset.providerId;

  const payload = (form, plugin) => ({ enabled: form.elements.__enabled.checked,
                                       settings: Forms.settingsPayload(form, plugin) });

  function card(plugin) {
    const status = [
      el("span", { class: "tag " + (plugin.enabled ? "on" : "off"), dataset: { state: "enabled" },
                   text: plugin.enabled ? t("plugin_enabled") : t("plugin_disabled") }),
      el("span", { class: "tag " + (plugin.configured ? "on" : "warn"), dataset: { state: "configured" },
                   text: plugin.configured ? t("configured") : t("not_configured") }),
      plugin.available ? null : el("span", { class: "tag off", text: t("unavailable") }),
    ];
    const form = el("form", { class: "plugin-form", novalidate: true }, el("div", { class: "form-message", role: "alert" }));
    form.append(el("label", { class: "check switch" }, el("input", { type: "checkbox", name: "__enabled", checked: plugin.enabled,
                                                                       disabled: !canConfigure || !plugin.available }), " " + t("enable_plugin")));
    form.append(Forms.settingsFields(plugin, canConfigure));
    if (canConfigure) form.append(el("div", { class: "buttons" }, el("button", { type: "submit", class: "btn primary", text: t("save") })));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      Forms.clearErrors(form);
      const res = await api("PUT", `/api/v1/admin/providers/${providerId}/plugins/${plugin.name}`, payload(form, plugin));
      if (!res.ok) return Forms.showErrors(form, res, "settings");
      toast(t("saved"));
      node.replaceWith(card(res.data));
    });
    const errors = (plugin.compatibility_errors || []).map((e) => el("li", { text: e }));
    const node = el("section", { class: "card plugin", dataset: { plugin: plugin.name } },
      el("header", { class: "plugin-head" },
        el("div", {}, el("h2", { text: plugin.verbose_name }),
           el("div", { class: "muted", text: `${plugin.name} · ${t("version")} ${plugin.version} · ${t("category")} ${plugin.category}` })),
        el("div", { class: "tags" }, status)),
      el("p", { text: plugin.description || "" }),
      errors.length ? el("ul", { class: "error" }, errors) : null,
      form);
    return node;
  }

  async function load() {
    list.replaceChildren();
    if (!providerId) {
      list.append(el("p", { class: "card muted", text: t("pick_provider") }));
      return;
    }
    const res = await api("GET", `/api/v1/admin/providers/${providerId}/plugins`);
    if (!res.ok) {
      list.append(el("p", { class: "card error", text: (res.data && res.data.message) || t("failed") }));
      return;
    }
    if (!res.data.length) list.append(el("p", { class: "card muted", text: t("no_plugins") }));
    res.data.forEach((plugin) => list.append(card(plugin)));
  }

  if (picker) {
    Forms.loadOptions({ source: "/api/v1/admin/options/providers" }, () => "").then((options) => {
      Forms.fillSelect(picker, options, null, t("pick_provider"));
    });
    picker.addEventListener("change", () => { providerId = picker.value ? JSON.parse(picker.value) : ""; load(); });
  }
  load();
});
