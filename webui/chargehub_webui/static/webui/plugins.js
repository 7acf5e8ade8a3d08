// 插件管理: a provider's tenant plugins — on/off, a settings form generated from the plugin's
// schema (settings_form), secrets shown only as set / unset. Saves with PUT .../plugins/<name>.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const { el, t, api, toast } = UI;
  const scope = document.getElementById("plugin-scope");
  const list = document.getElementById("plugin-list");
  const picker = document.getElementById("provider-picker");
  const canConfigure = scope.dataset.canConfigure === "true";
  let providerId = scope.dataset.providerId;

  function control(field, plugin) {
    const value = (plugin.settings || {})[field.name] ?? field.default ?? "";
    if (field.secret) {
      const state = plugin.secrets[field.name] === "set";
      return el("span", { class: "secret" },
        el("input", { type: "password", name: field.name, autocomplete: "new-password",
                      placeholder: state ? t("keep_blank") : "", disabled: !canConfigure }),
        el("span", { class: "tag " + (state ? "on" : "off"), dataset: { secret: field.name },
                     text: state ? t("secret_set") : t("secret_unset") }),
        state && canConfigure ? el("label", { class: "check" }, el("input", { type: "checkbox", name: field.name + "__clear" }), " " + t("clear_secret")) : null);
    }
    if (field.choices) {
      return el("select", { name: field.name, disabled: !canConfigure },
        (field.required ? [] : [el("option", { value: "", text: t("choose") })]).concat(
          field.choices.map((c) => el("option", { value: c, text: c, selected: String(c) === String(value) }))));
    }
    if (field.type === "Boolean") return el("input", { type: "checkbox", name: field.name, checked: !!value, disabled: !canConfigure });
    const numeric = ["Integer", "Float", "Decimal", "Number"].includes(field.type);
    return el("input", { type: "text", name: field.name, value: value ?? "", inputmode: numeric ? "decimal" : null,
                         disabled: !canConfigure });
  }

  function payload(form, plugin) {
    const settings = {};
    for (const field of plugin.settings_form) {
      const input = form.elements[field.name];
      if (field.secret) {
        const clear = form.elements[field.name + "__clear"];
        if (clear && clear.checked) settings[field.name] = null;
        else if (input.value) settings[field.name] = input.value;
      } else if (field.type === "Boolean") {
        settings[field.name] = input.checked;
      } else if (input.value !== "") {
        settings[field.name] = input.value;
      }
    }
    return { enabled: form.elements.__enabled.checked, settings };
  }

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
    const fields = el("div", { class: "form-body" });
    for (const field of plugin.settings_form) {
      fields.append(el("div", { class: "field", dataset: { field: field.name } },
        el("label", {}, el("span", { class: field.required ? "req" : "", text: field.label })),
        control(field, plugin),
        field.help ? el("small", { class: "help", text: field.help }) : null,
        el("small", { class: "error" })));
    }
    form.append(fields);
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
