// Device data in the admin (pages/devices.py): the 实时状态 panel of the 详细 dialog of the pile, gun, e-bike
// device and socket pages (GET /piles/<id>/status, /guns/<id>/live, /bike-devices/<id>/status,
// /bike-sockets/<id>/live), refreshed every few seconds while the dialog is open, and the 详细 of the device
// records (桩交易记录: rate lines with the rates in words; 单车充电记录: faults in words; both: the frame).
// Strings come with each action's params. The panel's parts are shared as window.DeviceLive: a page adds its
// own kind of panel with DeviceLive.renderers[name] = (data, strings, ctx) => nodes (bike_devices.js).
"use strict";
window.DeviceLive = (() => {
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

  /** Current faults in red (with the display code when there is one), or 无故障. */
  function faultList(faults, s, code) {
    if (!faults || !faults.length) return el("span", { class: "muted", text: s.no_faults });
    return el("div", { class: "fault-box" },
      code ? el("span", { class: "fault-code", text: fill(s.fault_code, { code }) }) : null,
      el("ul", { class: "faults" }, faults.map((f) => el("li", { class: "fault", text: f }))));
  }

  /** The online tag, last heartbeat and last online change (+ `extra` rows) of a device. */
  function liveness(online, d, s, extra) {
    return info([
      [s.online_state, el("span", { class: "tag " + (online ? "on" : "off"), text: online ? s.online : s.offline }), "online"],
      [s.last_heartbeat, datetime(d.last_heartbeat_at), "last_heartbeat_at"],
      [s.online_changed, datetime(d.online_changed_at), "online_changed_at"],
      ...(extra || []),
    ], "live head");
  }

  /**
   * One gun's or socket's card: its title and state tag, its live figures (`grid` rows, two per line), then
   * `lines` (a line each: faults, order, last start / stop...) and the time of the data; or 暂无实时数据.
   */
  function card({ cls, dataset, title, state, stateText, stateClass, live, grid, lines, faulty, s }) {
    const tag = state === "fault" ? "off" : state === "offline" ? "" : "on";
    const body = live
      ? [info(grid, "live"), info([...lines, [s.updated_at, datetime(live), "updated_at"]], "live lines")]
      : [el("p", { class: "muted no-live", text: s.no_live })];
    return el("section", { class: `live-card ${cls}` + (faulty ? " has-faults" : ""), dataset },
      el("h4", {}, title, " ", el("span", { class: `tag live-state ${stateClass} ${tag}`, dataset: { state }, text: stateText })),
      body);
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
    const minutes = (v) => (present(v) ? fill(s.minutes, { n: v }) : dash);
    return card({
      cls: "live-gun", stateClass: "gun-state", dataset: { gun: g.number }, title: `${g.name || g.number}`, state: g.state,
      stateText: s.gun_states[g.state] || g.state, live: g.updated_at, faulty: g.faults && g.faults.length, s,
      grid: [
        [s.voltage, unit(g.voltage_v, "V"), "voltage_v"], [s.current, unit(g.current_a, "A"), "current_a"],
        [s.power, unit(g.power_kw, "kW"), "power_kw"], [s.soc, unit(g.soc, "%"), "soc"],
        [s.energy, unit(g.energy_kwh, "kWh"), "energy_kwh"],
        [s.amount, present(g.amount) ? fill(s.yuan, { n: g.amount }) : dash, "amount"],
        [s.charging_minutes, minutes(g.charging_minutes), "charging_minutes"],
        [s.remaining_minutes, minutes(g.remaining_minutes), "remaining_minutes"],
        [s.cable_temp, unit(g.cable_temp_c, "℃"), "cable_temp_c"], [s.battery_temp, unit(g.battery_max_temp_c, "℃"), "battery_max_temp_c"],
        [s.plugged, present(g.plugged) ? (g.plugged ? s.plugged_yes : s.plugged_no) : dash, "plugged"],
        [s.lock, lockText(g.lock, s), "lock"],
      ],
      lines: [  // the longer texts get a line each
        [s.faults, faultList(g.faults, s), "faults"], [s.trade_no, g.trade_no, "trade_no"],
        [s.last_start, result(g.last_start, s), "last_start"], [s.last_stop, result(g.last_stop, s), "last_stop"],
      ],
    });
  }

  /** Renderers of the panel by kind: (answer, strings, ctx) -> nodes. A pile's answer has `guns`, a gun's is one gun. */
  const renderers = {
    pile: (d, s) => {
      const extra = d.guns ? [[s.firmware, d.firmware, "firmware"], [s.billing_model, d.billing_model_code, "billing_model_code"]] : [];
      return [liveness(d.guns ? d.online : d.pile_online, d, s, extra),
              el("div", { class: "live-cards" }, (d.guns || [d]).map((g) => gunCard(g, s)))];
    },
  };

  /** Load the 实时状态 of the panel `box` (its url, strings, kind and ctx) into its content. */
  async function loadLive(box, panel) {
    const res = await api("GET", panel.url);
    const content = box.querySelector(".live-content");
    if (!res.ok) return content.replaceChildren(el("p", { class: "error", text: message(res) }));
    content.replaceChildren(...renderers[panel.render](res.data, panel.strings, panel.ctx).filter(Boolean));
    box.dataset.loadedAt = new Date().toISOString();
  }

  /** 详细 of a pile, gun, e-bike device or socket: the page's own detail dialog, then the 实时状态 panel under it,
   * reloaded every `params.interval` seconds while the dialog shows it. */
  H.detail_with_live = async (row, page, action) => {
    const { strings: s, render = "pile", interval = 5 } = action.params;
    await page.detail(page.url(action.url, row));
    const d = page.dialogs.detail;
    const form = d.open && d.querySelector(".dialog-form");
    if (!form) return;
    const url = page.url(action.params.live, row);
    const panel = { url, render, strings: s, ctx: { page, row, params: action.params } };
    const box = el("section", { class: "live-panel", dataset: { url, render } },
      el("div", { class: "live-title" }, el("h3", { text: s.title }),
         el("span", { class: "muted live-auto", text: fill(s.auto_refresh, { n: interval }) }),
         el("button", { type: "button", class: "btn small live-refresh", text: s.refresh, on: { click: () => loadLive(box, panel) } })),
      el("div", { class: "live-content" }, el("p", { class: "muted", text: s.loading })));
    panel.ctx.reload = () => loadLive(box, panel);
    form.insertBefore(box, form.querySelector(".buttons"));
    await loadLive(box, panel);
    const timer = setInterval(() => {
      if (!d.open || !box.isConnected) clearInterval(timer);
      else if (!document.hidden) loadLive(box, panel);
    }, interval * 1000);
  };

  /** 详细 of a device record (桩交易记录, 单车充电记录): the page's detail columns; `periods` with the rates in
   * words (`params.rates`), `faults` in red, `frame` as received. */
  H.record_detail = async (row, page, action) => {
    const res = await api("GET", page.url(action.url, row));
    if (!res.ok) return toast(message(res), "bad");
    const rec = res.data;
    const rates = action.params.rates || {};
    const value = (c) => {
      if (c.key === "periods") {
        return ListPage.format(c, (rec.periods || []).map((p) => ({ ...p, rate: rates[p.rate] ?? p.rate })));
      }
      if (c.key === "faults") return rec.faults && rec.faults.length ? faultList(rec.faults, action.params, rec.fault_code) : "";
      if (c.key === "frame") return rec.frame ? el("pre", { class: "frame", text: rec.frame }) : "";
      return ListPage.format(c, rec[c.key]);
    };
    const wide = (c) => (["periods", "frame", "faults"].includes(c.key) ? "wide" : null);
    const dl = el("dl", { class: "info detail device-record" }, page.spec.detail.flatMap((c) => [
      el("dt", { class: wide(c), text: c.label }), el("dd", { class: wide(c), dataset: { key: c.key } }, value(c) || dash)]));
    const d = page.dialogs.detail;
    d.replaceChildren(el("div", { class: "dialog-form" }, el("h2", { text: `${action.params.title} · ${rec.trade_no}` }), dl,
      el("div", { class: "buttons" }, el("button", { type: "button", class: "btn primary", text: t("close"), on: { click: () => d.close() } }))));
    d.showModal();
  };

  return { info, result, unit, present, dash, message, faultList, liveness, card, renderers };
})();
