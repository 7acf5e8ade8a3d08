// Shows the /healthz checks on the start page.
(async () => {
  const box = document.getElementById("health");
  try {
    const res = await fetch("/healthz");
    const body = await res.json();
    const rows = Object.entries(body.checks).map(([name, c]) =>
      `<tr><td>${name}</td><td class="${c.ok ? "ok" : "bad"}">${c.ok ? "正常" : "异常"}</td></tr>`).join("");
    box.innerHTML = `<table>${rows}</table>`;
  } catch (e) {
    box.textContent = "无法读取运行状态";
  }
})();
