// 单车管理 (pages/devices.py): the 实时状态 panel of an e-bike device's and a socket's 详细 — the device's online
// state, firmware and faults in words, its MQTT 账号 (state; 查看账号 and 重置密码 for users who may edit the
// device), 刷新状态 / 重启 with the device's answer, and each socket's live figures. Built on devices.js
// (DeviceLive); strings come with the action's params.
"use strict";
(() => {
  const { el, t, api, fill, datetime, toast, can } = UI;
  const L = window.DeviceLive;
  const { info, result, unit, present, dash, faultList, liveness, card } = L;

  /** One socket's card: state, voltage / current / power / energy / elapsed time, faults, order, last start / stop. */
  function socketCard(x, s) {
    return card({
      cls: "live-socket", stateClass: "socket-state", dataset: { socket: x.number }, title: fill(s.socket_no, { n: x.number }),
      state: x.state, stateText: s.socket_states[x.state] || x.state, live: x.updated_at, faulty: x.faults && x.faults.length, s,
      grid: [
        [s.voltage, unit(x.voltage_v, "V"), "voltage_v"], [s.current, unit(x.current_a, "A"), "current_a"],
        [s.power, unit(x.power_w, "W"), "power_w"], [s.energy, unit(x.energy_kwh, "kWh"), "energy_kwh"],
        [s.elapsed, present(x.elapsed_s) ? ListPage.duration(x.elapsed_s) : dash, "elapsed_s"],
        [s.trade_no, x.trade_no, "trade_no"],
      ],
      lines: [
        [s.faults, faultList(x.faults, s, x.fault_code), "faults"],
        [s.last_start, result(x.last_start, s), "last_start"], [s.last_stop, result(x.last_stop, s), "last_stop"],
      ],
    });
  }

  /** The MQTT 账号 section: its state (updated on every reload) and, for editors, 查看账号 / 重置密码. */
  function accountSection(ctx, s) {
    const { page, row, params } = ctx;
    const state = el("div", { class: "account-state" });
    const secret = el("div", { class: "account-secret", hidden: true });
    const show = (acc) => {
      secret.replaceChildren(info([
        [s.broker, acc.broker || s.broker_unset, "broker"], [s.client_id, acc.client_id, "client_id"],
        [s.username, acc.username, "username"], [s.password, acc.password || s.password_unset, "password"],
      ], "account"));
      secret.hidden = false;
    };
    const url = fill(params.account, row);
    const view = el("button", { type: "button", class: "btn small account-view", text: s.view_account, on: { click: async () => {
      if (!secret.hidden) { secret.hidden = true; view.textContent = s.view_account; return; }
      const res = await api("GET", url);
      if (!res.ok) return toast(L.message(res), "bad");
      show(res.data);
      view.textContent = s.hide_account;
    } } });
    const reset = el("button", { type: "button", class: "btn small danger account-reset", text: s.reset_password, on: { click: async () => {
      if (!(await Forms.confirm(page.dialogs.confirm, fill(s.reset_confirm, row)))) return;
      const res = await api("POST", url + "/reset");
      if (!res.ok) return toast(L.message(res), "bad");
      show(res.data);
      view.textContent = s.hide_account;
      toast(s.reset_done);
      ctx.reload();
    } } });
    const editor = can(params.account_permission);
    const node = el("section", { class: "live-section account" }, el("h4", { text: s.account }), state,
      editor ? el("div", { class: "buttons-inline" }, view, reset) : null, secret);
    return { node, update: (acc) => state.replaceChildren(info([
      [s.account_state, el("span", { class: "account-state-text " + (acc.state === "failed" ? "fault" : ""),
                                      text: s.account_states[acc.state] || acc.state }), "account_state"],
      [s.account_synced, datetime(acc.synced_at), "account_synced_at"],
      ...(acc.error ? [[s.account_error, el("span", { class: "fault", text: acc.error }), "account_error"]] : []),
    ], "live")) };
  }

  /** 刷新状态 / 重启: POST the device's command; its answer (指令已执行, 设备离线...) shows next to the buttons. */
  function commandSection(ctx, s) {
    const { page, row, params } = ctx;
    const out = el("span", { class: "command-result", role: "status" });
    const send = async (name, label) => {
      if (name === "reboot" && !(await Forms.confirm(page.dialogs.confirm, fill(s.reboot_confirm, row)))) return;
      out.textContent = s.sending;
      out.className = "command-result";
      const res = await api("POST", fill(params.commands, row) + name);
      if (!res.ok) {
        out.textContent = `${label}：${L.message(res)}`;
        out.classList.add("bad");
        return;
      }
      const { status, reason } = res.data;
      const words = t("cmd_" + status);
      out.textContent = `${label}：${reason && status !== "offline" ? `${words}（${reason}）` : words}`;
      out.classList.add(status === "accepted" ? "ok" : "bad");
      out.dataset.status = status;
      if (status === "accepted") ctx.reload();
    };
    if (!can(params.command_permission)) return null;
    return el("div", { class: "buttons-inline device-commands" },
      el("button", { type: "button", class: "btn small", dataset: { command: "refresh_state" }, text: s.refresh_state,
                     on: { click: () => send("refresh_state", s.refresh_state) } }),
      el("button", { type: "button", class: "btn small", dataset: { command: "reboot" }, text: s.reboot,
                     on: { click: () => send("reboot", s.reboot) } }),
      out);
  }

  /** An e-bike device: liveness, firmware and device faults, commands, MQTT 账号, then a card per socket.
   * The account and command parts are made once per panel (a revealed account stays across reloads). */
  L.renderers.bike_device = (d, s, ctx) => {
    if (!ctx.account) {
      ctx.account = accountSection(ctx, s);
      ctx.commands = commandSection(ctx, s);
    }
    ctx.account.update(d.account || {});
    const head = liveness(d.online, d, s, [
      [s.firmware, d.firmware, "firmware"],
      [s.device_faults, faultList(d.faults, s, d.fault_code), "faults"],
    ]);
    return [head, ctx.commands, ctx.account.node,
            el("div", { class: "live-cards" }, (d.sockets || []).map((x) => socketCard(x, s)))];
  };

  /** A socket: its device's liveness and the socket's card. */
  L.renderers.bike_socket = (d, s) => [
    liveness(d.device_online, d, s, [[s.device, `${d.device_name || ""}（${d.device_code || ""}）`, "device"]]),
    el("div", { class: "live-cards" }, socketCard(d, s)),
  ];
})();
