// Device data in the admin (pages/devices.py): the 实时状态 panel of the pile and gun pages' 详细 dialog
// (GET /piles/<id>/status, /guns/<id>/live) and 桩交易记录's 详细 (rate lines with the rates in words, the frame
// in hex). Strings come with each action's params.
"use strict";
(() => {
  const { el, t, api, fill, datetime, toast } = UI;
  const H = ListPage.handlers;
  const message = (res) => (res.data && res.data.message) || t("failed");
  const dash = "—";
  (() => {  // the pages' own stylesheet (devices.css next to this script)
    const script = document.querySelector('script[src*="webui/devices.js"]');
    if (script) document.head.append(el("link", { rel: "stylesheet", href: script.src.replace(/\.js(\?.*)?$/, ".css") }));
  })();

  const present = (v) => v !== null && v !== undefined && v !== "";
  const unit = (v, u) => (present(v) ? `${v} ${u}` : dash);

  /** A definition list of [label, value node or text, key] rows. */
  function info(rows, cls) {
    return el("dl", { class: "info " + (cls || "") }, rows.flatMap(([label, value, key]) => [
      el("dt", { text: label }), el("dd", { dataset: { key } }, present(value) ? value : dash)]));
  }

  /** 成功 / 失败：原因 · time of a last start / stop result (`{accepted, reason, at}`), or — . */
  function result(r, s) {
    if (!r || r.accepted === undefined || r.accepted === null) return dash;
    const words = r.accepted ? s.accepted : `${s.rejected}${r.reason ? "：" + r.reason : ""}`;
    return el("span", { class: "result " + (r.accepted ? "ok" : "bad"), text: r.at ? `${words} · ${datetime(r.at)}` : words });
  }

  function lockText(lock, s) {
    if (!lock || !lock.state) return dash;
    const parts = [s["lock_" + lock.state] || lock.state];
    if (lock.occupied !== undefined && lock.occupied !== null) parts.push(lock.occupied ? s.occupied : s.vacant);
    if (present(lock.battery)) parts.push(fill(s.battery, { n: lock.battery }));
    const text = parts.join("，");
    return lock.alarm ? el("span", { class: "fault", text: `${text}（${lock.alarm}）` }) : text;
  }

  /** One gun's card: state, live figures, current faults (red), lock and the last start / stop. */
  function gunCard(g, s) {
    const state = s.gun_states[g.state] || g.state;
    const faults = g.faults && g.faults.length
      ? el("ul", { class: "faults" }, g.faults.map((f) => el("li", { class: "fault", text: f })))
      : el("span", { class: "muted", text: s.no_faults });
    const body = g.updated_at === null || g.updated_at === undefined
      ? [el("p", { class: "muted no-live", text: s.no_live })]
      : [info([
          [s.voltage, unit(g.voltage_v, "V"), "voltage_v"], [s.current, unit(g.current_a, "A"), "current_a"],
          [s.power, unit(g.power_kw, "kW"), "power_kw"], [s.soc, unit(g.soc, "%"), "soc"],
          [s.energy, unit(g.energy_kwh, "kWh"), "energy_kwh"],
          [s.amount, present(g.amount) ? fill(s.yuan, { n: g.amount }) : dash, "amount"],
          [s.charging_minutes, present(g.charging_minutes) ? fill(s.minutes, { n: g.charging_minutes }) : dash, "charging_minutes"],
          [s.remaining_minutes, present(g.remaining_minutes) ? fill(s.minutes, { n: g.remaining_minutes }) : dash, "remaining_minutes"],
          [s.cable_temp, unit(g.cable_temp_c, "℃"), "cable_temp_c"], [s.battery_temp, unit(g.battery_max_temp_c, "℃"), "battery_max_temp_c"],
          [s.plugged, present(g.plugged) ? (g.plugged ? s.plugged_yes : s.plugged_no) : dash, "plugged"],
          [s.lock, lockText(g.lock, s), "lock"],
        ], "live"), info([  // the longer texts get a line each
          [s.faults, faults, "faults"], [s.trade_no, g.trade_no, "trade_no"],
          [s.last_start, result(g.last_start, s), "last_start"], [s.last_stop, result(g.last_stop, s), "last_stop"],
          [s.updated_at, datetime(g.updated_at), "updated_at"],
        ], "live lines")];
    const tag = g.state === "fault" ? "off" : g.state === "offline" ? "" : "on";
    return el("section", { class: "live-gun" + (g.faults && g.faults.length ? " has-faults" : ""), dataset: { gun: g.number } },
      el("h4", {}, `${g.name || g.number}`, " ", el("span", { class: "tag gun-state " + tag, dataset: { state: g.state }, text: state })),
      body);
  }

  /** The pile's (or the gun's pile's) liveness. */
  function liveness(online, d, s) {
    return info([
      [s.online_state, el("span", { class: "tag " + (online ? "on" : "off"), text: online ? s.online : s.offline }), "online"],
      [s.last_heartbeat, datetime(d.last_heartbeat_at), "last_heartbeat_at"],
      [s.online_changed, datetime(d.online_changed_at), "online_changed_at"],
      ...(d.guns ? [[s.firmware, d.firmware, "firmware"], [s.billing_model, d.billing_model_code, "billing_model_code"]] : []),
    ], "live head");
  }

  /** Load the 实时状态 of `url` into `box` (a pile's answer has `guns`, a gun's is one gun). */
  async function loadLive(box, url, s) {
    const res = await api("GET", url);
    const content = box.querySelector(".live-content");
    if (!res.ok) return content.replaceChildren(el("p", { class: "error", text: message(res) }));
    const d = res.data;
    const guns = d.guns || [d];
    content.replaceChildren(liveness(d.guns ? d.online : d.pile_online, d, s),
      el("div", { class: "live-guns" }, guns.map((g) => gunCard(g, s))));
  }

  /** 详细 of a pile or gun: the page's own detail dialog, then the 实时状态 panel under it. */
  H.detail_with_live = async (row, page, action) => {
    const s = action.params.strings;
    await page.detail(page.url(action.url, row));
    const d = page.dialogs.detail;
    const form = d.open && d.querySelector(".dialog-form");
    if (!form) return;
    const url = page.url(action.params.live, row);
    const box = el("section", { class: "live-panel", dataset: { url } },
      el("div", { class: "live-title" }, el("h3", { text: s.title }),
         el("button", { type: "button", class: "btn small live-refresh", text: s.refresh, on: { click: () => loadLive(box, url, s) } })),
      el("div", { class: "live-content" }, el("p", { class: "muted", text: s.loading })));
    form.insertBefore(box, form.querySelector(".buttons"));
    await loadLive(box, url, s);
  };

  /** 桩交易记录 详细: the page's detail columns, the rate lines with the rates in words, the frame in hex. */
  H.pile_record_detail = async (row, page, action) => {
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const rec = res.data;
    const rates = action.params.rates;
    const value = (c) => {
      if (c.key === "periods") {
        return ListPage.format(c, (rec.periods || []).map((p) => ({ ...p, rate: rates[p.rate] ?? p.rate })));
      }
      if (c.key === "frame") return rec.frame ? el("pre", { class: "frame", text: rec.frame }) : "";
      return ListPage.format(c, rec[c.key]);
    };
    const wide = (c) => (["periods", "frame"].includes(c.key) ? "wide" : null);
    const dl = el("dl", { class: "info detail pile-record" }, page.spec.detail.flatMap((c) => [
      el("dt", { class: wide(c), text: c.label }), el("dd", { class: wide(c), dataset: { key: c.key } }, value(c) || dash)]));
    const d = page.dialogs.detail;
    d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: `${action.params.title} · ${rec.trade_no}` }), dl,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"), on: { click: () => d.close() } }))));
    d.showModal();
  };
})();
